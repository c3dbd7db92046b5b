import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addDays, weekday } from '../../src/domain/dates.ts'
import {
  addWorkingDays,
  chinaCalendar,
  coveredYears,
  customCalendar,
  nextWorkingDay,
  workingDaysBetween,
} from '../../src/domain/working-days.ts'

const cal = chinaCalendar

describe('chinaCalendar', () => {
  it('knows 2026 National Day: 1-7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true) // Sunday, make-up working day
    expect(cal.isWorkingDay('2026-10-10')).toBe(true) // Saturday, make-up working day
    for (let d = '2026-10-01'; d <= '2026-10-07'; d = addDays(d, 1))
      expect(cal.isWorkingDay(d), d).toBe(false)
    expect(cal.isWorkingDay('2026-10-08')).toBe(true)
    expect(cal.isWorkingDay('2026-10-11')).toBe(false) // an ordinary Sunday
  })
  it('knows 2026 Spring Festival and Labour Day, with their make-up Saturdays', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2026-02-16')).toBe(false) // Monday in the holiday
    expect(cal.isWorkingDay('2026-02-23')).toBe(false) // Monday in the holiday
    expect(cal.isWorkingDay('2026-02-28')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2026-05-05')).toBe(false) // Tuesday
    expect(cal.isWorkingDay('2026-05-09')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2026-01-04')).toBe(true) // Sunday after New Year
  })
  it('knows 2025: National Day and Mid-Autumn 1-8 Oct off, 28 Sep and 11 Oct worked', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true) // Sunday
    expect(cal.isWorkingDay('2025-10-08')).toBe(false) // Wednesday
    expect(cal.isWorkingDay('2025-10-11')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2025-01-26')).toBe(true) // Sunday before Spring Festival
    expect(cal.isWorkingDay('2025-02-04')).toBe(false) // Tuesday in Spring Festival
  })
  it('knows 2024: Mid-Autumn 15-17 Sep, National Day 1-7 Oct, make-up 14 Sep, 29 Sep, 12 Oct', () => {
    expect(cal.isWorkingDay('2024-09-14')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2024-09-16')).toBe(false) // Monday
    expect(cal.isWorkingDay('2024-09-17')).toBe(false) // Tuesday
    expect(cal.isWorkingDay('2024-09-29')).toBe(true) // Sunday
    expect(cal.isWorkingDay('2024-10-04')).toBe(false) // Friday
    expect(cal.isWorkingDay('2024-10-12')).toBe(true) // Saturday
    expect(cal.isWorkingDay('2024-06-10')).toBe(false) // Monday, Dragon Boat
  })
  it("agrees day by day with the library's per-year files for 2024-2026", () => {
    const require = createRequire(import.meta.url)
    for (const year of [2024, 2025, 2026]) {
      const data = require(`chinese-days/dist/years/${year}.json`) as {
        holidays: Record<string, string>
        workdays: Record<string, string>
      }
      expect(Object.keys(data.workdays).length).toBeGreaterThan(3)
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
        const expected = d in data.workdays || (!(d in data.holidays) && weekday(d) >= 1 && weekday(d) <= 5)
        expect(cal.isWorkingDay(d), d).toBe(expected)
      }
    }
  })
  it('treats a year without published data as Monday-Friday', () => {
    expect(coveredYears()).not.toContain(2030)
    expect(cal.isWorkingDay('2030-10-01')).toBe(true) // a Tuesday; the 2030 holidays are not known
    expect(cal.isWorkingDay('2030-10-05')).toBe(false) // Saturday
  })
  it('refuses a malformed date', () => {
    expect(() => cal.isWorkingDay('2026-10-32')).toThrow(RangeError)
  })
})

describe('coveredYears', () => {
  it('lists every year from 2004 to 2026 in order', () => {
    const years = coveredYears()
    expect(years[0]).toBe(2004)
    expect(years).toContain(2024)
    expect(years).toContain(2025)
    expect(years).toContain(2026)
    expect(years).toEqual(Array.from({ length: years.length }, (_, i) => 2004 + i))
  })
})

