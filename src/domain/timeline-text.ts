/** A timeline as lines of text: `2026-12-01 10:02 台城街道 二（五）4 · 签收 · 李明`. Plain text; escape for HTML. */
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { localDate } from './dates.ts'
import type { TimelineEntry } from './history.ts'
import { formatState } from './status-reply.ts'

function when(at: Date, tz: string): string {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at)
  return `${localDate(at, tz)} ${time}`
}

function detailOf(e: TimelineEntry, locale: Locale): string {
  const d = e.detail
  const parts: string[] = []
  if (e.kind === 'report' && typeof d.state === 'string')
    parts.push(formatState(d.state as 'done', typeof d.progress === 'number' ? d.progress : null, locale))
  for (const key of ['note', 'reason', 'fileName', 'due', 'deputy', 'from', 'to'] as const)
    if (typeof d[key] === 'string' && d[key]) parts.push(String(d[key]))
  if (typeof d.level === 'number') parts.push(`L${d.level}`)
  return parts.join(' ')
}

export function renderTimeline(
  entries: TimelineEntry[],
  locale: Locale,
  tz: string,
  withPair = true,
): string {
  const t = messages(locale).loop.history
  return entries
    .map((e) => {
      const head = withPair ? `${when(e.at, tz)} ${e.unit} ${e.ref}` : when(e.at, tz)
      const detail = detailOf(e, locale)
      return [head, t.kinds[e.kind], detail, e.by ?? t.system].filter(Boolean).join(' · ')
    })
    .join('\n')
}
