/**
 * Working days. China's calendar moves days around (调休): a public holiday can fall on a
 * Thursday and a Saturday can be a make-up working day, so "3 working days before the deadline"
 * needs the State Council's published arrangement, not just weekdays.
 */
import { createRequire } from 'node:module'
import { addDays, isValidDate, weekday } from './dates.ts'

export interface WorkingCalendar {
  isWorkingDay(date: string): boolean
}

interface ChineseDaysData {
  /** Public holidays (including the weekend days inside a holiday block). */
  holidays: Record<string, string>
  /** Make-up working days on weekends (调休上班). */
  workdays: Record<string, string>
}

// The package's own date functions go through local-time Date methods, so their answers depend on
// the host's time zone; its published data file does not, so we read that.
const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysData
const holidays = new Set(Object.keys(data.holidays))
const makeUpWorkdays = new Set(Object.keys(data.workdays))
const years = [...new Set([...holidays, ...makeUpWorkdays].map((d) => Number(d.slice(0, 4))))].sort(
  (a, b) => a - b,
)

function assertDate(date: string): void {
  if (!isValidDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`)
}

function isWeekday(date: string): boolean {
  const d = weekday(date)
  return d !== 0 && d !== 6
}

/** Monday to Friday, nothing else. */
export const weekdayCalendar: WorkingCalendar = {
  isWorkingDay: (date) => isWeekday(date),
}

/** China's official calendar (chinese-days), with weekends as days off for years it does not know. */
export const chinaCalendar: WorkingCalendar = {
  isWorkingDay(date) {
    assertDate(date)
    if (makeUpWorkdays.has(date)) return true
    if (holidays.has(date)) return false
    return isWeekday(date)
  },
}

/** A calendar from explicit sets, for tests and for an admin's overrides (which win over `base`). */
export function customCalendar(opts: {
  holidays?: string[]
  workdays?: string[]
  base?: WorkingCalendar
}): WorkingCalendar {
  const off = new Set(opts.holidays ?? [])
  const on = new Set(opts.workdays ?? [])
  for (const d of [...off, ...on]) assertDate(d)
  const base = opts.base ?? weekdayCalendar
  return {
    isWorkingDay(date) {
      if (on.has(date)) return true
      if (off.has(date)) return false
      return base.isWorkingDay(date)
    },
  }
}

// A calendar with no working day at all would loop forever; a year without one is surely a mistake.
const MAX_SCAN_DAYS = 366

function step(cal: WorkingCalendar, date: string, dir: 1 | -1): string {
  let d = date
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    d = addDays(d, dir)
    if (cal.isWorkingDay(d)) return d
  }
  throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days of ${date}`)
}

/**
 * The working day `n` working days after (n>0) or before (n<0) `date`; n=0 returns date.
 * `date` itself need not be a working day: 1 working day after a Saturday is the next working day.
 */
export function addWorkingDays(cal: WorkingCalendar, date: string, n: number): string {
  assertDate(date)
  if (!Number.isInteger(n)) throw new RangeError(`not a whole number of working days: ${n}`)
  const dir = n > 0 ? 1 : -1
  let d = date
  for (let i = 0; i < Math.abs(n); i++) d = step(cal, d, dir)
  return d
}

/**
 * Working days in (from, to] when to > from (positive), or minus those in (to, from] when
 * to < from. 0 when equal. So a deadline on a working day is 1 working day after the day before it.
 */
export function workingDaysBetween(cal: WorkingCalendar, from: string, to: string): number {
  assertDate(from)
  assertDate(to)
  if (from === to) return 0
  const [lo, hi, sign] = from < to ? [from, to, 1] : [to, from, -1]
  let count = 0
  for (let d = addDays(lo, 1); d <= hi; d = addDays(d, 1)) if (cal.isWorkingDay(d)) count++
  return sign * count
}

/** `date` itself if it is a working day, else the next working day. */
export function nextWorkingDay(cal: WorkingCalendar, date: string): string {
  assertDate(date)
  return cal.isWorkingDay(date) ? date : step(cal, date, 1)
}

/** Which years the holiday data actually covers (so the service can warn when a plan year is not covered). */
export function coveredYears(): number[] {
  return [...years]
}
