import { beforeEach, expect, it } from 'vitest'
import { asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import type { Db } from '../../src/db/client.ts'
import {
  assignments,
  notes,
  officers,
  people,
  plans,
  statusReports,
  taskDeadlines,
  tasks,
  trainingRecords,
  units,
} from '../../src/db/schema.ts'
import { attachPromptMessage, createPrompt, promptByMessage } from '../../src/domain/prompts.ts'
import { keepNote, latestStatus, recordEditedStatus, recordStatus } from '../../src/domain/reports.ts'
import { openTasksOfUnit, overdueTasks, overviewStatus, unitStatus } from '../../src/domain/status-view.ts'

const tz = 'Asia/Shanghai'
/** 2026-07-02 00:30 in Shanghai, still 1 July in UTC: "today" must be read in the plan's zone. */
const now = new Date('2026-07-01T16:30:00Z')
const hour = 3_600_000

interface Fixture {
  taicheng: number
  dajiang: number
  doushan: number
  liMing: number
  task: Record<'t1' | 't2' | 't3' | 't4' | 't5' | 'other', number>
}

/** A small plan inserted directly: five tasks for 台城, two for 大江, none for 斗山. */
async function seed(db: Db): Promise<Fixture> {
  const [tc, dj, ds] = await db
    .insert(units)
    .values([
      { name: '台城街道', shortName: '台城', kind: 'subdistrict' },
      { name: '大江镇', shortName: '大江', kind: 'town' },
      { name: '斗山镇', shortName: '斗山', kind: 'town' },
    ])
    .returning()
  const [old] = await db
    .insert(plans)
    .values({ key: 'old', title: '旧计划', year: 2025, active: false })
    .returning()
  const [plan] = await db
    .insert(plans)
    .values({ key: 'p2026', title: '2026 年度计划', year: 2026, trainingHoursPerYear: 60 })
    .returning()
  const rows = await db
    .insert(tasks)
    .values([
      {
        planId: plan!.id,
        ref: '二（一）1',
        title: '梳理执法事项清单',
        dueDate: '2026-06-20',
        dueText: '6月20日前',
        position: 1,
      },
      {
        planId: plan!.id,
        ref: '二（一）2',
        title: '公示执法主体',
        dueDate: '2026-06-30',
        dueText: '6月底前',
        position: 2,
      },
      {
        planId: plan!.id,
        ref: '二（二）1',
        title: '开展案卷评查',
        dueDate: '2026-07-01',
        dueText: '7月1日前',
        position: 3,
      },
      {
        planId: plan!.id,
        ref: '二（五）2',
        title: '开展涉企乱罚款专项整治',
        dueDate: '2026-07-10',
        dueText: '7月上旬',
        position: 4,
      },
      {
        planId: plan!.id,
        ref: '三（一）',
        title: '定期报送工作情况',
        dueDate: null,
        dueText: null,
        position: 5,
      },
      {
        planId: old!.id,
        ref: '二（一）1',
        title: '旧任务',
        dueDate: '2025-06-01',
        dueText: null,
        position: 1,
      },
    ])
    .returning({ id: tasks.id })
  const [t1, t2, t3, t4, t5, other] = rows.map((r) => r.id) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  await db
    .insert(assignments)
    .values([
      ...[t1, t2, t3, t4, t5, other].map((taskId) => ({ taskId, unitId: tc!.id })),
      { taskId: t1, unitId: dj!.id },
      { taskId: t4, unitId: dj!.id },
    ])
  const [li] = await db
    .insert(people)
    .values([
      { name: '李明', role: 'liaison', unitId: tc!.id, telegramUserId: 501 },
      { name: '王芳', role: 'liaison', unitId: tc!.id, email: 'wf@example.gov.cn' },
      { name: '黄志强', role: 'liaison', unitId: dj!.id },
    ])
    .returning()
  return {
    taicheng: tc!.id,
    dajiang: dj!.id,
    doushan: ds!.id,
    liMing: li!.id,
    task: { t1, t2, t3, t4, t5, other },
  }
}

describeDb('status reports and the status view', (t) => {
  let f: Fixture
  beforeEach(async () => {
    await t.reset()
    f = await seed(t.db)
  })

  it('keeps every report and lets the latest count', async () => {
    const base = { taskId: f.task.t1, unitId: f.taicheng, personId: f.liMing, source: 'telegram' as const }
    await recordStatus(t.db, {
      ...base,
      state: 'in_progress',
      progress: 30,
      now: new Date(now.getTime() - 48 * hour),
    })
    await recordStatus(t.db, {
      ...base,
      state: 'in_progress',
      progress: 60,
      now: new Date(now.getTime() - 24 * hour),
    })
    // Two reports at the same instant: the one recorded later wins.
    await recordStatus(t.db, { ...base, state: 'blocked', note: '缺少执法记录仪', now })
    await recordStatus(t.db, { ...base, state: 'in_progress', progress: 70, now })
    const history = await t.db.select().from(statusReports).orderBy(asc(statusReports.id))
    expect(history.map((r) => [r.state, r.progress])).toEqual([
      ['in_progress', 30],
      ['in_progress', 60],
      ['blocked', null],
      ['in_progress', 70],
    ])
    expect(await latestStatus(t.db, f.task.t1, f.taicheng)).toMatchObject({
      state: 'in_progress',
      progress: 70,
    })
    expect(await latestStatus(t.db, f.task.t1, f.dajiang)).toBeNull()
  })

  it('refuses a task not assigned to the unit and a bad percentage, writing nothing', async () => {
    await expect(
      recordStatus(t.db, { taskId: f.task.t2, unitId: f.dajiang, state: 'done', source: 'cli', now }),
    ).rejects.toThrow(/任务 二（一）2 未分配给大江镇/)
    await expect(
      recordStatus(t.db, {
        taskId: f.task.t1,
        unitId: f.taicheng,
        state: 'in_progress',
        progress: 150,
        source: 'cli',
        now,
      }),
    ).rejects.toThrow(/进度“150”无效/)
    await expect(
      recordStatus(t.db, { taskId: 999_999, unitId: f.taicheng, state: 'done', source: 'cli', now }),
    ).rejects.toThrow(/没有编号为 999999 的任务/)
    expect(await t.db.select().from(statusReports)).toEqual([])
  })

  it('strips control characters from notes and keeps them within limits', async () => {
    const r = await recordStatus(t.db, {
      taskId: f.task.t1,
      unitId: f.taicheng,
      state: 'blocked',
      note: `缺\u0000经费\u001b${'很'.repeat(600)}`,
      rawText: 'x'.repeat(5000),
      source: 'telegram',
      now,
    })
    expect(r.note?.startsWith('缺经费很')).toBe(true)
    expect([...r.note!].length).toBe(500)
    expect(r.rawText?.length).toBe(4096)
  })

  it('supersedes the report of an edited message and keeps the history', async () => {
    const msg = { telegramChatId: -1001, telegramMessageId: 42 }
    const first = await recordStatus(t.db, {
      taskId: f.task.t1,
      unitId: f.taicheng,
      personId: f.liMing,
      state: 'in_progress',
      progress: 60,
      source: 'telegram',
      rawText: '进行中 60%',
      ...msg,
      now: new Date(now.getTime() - hour),
    })
    const edited = await recordEditedStatus(
      t.db,
      -1001,
      42,
      { state: 'in_progress', progress: 80, note: null },
      now,
      {
        rawText: '进行中 80%',
      },
    )
    expect(edited).toMatchObject({
      supersedesId: first.id,
      progress: 80,
      personId: f.liMing,
      reportedAt: now,
    })
    expect(await latestStatus(t.db, f.task.t1, f.taicheng)).toMatchObject({ id: edited!.id, progress: 80 })
    // Editing again supersedes the edit; an edit that changes nothing writes nothing.
    const again = await recordEditedStatus(
      t.db,
      -1001,
      42,
      { state: 'done', progress: null, note: null },
      now,
    )
    expect(again).toMatchObject({ supersedesId: edited!.id, state: 'done', rawText: '进行中 80%' })
    expect(
      (await recordEditedStatus(t.db, -1001, 42, { state: 'done', progress: null, note: null }, now))?.id,
    ).toBe(again!.id)
    expect(await t.db.select().from(statusReports)).toHaveLength(3)
    expect(
      await recordEditedStatus(t.db, -1001, 43, { state: 'done', progress: null, note: null }, now),
    ).toBeNull()
  })

  it('does not let an edit of an old message override a newer report', async () => {
    await recordStatus(t.db, {
      taskId: f.task.t1,
      unitId: f.taicheng,
      state: 'in_progress',
      progress: 60,
      source: 'telegram',
      telegramChatId: -1001,
      telegramMessageId: 42,
      now: new Date(now.getTime() - 48 * hour),
    })
    await recordStatus(t.db, {
      taskId: f.task.t1,
      unitId: f.taicheng,
      state: 'done',
      source: 'button',
      now: new Date(now.getTime() - hour),
    })
    const edited = await recordEditedStatus(
      t.db,
      -1001,
      42,
      { state: 'in_progress', progress: 70, note: null },
      now,
    )
    expect(edited?.progress).toBe(70)
    expect(await latestStatus(t.db, f.task.t1, f.taicheng)).toMatchObject({ state: 'done' })
  })

  it('needs the task to edit a message that answered several tasks', async () => {
    const msg = {
      unitId: f.taicheng,
      source: 'telegram' as const,
      telegramChatId: -1001,
      telegramMessageId: 7,
      now,
    }
    await recordStatus(t.db, { ...msg, taskId: f.task.t1, state: 'done' })
    await recordStatus(t.db, { ...msg, taskId: f.task.t3, state: 'in_progress', progress: 60 })
    const parsed = { state: 'blocked' as const, progress: null, note: '缺经费' }
    await expect(recordEditedStatus(t.db, -1001, 7, parsed, now)).rejects.toThrow(/several tasks/)
    const edited = await recordEditedStatus(t.db, -1001, 7, parsed, now, { taskId: f.task.t3 })
    expect(edited).toMatchObject({ taskId: f.task.t3, state: 'blocked', note: '缺经费' })
    expect(await latestStatus(t.db, f.task.t1, f.taicheng)).toMatchObject({ state: 'done' })
  })

  it('builds the unit card: states, counts, days overdue in the plan timezone, liaisons, training', async () => {
    const at = (h: number) => new Date(now.getTime() - h * hour)
    const base = { unitId: f.taicheng, personId: f.liMing, source: 'telegram' as const }
    await recordStatus(t.db, { ...base, taskId: f.task.t1, state: 'in_progress', progress: 60, now: at(50) })
    await recordStatus(t.db, { ...base, taskId: f.task.t2, state: 'done', now: at(30) })
    await recordStatus(t.db, { ...base, taskId: f.task.t5, state: 'blocked', note: '缺经费', now: at(2) })
    await recordStatus(t.db, {
      unitId: f.dajiang,
      taskId: f.task.t1,
      state: 'done',
      source: 'cli',
      now: at(1),
    })
    const [o1, o2] = await t.db
      .insert(officers)
      .values([
        { unitId: f.taicheng, name: '黄国荣' },
        { unitId: f.taicheng, name: '陈美仪' },
      ])
      .returning()
    await t.db.insert(trainingRecords).values([
      { officerId: o1!.id, hours: 40, takenOn: '2026-03-01', source: 'import' },
      { officerId: o2!.id, hours: 12.5, takenOn: '2026-05-01', source: 'import' },
      { officerId: o2!.id, hours: 30, takenOn: '2025-05-01', source: 'import' },
    ])

    const s = await unitStatus(t.db, f.taicheng, now, tz)
    expect(s.unit.name).toBe('台城街道')
    expect(s.liaisons).toEqual([
      { name: '李明', reachable: true, telegramBound: true, telegramUnreachable: false },
      { name: '王芳', reachable: true, telegramBound: false, telegramUnreachable: false },
    ])
    expect(s.tasks.map((l) => [l.ref, l.state, l.progress, l.overdueDays, l.lastReplyBy])).toEqual([
      ['二（一）1', 'in_progress', 60, 12, '李明'], // due 6-20, today 7-02 in Shanghai
      ['二（一）2', 'done', null, 0, '李明'], // done is never overdue
      ['二（二）1', 'no_reply', null, 1, null], // due 7-01: one day past in Shanghai (still 7-01 in UTC)
      ['二（五）2', 'no_reply', null, 0, null],
      ['三（一）', 'blocked', null, 0, '李明'],
    ])
    expect(s.tasks[4]?.note).toBe('缺经费')
    expect(s.tasks[0]?.lastReplyAt).toEqual(at(50))
    expect(s.counts).toEqual({ not_started: 0, in_progress: 1, done: 1, blocked: 1, no_reply: 2, overdue: 2 })
    // Pace on 2026-07-02 is 30.1 h: 陈美仪 has 12.5 h this year (last year's 30 h do not count).
    expect(s.training).toEqual({ officers: 2, averageHours: 26.3, belowPace: 1 })

    const dj = await unitStatus(t.db, f.dajiang, now, tz)
    expect(dj.counts).toEqual({
      not_started: 0,
      in_progress: 0,
      done: 1,
      blocked: 0,
      no_reply: 1,
      overdue: 0,
    })
    expect(dj.liaisons).toEqual([
      { name: '黄志强', reachable: false, telegramBound: false, telegramUnreachable: false },
    ])
    expect(dj.training).toEqual({ officers: 0, averageHours: 0, belowPace: 0 })
  })

  it('counts a liaison whom Telegram refused as unreachable unless they have email', async () => {
    await t.db
      .update(people)
      .set({ unreachableAt: now, unreachableReason: '403' })
      .where(eq(people.id, f.liMing))
    const s = await unitStatus(t.db, f.taicheng, now, tz)
    expect(s.liaisons[0]).toEqual({
      name: '李明',
      reachable: false,
      telegramBound: true,
      telegramUnreachable: true,
    })
  })

  it('gives one overview line per unit with tasks, aggregated like the card', async () => {
    await recordStatus(t.db, {
      unitId: f.taicheng,
      taskId: f.task.t1,
      state: 'in_progress',
      source: 'cli',
      now: new Date(now.getTime() - 5 * hour),
    })
    await recordStatus(t.db, {
      unitId: f.taicheng,
      taskId: f.task.t1,
      state: 'done',
      source: 'cli',
      now: new Date(now.getTime() - 4 * hour),
    })
    await recordStatus(t.db, {
      unitId: f.taicheng,
      taskId: f.task.t5,
      state: 'blocked',
      source: 'cli',
      now: new Date(now.getTime() - 3 * hour),
    })
    await recordStatus(t.db, {
      unitId: f.dajiang,
      taskId: f.task.t4,
      state: 'not_started',
      source: 'cli',
      now: new Date(now.getTime() - 2 * hour),
    })
    const rows = await overviewStatus(t.db, now, tz)
    expect(rows.map((r) => r.unit.name)).toEqual(['台城街道', '大江镇'])
    const [tc, dj] = rows
    expect(tc).toMatchObject({
      tasks: 5,
      counts: { not_started: 0, in_progress: 0, done: 1, blocked: 1, no_reply: 3, overdue: 2 },
      liaisons: 2,
      liaisonsReachable: 2,
      lastReplyAt: new Date(now.getTime() - 3 * hour),
    })
    expect(dj).toMatchObject({
      tasks: 2,
      counts: { not_started: 1, in_progress: 0, done: 0, blocked: 0, no_reply: 1, overdue: 1 },
      liaisons: 1,
      liaisonsReachable: 0,
      lastReplyAt: new Date(now.getTime() - 2 * hour),
    })
    for (const row of rows) {
      const card = await unitStatus(t.db, row.unit.id, now, tz)
      expect(row.counts).toEqual(card.counts)
    }
  })

  it('lists open tasks by due date, undated last, done ones left out', async () => {
    await recordStatus(t.db, { unitId: f.taicheng, taskId: f.task.t2, state: 'done', source: 'cli', now })
    await t.db.update(tasks).set({ dueDate: '2026-06-01' }).where(eq(tasks.id, f.task.t4))
    const open = await openTasksOfUnit(t.db, f.taicheng, { now, tz })
    expect(open.map((o) => o.ref)).toEqual(['二（五）2', '二（一）1', '二（二）1', '三（一）'])
    expect(await openTasksOfUnit(t.db, f.doushan, { now, tz })).toEqual([])
  })

  it('shows a recurring task at the occurrence that is due: the missed one until done, then the next', async () => {
    // 三（一） becomes monthly (10 June, 10 July); 大江 reported June on time, 台城 did not.
    await t.db
      .update(tasks)
      .set({ deadlineKind: 'series', dueText: '每月10日前' })
      .where(eq(tasks.id, f.task.t5))
    await t.db.insert(taskDeadlines).values([
      { taskId: f.task.t5, dueDate: '2026-06-10' },
      { taskId: f.task.t5, dueDate: '2026-07-10' },
    ])
    await t.db.insert(assignments).values({ taskId: f.task.t5, unitId: f.dajiang })
    const june8 = new Date('2026-06-08T02:00:00Z')
    await recordStatus(t.db, {
      unitId: f.dajiang,
      taskId: f.task.t5,
      state: 'done',
      source: 'cli',
      now: june8,
    })
    const lineOf = async (unitId: number) =>
      (await unitStatus(t.db, unitId, now, tz)).tasks.find((x) => x.ref === '三（一）')!
    const sameCounts = async () => {
      for (const row of await overviewStatus(t.db, now, tz))
        expect(row.counts).toEqual((await unitStatus(t.db, row.unit.id, now, tz)).counts)
    }
    expect(await lineOf(f.taicheng)).toMatchObject({ due: '2026-06-10', state: 'no_reply', overdueDays: 22 })
    expect(await lineOf(f.dajiang)).toMatchObject({ due: '2026-07-10', state: 'no_reply', overdueDays: 0 })
    const overdue = (await overdueTasks(t.db, now, tz)).filter((x) => x.ref === '三（一）')
    expect(overdue.map((x) => [x.unit.id, x.due, x.overdueDays])).toEqual([[f.taicheng, '2026-06-10', 22]])
    await sameCounts()

    // 台城 reports June late: June is answered, July is still to report (open, not overdue).
    const july1 = new Date('2026-07-01T03:00:00Z')
    await recordStatus(t.db, {
      unitId: f.taicheng,
      taskId: f.task.t5,
      state: 'done',
      source: 'cli',
      now: july1,
    })
    expect(await lineOf(f.taicheng)).toMatchObject({ due: '2026-07-10', state: 'no_reply', overdueDays: 0 })
    expect((await overdueTasks(t.db, now, tz)).filter((x) => x.ref === '三（一）')).toEqual([])
    const open = await openTasksOfUnit(t.db, f.taicheng, { now, tz })
    expect(open.find((x) => x.ref === '三（一）')).toMatchObject({ due: '2026-07-10', state: 'no_reply' })
    await sameCounts()
  })

  it('has no tasks without an active plan', async () => {
    await t.db.update(plans).set({ active: false })
    expect((await unitStatus(t.db, f.taicheng, now, tz)).tasks).toEqual([])
    expect(await overviewStatus(t.db, now, tz)).toEqual([])
  })

  it('records prompts, finds them by message, and keeps text that was not understood', async () => {
    const p = await createPrompt(t.db, {
      unitId: f.taicheng,
      taskIds: [f.task.t1, f.task.t3],
      kind: 'weekly',
    })
    expect(await promptByMessage(t.db, -1001, 99)).toBeNull()
    await attachPromptMessage(t.db, p.id, -1001, 99)
    expect(await promptByMessage(t.db, -1001, 99)).toMatchObject({
      id: p.id,
      unitId: f.taicheng,
      taskIds: [f.task.t1, f.task.t3],
      kind: 'weekly',
    })
    await keepNote(t.db, {
      unitId: f.taicheng,
      personId: f.liMing,
      promptId: p.id,
      text: '收到，下周再报',
      telegramChatId: -1001,
      telegramMessageId: 100,
      now,
    })
    expect(await t.db.select({ text: notes.text, createdAt: notes.createdAt }).from(notes)).toEqual([
      { text: '收到，下周再报', createdAt: now },
    ])
  })
})
