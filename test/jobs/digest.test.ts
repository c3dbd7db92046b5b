/**
 * The weekly digest from a small, known data set, checked line by line for every number it
 * states; its email received by a real SMTP server (smtp-server) through the delivery worker,
 * with an HTML and a plain-text part. Bad data on the way: a task without a deadline, a unit
 * without liaisons, a unit whose liaison has no channel, a liaison Telegram refused, HTML in a
 * reason, a report dated after the digest's moment.
 *
 * The moment: Monday 2026-10-12 08:30 Asia/Shanghai (ISO week 42).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts'
import { loadConfig } from '../../src/config.ts'
import { deliveries, people, tasks } from '../../src/db/schema.ts'
import { bindChat } from '../../src/domain/chats.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { unitStatusWithLoop } from '../../src/domain/loop-view.ts'
import { buildDigest } from '../../src/domain/digest.ts'
import { addPerson } from '../../src/domain/people.ts'
import { importPlan } from '../../src/domain/plan-import.ts'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { overviewStatus } from '../../src/domain/status-view.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { importOfficers } from '../../src/domain/training.ts'
import { importUnits, listUnits } from '../../src/domain/units.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { createLogger } from '../../src/log.ts'
import { renderPayload, type MessagePayload } from '../../src/templates/index.ts'
import { loadJobOptions, runJob } from '../../src/scheduler/run.ts'
import { root } from '../../bin/root.ts'
import { jobByName } from '../../src/scheduler/job.ts'

const TZ = 'Asia/Shanghai'
const at = (date: string, time = '10:00') => zonedInstant(date, time, TZ)
const NOW = at('2026-10-12', '08:30')

/** The structured form of a plan (as a .json file holds it), read as the CLI reads one. */
const readStructuredPlan = (plan: unknown) => readPlanDocument(Buffer.from(JSON.stringify(plan)), 'plan.json')

