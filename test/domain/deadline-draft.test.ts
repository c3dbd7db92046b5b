import { describe, expect, it } from 'vitest'
import { readDeadlineInText, readDeadlinePhrase } from '../../src/domain/deadline-phrase.ts'

const months = (year: number, day: (m: number) => number) =>
  Array.from(
    { length: 12 },
    (_, i) => `${year}-${String(i + 1).padStart(2, '0')}-${String(day(i + 1)).padStart(2, '0')}`,
  )
const lastDay = (year: number, m: number) => new Date(Date.UTC(year, m, 0)).getUTCDate()

describe('readDeadlinePhrase: a 完成时限 cell as a clerk reads it', () => {
  it.each([
    ['年底前', '2026-12-31'],
    ['年内', '2026-12-31'],
    ['上半年', '2026-06-30'],
    ['下半年', '2026-12-31'],
    ['第三季度', '2026-09-30'],
    ['三季度末前', '2026-09-30'],
    ['6月份', '2026-06-30'],
    ['6月', '2026-06-30'],
    ['9月前', '2026-09-30'],
    ['3月初', '2026-03-05'],
    ['年中', '2026-06-30'],
    ['今年年中前', '2026-06-30'],
    ['3月至6月', '2026-06-30'],
    ['3—6月', '2026-06-30'],
    ['3-6月份', '2026-06-30'],
    ['2026年3月至6月底', '2026-06-30'],
    ['10月中旬前', '2026-10-20'],
    ['11月30日前完成', '2026-11-30'],
    ['2026年12月底前完成验收', '2026-12-31'],
    ['9月中下旬', '2026-09-30'],
    ['10月上中旬前', '2026-10-20'],
    ['6.30', '2026-06-30'],
    ['全年', '2026-12-31'],
  ])('%s → %s (year 2026)', (text, date) => {
    const r = readDeadlinePhrase(text, 2026)
    expect(r.deadline).toMatchObject({ kind: 'date', date, explicitYear: /20\d\d年/.test(text) })
    expect(r.unread).toBeNull()
  })

  it.each([
    ['6月30日、12月31日前', ['2026-06-30', '2026-12-31']],
    ['3月、6月、9月、12月底前', ['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31']],
    ['6月、12月', ['2026-06-30', '2026-12-31']],
    ['3月和9月中旬前', ['2026-03-20', '2026-09-20']],
  ])('reads the dates listed in %s, each a due date', (text, dates) => {
    expect(readDeadlinePhrase(text, 2026)).toEqual({
      deadline: { kind: 'series', text, dates, every: 'listed' },
      unread: null,
    })
  })

  it('does not take a range or a month and a day out of range for a list', () => {
    expect(readDeadlinePhrase('3月至6月', 2026).deadline).toMatchObject({ kind: 'date', date: '2026-06-30' })
    expect(readDeadlinePhrase('13.5', 2026)).toEqual({ deadline: null, unread: '13.5' })
  })

  it('lets an explicit year win over the plan year, and says so', () => {
    expect(readDeadlinePhrase('2024年8月中旬前', 2026)).toEqual({
      deadline: { kind: 'date', text: '2024年8月中旬前', date: '2024-08-20', explicitYear: true },
      unread: null,
    })
    expect(readDeadlinePhrase('今年8月中旬前', 2026).deadline).toMatchObject({
      date: '2026-08-20',
      explicitYear: false,
    })
  })

  it('reads recurring deadlines as a series in the plan year', () => {
    expect(readDeadlinePhrase('每月10日前', 2026).deadline).toEqual({
      kind: 'series',
      text: '每月10日前',
      dates: months(2026, () => 10),
      every: 'month',
    })
    expect(readDeadlinePhrase('每月底', 2024).deadline).toMatchObject({
      dates: months(2024, (m) => lastDay(2024, m)),
    })
    expect(readDeadlinePhrase('每月31日前', 2026).deadline).toMatchObject({
      dates: expect.arrayContaining(['2026-02-28', '2026-04-30', '2026-12-31']),
    })
    expect(readDeadlinePhrase('每季度末', 2026).deadline).toEqual({
      kind: 'series',
      text: '每季度末',
      dates: ['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31'],
      every: 'quarter',
    })
    expect(readDeadlinePhrase('每季度结束后10日内', 2026).deadline).toMatchObject({
      dates: ['2026-04-10', '2026-07-10', '2026-10-10', '2027-01-10'],
    })
    expect(readDeadlinePhrase('每半年报送一次', 2026).deadline).toMatchObject({
      dates: ['2026-06-30', '2026-12-31'],
      every: 'half',
    })
    expect(readDeadlinePhrase('每年11月30日前', 2026).deadline).toEqual({
      kind: 'series',
      text: '每年11月30日前',
      dates: ['2026-11-30'],
      every: 'year',
    })
  })

  it('reads ongoing work, with its first date when one is named', () => {
    for (const text of ['长期坚持', '持续推进', '常态化', '长期', '常态化开展']) {
      expect(readDeadlinePhrase(text, 2026).deadline).toEqual({ kind: 'ongoing', text, date: null })
    }
    expect(readDeadlinePhrase('2025年年底前完成并长期推进', 2026).deadline).toEqual({
      kind: 'ongoing',
      text: '2025年年底前完成并长期推进',
      date: '2025-12-31',
    })
  })

  it('returns what it cannot read, and nothing for an empty cell', () => {
    expect(readDeadlinePhrase('尽快', 2026)).toEqual({ deadline: null, unread: '尽快' })
    expect(readDeadlinePhrase('2月30日前', 2026)).toEqual({ deadline: null, unread: '2月30日前' })
    expect(readDeadlinePhrase('', 2026)).toEqual({ deadline: null, unread: null })
    expect(readDeadlinePhrase('—', 2026)).toEqual({ deadline: null, unread: null })
  })

  it('without a plan year, reads only phrases that name their year', () => {
    expect(readDeadlinePhrase('2025年6月底前', null).deadline).toMatchObject({ date: '2025-06-30' })
    expect(readDeadlinePhrase('6月底前', null)).toEqual({ deadline: null, unread: '6月底前' })
    expect(readDeadlinePhrase('长期坚持', null).deadline).toMatchObject({ kind: 'ongoing', date: null })
    expect(readDeadlinePhrase('每季度末', null)).toEqual({ deadline: null, unread: '每季度末' })
  })
})

