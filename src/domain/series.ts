/**
 * Recurring deadlines (`每月10日前`, `每季度末`): a task whose deadline is a series of due dates
 * (table task_deadlines). Each occurrence has its own reminders (keys carry the occurrence's date)
 * and its own report: a report counts for the occurrence whose period it falls in, the period of
 * an occurrence running from the day after the previous due date to its own due date. A report
 * made late (after the due date) still answers the occurrence it was late for.
 */
import { asc, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { taskDeadlines } from '../db/schema.ts'
import { localDate } from './dates.ts'
import type { AssignmentState } from './digest.ts'

/** The due dates of the given series tasks, in order. */
export async function seriesDates(db: Db, taskIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>()
  if (taskIds.length === 0) return out
  const rows = await db
    .select()
    .from(taskDeadlines)
    .where(inArray(taskDeadlines.taskId, taskIds))
    .orderBy(asc(taskDeadlines.dueDate))
  for (const r of rows) out.set(r.taskId, [...(out.get(r.taskId) ?? []), r.dueDate])
  return out
}

/**
 * The occurrence `today` works towards: the first due date on or after today, with the previous
 * due date (its period starts the day after); null when the series is over.
 */
export function currentOccurrence(
  dates: readonly string[],
  today: string,
): { due: string; previous: string | null } | null {
  const i = dates.findIndex((d) => d >= today)
  if (i < 0) return null
  return { due: dates[i]!, previous: i > 0 ? dates[i - 1]! : null }
}

/**
 * The assignment as of the occurrence: its due date set to the occurrence's, and its report
 * forgotten (no reply) when it was made before the occurrence's period began.
 */
export function forOccurrence(
  a: AssignmentState,
  occurrence: { due: string; previous: string | null },
  tz: string,
): AssignmentState {
  const stale =
    a.reportedAt !== null &&
    occurrence.previous !== null &&
    localDate(a.reportedAt, tz) <= occurrence.previous
  return stale
    ? { ...a, due: occurrence.due, state: 'no_reply', progress: null, note: null, reportedAt: null, by: null }
    : { ...a, due: occurrence.due }
}

/**
 * Series assignments as of `today` (each at its current occurrence; those whose series is over are
 * dropped); other assignments unchanged.
 */
export async function atCurrentOccurrence(
  db: Db,
  states: AssignmentState[],
  today: string,
  tz: string,
): Promise<AssignmentState[]> {
  const series = [...new Set(states.filter((a) => a.deadlineKind === 'series').map((a) => a.taskId))]
  if (series.length === 0) return states
  const dates = await seriesDates(db, series)
  return states.flatMap((a) => {
    if (a.deadlineKind !== 'series') return [a]
    const occurrence = currentOccurrence(dates.get(a.taskId) ?? [], today)
    return occurrence ? [forOccurrence(a, occurrence, tz)] : []
  })
}

/**
 * The occurrence `today` has just missed: the last due date before today, with the previous due
 * date; null when none has passed yet.
 */
export function missedOccurrence(
  dates: readonly string[],
  today: string,
): { due: string; previous: string | null } | null {
  let i = -1
  for (let k = 0; k < dates.length && dates[k]! < today; k++) i = k
  if (i < 0) return null
  return { due: dates[i]!, previous: i > 0 ? dates[i - 1]! : null }
}

/**
 * Series assignments as the deadline reminders see them on `today`: each at its current occurrence
 * (whose ladder runs before its date) and, once one has passed, also at the occurrence just missed
 * (whose overdue reminders run until the unit reports for it, or until the next date passes and
 * that one is the missed one). Each is its own state with its own due date and report; other
 * assignments unchanged.
 */
export async function occurrencesToChase(
  db: Db,
  states: AssignmentState[],
  today: string,
  tz: string,
): Promise<AssignmentState[]> {
  const series = [...new Set(states.filter((a) => a.deadlineKind === 'series').map((a) => a.taskId))]
  if (series.length === 0) return states
  const dates = await seriesDates(db, series)
  return states.flatMap((a) => {
    if (a.deadlineKind !== 'series') return [a]
    const list = dates.get(a.taskId) ?? []
    const missed = missedOccurrence(list, today)
    const current = currentOccurrence(list, today)
    return [
      ...(missed ? [forOccurrence(a, missed, tz)] : []),
      ...(current ? [forOccurrence(a, current, tz)] : []),
    ]
  })
}
