/**
 * When the rhythm acts, as pure functions of the working calendar.
 *
 * The deadline ladder: for a task due D and a unit that is not done, on working day T, the
 * reminder that is due is the smallest step s ≥ workingDaysBetween(T, D) (steps 14, 7, 3, 1 and
 * 0 = on the day). Its key names the step, not the day, so a run that was missed is made up by
 * the next one (with the wording for the moment it is actually sent) and a step is never sent
 * twice. After D, every `overdueEvery` working days another overdue reminder is due (the n-th at
 * od = 1, 4, 7, … working days overdue); from the `escalateFrom`-th on, the supervisors get a copy.
 *
 * The weekly and monthly rounds (prompts, nudges, digest, training pace) act on the first working
 * day on or after their nominal day within their week or month, once per period.
 */
import { addDays, dateParts, lastDayOfMonth, weekday } from './dates.ts'
import { workingDaysBetween, type WorkingCalendar } from './working-days.ts'

export interface LadderOptions {
  /** Working days before the deadline that get a reminder; 0 is the deadline day itself. */
  steps: number[]
  /** An overdue reminder every this many working days after the deadline (the first on day 1). */
  overdueEvery: number
  /** From this overdue reminder on (1 = the first), the supervisors get an escalation. */
  escalateFrom: number
}

export const DEFAULT_LADDER: LadderOptions = { steps: [14, 7, 3, 1, 0], overdueEvery: 3, escalateFrom: 2 }

/** Where `today` stands against a deadline, in working days. */
export type DeadlineMoment =
  | { kind: 'before'; workingDaysLeft: number }
  | { kind: 'today' }
  /** `workingDaysOverdue` is 0 only on a day off between the deadline and the next working day. */
  | { kind: 'overdue'; workingDaysOverdue: number }

/**
 * The moment of `today` against `due` (both YYYY-MM-DD): working days left in (today, due], or
 * `today` when none are left (the deadline day, or the last working day before a deadline that
 * falls on a day off), or working days overdue in (due, today].
 */
export function deadlineMoment(cal: WorkingCalendar, today: string, due: string): DeadlineMoment {
  if (today <= due) {
    const left = workingDaysBetween(cal, today, due)
    return left === 0 ? { kind: 'today' } : { kind: 'before', workingDaysLeft: left }
  }
  return { kind: 'overdue', workingDaysOverdue: workingDaysBetween(cal, due, today) }
}

export type LadderStep =
  | { kind: 'before'; step: number; moment: DeadlineMoment }
  | { kind: 'overdue'; n: number; escalate: boolean; moment: DeadlineMoment }

/**
 * The reminder due on `today` for a deadline `due`, or null when none is: more working days left
 * than the largest step, or a day off right after the deadline. Call it on working days.
 */
export function ladderStep(
  cal: WorkingCalendar,
  today: string,
  due: string,
  opts: LadderOptions = DEFAULT_LADDER,
): LadderStep | null {
  const moment = deadlineMoment(cal, today, due)
  if (moment.kind === 'overdue') {
    const od = moment.workingDaysOverdue
    if (od < 1) return null
    const n = Math.floor((od - 1) / opts.overdueEvery) + 1
    return { kind: 'overdue', n, escalate: n >= opts.escalateFrom, moment }
  }
  const wd = moment.kind === 'today' ? 0 : moment.workingDaysLeft
  const candidates = opts.steps.filter((s) => s >= wd)
  if (candidates.length === 0) return null
  return { kind: 'before', step: Math.min(...candidates), moment }
}

// ---------------------------------------------------------------------------------------------
// Periods of the weekly and monthly rounds

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return weekday(date) === 0 ? 7 : weekday(date)
}

/** The ISO week of a date, e.g. `2026-W41` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: string): string {
  const thursday = addDays(date, 4 - isoWeekday(date))
  const year = dateParts(thursday).year
  const firstThursday = addDays(`${year}-01-04`, 4 - isoWeekday(`${year}-01-04`))
  const week = Math.round((Date.parse(thursday) - Date.parse(firstThursday)) / (7 * 86_400_000)) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** The Monday of the ISO week that holds `date`. */
export function weekStart(date: string): string {
  return addDays(date, 1 - isoWeekday(date))
}

/** `YYYY-MM` of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}

/** The first working day in [from, to], or null when there is none. */
function firstWorkingDay(cal: WorkingCalendar, from: string, to: string): string | null {
  for (let d = from; d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) return d
  return null
}

/**
 * The day a weekly round acts in the ISO week of `date`: the first working day on or after ISO
 * weekday `isoDay` (5 = Friday) within that week; null when the rest of the week is off.
 */
export function weeklyRoundDay(cal: WorkingCalendar, date: string, isoDay: number): string | null {
  const monday = weekStart(date)
  return firstWorkingDay(cal, addDays(monday, isoDay - 1), addDays(monday, 6))
}

/** The day a monthly round acts in the month of `date`: the first working day on or after day `dayOfMonth`. */
export function monthlyRoundDay(cal: WorkingCalendar, date: string, dayOfMonth: number): string | null {
  const { year, month } = dateParts(date)
  const last = lastDayOfMonth(year, month)
  const from = `${monthOf(date)}-${String(Math.min(dayOfMonth, Number(last.slice(8)))).padStart(2, '0')}`
  return firstWorkingDay(cal, from, last)
}
