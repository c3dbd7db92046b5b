import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb, type TestDb } from '../helpers/db.ts'
import { assignments, plans, statusReports, tasks, units } from '../../src/db/schema.ts'
import { importRoster, listUnits, parseRosterFile } from '../../src/domain/units.ts'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { importPlan } from '../../src/domain/plan-import.ts'
import { activePlans, activePlanTasks, activePlan, listPlanTasks } from '../../src/domain/plans.ts'
import { UserError } from '../../src/errors.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const taishan = readFileSync(path.resolve(repo, 'samples/taishan-2024.txt'), 'utf8')
const rosterFile = path.join(repo, 'samples/taishan-units.yaml')
const fixture = (name: string) => readFileSync(path.join(repo, 'test/fixtures/plans', name), 'utf8')
const now = new Date('2026-03-02T01:00:00Z')
/** A plan document's text read as the CLI reads a .txt file. */
const readText = (text: string, opts: { year?: number } = {}) =>
  readPlanDocument(Buffer.from(text), 'plan.txt', opts)

const TOWNS = [
  '台城街道',
  '大江镇',
  '水步镇',
  '四九镇',
  '白沙镇',
  '三合镇',
  '冲蒌镇',
  '斗山镇',
  '都斛镇',
  '赤溪镇',
  '端芬镇',
  '广海镇',
  '海宴镇',
  '汶村镇',
  '深井镇',
  '北陡镇',
  '川岛镇',
]

async function counts(t: TestDb) {
  return {
    plans: await t.db.$count(plans),
    tasks: await t.db.$count(tasks),
    assignments: await t.db.$count(assignments),
    units: await t.db.$count(units),
    statusReports: await t.db.$count(statusReports),
  }
}

