/**
 * Calendar dates and instants: the one time-zone module. A date without time is a `YYYY-MM-DD`
 * string in the plan's time zone; an instant is a `Date`. Calendar arithmetic runs on UTC
 * midnights, so the host's time zone never leaks in. Offsets come from the IANA database through
 * Intl, so this is right for zones with daylight saving time too.
 */

const DAY_MS = 86_400_000
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/

export type DateLocale = 'zh-CN' | 'en'

/** `YYYY-MM-DD` of a year, month (1-12) and day, zero-padded. */
export function toDateString(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** True when `date` is a real calendar day written as `YYYY-MM-DD` (so 2023-02-29 is false). */
export function isValidDate(date: string): boolean {
  const m = DATE_RE.exec(date)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)
}

/** Year, month (1-12) and day of a `YYYY-MM-DD`; throws RangeError on anything else. */
export function dateParts(date: string): { year: number; month: number; day: number } {
  if (!isValidDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`)
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) }
}

function utcMidnight(date: string): number {
  const { year, month, day } = dateParts(date)
  return utcDate(year, month, day)
}

/** Date.UTC without the 0-99 → 1900-1999 year mapping. */
function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, 0)
  return d.getTime()
}

function fromUtcMidnight(ms: number): string {
  const d = new Date(ms)
  return toDateString(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcDate(year, month + 1, 0)).getUTCDate()
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(tz, f)
  }
  return f
}

/** A wall-clock reading in some time zone. */
export interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

/** The wall-clock time of `instant` in `tz`. */
export function wallTime(instant: Date, tz: string): WallTime {
  const parts: Record<string, string> = {}
  for (const p of formatterFor(tz).formatToParts(instant)) parts[p.type] = p.value
  const yearOfEra = Number(parts.year)
  // Years before 1 CE come back as "BC" years; the proleptic year is 1 - yearOfEra.
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra
  return {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  }
}

/** Offset of `tz` from UTC at `ms`, in milliseconds (Asia/Shanghai: +8 h). */
function offsetAt(ms: number, tz: string): number {
  const w = wallTime(new Date(ms), tz)
  const asUtc = utcDate(w.year, w.month, w.day, w.hour, w.minute, w.second)
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000))
}

/** YYYY-MM-DD of `instant` in time zone `tz`. */
export function localDate(instant: Date, tz: string): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid instant')
  const w = wallTime(instant, tz)
  return toDateString(w.year, w.month, w.day)
}

/**
 * The instant of wall-clock `time` ('HH:MM' or 'HH:MM:SS') on `date` (YYYY-MM-DD) in `tz`. DST-safe:
 * a time skipped by a spring-forward gap moves forward by the gap (02:30 → 03:30), and a time that
 * occurs twice in an autumn overlap takes the earlier one, as Temporal's 'compatible' does.
 */
export function zonedInstant(date: string, time: string, tz: string): Date {
  const { year, month, day } = dateParts(date)
  const t = TIME_RE.exec(time)
  if (!t) throw new RangeError(`not a HH:MM time: ${JSON.stringify(time)}`)
  const wall = utcDate(year, month, day, Number(t[1]), Number(t[2]), Number(t[3] ?? 0))
  const before = offsetAt(wall - DAY_MS, tz)
  const after = offsetAt(wall + DAY_MS, tz)
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((ms) => wall - offsetAt(ms, tz) === ms)
    .sort((a, b) => a - b)
  const chosen = candidates[0] ?? wall - before
  return new Date(chosen)
}

/** date + n calendar days (n may be negative). */
export function addDays(date: string, n: number): string {
  return fromUtcMidnight(utcMidnight(date) + n * DAY_MS)
}

/** Whole calendar days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS)
}

/** Day of week 0=Sunday..6 of a YYYY-MM-DD. */
export function weekday(date: string): number {
  return new Date(utcMidnight(date)).getUTCDay()
}

/** Last day of month (1-12) of year, as YYYY-MM-DD. */
export function lastDayOfMonth(year: number, month: number): string {
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new RangeError(`month out of range: ${month}`)
  return toDateString(year, month, daysInMonth(year, month))
}

const MONTH_ABBR = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const

/** 'M月D日' for zh-CN, 'D Mon' for en (e.g. '20 Oct'), given YYYY-MM-DD. */
export function formatMonthDay(date: string, locale: DateLocale): string {
  const { month, day } = dateParts(date)
  return locale === 'en' ? `${day} ${MONTH_ABBR[month - 1]}` : `${month}月${day}日`
}

// ---------------------------------------------------------------------------------------------
// Instants people type and read: schedules, `--at`

/** The instant at which the clock in `timeZone` reads the given wall time (the earlier one when it reads it twice). */
export function fromWallTime(w: WallTime, timeZone: string, ms = 0): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms)
  const first = guess - offsetAt(guess, timeZone)
  const second = guess - offsetAt(first, timeZone)
  return new Date(Math.min(first, second))
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `YYYY-MM-DD HH:mm` in `timeZone`, for people reading schedules. */
export function formatInstant(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone)
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`
}

/**
 * `formatInstant` for many instants in one zone (a ledger's 80,000 report times): the zone's
 * offset is read once per quarter hour of UTC (offsets and their changes fall on quarter hours)
 * and the wall clock is then plain arithmetic, not a formatter call per instant.
 */
export function instantFormatter(timeZone: string): (instant: Date) => string {
  const offsets = new Map<number, number>()
  return (instant) => {
    const ms = instant.getTime()
    const bucket = Math.floor(ms / 900_000)
    let offset = offsets.get(bucket)
    if (offset === undefined) {
      offset = offsetAt(bucket * 900_000, timeZone)
      offsets.set(bucket, offset)
    }
    const d = new Date(ms + offset)
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
  }
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * Parses an ISO-8601 date and time. With an offset (`Z`, `+08:00`) it is that instant; without one
 * it is a wall-clock time in `timeZone`. Returns undefined for anything else (a date alone, an
 * impossible date such as 02-30, free text).
 */
export function parseInstant(text: string, timeZone: string): Date | undefined {
  const m = isoPattern.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const w: WallTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? 0),
  }
  const ms = Number((frac ?? '0').padEnd(3, '0'))
  if (w.month < 1 || w.month > 12 || w.hour > 23 || w.minute > 59 || w.second > 59) return undefined
  const asUtc = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms))
  if (asUtc.getUTCDate() !== w.day) return undefined // 2024-02-30 and the like
  if (!zone) return fromWallTime(w, timeZone, ms)
  if (zone.toUpperCase() === 'Z') return asUtc
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offH = Number(digits.slice(0, 2))
  const offM = Number(digits.slice(2) || '0')
  if (offH > 14 || offM > 59) return undefined
  return new Date(asUtc.getTime() - sign * (offH * 60 + offM) * 60_000)
}
