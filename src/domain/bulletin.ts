/**
 * A period's 通报 as data: the figures a clerk puts in the bureau's progress bulletin, every one
 * taken from the ledger as of the period's end (src/domain/ledger.ts): overall counts, units at
 * the front and the back of the ranking, the problems units reported (blocked reasons grouped),
 * overdue and returned items. The docx writer (src/documents/bulletin-docx.ts) lays it out.
 */
import type { Db } from '../db/client.ts'
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { dateParts, isValidDate, lastDayOfMonth, localDate, toDateString } from './dates.ts'
import {
  finishedStates,
  ledgerAt,
  paperworkError,
  resolveLedgerPlan,
  unitSummaries,
  type Ledger,
  type LedgerPlan,
  type UnitLedgerSummary,
} from './ledger.ts'

export interface Period {
  /** As typed: `2026`, `2026-Q3`, `2026-10`. */
  text: string
  kind: 'year' | 'quarter' | 'month'
  year: number
  /** Quarter 1–4 or month 1–12; 0 for a year. */
  index: number
  start: string
  end: string
}

/** Parses `2026`, `2026-Q3` (or q3) or `2026-10`; a user error for anything else. */
export function parsePeriod(text: string): Period {
  const s = text.trim()
  let m = /^(\d{4})$/.exec(s)
  if (m) {
    const year = Number(m[1])
    return { text: s, kind: 'year', year, index: 0, start: `${year}-01-01`, end: `${year}-12-31` }
  }
  m = /^(\d{4})-[Qq]([1-4])$/.exec(s)
  if (m) {
    const year = Number(m[1])
    const q = Number(m[2])
    return {
      text: s,
      kind: 'quarter',
      year,
      index: q,
      start: toDateString(year, q * 3 - 2, 1),
      end: lastDayOfMonth(year, q * 3),
    }
  }
  m = /^(\d{4})-(\d{2})$/.exec(s)
  if (m && isValidDate(`${m[1]}-${m[2]}-01`)) {
    const year = Number(m[1])
    const month = Number(m[2])
    return {
      text: s,
      kind: 'month',
      year,
      index: month,
      start: toDateString(year, month, 1),
      end: lastDayOfMonth(year, month),
    }
  }
  throw paperworkError((t) => t.errors.periodInvalid(text))
}

/** `2026年第三季度`, `2026年10月`, `2026年度` (zh-CN). */
export function periodLabel(p: Period, locale: Locale = 'zh-CN'): string {
  const t = messages(locale).paperwork.bulletin.period
  if (p.kind === 'quarter') return t.quarter(p.year, p.index)
  if (p.kind === 'month') return t.month(p.year, p.index)
  return t.year(p.year)
}

/** `2026年9月30日` (zh-CN). */
export function bulletinDate(date: string, locale: Locale = 'zh-CN'): string {
  const { year, month, day } = dateParts(date)
  return messages(locale).paperwork.bulletin.date(year, month, day)
}

export interface RankedUnit extends UnitLedgerSummary {
  rank: number
}

export interface BulletinItem {
  ref: string
  title: string
  units: { unit: string; overdueDays: number; note: string | null }[]
}

export interface Bulletin {
  plan: LedgerPlan
  period: Period
  /** The day the figures stand at: the period's end, or today while the period runs. */
  asOf: string
  source: Ledger['source']
  title: string
  totals: {
    tasks: number
    assignments: number
    done: number
    inProgress: number
    blocked: number
    notStarted: number
    noReply: number
    overdue: number
    /** Units with at least one overdue item. */
    overdueUnits: number
    /** done ÷ assignments, 0–1. */
    rate: number
  }
  /** Units ranked by completion rate (then fewer overdue, then roster order). */
  front: RankedUnit[]
  back: RankedUnit[]
  units: number
  /** Blocked reasons grouped (same text, ignoring spaces and punctuation at the ends). */
  problems: { reason: string; units: string[]; items: number }[]
  overdue: BulletinItem[]
  returned: BulletinItem[]
}