describeDb('plan import', (t) => {
  beforeEach(async () => {
    await t.reset()
    await importRoster(t.db, parseRosterFile(readFileSync(rosterFile, 'utf8'), rosterFile))
  })

  const importTaishan = async (year = 2026, text = taishan) =>
    importPlan(t.db, await readText(text, { year }), { sourceName: 'taishan-2024.txt', now })

  it('imports the 16 tasks with their deadlines as the active plan', async () => {
    const result = await importTaishan()
    expect(result.counts).toEqual({ created: 16, updated: 0, unchanged: 0, deleted: 0, withdrawn: 0 })
    expect(result.plan).toMatchObject({
      title: '台山市 2024 年度行政执法监督工作方案',
      year: 2026,
      created: true,
    })
    const active = await activePlanTasks(t.db)
    expect(active?.plan).toMatchObject({
      year: 2026,
      trainingHoursPerYear: 60,
      active: true,
      sourceName: 'taishan-2024.txt',
    })
    expect(active?.tasks.filter((x) => x.dueDate).map((x) => [x.ref, x.dueDate, x.dueText])).toEqual([
      ['二（二）1', '2026-08-20', '今年8月中旬前'],
      ['二（五）1', '2026-11-30', '今年11月底前'],
      ['二（五）2', '2026-10-20', '今年10月中旬前'],
      ['二（五）3', '2026-10-20', '今年10月中旬前'],
      ['二（五）4', '2026-10-10', '今年10月10日前'],
    ])
    expect(active?.tasks.filter((x) => !x.dueDate).every((x) => x.dueText === null)).toBe(true)
  })

  it('assigns 二（五）2 to the named departments, every law-enforcement department and all 17 towns', async () => {
    await importTaishan()
    const roster = await listUnits(t.db)
    const enforcement = roster.filter((u) => u.tags.includes('执法部门')).map((u) => u.name)
    const named = [
      '市司法局',
      '市公安局',
      '市住房和城乡建设局',
      '市交通运输局',
      '市应急管理局',
      '市市场监督管理局',
      '市城市管理和综合执法局',
      '市消防救援大队',
      '江门市生态环境局台山分局',
    ]
    const task = (await listPlanTasks(t.db, (await activePlan(t.db))!.id)).find((x) => x.ref === '二（五）2')!
    const assigned = task.units.map((u) => u.name)
    expect(assigned.sort()).toEqual([...new Set([...named, ...enforcement, ...TOWNS])].sort())
    expect(assigned).toHaveLength(42)
    expect(assigned).not.toContain('市委编办')
    expect(assigned).not.toContain('市政务服务和数据管理局')
  })

  it('assigns 二（三）2 to the departments that delegated powers, not to every department', async () => {
    await importTaishan()
    const plan = (await activePlan(t.db))!
    const task = (await listPlanTasks(t.db, plan.id)).find((x) => x.ref === '二（三）2')!
    const names = task.units.map((u) => u.name)
    expect(names).toEqual(
      expect.arrayContaining([
        '市司法局',
        '市住房和城乡建设局',
        '市城市管理和综合执法局',
        '市自然资源局',
        ...TOWNS,
      ]),
    )
    expect(names).not.toContain('市公安局')
    const towns = await listPlanTasks(t.db, plan.id, {
      unitId: task.units.find((u) => u.name === '台城街道')!.id,
    })
    expect(towns).toHaveLength(16)
    const bianban = task.units.find((u) => u.name === '市委编办')
    expect(bianban).toBeUndefined()
  })

  it('updates in place on re-import: same task ids, status reports kept', async () => {
    await importTaishan(2024)
    const before = await t.db.select().from(tasks).orderBy(tasks.position)
    const task = before.find((x) => x.ref === '二（五）2')!
    const [gongan] = await t.db.select().from(units).where(eq(units.name, '市公安局'))
    await t.db
      .insert(statusReports)
      .values({ taskId: task.id, unitId: gongan!.id, state: 'in_progress', progress: 60, source: 'cli' })

    const again = await importTaishan(2024)
    expect(again.plan.created).toBe(false)
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 16, deleted: 0, withdrawn: 0 })
    const after = await t.db.select().from(tasks).orderBy(tasks.position)
    expect(after.map((x) => [x.id, x.ref])).toEqual(before.map((x) => [x.id, x.ref]))
    expect(await t.db.$count(statusReports)).toBe(1)
    expect(await t.db.$count(plans)).toBe(1)
  })

  it("runs next year's plan as a new plan: last year's stays readable, its tasks and reports untouched", async () => {
    const first = await importTaishan(2024)
    const before = await t.db.select().from(tasks).orderBy(tasks.id)
    const task = before.find((x) => x.ref === '二（五）2')!
    const [gongan] = await t.db.select().from(units).where(eq(units.name, '市公安局'))
    await t.db
      .insert(statusReports)
      .values({ taskId: task.id, unitId: gongan!.id, state: 'in_progress', progress: 60, source: 'cli' })

    const next = await importTaishan(2026)
    expect(next.plan.created).toBe(true)
    expect(next.plan.id).not.toBe(first.plan.id)
    expect(next.counts).toMatchObject({ created: 16, withdrawn: 0 })
    const rows = await t.db.select().from(plans).orderBy(plans.id)
    expect(rows.map((r) => [r.year, r.active])).toEqual([
      [2024, false],
      [2026, true],
    ])
    // The 2024 tasks are as they were: same rows, same dates, not withdrawn, the report kept.
    const old = await t.db.select().from(tasks).where(eq(tasks.planId, first.plan.id)).orderBy(tasks.id)
    expect(old).toEqual(before)
    expect((await listPlanTasks(t.db, first.plan.id)).find((x) => x.ref === '二（五）2')?.dueDate).toBe(
      '2024-10-20',
    )
    const reports = await t.db.select().from(statusReports)
    expect(reports.map((r) => r.taskId)).toEqual([task.id])
    expect((await activePlanTasks(t.db))?.tasks.find((x) => x.ref === '二（五）2')?.dueDate).toBe(
      '2026-10-20',
    )
  })

  it('withdraws tasks that left the document, keeping them and their reports, and narrows assignments', async () => {
    await importTaishan()
    const all = await t.db.select().from(tasks)
    const id = (ref: string) => all.find((x) => x.ref === ref)!.id
    const [gongan] = await t.db.select().from(units).where(eq(units.name, '市公安局'))
    await t.db.insert(statusReports).values([
      { taskId: id('二（五）3'), unitId: gongan!.id, state: 'done', source: 'cli' },
      { taskId: id('二（一）1'), unitId: gongan!.id, state: 'done', source: 'cli' },
    ])
    const edited = taishan
      .replace(/\n3\. 开展职权下放[^\n]*\n/, '\n')
      .replace(/\n4\. 开展电子技术监控设备[^\n]*\n/, '\n')
      .replace('〔市司法局、市直各行政执法部门、', '〔市司法局、')
    const result = await importTaishan(2026, edited)
    expect(result.counts).toEqual({ created: 0, updated: 1, unchanged: 13, deleted: 0, withdrawn: 2 })
    expect(result.withdrawn).toEqual(['二（五）3', '二（五）4'])
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^已不在文件中的任务已撤销.*二（五）3、二（五）4/),
    )
    const rows = await t.db.select().from(tasks)
    expect(
      rows
        .filter((x) => x.withdrawnAt !== null)
        .map((x) => x.ref)
        .sort(),
    ).toEqual(['二（五）3', '二（五）4'])
    // Withdrawn tasks are kept but no longer listed with the plan's tasks.
    const live = (await listPlanTasks(t.db, result.plan.id)).map((x) => x.ref)
    expect(live).toHaveLength(14)
    expect(live).not.toContain('二（五）3')
    // Back in the document: restored, same row.
    const restored = await importTaishan(2026)
    expect(restored.counts).toMatchObject({ created: 0, withdrawn: 0 })
    expect((await t.db.select().from(tasks)).filter((x) => x.withdrawnAt !== null)).toEqual([])
    await importTaishan(2026, edited)
    const first = (await listPlanTasks(t.db, result.plan.id)).find((x) => x.ref === '二（一）1')!
    expect(first.units.map((u) => u.name).sort()).toEqual(['市司法局', ...TOWNS].sort())
    // The report of a unit no longer assigned is history: it stays.
    expect(await t.db.$count(statusReports)).toBe(2)
  })

  it('refuses units missing from the roster by name, with a likely match, and writes nothing', async () => {
    await importTaishan()
    const before = await counts(t)
    const plan = await readText(fixture('unknown-unit.txt'))
    const error = await importPlan(t.db, plan, { sourceName: 'unknown-unit.txt', now }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(
      /^责任单位不在名册中：市外星事务局、市城管执法局（市城市管理和综合执法局？）/,
    )
    expect((error as Error).message).toContain('--create-units')
    expect((error as Error).message).not.toContain('\n')
    expect(await counts(t)).toEqual(before)
    expect((await activePlan(t.db))?.title).toBe('台山市 2024 年度行政执法监督工作方案')
  })

  it('creates the missing units when asked, as law-enforcement departments, and reports them', async () => {
    const plan = await readText(fixture('unknown-unit.txt'))
    const result = await importPlan(t.db, plan, { createUnits: true, sourceName: 'unknown-unit.txt', now })
    expect(result.createdUnits).toEqual(['市外星事务局', '市城管执法局'])
    const [created] = await t.db.select().from(units).where(eq(units.name, '市外星事务局'))
    expect(created).toMatchObject({ kind: 'department', tags: ['执法部门'], shortName: '外星事务局' })
    const first = (await listPlanTasks(t.db, result.plan.id)).find((x) => x.ref === '二（一）1')!
    expect(first.units.map((u) => u.name)).toEqual(expect.arrayContaining(['市外星事务局', '市司法局']))
    expect(first.dueDate).toBe('2024-09-30')
  })

  it('never creates a unit from an unrecognized group phrase', async () => {
    const plan = await readText('某市2024年度方案\n\n二、重点\n\n1. 甲。[市司法局、各有关单位按职责分工负责]')
    const before = await counts(t)
    await expect(importPlan(t.db, plan, { createUnits: true, now })).rejects.toThrow(
      /无法识别的单位统称：各有关单位/,
    )
    expect(await counts(t)).toEqual(before)
  })

  it('asks for the roster first when it is empty', async () => {
    await t.reset()
    await expect(importTaishan()).rejects.toThrow(/名册为空.*duban units import samples\/taishan-units\.yaml/)
    expect(await counts(t)).toEqual({ plans: 0, tasks: 0, assignments: 0, units: 0, statusReports: 0 })
  })

  it('refuses a plan without tasks, without a year, or with duplicate refs', async () => {
    await expect(
      importPlan(t.db, await readText(fixture('no-tasks.txt')), { sourceName: 'no-tasks.txt', now }),
    ).rejects.toThrow(/no-tasks\.txt 中没有找到任务/)
    await expect(
      importPlan(t.db, await readText('某市方案\n\n一、重点\n\n1. 甲。[市司法局负责]'), { now }),
    ).rejects.toThrow(/--year/)
    await expect(
      importPlan(
        t.db,
        await readText('某市2024年度方案\n\n一、重点\n\n1. 甲。[市司法局负责]\n\n1. 乙。[市司法局负责]'),
        { now },
      ),
    ).rejects.toThrow(/任务编号重复：一1/)
    expect(await t.db.$count(plans)).toBe(0)
  })

  it('keeps several plans active at once: the annual plan and a campaign', async () => {
    const first = await importTaishan()
    const other = await readText('某市2026年度专项整治方案\n\n一、重点\n\n1. 甲。[市司法局负责]')
    const second = await importPlan(t.db, other, { now })
    expect((await activePlan(t.db))?.id).toBe(second.plan.id)
    expect((await activePlans(t.db)).map((p) => p.id)).toEqual([first.plan.id, second.plan.id])
    const rows = await t.db.select().from(plans).orderBy(plans.id)
    expect(rows.map((r) => [r.id, r.active])).toEqual([
      [first.plan.id, true],
      [second.plan.id, true],
    ])
  })
})
