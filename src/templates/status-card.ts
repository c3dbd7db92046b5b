/**
 * The status card (`/status 台城`, `duban status 台城`) and the overview of all units, as plain
 * text or Telegram HTML. The one place these are rendered, so the bot and the CLI say the same.
 * In HTML every name, title, reference and note is escaped; the only markup is <b>. Splitting a
 * long card under Telegram's 4096 characters is the sender's job (it splits at line boundaries).
 *
 *   台城街道 · 联络员 李明（已绑定）
 *   ⚠️ 逾期 2 项 · 进行中 5 项 · 已完成 8 项 · 无回复 1 项
 *   🔄 二（五）2 开展涉企乱罚款专项整治：进行中 60% · 10月20日截止 · 11月2日 李明（3 天前）
 *   执法人员培训：24 人，平均 41.5 学时，低于进度 3 人
 */
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { escapeHtml, fitLines } from '../telegram/html.ts'
import { daysBetween, formatMonthDay, localDate } from '../domain/dates.ts'
import { formatState, formatStatus } from '../domain/status-reply.ts'
import type { StatusCounts, TaskStatusLine, UnitOverview, UnitStatus } from '../domain/status-view.ts'
import type { TaskState } from '../domain/reports.ts'

export interface RenderOptions {
  html: boolean
  now: Date
  tz: string
  /** The overview in one message of this many visible characters: the units ranked first, then how many more (the bot). */
  limit?: number
}

const stateIcons: Record<TaskState, string> = {
  done: '✅',
  in_progress: '🔄',
  blocked: '⚠️',
  not_started: '⏳',
  no_reply: '❔',
}
const OVERDUE_ICON = '⏰'

/** Count order on the card: what needs attention first. */
const countOrder: TaskState[] = ['blocked', 'in_progress', 'not_started', 'done', 'no_reply']

function punctuation(locale: Locale) {
  return locale === 'en' ? { colon: ': ', list: ', ' } : { colon: '：', list: '、' }
}

const loopIcons: Partial<Record<string, string>> = {
  awaiting_review: '📝',
  rectifying: '🛠',
  closed: '✅',
  withdrawn: '➖',
}
export const colorIcons = { green: '🟢', yellow: '🟡', red: '🔴' } as const

function stateText(
  line: Pick<TaskStatusLine, 'state' | 'progress' | 'note' | 'loop'>,
  locale: Locale,
): string {
  const loopState = line.loop?.state
  if (loopState && loopState in loopIcons) return messages(locale).loop.states[loopState as 'closed']
  return line.state === 'no_reply'
    ? formatState('no_reply', null, locale)
    : formatStatus({ state: line.state, progress: line.progress, note: line.note }, locale)
}

function countsText(counts: StatusCounts, locale: Locale, html: boolean): string {
  const t = messages(locale)
  const v = t.statusView
  const parts: string[] = []
  if (counts.overdue > 0)
    parts.push(html ? `<b>${v.card.overdueCount(counts.overdue)}</b>` : v.card.overdueCount(counts.overdue))
  for (const s of countOrder) if (counts[s] > 0) parts.push(v.card.stateCount(t.common.states[s], counts[s]))
  return parts.join(' · ')
}

/** One task line: state icon, reference and title, state, due date or days overdue, last reply and its age. */
export function renderTaskLine(line: TaskStatusLine, locale: Locale, opts: RenderOptions): string {
  const v = messages(locale).statusView.card
  const esc = opts.html ? escapeHtml : (s: string) => s
  const { colon } = punctuation(locale)
  const icon =
    line.overdueDays > 0 ? OVERDUE_ICON : (loopIcons[line.loop?.state ?? ''] ?? stateIcons[line.state])
  const marks = messages(locale).planLedger.roleMark
  const role = line.role ? marks[line.role] : ''
  const parts = [`${icon} ${esc(line.ref)} ${esc(line.title)}${role}${colon}${esc(stateText(line, locale))}`]
  if (line.due) {
    const date = formatMonthDay(line.due, locale)
    parts.push(line.overdueDays > 0 ? v.overdueDays(line.overdueDays, date) : v.due(date))
  } else parts.push(v.noDue)
  if (line.lastReplyAt) {
    const replied = localDate(line.lastReplyAt, opts.tz)
    const age = v.age(daysBetween(replied, localDate(opts.now, opts.tz)))
    parts.push(esc(v.lastReply(formatMonthDay(replied, locale), line.lastReplyBy, age)))
  }
  if (line.plan) parts.push(esc(messages(locale).planLedger.planLine(line.plan)))
  if (line.loop) parts.push(colorIcons[line.loop.color])
  return parts.join(' · ')
}