describe('addWorkingDays', () => {
  it('steps over the National Day week and counts the make-up Saturday', () => {
    expect(addWorkingDays(cal, '2026-09-30', 1)).toBe('2026-10-08')
    expect(addWorkingDays(cal, '2026-10-08', -1)).toBe('2026-09-30')
    expect(addWorkingDays(cal, '2026-10-09', 1)).toBe('2026-10-10') // Saturday, worked
    expect(addWorkingDays(cal, '2026-10-10', 1)).toBe('2026-10-12')
    expect(addWorkingDays(cal, '2026-09-21', -1)).toBe('2026-09-20') // Sunday, worked
  })
  it('counts a reminder ladder back from a deadline across the holiday', () => {
    // 7 working days before 10 Oct 2024: 9, 8, (1-7 off), 30 Sep, Sun 29 Sep (worked), 27, 26, 25.
    expect(addWorkingDays(cal, '2024-10-10', -7)).toBe('2024-09-25')
    expect(addWorkingDays(cal, '2024-10-10', -1)).toBe('2024-10-09')
  })
  it('starts from a day off as the next or previous working day would', () => {
    expect(addWorkingDays(cal, '2026-10-03', 1)).toBe('2026-10-08')
    expect(addWorkingDays(cal, '2026-10-03', -1)).toBe('2026-09-30')
  })
  it('returns the date itself for n = 0, working day or not', () => {
    expect(addWorkingDays(cal, '2026-10-03', 0)).toBe('2026-10-03')
    expect(addWorkingDays(cal, '2026-10-08', 0)).toBe('2026-10-08')
  })
  it('refuses a fractional count', () => {
    expect(() => addWorkingDays(cal, '2026-10-08', 1.5)).toThrow(RangeError)
  })
})

describe('workingDaysBetween', () => {
  it('counts working days in (from, to], negative backwards, 0 when equal', () => {
    expect(workingDaysBetween(cal, '2026-09-30', '2026-10-10')).toBe(3) // 8, 9, Sat 10
    expect(workingDaysBetween(cal, '2026-10-10', '2026-09-30')).toBe(-3)
    expect(workingDaysBetween(cal, '2026-10-08', '2026-10-08')).toBe(0)
    expect(workingDaysBetween(cal, '2026-10-01', '2026-10-07')).toBe(0)
    expect(workingDaysBetween(cal, '2026-09-19', '2026-09-20')).toBe(1)
  })
  it('is the inverse of addWorkingDays from a working day', () => {
    const workingDay = fc
      .integer({ min: 0, max: 3 * 366 })
      .map((n) => nextWorkingDay(cal, addDays('2024-01-01', n)))
    fc.assert(
      fc.property(workingDay, fc.integer({ min: -40, max: 40 }), (from, n) => {
        const to = addWorkingDays(cal, from, n)
        expect(cal.isWorkingDay(to)).toBe(true)
        expect(workingDaysBetween(cal, from, to)).toBe(n)
      }),
    )
  })
})

describe('nextWorkingDay', () => {
  it('keeps a working day and moves a day off to the next working day', () => {
    expect(nextWorkingDay(cal, '2026-10-10')).toBe('2026-10-10')
    expect(nextWorkingDay(cal, '2026-10-01')).toBe('2026-10-08')
    expect(nextWorkingDay(cal, '2026-10-11')).toBe('2026-10-12')
  })
})

describe('customCalendar', () => {
  it('lays explicit days off and working days over a base calendar', () => {
    const withBridge = customCalendar({ holidays: ['2026-10-09'], workdays: ['2026-10-11'], base: cal })
    expect(withBridge.isWorkingDay('2026-10-09')).toBe(false)
    expect(withBridge.isWorkingDay('2026-10-11')).toBe(true)
    expect(withBridge.isWorkingDay('2026-10-03')).toBe(false) // from the base
    expect(addWorkingDays(withBridge, '2026-10-08', 1)).toBe('2026-10-10')
  })
  it('uses Monday-Friday when no base is given', () => {
    const plain = customCalendar({ holidays: ['2026-10-01'] })
    expect(plain.isWorkingDay('2026-10-01')).toBe(false)
    expect(plain.isWorkingDay('2026-10-02')).toBe(true) // a holiday in China, not here
    expect(plain.isWorkingDay('2026-10-10')).toBe(false) // Saturday
  })
  it('refuses a malformed override date', () => {
    expect(() => customCalendar({ holidays: ['2026-13-01'] })).toThrow(RangeError)
  })
  it('refuses to search forever in a calendar without working days', () => {
    const never = customCalendar({ base: { isWorkingDay: () => false } })
    expect(() => addWorkingDays(never, '2026-10-08', 1)).toThrow(/no working day/)
  })
})
