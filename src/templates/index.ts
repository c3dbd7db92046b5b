/**
 * The template registry: every message the service sends is named here, so an outbox row can
 * carry a template name and parameters and be rendered by whichever worker sends it.
 * Template modules are listed in `builtIn`; tests may add more with `registerTemplate`.
 */
import * as z from 'zod'
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { prependEmailNote } from './email-layout.ts'
import { notice } from './notice.ts'
import { rhythmTemplates } from './rhythm.ts'
import { loopTemplates } from './loop.ts'
import type { MessagePayload, MessageTemplate, RenderContext, RenderedMessage } from './types.ts'

export type * from './types.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each template has its own params type
type AnyTemplate = MessageTemplate<any>

const builtIn: AnyTemplate[] = [notice, ...rhythmTemplates, ...loopTemplates]

const registry = new Map<string, AnyTemplate>()

/** Adds a template; a second, different template under the same name is a programming error. */
export function registerTemplate(t: AnyTemplate): void {
  const existing = registry.get(t.name)
  if (existing && existing !== t) throw new Error(`message template "${t.name}" is registered twice`)
  registry.set(t.name, t)
}

for (const t of builtIn) registerTemplate(t)

/** Whether a template of that name exists (enqueue checks it, so a typo fails at the decision). */
export function hasTemplate(name: string): boolean {
  return registry.has(name)
}

const encoder = new TextEncoder()

/**
 * Renders an outbox payload in `locale`. Throws on an unknown template, parameters its schema
 * rejects, a render error, or output Telegram would refuse (empty text, callback data over
 * 64 bytes): the worker retries, then dead-letters the row.
 */
export function renderPayload(payload: MessagePayload, locale: Locale, ctx: RenderContext): RenderedMessage {
  const template = registry.get(payload.template)
  if (!template) throw new Error(`unknown message template "${payload.template}"`)
  const parsed = template.params.safeParse(payload.params)
  if (!parsed.success)
    throw new Error(
      `invalid parameters for message template "${payload.template}": ${z.prettifyError(parsed.error)}`,
    )
  const rendered = template.render(parsed.data, locale, ctx)
  const tg = rendered.telegram
  if (tg) {
    if (tg.html.trim() === '')
      throw new Error(`message template "${payload.template}" rendered an empty Telegram text`)
    for (const row of tg.buttons ?? [])
      for (const b of row) {
        const bytes = encoder.encode(b.callbackData).length
        if (bytes < 1 || bytes > 64)
          throw new Error(
            `message template "${payload.template}": callback data must be 1–64 bytes, got ${bytes}`,
          )
      }
  }
  if (payload.fallbackFor === 'telegram' && rendered.email)
    return {
      ...rendered,
      email: prependEmailNote(rendered.email, messages(locale).delivery.email.fallbackNote),
    }
  return rendered
}
