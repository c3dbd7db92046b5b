import { beforeEach, describe, expect, it } from 'vitest'
import { asc } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { officers, plans, trainingRecords, units } from '../../src/db/schema.ts'
import {
  importOfficers,
  recordTrainingHours,
  trainingPace,
  trainingSummary,
} from '../../src/domain/training.ts'

const tz = 'Asia/Shanghai'
/** 2026-07-02 07:00 in Shanghai. */
const now = new Date('2026-07-01T23:00:00Z')

describe('training pace', () => {
  it('is the required hours times the share of the year elapsed, counting today, to one decimal', () => {
    expect(trainingPace(60, '2026-01-01')).toBe(0.2) // 60 × 1/365
    expect(trainingPace(60, '2026-07-02')).toBe(30.1) // 60 × 183/365 = 30.08
    expect(trainingPace(60, '2024-07-01')).toBe(30) // leap year: 60 × 183/366
    expect(trainingPace(60, '2026-12-31')).toBe(60)
    expect(trainingPace(40, '2026-04-01')).toBe(10) // 40 × 91/365 = 9.97
  })
  it('refuses a malformed date', () => {
    expect(() => trainingPace(60, '2026-02-30')).toThrow(RangeError)
  })
})

describeDb('training hours', (t) => {
  let taicheng: number
  beforeEach(async () => {
    await t.reset()
    const rows = await t.db
      .insert(units)
      .values([
        { name: '台城街道', shortName: '台城', kind: 'subdistrict' },
        { name: '大江镇', shortName: '大江', kind: 'town' },
      ])
      .returning()
    taicheng = rows[0]!.id
  })

  const csv = [
    'unit,name,hours',
    '台城街道,黄国荣,24',
    '台城,李伟健,26.5',
    'dajiang,甄伟光,12',
    '台城街道,陈美仪,0',
  ].join('\n')

  it('imports officers with their totals so far, idempotently', async () => {
    expect(await importOfficers(t.db, csv, now, tz)).toEqual({ officers: 4, records: 4 })
    expect(await importOfficers(t.db, csv, now, tz)).toEqual({ officers: 4, records: 0 })
    const later = csv.replace('黄国荣,24', '黄国荣,30')
    expect(await importOfficers(t.db, later, new Date('2026-08-01T02:00:00Z'), tz)).toEqual({
      officers: 4,
      records: 1,
    })
    const records = await t.db.select().from(trainingRecords).orderBy(asc(trainingRecords.id))
    expect(records.map((r) => [r.hours, r.takenOn, r.source])).toEqual([
      [30, '2026-08-01', 'import'],
      [26.5, '2026-07-02', 'import'],
      [12, '2026-07-02', 'import'],
      [0, '2026-07-02', 'import'],
    ])
    const summary = await trainingSummary(t.db, taicheng, 2026, '2026-07-02')
    expect(summary).toEqual({
      officers: [
        { name: '黄国荣', hours: 30, belowPace: true },
        { name: '李伟健', hours: 26.5, belowPace: true },
        { name: '陈美仪', hours: 0, belowPace: true },
      ],
      averageHours: 18.8,
      belowPace: 3,
      required: 60,
      pace: 30.1,
    })
  })

  it('imports nothing when a line is bad, naming each line', async () => {
    const bad = [
      'unit,name,hours',
      '台城街道,黄国荣,24',
      '火星镇,张三,10',
      '台城街道,李伟健,abc',
      '台城,黄国荣,5',
    ].join('\n')
    const err = await importOfficers(t.db, bad, now, tz).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/第 3 行：未找到单位“火星镇”/)
    expect((err as Error).message).toMatch(/第 4 行：学时“abc”无效/)
    expect((err as Error).message).toMatch(/第 5 行：与第 2 行重复/)
    expect(await t.db.select().from(officers)).toEqual([])
    expect(await t.db.select().from(trainingRecords)).toEqual([])
  })

  it('adds /hours entries on top of the imported total', async () => {
    await importOfficers(t.db, csv, now, tz)
    const r = await recordTrainingHours(t.db, {
      unitId: taicheng,
      officerName: '黄国荣',
      hours: 4,
      takenOn: '2026-07-02',
      course: '行政处罚法',
      source: 'telegram',
    })
    expect(r.officer.name).toBe('黄国荣')
    expect(r.totalHours).toBe(28)
    // Full-width spaces and stray spaces in the name still find the officer.
    const again = await recordTrainingHours(t.db, {
      unitId: taicheng,
      officerName: '黄　国荣',
      hours: 0.5,
      takenOn: '2026-07-03',
      source: 'cli',
    })
    expect(again.totalHours).toBe(28.5)
  })

  it('refuses malformed hours, dates and unknown officers with suggestions, writing nothing', async () => {
    await importOfficers(t.db, csv, now, tz)
    const before = await t.db.select().from(trainingRecords)
    const entry = {
      unitId: taicheng,
      officerName: '黄国荣',
      hours: 4,
      takenOn: '2026-07-02',
      source: 'telegram' as const,
    }
    await expect(recordTrainingHours(t.db, { ...entry, hours: 0.4 })).rejects.toThrow(
      /每次应为 0.5 至 24 学时/,
    )
    await expect(recordTrainingHours(t.db, { ...entry, hours: 25 })).rejects.toThrow(/学时“25”无效/)
    await expect(recordTrainingHours(t.db, { ...entry, hours: Number.NaN })).rejects.toThrow(/学时“NaN”无效/)
    await expect(recordTrainingHours(t.db, { ...entry, takenOn: '2026-13-01' })).rejects.toThrow(
      /日期“2026-13-01”无效/,
    )
    await expect(recordTrainingHours(t.db, { ...entry, officerName: '黄国华' })).rejects.toThrow(
      /台城街道没有执法人员“黄国华”，可能是：黄国荣/,
    )
    await expect(recordTrainingHours(t.db, { ...entry, officerName: '甄伟光' })).rejects.toThrow(
      /台城街道没有执法人员“甄伟光”。执法人员名单由管理员导入/,
    )
    expect(await t.db.select().from(trainingRecords)).toEqual(before)
    expect(await t.db.select().from(officers)).toHaveLength(4)
  })

  it('takes the required hours from the active plan and judges a past year against the full requirement', async () => {
    await importOfficers(t.db, csv, now, tz)
    await t.db.insert(plans).values({ key: 'p', title: '计划', year: 2026, trainingHoursPerYear: 40 })
    const s = await trainingSummary(t.db, taicheng, 2026, '2026-07-02')
    expect(s.required).toBe(40)
    expect(s.pace).toBe(20.1)
    expect(s.officers.map((o) => o.belowPace)).toEqual([false, false, true])
    const past = await trainingSummary(t.db, taicheng, 2025, '2026-07-02')
    expect(past).toMatchObject({ pace: 40, averageHours: 0, belowPace: 3 })
  })
})
