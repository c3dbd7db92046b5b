/**
 * `notice`: a title and a few lines, to Telegram and email alike. The generic message for
 * operational notes and for testing the delivery spine.
 */
import * as z from 'zod'
import { escapeHtml } from '../telegram/html.ts'
import { plainEmail } from './email-layout.ts'
import type { MessageTemplate } from './types.ts'

const params = z.object({
  title: z.string().min(1),
  lines: z.array(z.string()).default([]),
})

export type NoticeParams = z.input<typeof params>

export const notice: MessageTemplate<z.output<typeof params>> = {
  name: 'notice',
  params,
  render({ title, lines }, locale) {
    return {
      telegram: { html: [`<b>${escapeHtml(title)}</b>`, ...lines.map((l) => escapeHtml(l))].join('\n') },
      email: plainEmail(title, lines, locale),
    }
  },
}
