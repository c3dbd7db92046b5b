/**
 * Instants and wall-clock times in the plan's timezone, for schedules and `--at`. Offsets come from
 * the IANA database through Intl, so this is right for zones with daylight saving time too.
 */

interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The wall-clock time of `instant` in `timeZone`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  }
}

/** Milliseconds to add to UTC to get the wall time in `timeZone` at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  const w = wallTime(new Date(instant), timeZone)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000))
}

/** The instant at which the clock in `timeZone` reads the given wall time (the earlier one when it reads it twice). */
export function fromWallTime(w: WallTime, timeZone: string, ms = 0): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms)
  const first = guess - offsetMs(guess, timeZone)
  const second = guess - offsetMs(first, timeZone)
  return new Date(Math.min(first, second))
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `YYYY-MM-DD HH:mm` in `timeZone`, for people reading schedules. */
export function formatInstant(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone)
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`
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
