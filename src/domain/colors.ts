/**
 * 三色督办: every assignment's colour.
 *
 * - green: done (待审核, 已办结, 已撤销 too), or on track;
 * - yellow: not done and due within 3 working days, or nothing reported for 14 days;
 * - red: not done and overdue (past this unit's date), or returned for rectification twice.
 *
 * Red items climb a ladder (jobs/red-escalation.ts): the unit's liaison, then its leader, then
 * the supervisors.
 */
import { sql, type SQL } from 'drizzle-orm'
import { addDays, daysBetween, localDate } from './dates.ts'
import type { LoopState, ReportState } from '../db/schema.ts'
import { viewState, type ViewState } from './loop.ts'
import { addWorkingDays, workingDaysBetween, type WorkingCalendar } from './working-days.ts'

export const colors = ['green', 'yellow', 'red'] as const
export type Color = (typeof colors)[number]

export interface ColorRules {
  /** Yellow when due within this many working days. */
  nearWorkingDays: number
  /** Yellow when nothing was reported for this many days. */
  silentDays: number
  /** Red when returned this many times. */
  returnedTimes: number
}

export const DEFAULT_COLOR_RULES: ColorRules = { nearWorkingDays: 3, silentDays: 14, returnedTimes: 2 }

const DONE = new Set<ViewState>(['done', 'awaiting_review', 'closed', 'withdrawn'])

export interface ColorInput {
  state: ViewState
  /** This unit's date (YYYY-MM-DD) or null. */
  due: string | null
  returnedCount: number
  /** The latest report, else when the task was assigned. */
  lastActivity: Date
}

/** The colour of one assignment on `today` (plan timezone `tz`). */
export function colorOf(
  a: ColorInput,
  today: string,
  cal: WorkingCalendar,
  tz: string,
  rules: ColorRules = DEFAULT_COLOR_RULES,
): Color {
  if (DONE.has(a.state)) return 'green'
  if ((a.due !== null && a.due < today) || a.returnedCount >= rules.returnedTimes) return 'red'
  if (a.due !== null && workingDaysBetween(cal, today, a.due) <= rules.nearWorkingDays) return 'yellow'
  if (daysBetween(localDate(a.lastActivity, tz), today) >= rules.silentDays) return 'yellow'
  return 'green'
}

/** What colouring needs of an assignment (the jobs' view, AssignmentState, has it). */
export interface ColorableAssignment {
  state: ReportState | 'no_reply'
  loopState: LoopState
  due: string | null
  returnedCount: number
  reportedAt: Date | null
  assignedAt: Date
}

/** The colour of an assignment as the jobs' view has it. */
export function colorOfAssignment(
  a: ColorableAssignment,
  today: string,
  cal: WorkingCalendar,
  tz: string,
  rules?: ColorRules,
): Color {
  // A return appends an in_progress report: the unit has not reported since, so it is not "activity".
  return colorOf(
    {
      state: viewState(a.state, a.loopState),
      due: a.due,
      returnedCount: a.returnedCount,
      lastActivity: a.reportedAt ?? a.assignedAt,
    },
    today,
    cal,
    tz,
    rules,
  )
}

export type ColorCounts = Record<Color, number>

export function countColors(list: Color[]): ColorCounts {
  const out: ColorCounts = { green: 0, yellow: 0, red: 0 }
  for (const c of list) out[c]++
  return out
}

/** The SQL expressions `colorSql` colours from (of an assignment row and its latest report). */
export interface ColorColumns {
  loopState: SQL
  /** The latest report's state, null when none. */
  state: SQL
  /** This unit's date. */
  due: SQL
  returnedCount: SQL
  /** The latest report, else when the task was assigned (timestamptz). */
  lastActivity: SQL
}

/**
 * `colorOf` as a SQL expression ('green' | 'yellow' | 'red'), for reads that count or filter by
 * colour in the database (the digest, the 台账). Same rule, same thresholds: the working-day and
 * silence bounds are computed here from `today`, so the statement compares dates only.
 */
export function colorSql(
  c: ColorColumns,
  today: string,
  tz: string,
  cal: WorkingCalendar,
  rules: ColorRules = DEFAULT_COLOR_RULES,
): SQL {
  // Yellow when due within N working days, i.e. before the (N+1)th working day from today; or when
  // the last activity is `silentDays` old or more.
  const yellowBefore = addWorkingDays(cal, today, rules.nearWorkingDays + 1)
  const silentFrom = addDays(today, -rules.silentDays)
  return sql`(case
      when ${c.loopState} in ('awaiting_review', 'closed', 'withdrawn')
        or (${c.state} = 'done' and ${c.loopState} <> 'rectifying') then 'green'
      when ${c.due} < ${today}::date or ${c.returnedCount} >= ${rules.returnedTimes} then 'red'
      when ${c.due} < ${yellowBefore}::date then 'yellow'
      when (${c.lastActivity} at time zone ${tz})::date <= ${silentFrom}::date then 'yellow'
      else 'green'
    end)`
}