describeDb('the weekly digest', (t) => {
  let smtp: TestSmtp
  const unit = new Map<string, number>()
  const task = new Map<string, number>()

  beforeAll(async () => {
    const db = t.db
    smtp = await startTestSmtp()
    await importUnits(db, [
      { name: '台城街道', shortName: '台城', kind: 'subdistrict' },
      { name: '大江镇', shortName: '大江', kind: 'town' },
      { name: '水步镇', shortName: '水步', kind: 'town' },
      { name: '市公安局', shortName: '公安局', kind: 'department', tags: ['执法部门'] },
    ])
    const plan = await readStructuredPlan({
      title: '测试 2026 年度督办方案',
      tasks: [
        { ref: 'A1', title: '任务甲', units: ['台城街道', '大江镇', '水步镇'], due: '2026-10-09' },
        { ref: 'A2', title: '任务乙', units: ['台城街道', '大江镇'], dueText: '10月20日前' },
        { ref: 'A3', title: '任务丙', units: ['台城街道', '大江镇', '水步镇', '市公安局'] },
        { ref: 'A4', title: '任务丁', units: ['大江镇'], due: '2026-11-30' },
      ],
    })
    await importPlan(db, plan, { now: at('2026-08-01', '08:00') })
    for (const u of await listUnits(db)) unit.set(u.name, u.id)
    for (const r of await db.select({ id: tasks.id, ref: tasks.ref }).from(tasks)) task.set(r.ref, r.id)

    await bindChat(db, -1001001, '台城街道')
    const li = await addPerson(db, {
      name: '李明',
      role: 'liaison',
      unit: '台城街道',
      email: 'liming@taicheng.example',
    })
    const wang = await addPerson(db, {
      name: '王芳',
      role: 'liaison',
      unit: '大江镇',
      email: 'wangfang@dajiang.example',
    })
    await db
      .update(people)
      .set({
        telegramUserId: 30002,
        unreachableAt: at('2026-10-01'),
        unreachableReason: '403 Forbidden: bot was blocked by the user',
      })
      .where(eq(people.id, wang.id))
    await addPerson(db, { name: '陈强', role: 'liaison', unit: '水步镇' })
    await bindChat(db, -1002000, 'supervisors')
    await addPerson(db, { name: '张督办', role: 'supervisor', email: 'zhang@sfj.example' })
    await importOfficers(
      db,
      'unit,name,hours\n台城街道,黄一,40\n台城街道,黄二,12\n大江镇,林三,30\n',
      at('2026-10-01'),
      TZ,
    )

    const report = (
      u: string,
      ref: string,
      state: 'done' | 'in_progress' | 'blocked' | 'not_started',
      day: string,
      extra: { progress?: number; note?: string } = {},
    ) =>
      recordStatus(db, {
        taskId: task.get(ref)!,
        unitId: unit.get(u)!,
        state,
        source: 'telegram',
        personId: u === '台城街道' ? li.id : null,
        now: at(day),
        ...extra,
      })
    await report('台城街道', 'A1', 'in_progress', '2026-09-01', { progress: 50 })
    await report('台城街道', 'A1', 'done', '2026-10-08')
    await report('台城街道', 'A2', 'in_progress', '2026-10-09', { progress: 60 })
    await report('台城街道', 'A3', 'done', '2026-09-10')
    await report('大江镇', 'A1', 'blocked', '2026-10-10', { note: '缺少执法记录仪 <5台> & 经费' })
    await report('大江镇', 'A4', 'not_started', '2026-09-20')
    await report('水步镇', 'A3', 'in_progress', '2026-09-15')
    await report('市公安局', 'A3', 'blocked', '2026-08-01', { note: '缺经费' })
    // After the digest's moment: not in it.
    await report('水步镇', 'A1', 'done', '2026-10-13')
  })
  afterAll(async () => {
    await smtp?.stop()
  })

  const expectedLines = [
    '<b>【督办周报】2026年第42周（10月12日）</b>',
    '工作方案：测试 2026 年度督办方案',
    '4 个单位 · 10 项任务分工',
    '已完成 2 · 进行中 2 · 有困难 2 · 未开始 1 · 无回复 3 · 逾期 2',
    // Red: overdue (大江镇 and 水步镇 on A1); yellow: nothing reported for 14 days; none signed for.
    '三色督办：🟢 3 · 🟡 5 · 🔴 2 · 未签收 10',
    '',
    '<b>各单位进展（按逾期项数排序）</b>',
    '1. 大江镇：逾期 1 · 有困难 1 · 进行中 0 · 已完成 0/4 · 无回复 2 · 🔴 1 · 🟡 3 · 未签收 4',
    '2. 水步镇：逾期 1 · 有困难 0 · 进行中 1 · 已完成 0/2 · 无回复 1 · 🔴 1 · 🟡 1 · 未签收 2',
    '3. 市公安局：逾期 0 · 有困难 1 · 进行中 0 · 已完成 0/1 · 无回复 0 · 🔴 0 · 🟡 1 · 未签收 1',
    '4. 台城街道：逾期 0 · 有困难 0 · 进行中 1 · 已完成 2/3 · 无回复 0 · 🔴 0 · 🟡 0 · 未签收 3',
    '',
    '<b>有困难事项</b>',
    '大江镇 · 任务甲（A1）：缺少执法记录仪 &lt;5台&gt; &amp; 经费',
    '市公安局 · 任务丙（A3）：缺经费',
    '',
    '<b>未回复单位（14 天无报告）</b>',
    '市公安局：未完成 1 项，最近报告 8月1日',
    '水步镇：未完成 2 项，最近报告 9月15日',
    '',
    '<b>无法联系的单位</b>',
    '水步镇：联络员未绑定 Telegram、无邮箱，单位群未绑定',
    '市公安局：未登记联络员，也未绑定单位群',
    '大江镇 · 联络员 王芳：Telegram 无法送达，改发邮件',
    '',
    '<b>未来 14 天截止</b>',
    '10月20日前 · 任务乙（A2）：2/2 个单位未完成',
    '',
    '<b>近 7 天变化</b>',
    '收到 3 条进展报告，来自 2 个单位',
    '新完成：台城街道 · 任务甲（A1）',
    '新增困难：大江镇 · 任务甲（A1）：缺少执法记录仪 &lt;5台&gt; &amp; 经费',
    '',
    '<b>培训学时</b>',
    // 10-12 is day 285 of 365: 60 × 285 / 365 = 46.8; (40 + 12 + 30) / 3 = 27.3.
    '执法人员 3 人，平均 27.3 学时；按进度应达 46.8 学时，低于进度 3 人',
    '台城街道：低于进度 2/2 人',
    '大江镇：低于进度 1/1 人',
  ]

  it('states every number right, line by line (Telegram)', async () => {
    const digest = await buildDigest(t.db, NOW, TZ)
    const html = renderPayload(
      { template: 'weekly-digest', params: digest as unknown as Record<string, unknown> },
      'zh-CN',
      {
        now: NOW,
        tz: TZ,
      },
    ).telegram!.html
    expect(html.split('\n')).toEqual(expectedLines)
  })

  it('agrees with /status and /overdue on every unit’s counts', async () => {
    const later = at('2026-10-14', '09:00') // after every report, so both see the same data
    const digest = await buildDigest(t.db, later, TZ)
    const overview = await overviewStatus(t.db, later, TZ)
    expect(
      digest.units
        .map((u) => [u.name, u.items, u.done, u.inProgress, u.blocked, u.notStarted, u.noReply, u.overdue])
        .sort(),
    ).toEqual(
      overview
        .map((o) => [
          o.unit.name,
          o.tasks,
          o.counts.done,
          o.counts.in_progress,
          o.counts.blocked,
          o.counts.not_started,
          o.counts.no_reply,
          o.counts.overdue,
        ])
        .sort(),
    )
    // The colours and 未签收 counts are the unit cards' (/status 台城), computed the other way (colors.ts).
    for (const u of digest.units) {
      const card = await unitStatusWithLoop(t.db, u.unitId, later, TZ)
      expect([u.name, u.loop]).toEqual([
        u.name,
        { ...card.loop!.colors, unacknowledged: card.loop!.unacknowledged },
      ])
    }
  })

  it('has an English twin', async () => {
    const digest = await buildDigest(t.db, NOW, TZ)
    const html = renderPayload(
      { template: 'weekly-digest', params: digest as unknown as Record<string, unknown> },
      'en',
      { now: NOW, tz: TZ },
    ).telegram!.html.split('\n')
    expect(html[0]).toBe('<b>[Weekly digest] 2026-W42 (12 Oct)</b>')
    expect(html).toContain(
      '1. 大江镇: overdue 1 · blocked 1 · in progress 0 · done 0/4 · no reply 2 · 🔴 1 · 🟡 3 · not acknowledged 4',
    )
    expect(html).toContain('Colours: 🟢 3 · 🟡 5 · 🔴 2 · not acknowledged 10')
    expect(html).toContain('10月20日前 · 任务乙 (A2): 2/2 units not done')
  })

  it('goes to the supervisors once per week and arrives by email with HTML and text parts', async () => {
    const db = t.db
    const job = jobByName('weekly-digest', await root.jobs())!
    const config = loadConfig({
      TIMEZONE: TZ,
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      MAIL_FROM: '督办助手 <duban@sfj.example>',
    })
    const deps = { db, config, calendar: chinaCalendar, logger: createLogger('silent') }
    const fire = { scheduledAt: NOW, now: NOW, late: false }
    const first = await runJob(deps, job, await loadJobOptions(db, job), fire)
    expect(first.enqueued).toBe(2)
    expect(first.detail).toContain('unreachable: 水步镇、市公安局')
    // Again (a restart, another replica), and on Tuesday: nothing more this week.
    expect((await runJob(deps, job, await loadJobOptions(db, job), fire)).enqueued).toBe(0)
    const tuesday = at('2026-10-13', '08:30')
    expect(
      (
        await runJob(deps, job, await loadJobOptions(db, job), {
          scheduledAt: tuesday,
          now: tuesday,
          late: false,
        })
      ).enqueued,
    ).toBe(0)
    const rows = await db.select().from(deliveries).where(eq(deliveries.key, 'digest:2026-W42'))
    expect(rows.map((r) => `${r.channel}:${r.recipient}`).sort()).toEqual([
      'email:zhang@sfj.example',
      'telegram:-1002000',
    ])
    const tg = rows.find((r) => r.channel === 'telegram')!
    expect(
      renderPayload(tg.payload as unknown as MessagePayload, 'zh-CN', {
        now: NOW,
        tz: TZ,
      }).telegram!.html.split('\n'),
    ).toEqual(expectedLines)

    const worker = createDeliveryWorker({
      db,
      config,
      logger: createLogger('silent'),
      telegram: null,
      now: () => NOW,
    })
    await worker.runUntilIdle({ stallMs: 20_000 })
    await worker.stop()
    await smtp.waitFor((m) => m.length >= 1)
    expect(smtp.received).toHaveLength(1)
    const mail = smtp.received[0]!
    expect(mail.to).toEqual(['zhang@sfj.example'])
    expect(mail.parsed.subject).toBe('【督办周报】2026年第42周')
    const text = mail.parsed.text ?? ''
    for (const line of expectedLines.filter((l) => l && !l.startsWith('<b>')))
      expect(text).toContain(line.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'))
    const html = String(mail.parsed.html)
    expect(html).toContain('<table')
    expect(html).toMatch(
      /<tr><td[^>]*>大江镇<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>2<\/td><td[^>]*>4<\/td><td[^>]*>1<\/td><td[^>]*>3<\/td><td[^>]*>4<\/td><td[^>]*>10月10日<\/td><\/tr>/,
    )
    expect(html).toContain('<th style="border: 1px solid #ccc; padding: 4px 8px">未签收</th>')
    expect(String(mail.parsed.text)).toContain('三色督办：🟢 3 · 🟡 5 · 🔴 2 · 未签收 10')
    expect(html).toContain('缺少执法记录仪 &lt;5台&gt; &amp; 经费')
    expect(html).not.toContain('<5台>')
    expect((await db.select().from(deliveries).where(eq(deliveries.channel, 'email')))[0]?.status).toBe(
      'sent',
    )
  })

  it('gives a task without a deadline no ladder but keeps it in prompts', async () => {
    const db = t.db
    const config = loadConfig({ TIMEZONE: TZ, LOG_LEVEL: 'silent' })
    const deps = { db, config, calendar: chinaCalendar, logger: createLogger('silent') }
    for (const [name, day, time] of [
      ['deadline-reminders', '2026-10-12', '09:00'],
      ['status-prompts', '2026-10-16', '10:00'],
    ] as const) {
      const job = jobByName(name, await root.jobs())!
      const when = at(day, time)
      await runJob(deps, job, await loadJobOptions(db, job), { scheduledAt: when, now: when, late: false })
    }
    const keys = (await db.select({ key: deliveries.key }).from(deliveries)).map((r) => r.key)
    expect(keys.filter((k) => k.startsWith(`deadline:${task.get('A3')}:`))).toEqual([])
    // A1 is overdue for 大江镇 (blocked) — by email, since Telegram refused 王芳.
    expect(keys).toContain(`deadline:${task.get('A1')}:${unit.get('大江镇')}:overdue:1`)
    const prompt = (
      await db
        .select()
        .from(deliveries)
        .where(eq(deliveries.key, `prompt:${unit.get('大江镇')}:2026-W42`))
    )[0]!
    expect(prompt.channel).toBe('email')
    const refs = (prompt.payload as { params: { tasks: { ref: string }[] } }).params.tasks.map((x) => x.ref)
    expect(refs).toEqual(['A1', 'A2', 'A4', 'A3'])
  })
})

describeDb('the weekly digest without supervisors', (t) => {
  it('does not use up the week: once a supervisor can be reached, the next working day sends it', async () => {
    const db = t.db
    await importUnits(db, [{ name: '台城街道', shortName: '台城', kind: 'subdistrict' }])
    await importPlan(
      db,
      await readStructuredPlan({
        title: '测试 2026 年度督办方案',
        tasks: [{ ref: 'A1', title: '任务甲', units: ['台城街道'] }],
      }),
      {
        now: at('2026-08-01'),
      },
    )
    const job = jobByName('weekly-digest', await root.jobs())!
    const deps = {
      db,
      config: loadConfig({ TIMEZONE: TZ, LOG_LEVEL: 'silent' }),
      calendar: chinaCalendar,
      logger: createLogger('silent'),
    }
    const run = async (when: Date) =>
      runJob(deps, job, await loadJobOptions(db, job), { scheduledAt: when, now: when, late: false })
    const monday = await run(NOW)
    expect([monday.enqueued, monday.detail]).toEqual([
      0,
      'no supervisor can be reached: no supervisors group bound, no email',
    ])
    await addPerson(db, { name: '张督办', role: 'supervisor', email: 'zhang@sfj.example' })
    expect((await run(at('2026-10-13', '08:30'))).enqueued).toBe(1)
    expect((await run(at('2026-10-14', '08:30'))).enqueued).toBe(0)
  })
})