/** The status card of one unit (see the module comment for its shape). */
export function renderStatusCard(status: UnitStatus, locale: Locale, opts: RenderOptions): string {
  const v = messages(locale).statusView.card
  const esc = opts.html ? escapeHtml : (s: string) => s
  const { list } = punctuation(locale)
  const unitName = opts.html ? `<b>${escapeHtml(status.unit.name)}</b>` : status.unit.name
  const liaisons = status.liaisons.length
    ? `${v.liaisonLabel} ${status.liaisons
        .map((l) => {
          const how = l.telegramBound
            ? l.telegramUnreachable
              ? v.liaisonUnreachable
              : v.liaisonBound
            : l.reachable
              ? v.liaisonEmailOnly
              : v.liaisonNotBound
          return locale === 'en' ? `${esc(l.name)} (${how})` : `${esc(l.name)}（${how}）`
        })
        .join(list)}`
    : v.noLiaison
  const lines = [`${unitName} · ${liaisons}`]
  if (status.tasks.length === 0) lines.push(v.noTasks)
  else {
    lines.push(countsText(status.counts, locale, opts.html))
    if (status.loop) {
      const l = messages(locale).loop
      const c = status.loop.colors
      const parts = [l.colorCounts(c.green, c.yellow, c.red)]
      if (status.loop.unacknowledged > 0) parts.push(l.unacknowledged(status.loop.unacknowledged))
      lines.push(parts.join(' · '))
    }
    for (const task of status.tasks) lines.push(renderTaskLine(task, locale, opts))
  }
  const tr = status.training
  lines.push(
    tr.officers > 0 ? v.training(tr.officers, tr.averageHours.toFixed(1), tr.belowPace) : v.trainingNone,
  )
  return lines.join('\n')
}

/**
 * The overview of all units with tasks: one line each, units with the most overdue items first
 * (then blocked, then silent), otherwise in the given (roster) order.
 */
export function renderOverview(rows: UnitOverview[], locale: Locale, opts: RenderOptions): string {
  const t = messages(locale)
  const v = t.statusView.overview
  const { colon } = punctuation(locale)
  if (rows.length === 0) return v.none
  const ranked = rows
    .map((row, i) => ({ row, i }))
    .sort(
      (a, b) =>
        b.row.counts.overdue - a.row.counts.overdue ||
        b.row.counts.blocked - a.row.counts.blocked ||
        b.row.counts.no_reply - a.row.counts.no_reply ||
        a.i - b.i,
    )
    .map((x) => x.row)
  const title = opts.html ? `<b>${v.title(rows.length)}</b>` : v.title(rows.length)
  const lines: string[] = []
  for (const row of ranked) {
    const parts: string[] = []
    if (row.counts.overdue > 0) parts.push(v.overdue(row.counts.overdue))
    for (const s of countOrder) if (row.counts[s] > 0) parts.push(v.state(t.common.states[s], row.counts[s]))
    parts.push(v.liaisons(row.liaisonsReachable))
    parts.push(
      row.lastReplyAt
        ? v.lastReply(formatMonthDay(localDate(row.lastReplyAt, opts.tz), locale))
        : v.neverReplied,
    )
    const name = opts.html ? escapeHtml(row.unit.name) : row.unit.name
    lines.push(`${name}${colon}${parts.join(' · ')}`)
  }
  return opts.limit ? fitLines(title, lines, v.more, opts.limit) : [title, ...lines].join('\n')
}
