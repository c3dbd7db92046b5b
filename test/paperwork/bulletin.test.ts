/**
 * `duban report bulletin`: the 通报 draft written by the CLI, unzipped and read back: the title,
 * the period, every figure equal to the ledger's at the period's end, the 公文 page set-up; and
 * bad periods refused with exit 1.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import JSZip from 'jszip'
import { expect, it } from 'vitest'
import { zonedInstant } from '../../src/domain/dates.ts'
import { ledgerRows } from '../../src/domain/ledger.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { describeDb } from '../helpers/db.ts'
import { paperworkSuite } from './helpers.ts'
import { NOW, TZ } from '../bot/harness.ts'

const at = (date: string, time: string) => zonedInstant(date, time, TZ)

/** The document's paragraphs as plain text, and its raw XML parts. */
async function readDocx(file: string) {
  const zip = await JSZip.loadAsync(readFileSync(file))
  const xml = await zip.file('word/document.xml')!.async('string')
  const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) =>
    [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
  )
  const footers = await Promise.all(
    Object.keys(zip.files)
      .filter((n) => /^word\/footer\d*\.xml$/.test(n))
      .map((n) => zip.file(n)!.async('string')),
  )
  const styles = await zip.file('word/styles.xml')!.async('string')
  return { xml, paragraphs, footers, styles }
}

describeDb('duban report bulletin', (t) => {
  const s = paperworkSuite(t, 'bulletin', async (db, f) => {
    const report = (
      task: number,
      unit: number,
      state: 'done' | 'in_progress' | 'blocked',
      when: Date,
      note?: string,
    ) => recordStatus(db, { taskId: task, unitId: unit, state, note, source: 'cli', now: when })
    // Before the quarter ends: two units blocked for the same reason (written slightly apart), one done.
    await report(f.tasks.fines, f.units.taicheng, 'blocked', at('2024-09-10', '10:00'), '缺少执法记录仪')
    await report(f.tasks.fines, f.units.doushan, 'blocked', at('2024-09-11', '10:00'), '缺少执法记录仪。')
    await report(f.tasks.publicity, f.units.taicheng, 'done', at('2024-09-20', '10:00'))
    await report(f.tasks.training, f.units.doushan, 'in_progress', at('2024-09-25', '10:00'))
    // After it: not in the Q3 bulletin.
    await report(f.tasks.fines, f.units.taicheng, 'done', at('2024-10-08', '10:00'))
  })

  it('drafts the Q3 bulletin with the figures of the ledger on 30 September, in 公文 layout', async () => {
    const file = path.join(s.dataDir, '通报.docx')
    const run = await s.duban('report', 'bulletin', '--period', '2024-Q3', '--out', file)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain('2024年第三季度通报草稿（截至 2024-09-30')

    const ledger = await ledgerRows(s.db, { asOf: '2024-09-30', now: NOW, tz: TZ })
    const n = (pred: (r: (typeof ledger.rows)[number]) => boolean) => ledger.rows.filter(pred).length
    const done = n((r) => r.state === 'done')
    const overdue = ledger.rows.filter((r) => r.overdueDays > 0)
    // The fixture is what the figures below say, so the comparison is not vacuous.
    expect([ledger.rows.length, done, n((r) => r.state === 'blocked'), overdue.length]).toEqual([5, 1, 2, 0])

    const { paragraphs, xml, footers, styles } = await readDocx(file)
    expect(paragraphs[0]).toBe('关于2024年第三季度行政执法监督工作进展情况的通报')
    expect(paragraphs).toContain(
      '根据《台山市2024年度行政执法监督工作方案》要求，现将2024年第三季度行政执法监督工作进展情况通报如下（数据截至2024年9月30日）。',
    )
    expect(paragraphs).toContain(
      `截至2024年9月30日，方案共部署任务3项，分解到各责任单位${ledger.rows.length}项。其中已完成${done}项，完成率${((done / ledger.rows.length) * 100).toFixed(1)}%；` +
        `进行中${n((r) => r.state === 'in_progress')}项，有困难${n((r) => r.state === 'blocked')}项，未开始${n((r) => r.state === 'not_started')}项，` +
        `未报送进展${n((r) => r.state === 'no_reply')}项。逾期未完成${overdue.length}项，涉及0个单位。`,
    )
    // Ranking: 台城 1 of 2 done (50%), then 大江 and 斗山 with none (tied: roster order); one unit
    // named at each end of three.
    expect(paragraphs).toContain('第1名 台城街道：完成1项/共2项，完成率50.0%，逾期0项。')
    expect(paragraphs).toContain('第3名 斗山镇：完成0项/共2项，完成率0.0%，逾期0项。')
    expect(paragraphs.join('\n')).not.toContain('第2名')
    // The same reason from two units is one problem.
    expect(paragraphs).toContain('缺少执法记录仪（2个单位2项：台城街道、斗山镇）。')
    expect(paragraphs).toContain('下一步工作安排：（请补充）')
    expect(paragraphs.join('\n')).not.toContain('2024年10月8日')

    // 公文 layout: A4, margins 37/35/28/26 mm, 仿宋_GB2312 三号 at a fixed line pitch, titles' fonts named.
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/)
    expect(xml).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/)
    expect(styles).toContain('w:eastAsia="仿宋_GB2312"')
    expect(styles).toMatch(/<w:sz w:val="32"\/>/)
    expect(styles).toMatch(/<w:spacing [^>]*w:line="580" w:lineRule="exact"/)
    expect(xml).toContain('w:eastAsia="方正小标宋简体"')
    expect(xml).toContain('w:eastAsia="黑体"')
    expect(xml).toContain('w:eastAsia="楷体_GB2312"')
    // Page numbers `— 1 —` at the foot of every page (odd and even footers), as a PAGE field.
    expect(footers).toHaveLength(2)
    for (const footer of footers) {
      expect(footer).toMatch(/PAGE/)
      expect(footer).toContain('— ')
      expect(footer).toContain(' —')
    }
  })

  it('drafts the running month as of today', async () => {
    const file = path.join(s.dataDir, 'october.docx')
    expect((await s.duban('report', 'bulletin', '--period', '2024-10', '--out', file)).code).toBe(0)
    const { paragraphs } = await readDocx(file)
    expect(paragraphs[0]).toBe('关于2024年10月行政执法监督工作进展情况的通报')
    // 台城 reported 二（五）2 done on 8 October; 三（二）1 was due 10 October: 斗山 and 大江 are 5 days late.
    expect(paragraphs.join('\n')).toContain('已完成2项')
    expect(paragraphs).toContain('三（二）1 组织执法人员培训：大江镇（逾期5天）、斗山镇（逾期5天）。')
  })

  it('refuses a malformed period, one before the plan, a plan that does not exist; writes nothing', async () => {
    const file = path.join(s.dataDir, 'bad.docx')
    const cases: [string[], RegExp][] = [
      [['--period', '2024-Q5'], /期间“2024-Q5”无效/],
      [['--period', '24年三季度'], /期间“24年三季度”无效/],
      [['--period', '2024-13'], /期间“2024-13”无效/],
      [
        ['--period', '2023-Q4'],
        /期间 2023-Q4 在工作方案“台山市2024年度行政执法监督工作方案”（2024 年度）开始之前/,
      ],
      [['--period', '2024-12'], /晚于今天（2024-10-15）/],
      [['--period', '2024', '--plan', '不存在'], /没有名为“不存在”的工作方案/],
    ]
    for (const [args, message] of cases) {
      const run = await s.duban('report', 'bulletin', '--out', file, ...args)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(message)
      expect(existsSync(file)).toBe(false)
    }
  })
})
