/**
 * What the 督办 loop's services share: their user errors (texts from the loop catalog in every
 * locale), reading one assignment with its task, and the state a view shows for it.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import {
  assignments,
  locales,
  plans,
  tasks,
  units,
  type Locale,
  type LoopState,
  type ReportState,
} from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { findDeadline } from './deadline-phrase.ts'
import { daysBetween } from './dates.ts'
import { LocalizedUserError } from '../errors.ts'

type LoopTexts = ReturnType<typeof messages>['loop']

/** A user error from the loop catalog, in every locale; nothing was changed. */
export function loopError(pick: (t: LoopTexts, locale: Locale) => string): LocalizedUserError {
  return new LocalizedUserError(
    Object.fromEntries(locales.map((l) => [l, pick(messages(l).loop, l)])) as Record<Locale, string>,
  )
}

/** A report state, or no report yet. */
type TaskState = ReportState | 'no_reply'

/** The state a view shows: the loop's own states win over the latest report's. */
export type ViewState = TaskState | Exclude<LoopState, 'assigned' | 'acknowledged'>

/** Loop states that say more than the latest report does. */
const LOOP_SHOWN = new Set<LoopState>(['awaiting_review', 'rectifying', 'closed', 'withdrawn'])

export function viewState(report: TaskState, loop: LoopState): ViewState {
  return LOOP_SHOWN.has(loop) ? (loop as ViewState) : report
}

/** States in which nobody chases the unit any more (done and waiting, or finished). */
export function finishedState(loop: LoopState): boolean {
  return loop === 'awaiting_review' || loop === 'closed' || loop === 'withdrawn'
}

export interface LoopAssignment {
  taskId: number
  unitId: number
  unit: string
  ref: string
  title: string
  planId: number
  /** The plan's date for the task. */
  planDue: string | null
  dueText: string | null
  /** This unit's date: an approved extension or a rectification date, else the plan's. */
  due: string | null
  loopState: LoopState
  returnedCount: number
  acknowledgedAt: Date | null
}

/** One assignment with its task and unit, or null when the task is not the unit's. */
export async function loopAssignment(db: Db, taskId: number, unitId: number): Promise<LoopAssignment | null> {
  const [row] = await db
    .select({
      taskId: assignments.taskId,
      unitId: assignments.unitId,
      unit: units.name,
      ref: tasks.ref,
      title: tasks.title,
      planId: tasks.planId,
      planDue: tasks.dueDate,
      dueText: tasks.dueText,
      dueOverride: assignments.dueOverride,
      loopState: assignments.loopState,
      returnedCount: assignments.returnedCount,
      acknowledgedAt: assignments.acknowledgedAt,
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(and(eq(assignments.taskId, taskId), eq(assignments.unitId, unitId)))
  if (!row) return null
  const { dueOverride, ...rest } = row
  return { ...rest, due: dueOverride ?? row.planDue }
}

/**
 * The first date written in `text` (`12月15日`, `2026年12月15日`, `12月中旬` …) and the text
 * without it. A date without a year that would fall before `today` is read as next year's.
 */
export function dateInText(text: string, today: string): { date: string; rest: string } | null {
  const year = Number(today.slice(0, 4))
  const found = findDeadline(text, year)
  if (!found) return null
  let date = found.date
  if (date < today && !/\d{4}\s*年/.test(found.phrase))
    date = findDeadline(found.phrase, year + 1)?.date ?? date
  const at = text.indexOf(found.phrase)
  const rest = at >= 0 ? `${text.slice(0, at)} ${text.slice(at + found.phrase.length)}` : text
  return { date, rest: rest.replace(/\s+/g, ' ').trim() }
}

/**
 * The date written in `text` (`12月15日`, `2026年12月15日`, `12月中旬`) and the rest of the text,
 * for dates that may lie just behind `today`: a date without a year is this year's unless that is
 * more than half a year gone (written in December about January), then next year's. So a date a
 * few days past stays past (an extension to it is refused; a leave may have begun).
 */
export function nearDateInText(text: string, today: string): { date: string; rest: string } | null {
  const year = Number(today.slice(0, 4))
  const found = findDeadline(text, year)
  if (!found) return null
  let date = found.date
  if (date < today && daysBetween(date, today) > 183 && !/\d{4}\s*年/.test(found.phrase))
    date = findDeadline(found.phrase, year + 1)?.date ?? date
  const at = text.indexOf(found.phrase)
  const rest = at >= 0 ? `${text.slice(0, at)} ${text.slice(at + found.phrase.length)}` : text
  return { date, rest: rest.replace(/\s+/g, ' ').trim() }
}

/**
 * `12月1日-12月5日` (also with 至, 到, ~, —) at the start of `text`: the two dates and the rest;
 * null if not two dates. The first is read as nearDateInText does; the second is the first one
 * across a new year when written so (`12月28日-1月3日` ends next year).
 */
export function dateRangeInText(
  text: string,
  today: string,
): { from: string; to: string; rest: string } | null {
  const m = /^\s*(\S+?日)\s*(?:-|—|–|~|～|至|到)\s*(\S+?日)(?:\s+|$)/u.exec(text)
  if (!m) return null
  const from = nearDateInText(m[1]!, today)
  if (!from) return null
  const year = Number(from.date.slice(0, 4))
  let to = findDeadline(m[2]!, year)
  if (to && daysBetween(to.date, from.date) > 183 && !/\d{4}\s*年/.test(to.phrase))
    to = findDeadline(m[2]!, year + 1) ?? to
  if (!to) return null
  return { from: from.date, to: to.date, rest: text.slice(m[0].length).trim() }
}

/** Task references compare without width differences: `二(五)4` is `二（五）4`. */
export function normalizeRef(ref: string): string {
  return ref
    .replace(/[(（]/g, '（')
    .replace(/[)）]/g, '）')
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, '')
}

/**
 * What a caption or a command names first: a task reference (`二（五）4`), a number from
 * `/tasks` (`3`), or nothing; and the rest of the text.
 */
export function leadingTaskRef(text: string): { ref?: string; number?: number; rest: string } {
  const t = text.trim()
  const num = /^(\d{1,3})(?=$|[\s.、:：,，])[\s.、:：,，]*/u.exec(t)
  if (num) return { number: Number(num[1]), rest: t.slice(num[0].length).trim() }
  const ref = /^([一二三四五六七八九十]+[(（][一二三四五六七八九十]+[)）]\s*\d{1,3})\s*/u.exec(t)
  if (ref) return { ref: normalizeRef(ref[1]!), rest: t.slice(ref[0].length).trim() }
  return { rest: t }
}

/** The task of the active plan with that reference (width-insensitive), or null. */
export async function taskByRef(
  db: Db,
  ref: string,
): Promise<{ id: number; ref: string; title: string } | null> {
  const wanted = normalizeRef(ref)
  const rows = await db
    .select({ id: tasks.id, ref: tasks.ref, title: tasks.title })
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .where(eq(plans.active, true))
  return rows.find((r) => normalizeRef(r.ref) === wanted) ?? null
}
