/**
 * Plans in the ledger, through the domain and the rhythm jobs: roles (a unit named twice keeps its
 * strongest), group phrases from the roster (the prefecture-level Jiangmen roster), several active
 * plans named in what reaches units, withdrawn tasks never chased, support units informed but not
 * chased, and the doubts the import raises (unknown unit, date already past).
 *
 * The moment: October 2026, Asia/Shanghai; 2026-10-20 (a Tuesday) is the deadline of the jobs' tasks.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, expect, it } from 'vitest'
import { and, eq, like } from 'drizzle-orm'
import { describeDb, type TestDb } from '../helpers/db.ts'
import { answeredOccurrences, type SeriesReport } from '../../src/domain/series.ts'
import { loadConfig } from '../../src/config.ts'
import {
  assignments,
  deliveries,
  plans,
  taskDeadlines,
  tasks,
  unitGroups,
  units,
} from '../../src/db/schema.ts'
import { bindChat } from '../../src/domain/chats.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { buildDigest } from '../../src/domain/digest.ts'
import type { PlanDraft, ResponsibilityEntry, TaskDraft } from '../../src/domain/plan-draft.ts'
import { importPlan, previewPlan } from '../../src/domain/plan-import.ts'
import { activePlans, archivePlan, findPlan, listPlanTasks } from '../../src/domain/plans.ts'
import { renderStatusCard } from '../../src/templates/status-card.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { unitStatus } from '../../src/domain/status-view.ts'
import { importRoster, listUnits, parseRosterFile } from '../../src/domain/units.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { createLogger } from '../../src/log.ts'
import { renderPayload, type MessagePayload } from '../../src/templates/index.ts'
import { loadJobOptions, runJob } from '../../src/scheduler/run.ts'
import { UserError } from '../../src/errors.ts'
import { jobByName } from '../../src/scheduler/job.ts'
import { root } from '../../bin/root.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const TZ = 'Asia/Shanghai'
const at = (date: string, time = '09:00') => zonedInstant(date, time, TZ)
const COUNTIES = ['蓬江区', '江海区', '新会区', '台山市', '开平市', '鹤山市', '恩平市']

const roster = (file: string) => parseRosterFile(readFileSync(path.join(repo, 'samples', file), 'utf8'), file)

function task(
  ref: string,
  responsibility: [string, ResponsibilityEntry['role']][],
  extra: Partial<TaskDraft> = {},
): TaskDraft {
  return {
    ref,
    section: '',
    title: `任务${ref}`,
    body: '',
    responsibility: responsibility.map(([phrase, role]) => ({ phrase, role })),
    unitsText: responsibility.map(([p]) => p).join('、'),
    deadline: { kind: 'date', text: '10月20日前', date: '2026-10-20', explicitYear: false },
    source: { line: 10, text: `任务${ref}` },
    ...extra,
  }
}

function draft(title: string, tasks: TaskDraft[], year = 2026): PlanDraft {
  return { title, year, trainingHoursPerYear: null, tasks, doubts: [], format: 'text' }
}

async function runJobAt(t: TestDb, name: string, day: string, time = '09:00') {
  const job = jobByName(name, await root.jobs())!
  const deps = {
    db: t.db,
    config: loadConfig({ TIMEZONE: TZ, LOG_LEVEL: 'silent' }),
    calendar: chinaCalendar,
    logger: createLogger('silent'),
  }
  const when = at(day, time)
  return runJob(deps, job, await loadJobOptions(t.db, job), { scheduledAt: when, now: when, late: false })
}

async function outbox(t: TestDb, prefix: string) {
  return t.db
    .select({ key: deliveries.key, payload: deliveries.payload, unitId: deliveries.unitId })
    .from(deliveries)
    .where(like(deliveries.key, `${prefix}%`))
    .orderBy(deliveries.key)
}

describeDb('plans in the ledger', (t) => {
  beforeEach(async () => {
    await t.reset()
  })

  it('stores the groups of the prefecture roster and assigns a task to the seven county governments', async () => {
    const counts = await importRoster(t.db, roster('jiangmen-units.yaml'))
    expect(counts.groups).toBe(6)
    const phrases = (await t.db.select().from(unitGroups)).map((g) => g.phrase).sort()
    expect(phrases).toEqual(
      [
        '各县（市、区）政府',
        '各县（市、区）',
        '市直有关单位',
        '市政府各部门',
        '各有关单位',
        '市直各行政执法部门',
      ].sort(),
    )
    const result = await importPlan(
      t.db,
      draft('江门市2026年度行政执法监督工作方案', [
        task('一1', [
          ['市司法局', 'lead'],
          ['各县（市、区）政府', 'responsible'],
          ['市公安局', 'support'],
          // Named again in a weaker role: keeps 牵头.
          ['市司法局', 'support'],
        ]),
        task('一2', [
          ['市直各行政执法部门', 'responsible'],
          ['各县(市、区)', 'support'],
        ]),
        task('一3', [['市直有关单位', 'lead']]),
      ]),
      { now: at('2026-03-02') },
    )
    expect(result.counts).toMatchObject({ created: 3 })
    const list = await listPlanTasks(t.db, result.plan.id)
    const roles = (ref: string) =>
      Object.fromEntries(list.find((x) => x.ref === ref)!.assignments.map((a) => [a.unit.name, a.role]))
    expect(roles('一1')).toEqual({
      市司法局: 'lead',
      ...Object.fromEntries(COUNTIES.map((c) => [c, 'responsible'])),
      市公安局: 'support',
    })
    const second = roles('一2')
    for (const c of COUNTIES) expect(second[c]).toBe('support')
    expect(second['市公安局']).toBe('responsible')
    expect(second['市司法局']).toBeUndefined() // the supervisor is not a law-enforcement department
    const third = roles('一3')
    expect(Object.keys(third)).toHaveLength(
      (await listUnits(t.db)).filter((u) => u.kind === 'department').length,
    )
    expect(Object.values(third).every((r) => r === 'lead')).toBe(true)
    // The same on the wire: the import result lists units by role, lead first.
    expect(result.tasks[0]!.units.slice(0, 2)).toEqual([
      { name: '市司法局', role: 'lead' },
      // Roster order within a role, as the roster file lists the counties: 蓬江区 first.
      { name: '蓬江区', role: 'responsible' },
    ])
  })

  it('refuses a group phrase the roster does not define, naming it, and writes nothing', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    const error = await importPlan(
      t.db,
      draft('台山市2026年度专项整治方案', [task('1', [['各县（市、区）政府', 'responsible']])]),
      { now: at('2026-03-02') },
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(/^无法识别的单位统称：各县（市、区）政府/)
    expect(await t.db.$count(plans)).toBe(0)
    expect(await t.db.$count(tasks)).toBe(0)
  })

  it('names the doubts: unknown unit with the likely one, a date already past, another explicit year', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    const plan = draft('台山市2026年度专项整治方案', [
      task('1', [['市城管执法局', 'lead']], { source: { line: 7, text: '（市城管执法局牵头）' } }),
      task('2', [['市司法局', 'responsible']], {
        deadline: { kind: 'date', text: '2024年8月中旬前', date: '2024-08-20', explicitYear: true },
      }),
      task('3', [['市司法局', 'responsible']], {
        deadline: { kind: 'date', text: '2027年3月底前', date: '2027-03-31', explicitYear: true },
      }),
      task('4', [['市司法局', 'responsible']], {
        deadline: { kind: 'date', text: '2月底前', date: '2026-02-28', explicitYear: false },
      }),
    ])
    const before = { plans: await t.db.$count(plans), tasks: await t.db.$count(tasks) }
    const preview = await previewPlan(t.db, plan, { now: at('2026-03-02') })
    expect({ plans: await t.db.$count(plans), tasks: await t.db.$count(tasks) }).toEqual(before)
    expect(preview.doubts).toEqual([
      {
        kind: 'unknown_unit',
        taskRef: '1',
        quote: '市城管执法局（是否为 市城市管理和综合执法局？）',
        source: { line: 7, text: '（市城管执法局牵头）' },
      },
      expect.objectContaining({
        kind: 'past_date',
        taskRef: '2',
        quote: '2024年8月中旬前 → 2024-08-20，导入时已过期',
      }),
      expect.objectContaining({
        kind: 'other',
        taskRef: '3',
        quote: expect.stringContaining('2027年3月底前 → 2027-03-31'),
      }),
      expect.objectContaining({
        kind: 'past_date',
        taskRef: '4',
        quote: '2月底前 → 2026-02-28，导入时已过期',
      }),
    ])
    expect(preview.tasks[0]).toMatchObject({
      ref: '1',
      units: [],
      dueText: '10月20日前',
      due: '2026-10-20',
      deadlineKind: 'date',
      source: { line: 7 },
    })
  })

  it('withdraws a task gone from the document: kept, not chased, not counted, no reminder', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    await bindChat(t.db, -1001, '台城街道')
    const plan = (withSecond: boolean) =>
      draft('台山市2026年度专项整治方案', [
        task('1', [['台城街道', 'responsible']]),
        ...(withSecond ? [task('2', [['台城街道', 'responsible']])] : []),
      ])
    await importPlan(t.db, plan(true), { now: at('2026-03-02') })
    const again = await importPlan(t.db, plan(false), { now: at('2026-04-01') })
    expect(again.withdrawn).toEqual(['2'])
    const rows = await t.db.select().from(tasks).orderBy(tasks.ref)
    expect(rows.map((r) => [r.ref, r.withdrawnAt?.toISOString() ?? null])).toEqual([
      ['1', null],
      ['2', at('2026-04-01').toISOString()],
    ])
    // Its assignment is history, kept.
    expect(await t.db.$count(assignments)).toBe(2)

    await runJobAt(t, 'deadline-reminders', '2026-10-15')
    await runJobAt(t, 'deadline-reminders', '2026-10-21')
    await runJobAt(t, 'status-prompts', '2026-10-16', '10:00')
    const id = (ref: string) => rows.find((r) => r.ref === ref)!.id
    const keys = (await outbox(t, '')).map((r) => r.key)
    expect(keys.filter((k) => k.startsWith(`deadline:${id('1')}:`))).toHaveLength(2)
    expect(keys.filter((k) => k.startsWith(`deadline:${id('2')}:`))).toEqual([])
    const [prompt] = await outbox(t, 'prompt:')
    expect((prompt!.payload as { params: { taskIds: number[] } }).params.taskIds).toEqual([id('1')])
    const digest = await buildDigest(t.db, at('2026-10-26', '08:30'), TZ)
    expect(digest.totals).toMatchObject({ items: 1, overdue: 1 })
    const card = await unitStatus(
      t.db,
      (await listUnits(t.db)).find((u) => u.name === '台城街道')!.id,
      at('2026-10-26'),
      TZ,
    )
    expect(card.tasks.map((x) => x.ref)).toEqual(['1'])
  })

  it('chases lead and responsible units; informs support units before the deadline only', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    for (const [chat, unit] of [
      [-1001, '台城街道'],
      [-1002, '大江镇'],
      [-1003, '水步镇'],
    ] as const)
      await bindChat(t.db, chat, unit)
    await importPlan(
      t.db,
      draft('台山市2026年度专项整治方案', [
        task('1', [
          ['台城街道', 'lead'],
          ['水步镇', 'responsible'],
          ['大江镇', 'support'],
        ]),
      ]),
      { now: at('2026-03-02') },
    )
    const all = await listUnits(t.db)
    const unit = (name: string) => all.find((u) => u.name === name)!.id
    const [row] = await t.db.select().from(tasks)

    await runJobAt(t, 'deadline-reminders', '2026-10-15') // 3 working days before
    const before = await outbox(t, 'deadline:')
    expect(before.map((d) => d.key)).toEqual(
      [unit('台城街道'), unit('水步镇'), unit('大江镇')]
        .map((u) => `deadline:${row!.id}:${u}:before:3`)
        .sort(),
    )
    const payloadOf = (u: string) =>
      before.find((d) => d.unitId === unit(u))!.payload as unknown as MessagePayload
    // The lead's reminder is a prompt with buttons; the support unit's is information only.
    const lead = renderPayload(payloadOf('台城街道'), 'zh-CN', { now: at('2026-10-15'), tz: TZ }).telegram!
    expect(lead.html).toContain('任务1（牵头）')
    expect(lead.buttons?.length).toBeGreaterThan(0)
    const support = renderPayload(payloadOf('大江镇'), 'zh-CN', { now: at('2026-10-15'), tz: TZ }).telegram!
    expect(support.html).toContain('任务1（配合）')
    expect(support.html).toContain('贵单位为配合单位，本提醒供知悉')
    expect(support.buttons).toBeUndefined()
    expect((payloadOf('大江镇').params as { promptId?: number }).promptId).toBeUndefined()

    await runJobAt(t, 'deadline-reminders', '2026-10-21') // 1 working day overdue
    const overdue = (await outbox(t, 'deadline:')).filter((d) => d.key.includes(':overdue:'))
    expect(overdue.map((d) => d.unitId).sort()).toEqual([unit('台城街道'), unit('水步镇')].sort())

    await runJobAt(t, 'status-prompts', '2026-10-23', '10:00')
    const prompted = (await outbox(t, 'prompt:')).map((d) => d.unitId).sort()
    expect(prompted).toEqual([unit('台城街道'), unit('水步镇')].sort())

    const digest = await buildDigest(t.db, at('2026-10-26', '08:30'), TZ)
    const byName = Object.fromEntries(digest.units.map((u) => [u.name, u.overdue]))
    expect(byName).toEqual({ 台城街道: 1, 水步镇: 1, 大江镇: 0 })
    const supportCard = await unitStatus(t.db, unit('大江镇'), at('2026-10-26'), TZ)
    expect(supportCard.counts.overdue).toBe(0)
    expect(renderStatusCard(supportCard, 'zh-CN', { html: false, now: at('2026-10-26'), tz: TZ })).toContain(
      '1 任务1（配合）',
    )
  })

  it('covers every active plan and names the plan when several are active; archiving stops the chase', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    await bindChat(t.db, -1001, '台城街道')
    const annual = await importPlan(
      t.db,
      draft('台山市2026年度行政执法监督工作方案', [task('一1', [['台城街道', 'responsible']])]),
      { now: at('2026-03-02') },
    )
    const campaign = await importPlan(
      t.db,
      draft('台山市2026年度涉企乱罚款专项整治方案', [task('1', [['台城街道', 'lead']])]),
      { now: at('2026-03-02') },
    )
    expect((await activePlans(t.db)).map((p) => p.id)).toEqual([annual.plan.id, campaign.plan.id])

    await runJobAt(t, 'deadline-reminders', '2026-10-15')
    const reminders = await outbox(t, 'deadline:')
    expect(reminders).toHaveLength(2)
    const plansNamed = reminders.map(
      (d) => (d.payload as { params: { task: { plan?: string } } }).params.task.plan,
    )
    expect(plansNamed.sort()).toEqual([annual.plan.title, campaign.plan.title].sort())
    const html = renderPayload(reminders[0]!.payload as unknown as MessagePayload, 'zh-CN', {
      now: at('2026-10-15'),
      tz: TZ,
    }).telegram!.html
    expect(html).toMatch(/《台山市2026年度(行政执法监督工作|涉企乱罚款专项整治)方案》任务/)

    const unitId = (await listUnits(t.db)).find((u) => u.name === '台城街道')!.id
    const card = renderStatusCard(await unitStatus(t.db, unitId, at('2026-10-15'), TZ), 'zh-CN', {
      html: false,
      now: at('2026-10-15'),
      tz: TZ,
    })
    expect(card).toContain('所属方案：台山市2026年度涉企乱罚款专项整治方案')
    expect(card).toContain('所属方案：台山市2026年度行政执法监督工作方案')
    const digest = await buildDigest(t.db, at('2026-10-19', '08:30'), TZ)
    expect(digest.plans.map((p) => p.title)).toEqual([annual.plan.title, campaign.plan.title])
    expect(digest.totals.items).toBe(2)

    // --plan finds a plan by a part of its title; the two active ones need saying which.
    await expect(findPlan(t.db, undefined)).rejects.toThrow(/有多个方案正在执行，请用 --plan 指定/)
    expect((await findPlan(t.db, '专项整治')).id).toBe(campaign.plan.id)
    await archivePlan(t.db, campaign.plan.id, at('2026-10-16'))
    expect((await findPlan(t.db, undefined)).id).toBe(annual.plan.id)
    await runJobAt(t, 'deadline-reminders', '2026-10-19') // 1 working day before
    const after = (await outbox(t, 'deadline:')).filter((d) => !reminders.some((r) => r.key === d.key))
    expect(
      after.map((d) => (d.payload as { params: { task: { ref: string; plan?: string } } }).params.task),
    ).toEqual([
      // The annual plan's task alone (no plan name: one plan is active again); its id feeds the email's answer links.
      { id: expect.any(Number), ref: '一1', title: '任务一1', due: '2026-10-20', dueText: '10月20日前' },
    ])
    // Archived: readable, inactive.
    const [row] = await t.db.select().from(plans).where(eq(plans.id, campaign.plan.id))
    expect(row).toMatchObject({ active: false, archivedAt: at('2026-10-16') })
    expect(await listPlanTasks(t.db, campaign.plan.id)).toHaveLength(1)
  })

  it('keeps the reminder keys of last year and this year apart (a new plan, new tasks)', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    const old = await importPlan(
      t.db,
      draft('台山市2025年度行政执法监督工作方案', [task('一1', [['台城街道', 'lead']])], 2025),
      {
        now: at('2025-03-02'),
      },
    )
    const now = await importPlan(
      t.db,
      draft('台山市2026年度行政执法监督工作方案', [task('一1', [['台城街道', 'lead']])]),
      {
        now: at('2026-03-02'),
      },
    )
    expect(now.plan.id).not.toBe(old.plan.id)
    expect(
      await t.db.select({ year: plans.year, active: plans.active }).from(plans).orderBy(plans.year),
    ).toEqual([
      { year: 2025, active: false },
      { year: 2026, active: true },
    ])
    const oldTasks = await t.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.planId, old.plan.id)))
    expect(oldTasks.map((x) => [x.ref, x.withdrawnAt])).toEqual([['一1', null]])
    expect(await t.db.$count(units)).toBeGreaterThan(0)
  })
  it('gives each occurrence of a recurring deadline its own reminders and its own report', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    await bindChat(t.db, -1001, '台城街道')
    const result = await importPlan(
      t.db,
      draft('台山市2026年度专项整治方案', [
        task('1', [['台城街道', 'responsible']], {
          deadline: {
            kind: 'series',
            text: '每月10日前',
            dates: ['2026-11-10', '2026-12-10'],
            every: 'month',
          },
        }),
        task('2', [['台城街道', 'responsible']], {
          deadline: { kind: 'ongoing', text: '长期坚持', date: null },
        }),
      ]),
      { now: at('2026-03-02') },
    )
    expect(result.preview.tasks.map((x) => [x.deadlineKind, x.due, x.dates])).toEqual([
      ['series', '2026-11-10', ['2026-11-10', '2026-12-10']],
      ['ongoing', null, undefined],
    ])
    const [row] = await t.db.select().from(tasks).where(eq(tasks.ref, '1'))
    expect(row).toMatchObject({ deadlineKind: 'series', dueDate: null })
    expect((await t.db.select().from(taskDeadlines)).map((d) => d.dueDate)).toEqual([
      '2026-11-10',
      '2026-12-10',
    ])
    const unitId = (await listUnits(t.db)).find((u) => u.name === '台城街道')!.id

    await runJobAt(t, 'deadline-reminders', '2026-11-05') // 3 working days before 11-10
    await recordStatus(t.db, { taskId: row!.id, unitId, state: 'done', source: 'cli', now: at('2026-11-09') })
    await runJobAt(t, 'deadline-reminders', '2026-11-10') // done for this occurrence: nothing
    await runJobAt(t, 'deadline-reminders', '2026-12-07') // the next occurrence: its own ladder
    await runJobAt(t, 'status-prompts', '2026-12-04', '10:00')
    expect((await outbox(t, 'deadline:')).map((d) => d.key)).toEqual([
      `deadline:${row!.id}:${unitId}@2026-11-10:before:3`,
      `deadline:${row!.id}:${unitId}@2026-12-10:before:3`,
    ])
    // The weekly prompt asks about the recurring task again (a new period) and the ongoing one.
    const [prompt] = await outbox(t, 'prompt:')
    const refs = (prompt!.payload as { params: { tasks: { ref: string }[] } }).params.tasks.map((x) => x.ref)
    expect(refs.sort()).toEqual(['1', '2'])
  })

  it('chases an occurrence of a recurring deadline that passed without a report, beside the next one', async () => {
    await importRoster(t.db, roster('taishan-units.yaml'))
    await bindChat(t.db, -1001, '台城街道')
    await bindChat(t.db, -1002, '大江镇')
    await importPlan(
      t.db,
      draft('台山市2026年度专项整治方案', [
        task(
          '1',
          [
            ['台城街道', 'responsible'],
            ['大江镇', 'responsible'],
          ],
          {
            deadline: {
              kind: 'series',
              text: '每月10日前',
              dates: ['2026-11-10', '2026-12-10'],
              every: 'month',
            },
          },
        ),
      ]),
      { now: at('2026-03-02') },
    )
    const [row] = await t.db.select().from(tasks).where(eq(tasks.ref, '1'))
    const id = (name: string) => listUnits(t.db).then((all) => all.find((u) => u.name === name)!.id)
    const taicheng = await id('台城街道')
    const dajiang = await id('大江镇')
    const key = (unit: number, rest: string) => `deadline:${row!.id}:${unit}@${rest}`
    const keys = async () => (await outbox(t, 'deadline:')).map((d) => d.key).sort()

    // Before 11-10 both are reminded; 大江镇 then reports for this occurrence, 台城街道 does not.
    await runJobAt(t, 'deadline-reminders', '2026-11-05')
    await recordStatus(t.db, {
      taskId: row!.id,
      unitId: dajiang,
      state: 'done',
      source: 'cli',
      now: at('2026-11-09'),
    })
    // After 11-10: 台城街道 is overdue for the November occurrence, like any deadline; 大江镇 is not.
    await runJobAt(t, 'deadline-reminders', '2026-11-11')
    await runJobAt(t, 'deadline-reminders', '2026-11-16') // 4 working days overdue: the second one
    expect(await keys()).toEqual(
      [
        key(dajiang, '2026-11-10:before:3'),
        key(taicheng, '2026-11-10:before:3'),
        key(taicheng, '2026-11-10:overdue:1'),
        key(taicheng, '2026-11-10:overdue:2'),
      ].sort(),
    )
    // 11-20: 14 working days before 12-10. The December ladder runs for both units, on its own:
    // 大江镇's November report does not answer December; 台城街道 is still chased for November.
    await runJobAt(t, 'deadline-reminders', '2026-11-20')
    const after = await keys()
    expect(after).toContain(key(taicheng, '2026-11-10:overdue:3'))
    expect(after).toContain(key(taicheng, '2026-12-10:before:14'))
    expect(after).toContain(key(dajiang, '2026-12-10:before:14'))
    expect(after.filter((k) => k.startsWith(key(dajiang, '2026-11-10:overdue')))).toEqual([])
    // A late report answers the November occurrence: no more overdue reminders for it.
    await recordStatus(t.db, {
      taskId: row!.id,
      unitId: taicheng,
      state: 'done',
      source: 'cli',
      now: at('2026-11-23'),
    })
    await runJobAt(t, 'deadline-reminders', '2026-11-25') // would be overdue:4 for November
    expect((await keys()).filter((k) => k.includes('overdue:4'))).toEqual([])
    // That late report answers November only: December still wants its own, from both units.
    await runJobAt(t, 'status-prompts', '2026-12-04', '10:00')
    const asked = [...new Set((await outbox(t, 'prompt:')).map((d) => d.unitId))].sort()
    expect(asked).toEqual([taicheng, dajiang].sort())
    await runJobAt(t, 'deadline-reminders', '2026-12-07')
    expect(await keys()).toEqual(
      expect.arrayContaining([key(taicheng, '2026-12-10:before:3'), key(dajiang, '2026-12-10:before:3')]),
    )
    // 台城街道 reports on time for December: nothing more for it after 12-10; 大江镇 is overdue.
    await recordStatus(t.db, {
      taskId: row!.id,
      unitId: taicheng,
      state: 'done',
      source: 'cli',
      now: at('2026-12-08'),
    })
    await runJobAt(t, 'deadline-reminders', '2026-12-11')
    const overdueDecember = (await keys()).filter((k) => k.includes('2026-12-10:overdue'))
    expect(overdueDecember).toEqual([key(dajiang, '2026-12-10:overdue:1')])
  })

  it('reads which occurrence each report answers from the order of the reports', () => {
    const dates = ['2026-11-10', '2026-12-10', '2027-01-10']
    let id = 0
    const r = (day: string, state: SeriesReport['state'], source = 'cli'): SeriesReport => ({
      id: ++id,
      state,
      progress: null,
      day,
      source,
    })
    const notes = (reports: SeriesReport[]) =>
      Object.fromEntries(
        [...answeredOccurrences(dates, reports)].map(([due, a]) => [due, `${a.day} ${a.state}`]),
      )
    // On time, each in its own period.
    expect(notes([r('2026-11-09', 'done'), r('2026-12-01', 'done')])).toEqual({
      '2026-11-10': '2026-11-09 done',
      '2026-12-10': '2026-12-01 done',
    })
    // Late: every report goes to the missed November occurrence until one says done.
    expect(
      notes([r('2026-11-12', 'in_progress'), r('2026-11-20', 'done'), r('2026-11-25', 'in_progress')]),
    ).toEqual({ '2026-11-10': '2026-11-20 done', '2026-12-10': '2026-11-25 in_progress' })
    // A supervisor's return reopens the occurrence it returned, not the current one.
    expect(notes([r('2026-11-20', 'done'), r('2026-11-22', 'in_progress', 'review')])).toEqual({
      '2026-11-10': '2026-11-22 in_progress',
    })
    // After the series is over, reports go to its last occurrence.
    expect(
      notes([
        r('2026-11-09', 'done'),
        r('2026-12-09', 'done'),
        r('2027-01-09', 'done'),
        r('2027-02-01', 'blocked'),
      ]),
    ).toEqual({
      '2026-11-10': '2026-11-09 done',
      '2026-12-10': '2026-12-09 done',
      '2027-01-10': '2027-02-01 blocked',
    })
    // An occurrence never answered takes the next report, even one made in a later period.
    expect(notes([r('2026-12-01', 'done')])).toEqual({ '2026-11-10': '2026-12-01 done' })
  })
})