/** How many units a bulletin names at each end of the ranking. */
export const RANK_SHOWN = 5

function itemsOf(rows: Ledger['rows']): BulletinItem[] {
  const byTask = new Map<number, BulletinItem>()
  for (const r of rows) {
    let item = byTask.get(r.taskId)
    if (!item) {
      item = { ref: r.ref, title: r.title, units: [] }
      byTask.set(r.taskId, item)
    }
    item.units.push({ unit: r.unit, overdueDays: r.overdueDays, note: r.note })
  }
  return [...byTask.values()]
}

/** The bulletin's figures from a ledger (pure). */
export function bulletinFrom(ledger: Ledger, period: Period, locale: Locale = 'zh-CN'): Bulletin {
  const t = messages(locale).paperwork.bulletin
  const rows = ledger.rows
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length
  const summaries = unitSummaries(ledger)
  const done = count((r) => finishedStates.has(r.state))
  const ranked = summaries
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.rate - a.s.rate || a.s.overdue - b.s.overdue || a.i - b.i)
    .map(({ s }, i) => ({ ...s, rank: i + 1 }))
  const shown = Math.min(RANK_SHOWN, Math.floor(ranked.length / 2))
  const problems = new Map<string, { reason: string; units: Set<string>; items: number }>()
  for (const r of rows) {
    if (r.state !== 'blocked') continue
    const reason = (r.note ?? '').trim().replace(/^[：:，,。.\s]+|[：:，,。.；;\s]+$/g, '') || t.noReason
    const key = reason.normalize('NFKC').replace(/\s+/g, '')
    const g = problems.get(key) ?? { reason, units: new Set<string>(), items: 0 }
    g.units.add(r.unit)
    g.items++
    problems.set(key, g)
  }
  return {
    plan: ledger.plan,
    period,
    asOf: ledger.asOf,
    source: ledger.source,
    title: t.title(periodLabel(period, locale)),
    totals: {
      tasks: new Set(rows.map((r) => r.taskId)).size,
      assignments: rows.length,
      done,
      inProgress: count((r) => r.state === 'in_progress'),
      blocked: count((r) => r.state === 'blocked'),
      notStarted: count((r) => r.state === 'not_started'),
      noReply: count((r) => r.state === 'no_reply'),
      overdue: count((r) => r.overdueDays > 0),
      overdueUnits: new Set(rows.filter((r) => r.overdueDays > 0).map((r) => r.unitId)).size,
      rate: rows.length ? done / rows.length : 0,
    },
    front: ranked.slice(0, shown),
    back: shown ? ranked.slice(-shown) : [],
    units: ranked.length,
    problems: [...problems.values()]
      .map((g) => ({ reason: g.reason, units: [...g.units], items: g.items }))
      .sort((a, b) => b.units.length - a.units.length || b.items - a.items),
    overdue: itemsOf(rows.filter((r) => r.overdueDays > 0)),
    returned: itemsOf(rows.filter((r) => r.loopState === 'rectifying')),
  }
}

/**
 * The bulletin of `period` for a plan (default: the active one), from the ledger as of the
 * period's end (today while it runs). User errors: a malformed period, one that begins after
 * today, or one that ends before the plan's year begins.
 */
export async function buildBulletin(
  db: Db,
  q: { period: string; plan?: string; now: Date; tz: string; locale?: Locale },
): Promise<Bulletin> {
  const period = parsePeriod(q.period)
  const plan = await resolveLedgerPlan(db, q.plan)
  const today = localDate(q.now, q.tz)
  if (period.end < `${plan.year}-01-01`)
    throw paperworkError((t) => t.errors.periodBeforePlan(period.text, plan.title, plan.year))
  if (period.start > today) throw paperworkError((t) => t.errors.asOfFuture(period.start, today))
  const asOf = period.end < today ? period.end : today
  return bulletinFrom(await ledgerAt(db, plan, asOf, q.now, q.tz), period, q.locale)
}
