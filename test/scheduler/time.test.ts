import { describe, expect, it } from 'vitest'
import { cronProblem, firesDescending } from '../../src/scheduler/cron.ts'
import { formatInstant, parseInstant } from '../../src/domain/dates.ts'

const fires = (cron: string, tz: string, after: string, until: string) =>
  [...firesDescending(cron, tz, new Date(after), new Date(until))].map((d) => d.toISOString()).reverse()

describe('schedule fire times', () => {
  it('reads cron in the plan timezone: Friday 10:00 in Shanghai is 02:00Z', () => {
    expect(fires('0 10 * * 5', 'Asia/Shanghai', '2024-10-01T00:00:00Z', '2024-10-19T00:00:00Z')).toEqual([
      '2024-10-04T02:00:00.000Z',
      '2024-10-11T02:00:00.000Z',
      '2024-10-18T02:00:00.000Z',
    ])
  })

  it('includes a fire at exactly the upper bound and excludes one at the lower bound', () => {
    expect(fires('0 9 * * *', 'Asia/Shanghai', '2024-10-09T01:00:00Z', '2024-10-10T01:00:00Z')).toEqual([
      '2024-10-10T01:00:00.000Z',
    ])
  })

  it('keeps the wall-clock time across a daylight-saving change', () => {
    // New York moves from EDT (UTC-4) to EST (UTC-5) on 2024-11-03.
    expect(fires('0 9 * * *', 'America/New_York', '2024-11-01T00:00:00Z', '2024-11-05T00:00:00Z')).toEqual([
      '2024-11-01T13:00:00.000Z',
      '2024-11-02T13:00:00.000Z',
      '2024-11-03T14:00:00.000Z',
      '2024-11-04T14:00:00.000Z',
    ])
  })

  it('refuses expressions the scheduler cannot keep to', () => {
    expect(cronProblem('0 9 * * *')).toBeUndefined()
    expect(cronProblem('0 10 * * FRI')).toBeUndefined()
    expect(cronProblem('0 0 9 * * *')).toMatch(/five fields/)
    expect(cronProblem('@daily')).toMatch(/five fields/)
    expect(cronProblem('H 9 * * *')).toMatch(/H \(randomized\)/)
    expect(cronProblem('61 9 * * *')).toBeDefined()
  })
})

describe('--at times', () => {
  it('reads a time without an offset in the plan timezone', () => {
    expect(parseInstant('2024-10-18T10:00', 'Asia/Shanghai')?.toISOString()).toBe('2024-10-18T02:00:00.000Z')
    expect(parseInstant('2024-10-18 10:00:30', 'Asia/Shanghai')?.toISOString()).toBe(
      '2024-10-18T02:00:30.000Z',
    )
    expect(parseInstant('2024-07-01T09:00', 'America/New_York')?.toISOString()).toBe(
      '2024-07-01T13:00:00.000Z',
    )
    expect(parseInstant('2024-12-01T09:00', 'America/New_York')?.toISOString()).toBe(
      '2024-12-01T14:00:00.000Z',
    )
  })

  it('honours an explicit offset', () => {
    expect(parseInstant('2024-10-18T10:00:00+08:00', 'UTC')?.toISOString()).toBe('2024-10-18T02:00:00.000Z')
    expect(parseInstant('2024-10-18T02:00:00.000Z', 'Asia/Shanghai')?.toISOString()).toBe(
      '2024-10-18T02:00:00.000Z',
    )
    expect(parseInstant('2024-10-18T10:00-0530', 'Asia/Shanghai')?.toISOString()).toBe(
      '2024-10-18T15:30:00.000Z',
    )
  })

  it('refuses what is not a date and time', () => {
    for (const bad of [
      'tomorrow',
      '2024-10-18',
      '2024-02-30T09:00',
      '2024-10-18T24:00',
      '18/10/2024 10:00',
      '',
    ])
      expect(parseInstant(bad, 'Asia/Shanghai'), bad).toBeUndefined()
  })

  it('formats an instant as the plan timezone reads it', () => {
    expect(formatInstant(new Date('2024-10-18T02:00:00Z'), 'Asia/Shanghai')).toBe('2024-10-18 10:00')
  })
})
