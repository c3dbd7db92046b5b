/**
 * `duban ledger export`: the 工作台账 written by the CLI and read back with exceljs (and the CSV
 * read back as text): one row per assignment with the states and dates `duban status --json`
 * shows, user text never a formula, the print set-up, and bad input refused with exit 1.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { assignments, evidence } from '../../src/db/schema.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { writeLedgerXlsx, colorFills } from '../../src/documents/ledger-xlsx.ts'
import { ledgerRows } from '../../src/domain/ledger.ts'
import { messages } from '../../src/i18n/index.ts'
import { describeDb } from '../helpers/db.ts'
import { paperworkSuite } from './helpers.ts'
import { NOW, TZ } from '../bot/harness.ts'
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'

const HOUR = 3_600_000
const before = (hours: number) => new Date(NOW.getTime() - hours * HOUR)

/** Notes a spreadsheet would run as formulas if they were written as formulas. */
const HOSTILE = ['=HYPERLINK("http://evil.example/?x","点我")', '@SUM(1)', '+1+1', '-2+3']

const states = messages('zh-CN').common.states as Record<string, string>

describeDb('duban ledger export', (t) => {
  const s = paperworkSuite(t, 'ledger', async (db, f) => {
    const report = (
      task: number,
      unit: number,
      state: 'done' | 'in_progress' | 'blocked',
      hoursAgo: number,
      note?: string,
      progress?: number,
    ) =>
      recordStatus(db, {
        taskId: task,
        unitId: unit,
        state,
        note,
        progress,
        source: 'cli',
        now: before(hoursAgo),
      })
    await report(f.tasks.fines, f.units.taicheng, 'in_progress', 50, HOSTILE[0], 40)
    await report(f.tasks.fines, f.units.taicheng, 'in_progress', 30, HOSTILE[0], 60)
    await report(f.tasks.fines, f.units.doushan, 'blocked', 20, HOSTILE[1])
    await report(f.tasks.publicity, f.units.taicheng, 'done', 10, HOSTILE[2])
    await report(f.tasks.training, f.units.dajiang, 'in_progress', 5, HOSTILE[3], 20)
  })

  it('writes one row per assignment, with the states and dates of duban status --json, and no formula', async () => {
    const file = path.join(s.dataDir, '台账.xlsx')
    const run = await s.duban('ledger', 'export', '--out', file)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain('5 条')

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总表', '单位汇总', '培训学时'])
    const ws = wb.getWorksheet('总表')!
    const header = (ws.getRow(2).values as unknown[]).slice(1)
    expect(header).toEqual([
      '序号',
      '任务编号',
      '工作任务',
      '责任单位',
      '完成时限',
      '时限原文',
      '当前状态',
      '逾期',
      '进展情况',
      '颜色',
      '签收',
      '佐证材料',
      '最近报告',
    ])
    const col = (name: string) => header.indexOf(name) + 1
    const rows: ExcelJS.Row[] = []
    ws.eachRow((row, n) => {
      if (n > 2) rows.push(row)
    })
    expect(rows).toHaveLength(await s.db.$count(assignments))

    // Every unit's tasks as `duban status <unit> --json` reports them.
    for (const unit of ['台城街道', '斗山镇', '大江镇']) {
      const status = JSON.parse((await s.duban('status', unit, '--json')).stdout) as {
        tasks: {
          ref: string
          due: string | null
          state: string
          progress: number | null
          note: string | null
        }[]
      }
      const mine = rows.filter((r) => r.getCell(col('责任单位')).value === unit)
      expect(mine.map((r) => r.getCell(col('任务编号')).value).sort()).toEqual(
        status.tasks.map((s) => s.ref).sort(),
      )
      for (const s of status.tasks) {
        const row = mine.find((r) => r.getCell(col('任务编号')).value === s.ref)!
        const due = row.getCell(col('完成时限')).value as Date | null
        expect(due?.toISOString().slice(0, 10) ?? null).toBe(s.due)
        const label =
          s.progress !== null && s.state === 'in_progress'
            ? `${states[s.state]} ${s.progress}%`
            : states[s.state]
        expect(row.getCell(col('当前状态')).value).toBe(label)
        expect(row.getCell(col('进展情况')).value ?? null).toBe(s.note)
      }
    }
    // The hostile notes are there, verbatim, as text: no cell anywhere holds a formula.
    const notes = rows.map((r) => r.getCell(col('进展情况')).value).filter(Boolean)
    expect(notes.sort()).toEqual([...HOSTILE].sort())
    for (const w of wb.worksheets)
      w.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)
          expect(cell.formula).toBeUndefined()
        }),
      )

    // Printing: A4 landscape, the header row on every page; frozen header; a filter.
    for (const w of wb.worksheets) {
      expect(w.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', printTitlesRow: '2:2' })
      expect(w.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 })
      expect(w.autoFilter).toMatch(/^A2:[A-Z]2$/)
    }
    // Chinese titles are not squeezed: the task column is wider than its header.
    expect(ws.getColumn(col('工作任务')).width).toBeGreaterThan(20)

    const units = wb.getWorksheet('单位汇总')!
    const taicheng = (units.getRow(3).values as unknown[]).slice(1)
    expect(taicheng).toEqual(['台城街道', 2, 1, 1, 0, 0, 0, 0.5])
    const training = wb.getWorksheet('培训学时')!
    // By unit, then name in pinyin order: 李四 (10 h) before 张三 (30 h); the gap to 60 hours.
    const officer = (n: number) => (training.getRow(n).values as unknown[]).slice(1)
    expect(officer(3)).toEqual(['台城街道', '李四', 10, 47.4, 50, '是'])
    expect(officer(4)).toEqual(['台城街道', '张三', 30, 47.4, 30, '是'])
  })

  it('writes the 总表 as CSV with a BOM, formula-like text prefixed with an apostrophe', async () => {
    const file = path.join(s.dataDir, '台账.csv')
    expect((await s.duban('ledger', 'export', '--csv', '--out', file)).code).toBe(0)
    const bytes = readFileSync(file)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8')
    expect(text).toContain('序号,任务编号,工作任务')
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?x"",""点我"")"`)
    expect(text).toContain(",'@SUM(1),")
    expect(text).toContain(",'+1+1,")
    expect(text).toContain(",'-2+3,")
    expect(text.trimEnd().split('\r\n')).toHaveLength(1 + (await s.db.$count(assignments)))
  })

  it('as of an earlier day shows the reports of that day', async () => {
    const file = path.join(s.dataDir, 'earlier.xlsx')
    // 2024-10-14 ends 18 h before NOW (10:00 on the 15th): only the reports of 50, 30 and 20 h ago count.
    expect((await s.duban('ledger', 'export', '--as-of', '2024-10-14', '--out', file)).code).toBe(0)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const ws = wb.getWorksheet('总表')!
    const values: string[] = []
    ws.eachRow((row, n) => {
      if (n > 2) values.push([4, 2, 7].map((c) => row.getCell(c).text).join(' '))
    })
    expect(values).toContain('台城街道 二（五）2 进行中 60%')
    expect(values).toContain('台城街道 二（一）1 无回复')
    expect(values).toContain('大江镇 三（二）1 无回复')
  })

  it('refuses a plan that does not exist, a date before the plan or malformed, and writes nothing', async () => {
    const file = path.join(s.dataDir, 'bad.xlsx')
    const cases: [string[], RegExp][] = [
      [
        ['--plan', '不存在的方案'],
        /没有名为“不存在的方案”的工作方案。现有方案：台山市2024年度行政执法监督工作方案（2024）/,
      ],
      [['--as-of', '2023-12-31'], /2023-12-31 早于工作方案/],
      [['--as-of', '2024-02-30'], /日期“2024-02-30”无效/],
      [['--as-of', '2024-12-01'], /晚于今天（2024-10-15）/],
    ]
    for (const [args, message] of cases) {
      const run = await s.duban('ledger', 'export', '--out', file, ...args)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(message)
      expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1)
      expect(existsSync(file)).toBe(false)
    }
    expect((await s.duban('ledger', 'export')).stderr).toMatch(/--out/)
  })

  it('fills the 颜色 cell with the colour when the ledger knows it', async () => {
    const ledger = await ledgerRows(s.db, { now: NOW, tz: TZ })
    ledger.rows[0]!.color = 'red'
    ledger.rows[1]!.color = 'green'
    ledger.rows[0]!.role = 'lead'
    ledger.rows[0]!.evidenceCount = 2
    ledger.rows[0]!.acknowledgedAt = before(40)
    const file = path.join(s.dataDir, 'colours.xlsx')
    const stream = createWriteStream(file)
    await writeLedgerXlsx(
      { ledger, units: [], training: { required: 60, pace: 0, officers: [] }, tz: TZ },
      stream,
    )
    stream.end()
    await finished(stream)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const ws = wb.getWorksheet('总表')!
    const first = ws.getRow(3)
    expect(first.getCell(10).value).toBe('红')
    expect(first.getCell(10).fill).toMatchObject({
      type: 'pattern',
      pattern: 'solid',
      fgColor: { argb: colorFills.red },
    })
    expect(ws.getRow(4).getCell(10).fill).toMatchObject({ fgColor: { argb: colorFills.green } })
    expect(first.getCell(4).value).toBe(`${ledger.rows[0]!.unit}（牵头）`)
    expect(first.getCell(11).value).toBe('已签收 2024-10-13 18:00')
    expect(first.getCell(12).value).toBe(2)
  })

  it("shows today's 三色, receipt and evidence count from the loop", async () => {
    const { f, db } = s
    const pair = and(eq(assignments.taskId, f.tasks.fines), eq(assignments.unitId, f.units.doushan))
    // 斗山镇's fines item: acknowledged, two files stored (one still downloading), past its own date.
    await db
      .update(assignments)
      .set({ acknowledgedAt: before(40), dueOverride: '2024-10-01' })
      .where(pair)
    const file = (n: number, status: 'stored' | 'pending') => ({
      taskId: f.tasks.fines,
      unitId: f.units.doushan,
      kind: 'photo' as const,
      status,
      telegramFileId: `file-${n}`,
    })
    await db.insert(evidence).values([file(1, 'stored'), file(2, 'stored'), file(3, 'pending')])

    const out = path.join(s.dataDir, 'loop.xlsx')
    expect(await s.duban('ledger', 'export', '--out', out)).toMatchObject({ code: 0, stderr: '' })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(out)
    const ws = wb.getWorksheet('总表')!
    const header = (ws.getRow(2).values as unknown[]).slice(1)
    const col = (name: string) => header.indexOf(name) + 1
    const rows: ExcelJS.Row[] = []
    ws.eachRow((row, n) => {
      if (n > 2) rows.push(row)
    })
    const fines = rows.find(
      (r) =>
        r.getCell(col('责任单位')).value === '斗山镇' && r.getCell(col('任务编号')).value === '二（五）2',
    )!
    expect(fines.getCell(col('签收')).value).toBe('已签收 2024-10-13 18:00')
    expect(fines.getCell(col('佐证材料')).value).toBe(2)
    expect(fines.getCell(col('颜色')).value).toBe('红')
    expect(fines.getCell(col('颜色')).fill).toMatchObject({
      type: 'pattern',
      pattern: 'solid',
      fgColor: { argb: colorFills.red },
    })
    // Every other row is coloured too, has no file, and shows 未签收.
    const others = rows.filter((r) => r !== fines)
    expect(others.length).toBeGreaterThan(0)
    for (const r of others) {
      expect(['绿', '黄', '红']).toContain(r.getCell(col('颜色')).value)
      expect(r.getCell(col('签收')).value).toBe('未签收')
      expect(r.getCell(col('佐证材料')).value).toBe(0)
    }
  })
})
