/**
 * Recurring deadlines (`每月10日前`, `每季度末`): a task whose deadline is a series of due dates
 * (table task_deadlines). Each occurrence has its own reminders (keys carry the occurrence's date)
 * and its own report. Which occurrence a report answers is read from the unit's report history
 * (`answeredOccurrences`): the one just missed while it is not yet done (a late report answers
 * the occurrence it was late for, and only that one), else the one whose period it falls in, the
 * period of an occurrence running from the day after the previous due date to its own due date.
 */
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import {
  assignments,
  people,
  statusReports,
  taskDeadlines,
  tasks,
  type AssignmentRole,
  type ReportState,
} from '../db/schema.ts'
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
  for (const r of rows) {
    const list = out.get(r.taskId)
    if (list) list.push(r.dueDate)
    else out.set(r.taskId, [r.dueDate])
  }
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
 * One report of a unit on a series task, as the occurrences read it: only what the rule needs, so
 * that a province's history (tens of thousands of rows) is cheap to read; `reportDetails` adds
 * the rest for the reports that are shown.
 */
export interface SeriesReport {
  id: number
  state: ReportState
  progress: number | null
  /** The day it was made, in the plan's timezone (YYYY-MM-DD). */
  day: string
  /** `review`: a supervisor's return (退回整改), which reopens what it returned. */
  source: string
}

/**
 * Each occurrence's latest report (by due date), the unit's reports (in the order made) shared out:
 * a report answers the occurrence open on its day (`openOccurrence`); a supervisor's return
 * reopens the occurrence of the report it returned.
 */
export function answeredOccurrences(
  dates: readonly string[],
  reports: readonly SeriesReport[],
): Map<string, SeriesReport> {
  const answers = new Map<string, SeriesReport>()
  let previousTarget: string | null = null
  for (const r of reports) {
    const target: string | null =
      r.source === 'review' && previousTarget !== null
        ? previousTarget
        : openOccurrence(dates, r.day, answers)
    if (target === null) continue
    answers.set(target, r)
    previousTarget = target
  }
  return answers
}

/**
 * The occurrence open on `day`, given the answers so far: the one just missed while it is not
 * done, else the current one, else (the series over) the last; null for an empty series. A report
 * made that day answers it, and the status views show it.
 */
function openOccurrence(
  dates: readonly string[],
  day: string,
  answers: ReadonlyMap<string, SeriesReport>,
): string | null {
  const missed = missedOccurrence(dates, day)
  if (missed && answers.get(missed.due)?.state !== 'done') return missed.due
  return currentOccurrence(dates, day)?.due ?? dates.at(-1) ?? null
}

/** What a shown report says beyond its state: the note, when, and who. */
export interface ReportDetails {
  note: string | null
  reportedAt: Date
  by: string | null
}

/** The details of the given reports, by id. */
export async function reportDetails(db: Db, ids: number[]): Promise<Map<number, ReportDetails>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({
      id: statusReports.id,
      note: statusReports.note,
      reportedAt: statusReports.reportedAt,
      by: people.name,
    })
    .from(statusReports)
    .leftJoin(people, eq(people.id, statusReports.personId))
    .where(inArray(statusReports.id, ids))
  return new Map(rows.map(({ id, ...d }) => [id, d]))
}

/** The assignment as of the occurrence: its due date set to the occurrence's, its report the one answering it. */
export function forOccurrence(
  a: AssignmentState,
  occurrence: { due: string },
  answer: (SeriesReport & ReportDetails) | undefined,
): AssignmentState {
  return answer
    ? {
        ...a,
        due: occurrence.due,
        state: answer.state,
        progress: answer.progress,
        note: answer.note,
        reportedAt: answer.reportedAt,
        by: answer.by,
      }
    : { ...a, due: occurrence.due, state: 'no_reply', progress: null, note: null, reportedAt: null, by: null }
}

/**
 * The reports made up to `now` on the given series tasks (of one unit, when given), per
 * `taskId:unitId`, in the order made. The day is read by the database: a timezone conversion
 * each in JavaScript would cost a second at province scale.
 */
async function seriesReports(
  db: Db,
  taskIds: number[],
  moment: { now: Date; tz: string },
  unitId?: number,
): Promise<Map<string, SeriesReport[]>> {
  const rows = await db
    .select({
      taskId: statusReports.taskId,
      unitId: statusReports.unitId,
      id: statusReports.id,
      state: statusReports.state,
      progress: statusReports.progress,
      day: sql<string>`(${statusReports.reportedAt} at time zone ${moment.tz})::date::text`,
      source: statusReports.source,
    })
    .from(statusReports)
    .where(
      and(
        inArray(statusReports.taskId, taskIds),
        lte(statusReports.reportedAt, moment.now),
        unitId === undefined ? undefined : eq(statusReports.unitId, unitId),
      ),
    )
    .orderBy(asc(statusReports.reportedAt), asc(statusReports.id))
  const out = new Map<string, SeriesReport[]>()
  for (const { taskId, unitId, ...r } of rows) {
    const k = `${taskId}:${unitId}`
    const list = out.get(k)
    if (list) list.push(r)
    else out.set(k, [r])
  }
  return out
}