describe('readDeadlineInText: the deadline of a task written in prose', () => {
  it.each([
    ['各行政执法单位应定期报送，今年8月中旬前完成中期评估。', '今年8月中旬前', '2024-08-20'],
    ['力争上半年完成。', '上半年', '2024-06-30'],
    ['于6月份完成自查。', '6月份', '2024-06-30'],
    ['3月初启动，全面排查。', '3月初', '2024-03-05'],
    ['开展专项检查（3月至6月）。', '3月至6月', '2024-06-30'],
  ])('%s → %s', (text, phrase, date) => {
    expect(readDeadlineInText(text, 2024).deadline).toEqual({
      kind: 'date',
      text: phrase,
      date,
      explicitYear: false,
    })
  })

  it('prefers a labelled time slot', () => {
    expect(readDeadlineInText('建立台账，年内完成。完成时限：2024年9月底前', 2026).deadline).toMatchObject({
      date: '2024-09-30',
      explicitYear: true,
    })
    expect(readDeadlineInText('建立台账。时间节点：长期坚持', 2026).deadline).toEqual({
      kind: 'ongoing',
      text: '长期坚持',
      date: null,
    })
  })

  it('reads ongoing work only from a whole clause, not from a verb in a sentence', () => {
    expect(readDeadlineInText('健全监督机制，长期坚持。', 2024).deadline).toEqual({
      kind: 'ongoing',
      text: '长期坚持',
      date: null,
    })
    expect(readDeadlineInText('持续提升基层依法行政能力水平，持续推进规范化建设。', 2024).deadline).toBeNull()
    expect(readDeadlineInText('2025年年底前完成，并长期推进。', 2026).deadline).toEqual({
      kind: 'ongoing',
      text: '2025年年底前…并长期推进',
      date: '2025-12-31',
    })
  })

  it('reads a recurring phrase when no one-off date is named', () => {
    expect(readDeadlineInText('每月10日前报送工作进展。', 2024).deadline).toMatchObject({
      kind: 'series',
      text: '每月10日前',
      every: 'month',
    })
    expect(readDeadlineInText('每季度末报送进展，10月底前完成整治。', 2024).deadline).toMatchObject({
      kind: 'date',
      date: '2024-10-31',
    })
  })

  it('starts a recurring deadline where the sentence says it starts', () => {
    const monthly = (from: number, day: string) =>
      Array.from({ length: 13 - from }, (_, i) => `2026-${String(from + i).padStart(2, '0')}-${day}`)
    expect(readDeadlineInText('从7月起每月10日前报送工作进展。', 2026).deadline).toEqual({
      kind: 'series',
      text: '从7月起每月10日前',
      dates: monthly(7, '10'),
      every: 'month',
    })
    expect(readDeadlineInText('自2026年7月1日起，各镇（街）每月10日前报送台账。', 2026).deadline).toEqual({
      kind: 'series',
      text: '自2026年7月1日起…每月10日前',
      dates: monthly(7, '10'),
      every: 'month',
    })
    // The month and day as the rest of the grammar reads them: Chinese numerals, 号.
    for (const text of ['自七月一日起每月10日前报送。', '从7月1号起每月10日前报送。'])
      expect(readDeadlineInText(text, 2026).deadline).toMatchObject({ dates: monthly(7, '10') })
    expect(readDeadlineInText('从十月份起每月15日前报送。', 2026).deadline).toMatchObject({
      dates: monthly(10, '15'),
    })
    expect(readDeadlineInText('下半年起每季度末报送。', 2026).deadline).toMatchObject({
      dates: ['2026-09-30', '2026-12-31'],
    })
    expect(readDeadlinePhrase('三季度起每月底前', 2026).deadline).toMatchObject({
      dates: ['2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31'],
    })
    // A start in another year, or in another sentence, leaves the plan year's series whole.
    for (const text of ['自2025年7月起每月10日前报送。', '7月1日起施行。每月10日前报送。'])
      expect(readDeadlineInText(text, 2026).deadline).toMatchObject({ dates: monthly(1, '10') })
  })

  it('finds nothing in texts without a deadline, and quotes one it cannot read', () => {
    for (const text of [
      '全面实施《提升行政执法质量三年行动计划（2023—2025 年）》',
      '每人每年接受不少于60学时的有关培训',
      '3月召开动员会。',
      '本办法自2024年10月1日起施行',
    ]) {
      expect(readDeadlineInText(text, 2024)).toEqual({ deadline: null, unread: null })
    }
    expect(readDeadlineInText('务必于2月30日前完成。', 2024)).toEqual({ deadline: null, unread: '2月30日前' })
  })

  it('stays linear on long texts', () => {
    const long = '说明'.repeat(100_000)
    expect(readDeadlineInText(`${long}，10月底前完成`, 2024).deadline).toMatchObject({ date: '2024-10-31' })
    expect(readDeadlineInText('每'.repeat(100_000), 2024)).toEqual({ deadline: null, unread: null })
  })
})
