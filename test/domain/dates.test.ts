import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  addDays,
  daysBetween,
  formatMonthDay,
  isValidDate,
  lastDayOfMonth,
  localDate,
  weekday,
  zonedInstant,
} from '../../src/domain/dates.ts'

const SH = 'Asia/Shanghai'

/** Any real day 1990-2100 as YYYY-MM-DD. */
const anyDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))

describe('localDate', () => {
  it('gives the calendar day in the plan timezone, not in UTC', () => {
    expect(localDate(new Date('2024-10-19T15:59:59Z'), SH)).toBe('2024-10-19')
    expect(localDate(new Date('2024-10-19T16:00:00Z'), SH)).toBe('2024-10-20')
    expect(localDate(new Date('2024-10-20T03:00:00Z'), 'America/New_York')).toBe('2024-10-19')
  })
  it('refuses an invalid instant', () => {
    expect(() => localDate(new Date(NaN), SH)).toThrow(RangeError)
  })
})

describe('zonedInstant', () => {
  it('gives 09:00 Shanghai time as 01:00 UTC', () => {
    expect(zonedInstant('2024-10-20', '09:00', SH).toISOString()).toBe('2024-10-20T01:00:00.000Z')
    expect(zonedInstant('2024-01-01', '00:00', SH).toISOString()).toBe('2023-12-31T16:00:00.000Z')
    expect(zonedInstant('2024-10-20', '23:59:59', SH).toISOString()).toBe('2024-10-20T15:59:59.000Z')
  })
  it('moves a time skipped by spring-forward to after the gap', () => {
    // New York skips 02:00-03:00 on 2024-03-10: 02:30 is taken as 03:30 EDT.
    expect(zonedInstant('2024-03-10', '02:30', 'America/New_York').toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    )
    // London skips 01:00-02:00 on 2024-03-31: 01:30 is taken as 02:30 BST.
    expect(zonedInstant('2024-03-31', '01:30', 'Europe/London').toISOString()).toBe(
      '2024-03-31T01:30:00.000Z',
    )
  })
  it('takes the earlier of a time that occurs twice in autumn', () => {
    // 01:30 happens in EDT (05:30Z) and again in EST (06:30Z) on 2024-11-03.
    expect(zonedInstant('2024-11-03', '01:30', 'America/New_York').toISOString()).toBe(
      '2024-11-03T05:30:00.000Z',
    )
  })
  it('keeps ordinary days either side of a DST change exact', () => {
    expect(zonedInstant('2024-03-09', '09:00', 'America/New_York').toISOString()).toBe(
      '2024-03-09T14:00:00.000Z',
    )
    expect(zonedInstant('2024-03-11', '09:00', 'America/New_York').toISOString()).toBe(
      '2024-03-11T13:00:00.000Z',
    )
  })
  it('round-trips with localDate for any day and minute', () => {
    fc.assert(
      fc.property(
        anyDate,
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom(SH, 'Europe/Berlin', 'America/Los_Angeles', 'Pacific/Auckland', 'UTC'),
        (date, h, m, tz) => {
          const time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
          expect(localDate(zonedInstant(date, time, tz), tz)).toBe(date)
        },
      ),
    )
  })
  it('refuses malformed dates and times', () => {
    expect(() => zonedInstant('2024-02-30', '09:00', SH)).toThrow(RangeError)
    expect(() => zonedInstant('2024-10-20', '24:00', SH)).toThrow(RangeError)
    expect(() => zonedInstant('2024-10-20', '9点', SH)).toThrow(RangeError)
  })
})

describe('calendar arithmetic', () => {
  it('adds days across months, years and 29 February', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01')
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01')
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31')
    expect(addDays('2024-10-20', 0)).toBe('2024-10-20')
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01')
  })
  it('counts days between dates, negative backwards', () => {
    expect(daysBetween('2024-10-10', '2024-10-20')).toBe(10)
    expect(daysBetween('2024-10-20', '2024-10-10')).toBe(-10)
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366)
    expect(daysBetween('2024-03-01', '2024-03-01')).toBe(0)
  })
  it('agrees: daysBetween(d, addDays(d, n)) = n', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -4000, max: 4000 }), (d, n) => {
        expect(daysBetween(d, addDays(d, n))).toBe(n)
      }),
    )
  })
  it('knows the weekday, including China make-up working weekends', () => {
    expect(weekday('2026-09-20')).toBe(0) // Sunday
    expect(weekday('2026-10-10')).toBe(6) // Saturday
    expect(weekday('2026-10-01')).toBe(4) // Thursday
    expect(weekday('2024-10-20')).toBe(0)
  })
  it('gives the last day of each month, leap years included', () => {
    expect(lastDayOfMonth(2024, 2)).toBe('2024-02-29')
    expect(lastDayOfMonth(2023, 2)).toBe('2023-02-28')
    expect(lastDayOfMonth(2000, 2)).toBe('2000-02-29')
    expect(lastDayOfMonth(2100, 2)).toBe('2100-02-28')
    expect(lastDayOfMonth(2024, 11)).toBe('2024-11-30')
    expect(lastDayOfMonth(2024, 12)).toBe('2024-12-31')
    expect(() => lastDayOfMonth(2024, 13)).toThrow(RangeError)
  })
  it('tells real calendar days from look-alikes', () => {
    expect(isValidDate('2024-02-29')).toBe(true)
    expect(isValidDate('2023-02-29')).toBe(false)
    expect(isValidDate('2024-04-31')).toBe(false)
    expect(isValidDate('2024-4-3')).toBe(false)
    expect(isValidDate('2024-13-01')).toBe(false)
    expect(() => addDays('2024-02-30', 1)).toThrow(RangeError)
  })
})

describe('formatMonthDay', () => {
  it('writes M月D日 in Chinese and D Mon in English', () => {
    expect(formatMonthDay('2024-10-20', 'zh-CN')).toBe('10月20日')
    expect(formatMonthDay('2024-08-05', 'zh-CN')).toBe('8月5日')
    expect(formatMonthDay('2024-10-20', 'en')).toBe('20 Oct')
    expect(formatMonthDay('2024-09-05', 'en')).toBe('5 Sep')
  })
})
