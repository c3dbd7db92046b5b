/**
 * The 任务分解表 round trip and `plan show`, end to end through main() as an admin types them:
 * a prefecture-level plan (江门市) imported, exported with `duban plan export`, read back with
 * `plan import --dry-run --json`; a sheet a clerk made by hand in the same columns; `plan show`
 * with roles in roster order and withdrawn tasks marked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { plans, tasks } from '../../src/db/schema.ts'
import { drivers } from '../helpers/db.ts'
import { openCliTarget, runOn, type CliTarget } from '../helpers/cli.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const jiangmenPlan = path.join(repo, 'test/fixtures/plans/jiangmen-2024.txt')
const jiangmenUnits = path.join(repo, 'samples/jiangmen-units.yaml')

interface PreviewTask {
  ref: string
  title: string
  units: { name: string; role: string }[]
  dueText: string | null
  due: string | null
  dates?: string[]
  deadlineKind: string
}
interface Preview {
  plan: { title: string; year: number }
  tasks: PreviewTask[]
  doubts: { kind: string; taskRef: string | null; quote: string }[]
}

/** What a clerk compares: every task with its units by role and its dates (not where it was read). */
const clerkView = (p: Preview) => ({
  plan: p.plan,
  tasks: p.tasks.map((t) => ({
    ref: t.ref,
    title: t.title,
    units: t.units,
    dueText: t.dueText,
    due: t.due,
    dates: t.dates ?? null,
    deadlineKind: t.deadlineKind,
  })),
})

const COUNTIES = ['蓬江区', '江海区', '新会区', '台山市', '开平市', '鹤山市', '恩平市']