/**
 * Series assignments as of `today`, each at the occurrences `pick` chooses from its dates and
 * with the report answering each; other assignments unchanged.
 */
async function atOccurrences(
  db: Db,
  states: AssignmentState[],
  today: string,
  now: Date,
  tz: string,
  pick: (dates: readonly string[], today: string) => ({ due: string } | null)[],
): Promise<AssignmentState[]> {
  const series = [...new Set(states.filter((a) => a.deadlineKind === 'series').map((a) => a.taskId))]
  if (series.length === 0) return states
  const dates = await seriesDates(db, series)
  const reports = await seriesReports(db, series, { now, tz })
  const picked = states.map((a) => {
    if (a.deadlineKind !== 'series') return null
    const list = dates.get(a.taskId) ?? []
    const answers = answeredOccurrences(list, reports.get(`${a.taskId}:${a.unitId}`) ?? [])
    return pick(list, today).flatMap((o) => (o ? [{ due: o.due, answer: answers.get(o.due) }] : []))
  })
  const details = await reportDetails(
    db,
    picked.flatMap((p) => (p ?? []).flatMap((o) => (o.answer ? [o.answer.id] : []))),
  )
  return states.flatMap((a, i) => {
    const occurrences = picked[i]
    if (!occurrences) return [a]
    return occurrences.map((o) =>
      forOccurrence(a, o, o.answer ? { ...o.answer, ...details.get(o.answer.id)! } : undefined),
    )
  })
}

/**
 * Series assignments as of `today` (each at its current occurrence; those whose series is over are
 * dropped); other assignments unchanged.
 */
export function atCurrentOccurrence(
  db: Db,
  states: AssignmentState[],
  today: string,
  now: Date,
  tz: string,
): Promise<AssignmentState[]> {
  return atOccurrences(db, states, today, now, tz, (dates, day) => [currentOccurrence(dates, day)])
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
 * (whose overdue reminders run until the unit reports it done, or until the next date passes and
 * that one is the missed one). Each is its own state with its own due date and report; other
 * assignments unchanged.
 */
export function occurrencesToChase(
  db: Db,
  states: AssignmentState[],
  today: string,
  now: Date,
  tz: string,
): Promise<AssignmentState[]> {
  return atOccurrences(db, states, today, now, tz, (dates, day) => [
    missedOccurrence(dates, day),
    currentOccurrence(dates, day),
  ])
}

/** A unit's part in a recurring task: the pair the occurrences are worked out for. */
export interface SeriesPair {
  taskId: number
  unitId: number
  role: AssignmentRole
}

/** A series assignment as the status views show it on a day. */
export interface SeriesInView extends SeriesPair {
  /** The occurrence in view: the one just missed while it is not done, else the current one. */
  due: string
  /** The report answering that occurrence, if any. */
  answer: SeriesReport | null
}

/**
 * The series assignments of the given plans as /status and /overdue show them on `today`: each at
 * the occurrence just missed while it is not done (it is overdue), else at the current one (the
 * last once the series is over), with its own report.
 */
export async function seriesInView(
  db: Db,
  planIds: number[],
  moment: { now: Date; tz: string },
): Promise<SeriesInView[]> {
  if (planIds.length === 0) return []
  // The plans' recurring tasks first (a few rows of tasks): most plans have none, and then the
  // assignments are not read at all.
  const seriesTasks = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(inArray(tasks.planId, planIds), eq(tasks.deadlineKind, 'series'), isNull(tasks.withdrawnAt)))
  if (seriesTasks.length === 0) return []
  const pairs = await db
    .select({ taskId: assignments.taskId, unitId: assignments.unitId, role: assignments.role })
    .from(assignments)
    .where(
      inArray(
        assignments.taskId,
        seriesTasks.map((t) => t.id),
      ),
    )
  return pairsInView(db, pairs, moment)
}

/**
 * The given series assignments at their occurrence in view (see `seriesInView`), for a caller
 * that has already read them (the unit card). Pairs of one unit read only that unit's reports.
 */
export async function pairsInView(
  db: Db,
  pairs: SeriesPair[],
  moment: { now: Date; tz: string },
): Promise<SeriesInView[]> {
  if (pairs.length === 0) return []
  const taskIds = [...new Set(pairs.map((p) => p.taskId))]
  const units = new Set(pairs.map((p) => p.unitId))
  const dates = await seriesDates(db, taskIds)
  const reports = await seriesReports(db, taskIds, moment, units.size === 1 ? pairs[0]!.unitId : undefined)
  const today = localDate(moment.now, moment.tz)
  return pairs.flatMap((p) => {
    const list = dates.get(p.taskId) ?? []
    const answers = answeredOccurrences(list, reports.get(`${p.taskId}:${p.unitId}`) ?? [])
    const due = openOccurrence(list, today, answers)
    return due === null ? [] : [{ ...p, due, answer: answers.get(due) ?? null }]
  })
}
