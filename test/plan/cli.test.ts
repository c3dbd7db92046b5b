/**
 * `duban units …` and `duban plan …` end to end: in-process through main() for most cases, and
 * once through `node bin/duban.js` as an admin would type it. Each runs on the embedded database
 * in a DATA_DIR and, with TEST_DATABASE_URL, on PostgreSQL through DATABASE_URL.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { openCliTarget, runOn, type CliTarget } from '../helpers/cli.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { assignments, plans, statusReports, tasks, units } from '../../src/db/schema.ts'
import { drivers } from '../helpers/db.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const taishanFile = path.resolve(repo, 'samples/taishan-2024.txt')
const rosterFile = path.join(repo, 'samples/taishan-units.yaml')
const fixture = (name: string) => path.join(repo, 'test/fixtures/plans', name)

const rowCounts = (target: CliTarget) =>
  target.withDb(async (db) => ({
    plans: await db.$count(plans),
    tasks: await db.$count(tasks),
    assignments: await db.$count(assignments),
    units: await db.$count(units),
    statusReports: await db.$count(statusReports),
  }))

interface ShownPlan {
  plan: { title: string; year: number }
  tasks: { ref: string; title: string; due: string | null; dueText: string | null; units: string[] }[]
}

const DUES = ['2026-08-20', '2026-11-30', '2026-10-20', '2026-10-20', '2026-10-10']

for (const driver of drivers) {
  // Each test opens the embedded database several times (every CLI run, every row count).
  describe(`duban units and plan [${driver}]`, { timeout: 120_000 }, () => {
    let target: CliTarget
    const tmp = mkdtempSync(path.join(tmpdir(), 'duban-plan-files-'))

    beforeAll(async () => {
      target = await openCliTarget(driver)
      // Creating and migrating a fresh embedded database is the slow part: done once, here.
      expect((await runOn(target, 'migrate')).code).toBe(0)
    }, 120_000)
    afterAll(async () => {
      await target.close()
    })

    it('asks for a plan to be imported before showing one, and for the roster before importing a plan', async () => {
      const show = await runOn(target, 'plan', 'show')
      expect(show.code).toBe(1)
      expect(show.stderr).toMatch(
        /^duban: 尚未导入方案：请运行 duban plan import <文件> \/ no plan imported yet/,
      )
      const imp = await runOn(target, 'plan', 'import', taishanFile, '--year', '2026')
      expect(imp.code).toBe(1)
      expect(imp.stderr).toMatch(
        /^duban: 名册为空：请先导入单位名册，例如 duban units import samples\/taishan-units\.yaml/,
      )
      expect(await rowCounts(target)).toEqual({
        plans: 0,
        tasks: 0,
        assignments: 0,
        units: 0,
        statusReports: 0,
      })
    })

    it('imports the roster and lists it', async () => {
      const imp = await runOn(target, 'units', 'import', rosterFile)
      expect(imp).toMatchObject({ code: 0, stderr: '' })
      expect(imp.stdout).toMatch(/^单位名册已导入：新增 44，更新 0，未变 0/)
      const list = await runOn(target, 'units', 'list', '--json')
      const rows = JSON.parse(list.stdout) as {
        name: string
        shortName: string
        kind: string
        tags: string[]
      }[]
      expect(rows).toHaveLength(44)
      expect(rows[0]).toMatchObject({
        name: '台城街道',
        shortName: '台城',
        kind: 'subdistrict',
        tags: ['镇街'],
      })
      expect(rows.filter((r) => r.kind === 'town')).toHaveLength(16)
      const text = await runOn(target, 'units', 'list')
      expect(text.stdout).toMatch(/^名称\s+简称\s+类型\s+标签\s+别名\n台城街道\s+台城\s+街道\s+镇街/)
    })

    it('imports the Taishan plan as 2026 and shows 16 tasks with the five deadlines', async () => {
      const imp = await runOn(target, 'plan', 'import', taishanFile, '--year', '2026')
      expect(imp.stderr).toBe('')
      expect(imp.code).toBe(0)
      expect(imp.stdout).toContain(
        '已导入方案：台山市 2024 年度行政执法监督工作方案（2026 年，16 项任务，已设为当前方案）',
      )
      expect(imp.stdout).toMatch(
        /二（五）2\s+开展涉企乱罚款专项整治\s+负责：[^\n]*等42个\s+今年10月中旬前 → 2026-10-20/,
      )
      expect(imp.stdout).toContain('任务：新增 16，更新 0，未变 0，撤销 0')
      expect(imp.stdout).toContain('二（四）3：中文正文中夹有英文单词：“and”')

      const show = await runOn(target, 'plan', 'show', '--json')
      expect(show.stderr).toBe('')
      const shown = JSON.parse(show.stdout) as ShownPlan
      expect(shown.plan).toMatchObject({ title: '台山市 2024 年度行政执法监督工作方案', year: 2026 })
      expect(shown.tasks).toHaveLength(16)
      expect(shown.tasks.filter((x) => x.due).map((x) => x.due)).toEqual(DUES)
      expect(shown.tasks.filter((x) => x.due).map((x) => x.ref)).toEqual([
        '二（二）1',
        '二（五）1',
        '二（五）2',
        '二（五）3',
        '二（五）4',
      ])
      const undated = shown.tasks.filter((x) => !x.due)
      expect(undated).toHaveLength(11)
      for (const x of undated) expect(x).toMatchObject({ due: null, dueText: null })
      const t52 = shown.tasks.find((x) => x.ref === '二（五）2')!
      expect(t52).toMatchObject({ title: '开展涉企乱罚款专项整治', dueText: '今年10月中旬前' })
      expect(t52.units).toHaveLength(42)
      expect(t52.units).toEqual(
        expect.arrayContaining([
          '台城街道',
          '川岛镇',
          '市公安局',
          '市消防救援大队',
          '江门市生态环境局台山分局',
        ]),
      )

      const text = await runOn(target, 'plan', 'show')
      expect(text.stdout).toContain(
        '台山市 2024 年度行政执法监督工作方案（按 2026 年执行；培训要求：每人每年不少于 60 学时）',
      )
      expect(text.stdout).toMatch(/二（五）2\s+开展涉企乱罚款专项整治\s+今年10月中旬前（按10月20日计）/)
      expect(text.stdout).toMatch(/二（五）4\s+开展电子技术监控设备专项整治\s+今年10月10日前\s/)
      expect(text.stdout).toMatch(/（42 个单位）/)
    })

    it('re-imports in place: same task ids, status reports kept', async () => {
      const before = await target.withDb(async (db) => {
        const rows = await db.select({ id: tasks.id, ref: tasks.ref }).from(tasks).orderBy(tasks.id)
        const [unit] = await db.select().from(units).where(eq(units.name, '台城街道'))
        await db
          .insert(statusReports)
          .values({ taskId: rows[0]!.id, unitId: unit!.id, state: 'done', source: 'cli' })
        return rows
      })
      const again = await runOn(target, 'plan', 'import', taishanFile, '--year', '2026', '--json')
      expect(again.code).toBe(0)
      const result = JSON.parse(again.stdout) as {
        counts: Record<string, number>
        plan: { created: boolean }
      }
      expect(result.counts).toEqual({ created: 0, updated: 0, unchanged: 16, deleted: 0, withdrawn: 0 })
      expect(result.plan.created).toBe(false)
      const after = await target.withDb((db) =>
        db.select({ id: tasks.id, ref: tasks.ref }).from(tasks).orderBy(tasks.id),
      )
      expect(after).toEqual(before)
      expect(await rowCounts(target)).toMatchObject({ plans: 1, tasks: 16, statusReports: 1 })
    })

    describe('bad input: exit 1, one line on stderr, the database unchanged', () => {
      const cases: [string, () => string, RegExp][] = [
        [
          'an empty file',
          () => write('empty.txt', ''),
          /^duban: 文件为空：.*empty\.txt \/ the file is empty/,
        ],
        ['a file of blank lines', () => write('blank.md', '\n \n\t\n'), /^duban: 文件为空/],
        ['a file with no tasks', () => fixture('no-tasks.txt'), /^duban: .*no-tasks\.txt 中没有找到任务/],
        [
          'a bracket naming an unknown unit',
          () => fixture('unknown-unit.txt'),
          /^duban: 责任单位不在名册中：市外星事务局、市城管执法局（市城市管理和综合执法局？）.*--create-units/,
        ],
        [
          'a binary file',
          () =>
            write(
              'scan.txt',
              Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49]),
            ),
          /^duban: 无法识别的文件格式：.*scan\.txt/,
        ],
        [
          'a GBK-encoded text without a single task',
          // 台山市 in GBK: read as GBK now, but there is no task in it.
          () => write('gbk.txt', Buffer.from([0xcc, 0xa8, 0xc9, 0xbd, 0xca, 0xd0, 0x0a])),
          /^duban: .*gbk\.txt/,
        ],
        [
          'a 10 MB file',
          () =>
            write(
              'huge.txt',
              readFileSync(taishanFile, 'utf8').repeat(Math.ceil((10 * 1024 * 1024) / 10_979)),
            ),
          /^duban: 文件过大：.*huge\.txt（上限 5 MB） \/ the file is too large: .*\(limit 5 MB\)/,
        ],
        ['a missing file', () => path.join(tmp, 'nope.txt'), /^duban: 找不到文件：.*nope\.txt/],
        [
          'malformed YAML',
          () => write('plan.yaml', 'title: x\ntasks:\n  - ref: [\n'),
          /^duban: plan\.yaml:\d+：格式错误/,
        ],
        [
          'an unsupported file type',
          () => write('plan.docx', 'PK'),
          /^duban: 无法识别的文件格式：.*plan\.docx/,
        ],
      ]

      function write(name: string, content: string | Buffer): string {
        const file = path.join(tmp, name)
        writeFileSync(file, content)
        return file
      }

      for (const [what, file, message] of cases) {
        it(what, async () => {
          const before = await rowCounts(target)
          const r = await runOn(target, 'plan', 'import', file(), '--year', '2026')
          expect(r.code).toBe(1)
          expect(r.stderr).toMatch(message)
          expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
          expect(r.stdout).toBe('')
          expect(await rowCounts(target)).toEqual(before)
        })
      }

      it('a year out of range', async () => {
        const before = await rowCounts(target)
        for (const year of ['1999', '2101', 'next']) {
          const r = await runOn(target, 'plan', 'import', taishanFile, '--year', year)
          expect(r.code, year).toBe(1)
          expect(r.stderr).toMatch(new RegExp(`^duban: --year 应为 2000 至 2100 之间的年份，而不是“${year}”`))
        }
        expect(await rowCounts(target)).toEqual(before)
      })

      it('a roster file with a bad entry', async () => {
        const before = await rowCounts(target)
        const file = write(
          'units.yaml',
          'units:\n  - { name: 新镇, kind: town }\n  - { name: 旧镇, kind: village }\n',
        )
        const r = await runOn(target, 'units', 'import', file)
        expect(r.code).toBe(1)
        expect(r.stderr).toMatch(/^duban: .*units\.yaml:3：kind/)
        expect(await rowCounts(target)).toEqual(before)
      })
    })

    it('creates missing units only with --create-units, and says which', async () => {
      const r = await runOn(target, 'plan', 'import', fixture('unknown-unit.txt'), '--create-units')
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('已新增单位（市直部门，标签“执法部门”）：市外星事务局、市城管执法局')
      const shown = JSON.parse((await runOn(target, 'plan', 'show', '--json')).stdout) as ShownPlan
      expect(shown.plan.year).toBe(2024)
      expect(shown.tasks.map((x) => [x.ref, x.due])).toEqual([
        ['二（一）1', '2024-09-30'],
        ['二（一）2', null],
      ])
      expect(shown.tasks[0]?.units).toEqual(
        ['市城管执法局', '市司法局', '市外星事务局'].sort(new Intl.Collator('zh-CN').compare),
      )
    })

    it('imports the structured form, run as another year', async () => {
      const r = await runOn(target, 'plan', 'import', fixture('sample.yaml'), '--year', '2027', '--json')
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const shown = JSON.parse((await runOn(target, 'plan', 'show', '--json')).stdout) as ShownPlan
      expect(shown.plan).toEqual({
        title: '台山市 2025 年度行政执法监督工作要点',
        year: 2027,
        trainingHoursPerYear: 60,
      })
      expect(shown.tasks.map((x) => [x.ref, x.due, x.dueText, x.units.length])).toEqual([
        ['一（一）1', '2027-08-20', '今年8月中旬前', 18],
        ['一（一）2', '2027-10-15', '10月中旬前', 3],
        ['一（二）1', '2027-12-01', '12月1日前', 1],
        // 24 tagged departments in the sample roster, plus the two created by --create-units above.
        ['一（二）2', null, null, 26],
      ])
    })

    it('finds units as people type them, and never guesses', async () => {
      expect((await runOn(target, 'units', 'find', 'tc')).stdout).toMatch(/^台城街道（台城，街道）/)
      const sj = await runOn(target, 'units', 'find', 'sj')
      expect(sj.code).toBe(1)
      expect(sj.stderr).toMatch(
        /^duban: “sj”对应多个单位：深井镇、四九镇|^duban: “sj”对应多个单位：四九镇、深井镇/,
      )
      const typo = await runOn(target, 'units', 'find', '台成', '--json')
      expect(typo.code).toBe(1)
      expect(JSON.parse(typo.stdout)).toMatchObject({ kind: 'unknown', suggestions: ['台城街道'] })
    })
  })

  describe(`node bin/duban.js, as the admin types it [${driver}]`, () => {
    let target: CliTarget
    beforeAll(async () => {
      target = await openCliTarget(driver)
    })
    afterAll(async () => {
      await target.close()
    })

    it('units import, plan import --year 2026, plan show --json', async () => {
      const exec = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['bin/duban.js', ...args], {
          cwd: repo,
          env: { ...process.env, ...target.env },
          encoding: 'utf8',
        })
      await exec('units', 'import', 'samples/taishan-units.yaml')
      const imp = await exec('plan', 'import', 'samples/taishan-2024.txt', '--year', '2026')
      expect(imp.stdout).toContain('16 项任务')
      const show = await exec('plan', 'show', '--json')
      expect(show.stderr).toBe('')
      const shown = JSON.parse(show.stdout) as ShownPlan
      expect(shown.tasks).toHaveLength(16)
      expect(shown.tasks.flatMap((x) => (x.due ? [x.due] : []))).toEqual(DUES)
      const bad = await exec('plan', 'import', 'test/fixtures/plans/no-tasks.txt').catch((e: unknown) => e)
      expect(bad).toMatchObject({ code: 1, stdout: '' })
      expect((bad as { stderr: string }).stderr).toMatch(/^duban: .*no-tasks\.txt 中没有找到任务[^\n]*\n$/)
    }, 180_000) // four processes, each starting tsx and opening the embedded database
  })
}