for (const driver of drivers) {
  describe(`the 任务分解表 round trip and plan show [${driver}]`, { timeout: 300_000 }, () => {
    let target: CliTarget
    const tmp = mkdtempSync(path.join(tmpdir(), 'duban-sheet-files-'))
    let imported: Preview

    beforeAll(async () => {
      target = await openCliTarget(driver, 'duban-sheet-cli-')
      expect((await runOn(target, 'migrate')).code).toBe(0)
      expect((await runOn(target, 'units', 'import', jiangmenUnits)).code).toBe(0)
      // 市政务服务数据管理局 is how the plan spells a unit the sample roster lacks.
      const imp = await runOn(
        target,
        'plan',
        'import',
        jiangmenPlan,
        '--year',
        '2026',
        '--create-units',
        '--json',
      )
      expect(imp.stderr).toBe('')
      expect(imp.code).toBe(0)
      imported = (JSON.parse(imp.stdout) as { preview: Preview }).preview
    }, 300_000)
    afterAll(async () => {
      await target.close()
    })

    it('exports the plan and reads the sheet back: the same tasks, units, roles and dates', async () => {
      const file = path.join(tmp, '任务分解表.xlsx')
      const exp = await runOn(target, 'plan', 'export', file)
      expect(exp.stderr).toBe('')
      expect(exp.code).toBe(0)

      const before = await target.withDb(async (db) => ({
        plans: await db.$count(plans),
        tasks: await db.select().from(tasks).orderBy(tasks.id),
      }))
      const dry = await runOn(target, 'plan', 'import', file, '--dry-run', '--json')
      expect(dry.stderr).toBe('')
      expect(dry.code).toBe(0)
      const back = JSON.parse(dry.stdout) as Preview
      expect(clerkView(back)).toEqual(clerkView(imported))
      // Spot checks, as a clerk reads them: the title and the run year from the sheet's title row,
      // a lead with supporting counties, a monthly series, an ongoing task with its first date.
      expect(back.plan).toEqual({ title: '江门市2024年度行政执法协调监督工作要点', year: 2026 })
      const t = (ref: string) => back.tasks.find((x) => x.ref === ref)!
      expect(t('一（一）2').units.slice(0, 2)).toEqual([
        { name: '市司法局', role: 'lead' },
        { name: '蓬江区', role: 'support' },
      ])
      expect(
        t('一（一）2')
          .units.filter((u) => COUNTIES.includes(u.name))
          .map((u) => u.name),
      ).toEqual(COUNTIES)
      expect(t('二（一）')).toMatchObject({ dueText: '每月10日前', deadlineKind: 'series' })
      expect(t('二（一）').dates).toHaveLength(12)
      expect(t('二（二）')).toMatchObject({ deadlineKind: 'ongoing', due: '2025-12-31' })
      // The dry run wrote nothing.
      expect(
        await target.withDb(async (db) => ({
          plans: await db.$count(plans),
          tasks: await db.select().from(tasks).orderBy(tasks.id),
        })),
      ).toEqual(before)

      // Imported for real, the sheet updates the same plan in place: no task created or withdrawn.
      const real = await runOn(target, 'plan', 'import', file, '--json')
      expect(real.code).toBe(0)
      const result = JSON.parse(real.stdout) as { counts: Record<string, number>; plan: { created: boolean } }
      expect(result.plan.created).toBe(false)
      expect(result.counts).toMatchObject({ created: 0, withdrawn: 0 })
      const after = await target.withDb((db) => db.select({ id: tasks.id }).from(tasks).orderBy(tasks.id))
      expect(after.map((x) => x.id)).toEqual(before.tasks.map((x) => x.id))
    })

    it('reads a sheet made by hand: title row, merged 任务 cells, several units in one cell, roles and dates', async () => {
      const { default: ExcelJS } = await import('exceljs')
      const book = new ExcelJS.Workbook()
      const sheet = book.addWorksheet('Sheet1')
      sheet.addRow(['2026年行政执法监督重点工作任务分解表'])
      sheet.mergeCells('A1:F1')
      sheet.addRow(['序号', '工作任务', '责任单位', '角色', '完成时限', '截止日期'])
      sheet.addRow([1, '开展行政执法案卷评查', '市司法局', '牵头', '10月底前', ''])
      sheet.addRow([1, '开展行政执法案卷评查', '市公安局、市交通运输局', '配合', '', ''])
      sheet.mergeCells('A3:A4')
      sheet.mergeCells('B3:B4')
      sheet.mergeCells('E3:E4')
      sheet.addRow([2, '组织执法人员培训', '蓬江区、江海区', '负责', '每季度末', ''])
      sheet.addRow(['', '组织执法人员培训', '市司法局', '配合单位', '', ''])
      sheet.mergeCells('B5:B6')
      sheet.addRow([3, '清理执法证件', '市司法局', '负责', '', '2026-11-15'])
      sheet.addRow([4, '推行执法监督员制度', '市司法局（牵头）、市市场监督管理局', '', '长期坚持', ''])
      const file = path.join(tmp, '手工任务分解表.xlsx')
      await book.xlsx.writeFile(file)

      const dry = await runOn(target, 'plan', 'import', file, '--dry-run', '--json')
      expect(dry.stderr).toBe('')
      expect(dry.code).toBe(0)
      const p = JSON.parse(dry.stdout) as Preview
      expect(p.plan).toEqual({ title: '2026年行政执法监督重点工作任务分解表', year: 2026 })
      expect(clerkView(p).tasks).toEqual([
        {
          ref: '1',
          title: '开展行政执法案卷评查',
          units: [
            { name: '市司法局', role: 'lead' },
            { name: '市公安局', role: 'support' },
            { name: '市交通运输局', role: 'support' },
          ],
          dueText: '10月底前',
          due: '2026-10-31',
          dates: null,
          deadlineKind: 'date',
        },
        {
          ref: '2',
          title: '组织执法人员培训',
          units: [
            { name: '蓬江区', role: 'responsible' },
            { name: '江海区', role: 'responsible' },
            { name: '市司法局', role: 'support' },
          ],
          dueText: '每季度末',
          due: '2026-03-31',
          dates: ['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31'],
          deadlineKind: 'series',
        },
        {
          ref: '3',
          title: '清理执法证件',
          units: [{ name: '市司法局', role: 'responsible' }],
          dueText: '11月15日前',
          due: '2026-11-15',
          dates: null,
          deadlineKind: 'date',
        },
        {
          ref: '4',
          title: '推行执法监督员制度',
          units: [
            { name: '市司法局', role: 'lead' },
            { name: '市市场监督管理局', role: 'responsible' },
          ],
          dueText: '长期坚持',
          due: null,
          dates: null,
          deadlineKind: 'ongoing',
        },
      ])
      expect(p.doubts.filter((d) => d.kind !== 'past_date')).toEqual([])
    })

    it('plan show: lead first, then responsible, then support, each in roster order; withdrawn tasks marked, not counted', async () => {
      // The plan again without its last task: 二（三） is withdrawn.
      const edited = path.join(tmp, 'jiangmen-edited.txt')
      writeFileSync(
        edited,
        readFileSync(jiangmenPlan, 'utf8').replace(/\n（三）加强执法监督信息化建设[^\n]*\n/, '\n'),
      )
      const imp = await runOn(target, 'plan', 'import', edited, '--year', '2026', '--json')
      expect(imp.stderr).toBe('')
      expect((JSON.parse(imp.stdout) as { withdrawn: string[] }).withdrawn).toEqual(['二（三）'])

      const show = await runOn(target, 'plan', 'show')
      expect(show.stderr).toBe('')
      expect(show.code).toBe(0)
      const line = (ref: string) => show.stdout.split('\n').find((l) => l.startsWith(`${ref} `)) ?? ''
      // The lead is named first, never among "等N个"; the counties in the roster's order, not pinyin.
      expect(line('一（一）2')).toMatch(/牵头：司法局；配合：蓬江、江海、新会等/)
      expect(line('二（一）')).toMatch(/牵头：司法局；配合：蓬江、江海、新会等/)
      expect(line('一（二）1')).toMatch(/负责：司法局、人社局/)
      expect(line('二（三）')).toMatch(/加强执法监督信息化建设.*已撤销（不再督办，不计入统计）.*牵头：/)
      expect(show.stdout).toMatch(/共 7 项任务（另有已撤销 1 项）\n$/)

      const json = JSON.parse((await runOn(target, 'plan', 'show', '--json')).stdout) as {
        tasks: { ref: string; assignments: { name: string; role: string }[] }[]
        withdrawn: { ref: string; title: string; withdrawnAt: string }[]
      }
      expect(json.tasks.map((t) => t.ref)).not.toContain('二（三）')
      expect(json.tasks).toHaveLength(7)
      expect(json.withdrawn).toEqual([
        {
          ref: '二（三）',
          title: '加强执法监督信息化建设，第三季度完成平台升级',
          withdrawnAt: expect.any(String),
        },
      ])
      const supervision = json.tasks.find((t) => t.ref === '二（一）')!
      expect(supervision.assignments.map((a) => `${a.name}:${a.role}`)).toEqual([
        '市司法局:lead',
        ...COUNTIES.map((c) => `${c}:support`),
        '市市场监督管理局:support',
      ])
    })
  })
}
