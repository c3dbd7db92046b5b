/**
 * The supervisors' /remind and /digest, end to end: the real bot against the Bot API emulator,
 * the reminder written to the outbox, sent by the real delivery worker into the unit's group as a
 * prompt, and the liaison's reply to it recorded as the unit's status.
 *
 * The clock: 2024-10-15 (Tue) in Taishan. 二（五）2 is due 10月20日, a Sunday in 2024, so its
 * working days left are 10-16, 10-17 and 10-18: 3.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { and, eq, like } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { deliveries, prompts, statusReports } from '../../src/db/schema.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { silentLogger } from '../../src/log.ts'
import { renderPayload, type MessagePayload } from '../../src/templates/index.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import {
  groups,
  seed,
  startHarness,
  testConfig,
  TZ,
  users,
  type Fixture,
  type Harness,
} from '../bot/harness.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })

describeDb('/remind and /digest', (t) => {
  let h: Harness
  let f: Fixture
  let clock = zonedInstant('2024-10-15', '10:00', TZ)

  beforeAll(async () => {
    f = await seed(t.db)
    h = await startHarness(t.db, { now: () => clock })
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
  })
  afterAll(async () => {
    await h?.stop()
  })

  const remindRows = () =>
    t.db.select().from(deliveries).where(like(deliveries.key, 'remind:%')).orderBy(deliveries.id)

  it('is for supervisors only', async () => {
    const answer = await h.say(users.liaison, dm(users.liaison), '/remind 台城')
    expect(answer.visibleText).toBe('该操作仅限督办人员和管理员。')
    expect((await h.say(users.liaison, dm(users.liaison), '/digest')).visibleText).toBe(
      '该操作仅限督办人员和管理员。',
    )
    expect(await remindRows()).toEqual([])
  })

  it('sends one task’s reminder to the unit’s group as a prompt, worded for today', async () => {
    const answer = await h.say(users.supervisor, dm(users.supervisor), '/remind 台城 二(五)2')
    expect(answer.visibleText).toBe('已向台城街道发送提醒（1 项任务；单位群 1 个）。')
    const [row, ...more] = await remindRows()
    expect(more).toEqual([])
    expect(row!.key).toBe(`remind:${f.units.taicheng}:${f.tasks.fines}:2024-10-15-10`)
    expect([row!.channel, row!.recipient]).toEqual(['telegram', String(groups.taicheng.id)])
    const payload = row!.payload as unknown as MessagePayload
    const [prompt] = await t.db.select().from(prompts).where(eq(prompts.id, payload.promptId!))
    expect([prompt!.unitId, prompt!.taskIds, prompt!.kind]).toEqual([
      f.units.taicheng,
      [f.tasks.fines],
      'remind',
    ])
    expect(renderPayload(payload, 'zh-CN', { now: clock, tz: TZ }).telegram!.html.split('\n')).toEqual([
      '<b>【督办提醒】开展涉企乱罚款专项整治（二（五）2）</b>',
      '截止：今年10月中旬前（按10月20日计），还有 3 个工作日。',
      '台城街道当前状态：无回复',
      '请直接回复本消息：已完成 / 进行中 80% / 有困难：原因',
    ])
  })

  it('answers a second press within the hour with the time the first went, and sends nothing', async () => {
    clock = zonedInstant('2024-10-15', '10:40', TZ)
    const answer = await h.say(users.supervisor, dm(users.supervisor), '/remind 台城')
    expect(answer.visibleText).toBe('本小时内已于 10:00 向台城街道发送过提醒，请稍后再试。')
    expect(await remindRows()).toHaveLength(1)
  })

  it('reminds of every open task in the next hour, and refuses what it cannot do', async () => {
    clock = zonedInstant('2024-10-15', '11:05', TZ)
    const answer = await h.say(users.supervisor, dm(users.supervisor), '/remind 台城')
    expect(answer.visibleText).toBe('已向台城街道发送提醒（2 项任务；单位群 1 个）。')
    const all = (await remindRows()).at(-1)!
    expect(all.key).toBe(`remind:${f.units.taicheng}:all:2024-10-15-11`)
    const html = renderPayload(all.payload as unknown as MessagePayload, 'zh-CN', { now: clock, tz: TZ })
      .telegram!.html
    expect(html.split('\n')[0]).toBe('<b>【督办提醒】台城街道 · 未完成任务 2 项</b>')

    expect((await h.say(users.supervisor, dm(users.supervisor), '/remind 大江')).visibleText).toBe(
      '大江镇没有可用的联系方式（未绑定单位群，联络员未绑定 Telegram 且无邮箱），提醒未发送。',
    )
    expect((await h.say(users.supervisor, dm(users.supervisor), '/remind 斗山 九（九）9')).visibleText).toBe(
      '斗山镇没有编号为“九（九）9”的任务。发送 /status 斗山镇 查看任务编号。',
    )
    expect((await h.say(users.supervisor, dm(users.supervisor), '/remind')).visibleText).toBe(
      '用法：/remind 单位 [任务编号]，例如：/remind 台城 二（五）2',
    )
    expect(await remindRows()).toHaveLength(2)
  })

  it('goes out through the delivery worker, and the liaison’s reply to it is recorded', async () => {
    const before = h.emulator.sentMessages(groups.taicheng.id).length
    const worker = createDeliveryWorker({
      db: t.db,
      config: testConfig(h.emulator.apiRoot),
      logger: silentLogger,
      email: null,
      now: () => clock,
    })
    await worker.runUntilIdle({ stallMs: 20_000 })
    await worker.stop()
    const sent = h.emulator.sentMessages(groups.taicheng.id).slice(before)
    expect(sent).toHaveLength(2)
    const reminder = sent[0]!
    expect(reminder.visibleText.split('\n')[1]).toBe(
      '截止：今年10月中旬前（按10月20日计），还有 3 个工作日。',
    )
    const reply = await h.say(users.liaison, groups.taicheng, '进行中 80%，已完成自查', {
      replyTo: reminder.message_id,
    })
    expect(reply.visibleText).toBe('已记录：台城街道 · 开展涉企乱罚款专项整治 → 进行中 80%')
    const [report] = await t.db
      .select()
      .from(statusReports)
      .where(and(eq(statusReports.unitId, f.units.taicheng), eq(statusReports.taskId, f.tasks.fines)))
    expect([report!.state, report!.progress]).toEqual(['in_progress', 80])
  })

  it('gives a supervisor the digest on demand', async () => {
    const answer = await h.say(users.supervisor, dm(users.supervisor), '/digest')
    const lines = answer.visibleText.split('\n')
    expect(lines[0]).toBe('【督办周报】2024年第42周（10月15日）')
    // 二（五）2: 台城, 斗山; 二（一）1: 台城; 三（二）1 (due 10-10, overdue): 斗山, 大江.
    expect(lines).toContain('3 个单位 · 5 项任务分工')
    expect(lines).toContain('已完成 0 · 进行中 1 · 有困难 0 · 未开始 0 · 无回复 4 · 逾期 2')
    // 三色: 二（五）2 is due within 3 working days (yellow), 三（二）1 overdue (red); nothing signed for yet.
    expect(lines).toContain('三色督办：🟢 1 · 🟡 2 · 🔴 2 · 未签收 5')
    expect(lines).toContain(
      '1. 斗山镇：逾期 1 · 有困难 0 · 进行中 0 · 已完成 0/2 · 无回复 2 · 🔴 1 · 🟡 1 · 未签收 2',
    )
    expect(lines).toContain(
      '3. 台城街道：逾期 0 · 有困难 0 · 进行中 1 · 已完成 0/2 · 无回复 1 · 🔴 0 · 🟡 1 · 未签收 2',
    )
  })
})
