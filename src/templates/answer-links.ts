/**
 * The one-tap answer block of an email: for each open task, three links (已完成 / 进行中 /
 * 有困难) in the HTML part and the same URLs in the text part. The links come from a builder the
 * sender injects (`RenderContext.answerLinks`), so templates stay pure and know nothing of
 * signing or of the web desk's address.
 */
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { AnswerLinkBuilder } from './types.ts'

/** HTML and text lines for `tasks` (label, id); empty when there is no builder or no task id. */
export function answerLinkLines(
  build: AnswerLinkBuilder | undefined,
  tasks: { label: string; id: number | undefined }[],
  locale: Locale,
): { html: string[]; text: string[] } {
  const withIds = tasks.filter((t): t is { label: string; id: number } => t.id !== undefined)
  if (!build || withIds.length === 0) return { html: [], text: [] }
  const t = messages(locale).web.email
  const html = [`<b>${escapeHtml(t.linksHead)}</b>`]
  const text = [t.linksHead]
  for (const task of withIds) {
    const links = build(task.id)
    const states = ['done', 'in_progress', 'blocked'] as const
    html.push(
      `${escapeHtml(task.label)}<br>${states
        .map((s) => `<a href="${escapeHtml(links[s])}">${escapeHtml(t.states[s])}</a>`)
        .join(' · ')}`,
    )
    text.push(task.label, ...states.map((s) => `  ${t.states[s]}: ${links[s]}`))
  }
  html.push(escapeHtml(t.hint))
  text.push(t.hint)
  return { html, text }
}
