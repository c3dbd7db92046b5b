/**
 * `duban plan import --dry-run`, `plan show` with roles, `plan list`, `plan archive`, `plan export`
 * and `units import` of the prefecture roster, end to end through main(): exit codes, stdout and
 * stderr, the rows in the database, and the .xlsx written (read back with exceljs).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assignments,
  plans,
  statusReports,
  taskDeadlines,
  tasks,
  unitGroups,
  units,
} from '../../src/db/schema.ts'
import { drivers } from '../helpers/db.ts'
import { openCliTarget, runOn, type CliTarget } from '../helpers/cli.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const taishanFile = path.resolve(repo, 'samples/taishan-2024.txt')
const fixture = (name: string) => path.join(repo, 'test/fixtures/plans', name)

const rowCounts = (target: CliTarget) =>
  target.withDb(async (db) => ({
    plans: await db.$count(plans),
    tasks: await db.$count(tasks),
    assignments: await db.$count(assignments),
    units: await db.$count(units),
    unitGroups: await db.$count(unitGroups),
    taskDeadlines: await db.$count(taskDeadlines),
    statusReports: await db.$count(statusReports),
  }))

for (const driver of drivers) {
  describe(`duban plan: preview, roles, lifecycle, export [${driver}]`, { timeout: 180_000 }, () => {
    let target: CliTarget
    const tmp = mkdtempSync(path.join(tmpdir(), 'duban-ledger-files-'))

    beforeAll(async () => {
      target = await openCliTarget(driver, 'duban-ledger-cli-')
      expect((await runOn(target, 'migrate')).code).toBe(0)
      const roster = await runOn(
        target,
        'units',
        'import',
        path.join(repo, 'samples/taishan-units.yaml'),
        '--json',
      )
      expect(roster.code).toBe(0)
      expect(JSON.parse(roster.stdout)).toMatchObject({ groups: 3 })
    }, 180_000)
    afterAll(async () => {
      await target.close()
    })

    it('previews an import without writing anything, quoting the doubts', async () => {
      const before = await rowCounts(target)
      const json = await runOn(target, 'plan', 'import', fixture('unknown-unit.txt'), '--dry-run', '--json')
      expect(json.stderr).toBe('')
      expect(json.code).toBe(0)
      const preview = JSON.parse(json.stdout) as {
        plan: { title: string; year: number }
        tasks: {
          ref: string
          units: { name: string; role: string }[]
          dueText: string | null
          due: string | null
          deadlineKind: string
          source: unknown
        }[]
        doubts: { kind: string; taskRef: string | null; quote: string; source: unknown }[]
      }
      expect(preview.plan).toEqual({ title: '台山市 2024 年度行政执法监督工作方案', year: 2024 })
      expect(preview.tasks.map((t) => t.ref)).toEqual(['二（一）1', '二（一）2'])
      expect(preview.tasks[0]).toMatchObject({
        units: [{ name: '市司法局', role: 'responsible' }],
        dueText: '今年9月底前',
        due: '2024-09-30',
        deadlineKind: 'date',
      })
      expect(preview.doubts.filter((d) => d.kind === 'unknown_unit')).toEqual([
        expect.objectContaining({ taskRef: '二（一）1', quote: '市外星事务局' }),
        expect.objectContaining({
          taskRef: '二（一）1',
          quote: '市城管执法局（是否为 市城市管理和综合执法局？）',
        }),
      ])
      // Imported in 2026, the 2024 dates are past: said, not silently overdue.
      expect(preview.doubts).toContainEqual(
        expect.objectContaining({
          kind: 'past_date',
          taskRef: '二（一）1',
          quote: '今年9月底前 → 2024-09-30，导入时已过期',
        }),
      )

      const text = await runOn(target, 'plan', 'import', fixture('unknown-unit.txt'), '--dry-run')
      expect(text.code).toBe(0)
      expect(text.stdout).toContain(
        '预览（未写入）：台山市 2024 年度行政执法监督工作方案（2024 年，2 项任务）',
      )
      expect(text.stdout).toMatch(/二（一）1\s+开展星际执法试点\s+负责：市司法局\s+今年9月底前 → 2024-09-30/)
      expect(text.stdout).toContain(
        '- 二（一）1：名册中没有此单位：“市城管执法局（是否为 市城市管理和综合执法局？）”',
      )
      expect(await rowCounts(target)).toEqual(before)
    })

    it('imports, shows units with roles, lists, archives and keeps the archived plan readable', async () => {
      const imp = await runOn(target, 'plan', 'import', taishanFile, '--year', '2026')
      expect(imp.code).toBe(0)
      expect(imp.stdout).toContain('任务：新增 16，更新 0，未变 0，撤销 0')
      const campaign = path.join(tmp, 'campaign.yaml')
      writeFileSync(
        campaign,
        [
          'title: 台山市 2026 年度涉企乱罚款专项整治方案',
          'tasks:',
          '  - { ref: "1", title: 自查自纠, units: [市司法局, 各镇（街）], dueText: 10月底前 }',
        ].join('\n'),
      )
      const second = await runOn(target, 'plan', 'import', campaign)
      expect(second.code).toBe(0)
      expect(second.stdout).toContain('当前共有 2 个方案在执行')

      const shown = JSON.parse(
        (await runOn(target, 'plan', 'show', '--plan', '行政执法监督', '--json')).stdout,
      ) as {
        plan: { title: string; year: number }
        tasks: { ref: string; units: string[]; assignments: { name: string; role: string }[] }[]
      }
      expect(shown.plan).toMatchObject({ title: '台山市 2024 年度行政执法监督工作方案', year: 2026 })
      const t52 = shown.tasks.find((x) => x.ref === '二（五）2')!
      expect(t52.units).toHaveLength(42)
      expect(t52.assignments).toHaveLength(42)
      expect(t52.assignments).toContainEqual({ name: '市公安局', role: 'responsible' })

      const list = await runOn(target, 'plan', 'list')
      expect(list.stdout).toMatch(/台山市 2024 年度行政执法监督工作方案\s+2026\s+执行中\s+16/)
      expect(list.stdout).toMatch(/涉企乱罚款专项整治方案\s+2026\s+执行中\s+1/)

      const ambiguous = await runOn(target, 'plan', 'archive')
      expect(ambiguous.code).toBe(1)
      expect(ambiguous.stderr).toMatch(/^duban: 有多个方案正在执行，请用 --plan 指定：#\d+ /)
      const archived = await runOn(target, 'plan', 'archive', '专项整治')
      expect(archived.stderr).toBe('')
      expect(archived.stdout).toContain('方案已归档：台山市 2026 年度涉企乱罚款专项整治方案（2026 年）')
      expect((await runOn(target, 'plan', 'list')).stdout).toMatch(/专项整治方案\s+2026\s+已归档\s+1/)
      const old = JSON.parse(
        (await runOn(target, 'plan', 'show', '--plan', '专项整治', '--json')).stdout,
      ) as {
        plan: { title: string }
        tasks: unknown[]
      }
      expect(old.plan.title).toBe('台山市 2026 年度涉企乱罚款专项整治方案')
      expect(old.tasks).toHaveLength(1)
      const listed = JSON.parse((await runOn(target, 'plan', 'list', '--json')).stdout) as {
        title: string
        active: boolean
        archivedAt: string | null
      }[]
      expect(listed.find((p) => p.title === old.plan.title)).toMatchObject({
        active: false,
        archivedAt: expect.any(String),
      })
      const unknown = await runOn(target, 'plan', 'show', '--plan', '不存在的方案')
      expect(unknown).toMatchObject({ code: 1, stdout: '' })
      expect(unknown.stderr).toMatch(/^duban: 没有找到方案“不存在的方案”/)
    })

    it('exports the plan as a 任务分解表 with one row per task and unit, that exceljs reads back', async () => {
      const file = path.join(tmp, 'plan.xlsx')
      const r = await runOn(target, 'plan', 'export', file, '--plan', '行政执法监督')
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const { default: ExcelJS } = await import('exceljs')
      const book = new ExcelJS.Workbook()
      await book.xlsx.readFile(file)
      const sheet = book.getWorksheet('任务分解表')!
      const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1)
      expect(values(2)).toEqual([
        '序号',
        '任务编号',
        '工作任务',
        '具体措施',
        '责任单位',
        '角色',
        '完成时限',
        '截止日期',
      ])
      const rows: unknown[][] = []
      sheet.eachRow((row, n) => {
        if (n > 2) rows.push((row.values as unknown[]).slice(1))
      })
      const t52 = rows.filter((x) => x[1] === '二（五）2')
      expect(t52).toHaveLength(42)
      expect(t52[0]).toEqual([
        expect.any(Number),
        '二（五）2',
        '开展涉企乱罚款专项整治',
        expect.any(String),
        expect.any(String),
        '负责',
        '今年10月中旬前',
        '2026-10-20',
      ])
      expect(rows.map((x) => x[0])).toEqual(rows.map((_, i) => i + 1))
      expect(r.stdout).toContain(`已导出任务分解表：${file}（${rows.length} 行）`)

      const bad = await runOn(target, 'plan', 'export', path.join(tmp, 'plan.csv'))
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/不支持的文件类型/)
    })

    it('imports the prefecture roster with its group phrases', async () => {
      const r = await runOn(
        target,
        'units',
        'import',
        path.join(repo, 'samples/jiangmen-units.yaml'),
        '--json',
      )
      expect(r.stderr).toBe('')
      expect(JSON.parse(r.stdout)).toMatchObject({ groups: 6 })
      const list = JSON.parse((await runOn(target, 'units', 'list', '--json')).stdout) as {
        name: string
        kind: string
      }[]
      expect(
        list
          .filter((u) => u.kind === 'county')
          .map((u) => u.name)
          .sort(),
      ).toEqual(['蓬江区', '江海区', '新会区', '台山市', '开平市', '鹤山市', '恩平市'].sort())
      const bad = path.join(tmp, 'bad-groups.yaml')
      writeFileSync(bad, 'units: []\ngroups:\n  各镇（街）: { units: [不存在的单位] }\n')
      const before = await rowCounts(target)
      const refused = await runOn(target, 'units', 'import', bad)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/groups\.各镇（街）：不存在的单位/)
      expect(await rowCounts(target)).toEqual(before)
    })
  })
}
