/**
 * The deadline ladder and the rounds' days, on China's 2026 calendar (chinese-days 1.5.7):
 *   Mid-Autumn 09-25 (Fri) … 09-27 off; National Day 10-01 … 10-07 off;
 *   make-up working days 09-20 (Sun) and 10-10 (Sat).
 */
import { outboxKey } from '../../src/domain/outbox-keys.ts'
import { describe, expect, it } from 'vitest'
import { addDays } from '../../src/domain/dates.ts'
import {
  deadlineMoment,
  isoWeek,
  ladderStep,
  monthlyRoundDay,
  weeklyRoundDay,
  type LadderStep,
} from '../../src/domain/reminder-ladder.ts'
import { chinaCalendar as cal, customCalendar } from '../../src/domain/working-days.ts'

/** The reminder key (task 1, unit 2) due on each working day of [from, to], as `day → key`. */
function ladder(due: string, from: string, to: string): Record<string, string> {
  const out: Record<string, string> = {}
  const seen = new Set<string>()
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (!cal.isWorkingDay(d)) continue
    const step = ladderStep(cal, d, due)
    if (!step) continue
    const key = outboxKey.deadline(1, 2, step)
    if (seen.has(key)) continue
    seen.add(key)
    out[d] = key.replace('deadline:1:2:', '')
  }
  return out
}

describe('the deadline ladder', () => {
  it('reminds 14, 7, 3, 1 working days before 10-20 and on the day, across the holidays', () => {
    // Working days before Tue 10-20: 10-19 (1) … 10-15 (3) … 10-10 Sat make-up (7) … 10-08 (9),
    // National Day, 09-30 (10) 09-29 (11) 09-28 (12), Mid-Autumn, 09-24 (13), 09-23 (14).
    expect(ladder('2026-10-20', '2026-09-01', '2026-10-20')).toEqual({
      '2026-09-23': 'before:14',
      '2026-10-10': 'before:7',
      '2026-10-15': 'before:3',
      '2026-10-19': 'before:1',
      '2026-10-20': 'before:0',
    })
  })

  it('counts a make-up Sunday and puts "on the day" on a make-up Saturday deadline', () => {
    // Sat 10-10 is a working day: 10-09 (1) 10-08 (2) 09-30 (3) 09-29 (4) 09-28 (5) 09-24 (6)
    // 09-23 (7) 09-22 (8) 09-21 (9) 09-20 Sun make-up (10) 09-18 (11) … 09-15 (14).
    expect(ladder('2026-10-10', '2026-09-01', '2026-10-10')).toEqual({
      '2026-09-15': 'before:14',
      '2026-09-23': 'before:7',
      '2026-09-30': 'before:3',
      '2026-10-09': 'before:1',
      '2026-10-10': 'before:0',
    })
  })

  it('gives the last working day before a deadline on a day off the "on the day" reminder', () => {
    // 10-04 (Sun) is inside National Day: the last working day before it is 09-30.
    expect(deadlineMoment(cal, '2026-09-30', '2026-10-04')).toEqual({ kind: 'today' })
    expect(ladderStep(cal, '2026-09-30', '2026-10-04')?.kind).toBe('before')
    expect(outboxKey.deadline(5, 6, ladderStep(cal, '2026-09-30', '2026-10-04')!)).toBe(
      'deadline:5:6:before:0',
    )
    // The next working day is the first overdue day.
    expect(outboxKey.deadline(5, 6, ladderStep(cal, '2026-10-08', '2026-10-04')!)).toBe(
      'deadline:5:6:overdue:1',
    )
  })

  it('makes up a missed step with the real number of working days left, once', () => {
    const step = ladderStep(cal, '2026-10-16', '2026-10-20')!
    expect(step).toEqual({ kind: 'before', step: 3, moment: { kind: 'before', workingDaysLeft: 2 } })
    // Same key as on 10-15, so it goes only if 10-15's did not.
    expect(outboxKey.deadline(1, 2, step)).toBe(
      outboxKey.deadline(1, 2, ladderStep(cal, '2026-10-15', '2026-10-20')!),
    )
  })

  it('sends nothing more than 14 working days ahead', () => {
    expect(ladderStep(cal, '2026-09-22', '2026-10-20')).toBeNull()
    expect(ladderStep(cal, '2026-07-15', '2026-10-20')).toBeNull()
  })

  it('repeats overdue reminders every 3 working days and escalates from the second', () => {
    // Working days after 10-20: 10-21 (1) 10-22 (2) 10-23 (3) 10-26 (4) … 10-29 (7) 10-30 (8)
    // 11-02 (9) 11-03 (10).
    expect(ladder('2026-10-20', '2026-10-21', '2026-11-06')).toEqual({
      '2026-10-21': 'overdue:1',
      '2026-10-26': 'overdue:2',
      '2026-10-29': 'overdue:3',
      '2026-11-03': 'overdue:4',
      '2026-11-06': 'overdue:5',
    })
    const first = ladderStep(cal, '2026-10-21', '2026-10-20') as Extract<LadderStep, { kind: 'overdue' }>
    const second = ladderStep(cal, '2026-10-26', '2026-10-20') as Extract<LadderStep, { kind: 'overdue' }>
    expect([first.n, first.escalate, first.moment]).toEqual([
      1,
      false,
      { kind: 'overdue', workingDaysOverdue: 1 },
    ])
    expect([second.n, second.escalate, second.moment]).toEqual([
      2,
      true,
      { kind: 'overdue', workingDaysOverdue: 4 },
    ])
    expect(outboxKey.escalation(7, '2026-10-26')).toBe('escalation:7:2026-10-26')
  })

  it('follows its options: other steps and cadence', () => {
    const opts = { steps: [5, 0], overdueEvery: 2, escalateFrom: 3 }
    expect(ladderStep(cal, '2026-10-13', '2026-10-20', opts)).toEqual({
      kind: 'before',
      step: 5,
      moment: { kind: 'before', workingDaysLeft: 5 },
    })
    expect(ladderStep(cal, '2026-10-14', '2026-10-20', opts)?.kind).toBe('before')
    expect(outboxKey.deadline(1, 1, ladderStep(cal, '2026-10-14', '2026-10-20', opts)!)).toBe(
      'deadline:1:1:before:5',
    )
    const third = ladderStep(cal, '2026-10-27', '2026-10-20', opts) // od 5 → n 3
    expect(third).toMatchObject({ kind: 'overdue', n: 3, escalate: true })
  })

  it('counts weekends only on a weekday calendar', () => {
    const weekdays = customCalendar({})
    expect(deadlineMoment(weekdays, '2026-10-02', '2026-10-09')).toEqual({
      kind: 'before',
      workingDaysLeft: 5,
    })
    // (10-02, 10-09] on China's calendar: 10-03 … 10-07 off, so 10-08 and 10-09.
    expect(deadlineMoment(cal, '2026-10-02', '2026-10-09')).toEqual({ kind: 'before', workingDaysLeft: 2 })
  })
})

describe('the rounds', () => {
  it('names ISO weeks', () => {
    expect(isoWeek('2026-10-09')).toBe('2026-W41')
    expect(isoWeek('2026-01-01')).toBe('2026-W01')
    expect(isoWeek('2027-01-03')).toBe('2026-W53')
    expect(isoWeek('2024-12-30')).toBe('2025-W01')
  })

  it('prompts on Friday, or the first working day after a non-working Friday that week', () => {
    expect(weeklyRoundDay(cal, '2026-09-14', 5)).toBe('2026-09-18')
    // Fri 09-25 … Sun 09-27 off: no prompt that week.
    expect(weeklyRoundDay(cal, '2026-09-22', 5)).toBeNull()
    // Fri 10-02 is National Day, the weekend too.
    expect(weeklyRoundDay(cal, '2026-10-01', 5)).toBeNull()
    // A week whose Friday is off but Saturday is a make-up day.
    const moved = customCalendar({ base: cal, holidays: ['2026-10-09'] })
    expect(weeklyRoundDay(moved, '2026-10-05', 5)).toBe('2026-10-10')
  })

  it('acts on Monday, or the first working day of the week', () => {
    expect(weeklyRoundDay(cal, '2026-10-14', 1)).toBe('2026-10-12')
    expect(weeklyRoundDay(cal, '2026-10-09', 1)).toBe('2026-10-08')
  })

  it('checks training on the 1st, or the first working day of the month', () => {
    expect(monthlyRoundDay(cal, '2026-08-20', 1)).toBe('2026-08-03')
    expect(monthlyRoundDay(cal, '2026-10-20', 1)).toBe('2026-10-08')
    expect(monthlyRoundDay(cal, '2026-11-20', 1)).toBe('2026-11-02')
    expect(monthlyRoundDay(cal, '2026-12-20', 1)).toBe('2026-12-01')
  })
})
