/**
 * 延期申请 through the real bot, the worker and the deadline-reminders job on a simulated clock:
 * an approved extension moves that unit's reminders (and no other unit's); a refusal leaves them;
 * bad requests and a liaison pressing 批准 are refused with a clear message and change nothing.
 */
import { expect, it } from 'vitest'
import { and, asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignmentEvents, assignments, deliveries, extensionRequests, tasks } from '../../src/db/schema.ts'
import type { EmulatorUser, SentMessage } from '../../src/sandbox/emulator/index.ts'
import { groups, users } from '../bot/harness.ts'
import { button, deliver, duban, runJobAt, useLoopHarness } from './helpers.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })
const FINES = '开展涉企乱罚款专项整治'
/** Working days around the plan's date for 二（五）2 (2024-10-20) and after it. */
const DAYS = [
  '2024-10-16',
  '2024-10-17',
  '2024-10-18',
  '2024-10-21',
  '2024-10-22',
  '2024-10-23',
  '2024-10-24',
]

describeDb('延期申请', (t) => {
  const loop = useLoopHarness(t, (f) => [
    [users.liaison, f.invites.liaison],
    [users.supervisor, f.invites.supervisor],
    [users.doushanLiaison, f.invites.doushanLiaison],
  ])

  const finesDue = async (unitId: number) =>
    (
      await t.db
        .select({ due: assignments.dueOverride })
        .from(assignments)
        .where(and(eq(assignments.taskId, loop.f.tasks.fines), eq(assignments.unitId, unitId)))
    )[0]!.due
  const waitIn = (chatId: number, pred: (m: SentMessage) => boolean) =>
    loop.h.emulator.waitFor((sent) => sent.find((m) => m.chat_id === chatId && pred(m)), 30_000)
  /** Runs the reminder job on each day and returns the 二（五）2 reminders each chat got. */
  const remindersOver = async (days: string[]) => {
    const before = {
      taicheng: loop.h.emulator.sentMessages(groups.taicheng.id).length,
      doushan: loop.h.emulator.sentMessages(users.doushanLiaison.id).length,
    }
    for (const day of days) await runJobAt(t.db, loop.h, loop.clock, 'deadline-reminders', day, '09:00')
    await deliver(t.db, loop.h, loop.clock)
    const of = (chatId: number, since: number) =>
      loop.h.emulator
        .sentMessages(chatId)
        .slice(since)
        .filter((m) => m.visibleText.includes(FINES))
        .map((m) => m.visibleText.split('\n').slice(0, 2).join(' '))
    return {
      taicheng: of(groups.taicheng.id, before.taicheng),
      doushan: of(users.doushanLiaison.id, before.doushan),
    }
  }

  /** 李明 asks to move 二（五）2 to 11月15日; the card reaches the supervisors' group. */
  const askAndGetCard = async () => {
    const answer = await loop.h.say(
      users.liaison,
      dm(users.liaison),
      '/extend 二（五）2 11月15日 需补充现场核查',
    )
    expect(answer.visibleText).toBe('已提交延期申请：二（五）2 延至 11月15日，等待督办人员审批。')
    await deliver(t.db, loop.h, loop.clock)
    const card = loop.h.emulator
      .sentMessages(groups.supervisors.id)
      .find((m) => m.visibleText.startsWith('【延期申请】'))!
    expect(card.visibleText).toContain('台城街道 · 二（五）2 开展涉企乱罚款专项整治')
    expect(card.visibleText).toContain('现期限 10月20日 → 申请延至 11月15日')
    expect(card.visibleText).toContain('理由：需补充现场核查')
    expect(card.visibleText).toContain('申请人：李明')
    return card
  }

  it("approved: moves this unit's date and reminders, not the other unit's; the plan's date stays", async () => {
    const card = await askAndGetCard()
    loop.clock.set('2024-10-15', '11:00')
    loop.h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card.message_id,
      button(card, '✅ 批准'),
    )
    const said = await waitIn(groups.supervisors.id, (m) => m.visibleText.startsWith('已批准延期'))
    expect(said.visibleText).toBe('已批准延期：台城街道 · 二（五）2 期限改为 11月15日。')
    expect(await finesDue(loop.f.units.taicheng)).toBe('2024-11-15')
    expect(await finesDue(loop.f.units.doushan)).toBeNull()
    expect((await t.db.select().from(tasks).where(eq(tasks.id, loop.f.tasks.fines)))[0]!.dueDate).toBe(
      '2024-10-20',
    )

    // The liaison's unit is told.
    await deliver(t.db, loop.h, loop.clock)
    expect(loop.h.emulator.sentMessages(groups.taicheng.id).map((m) => m.visibleText)).toContain(
      '【延期】二（五）2 的延期申请已批准，新期限 11月15日。',
    )

    // Around the plan's date: 斗山镇 is reminded and chased overdue, 台城街道 is not.
    const around = await remindersOver(DAYS)
    expect(around.taicheng).toEqual([])
    expect(around.doushan.length).toBeGreaterThanOrEqual(3)
    expect(around.doushan.some((l) => l.includes('已逾期'))).toBe(true)

    // Between the two dates the supervisor's views agree with the reminders: /overdue lists
    // 斗山镇's 二（五）2 and not 台城街道's, whose card shows the new date.
    loop.clock.set('2024-10-25', '10:00')
    const overdue = (await loop.h.say(users.supervisor, dm(users.supervisor), '/overdue')).visibleText
    const finesLines = overdue.split('\n').filter((l) => l.includes('二（五）2'))
    expect(finesLines.some((l) => l.includes('斗山镇'))).toBe(true)
    expect(finesLines.some((l) => l.includes('台城'))).toBe(false)
    const unitCard = (await loop.h.say(users.supervisor, dm(users.supervisor), '/status 台城')).visibleText
    expect(unitCard.split('\n').find((l) => l.includes('二（五）2'))).toContain('11月15日截止')

    // Before the new date, 台城街道's ladder runs toward 11月15日.
    const toward = await remindersOver(['2024-11-12', '2024-11-15'])
    expect(toward.taicheng).toEqual([
      '【督办提醒】开展涉企乱罚款专项整治（二（五）2） 截止：11月15日，还有 3 个工作日。',
      '【督办提醒】开展涉企乱罚款专项整治（二（五）2） 截止：11月15日，今天到期。',
    ])

    const kinds = (
      await t.db
        .select()
        .from(assignmentEvents)
        .where(eq(assignmentEvents.unitId, loop.f.units.taicheng))
        .orderBy(asc(assignmentEvents.id))
    )
      .filter((e) => e.kind.startsWith('extension'))
      .map((e) => [e.kind, e.personId, e.payload.due])
    expect(kinds).toEqual([
      ['extension_requested', loop.f.people.liaison.id, '2024-11-15'],
      ['extension_approved', loop.f.people.supervisor.id, '2024-11-15'],
    ])
  })

  it('refused: the date and the reminders stay; the unit is told', async () => {
    const card = await askAndGetCard()
    loop.h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card.message_id,
      button(card, '❌ 不批准'),
    )
    const said = await waitIn(groups.supervisors.id, (m) => m.visibleText.startsWith('未批准延期'))
    expect(said.visibleText).toBe('未批准延期：台城街道 · 二（五）2，期限不变。')
    expect(await finesDue(loop.f.units.taicheng)).toBeNull()
    await deliver(t.db, loop.h, loop.clock)
    expect(loop.h.emulator.sentMessages(groups.taicheng.id).map((m) => m.visibleText)).toContain(
      '【延期】二（五）2 的延期申请未获批准，期限不变。',
    )
    // A second press changes nothing.
    loop.h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card.message_id,
      button(card, '✅ 批准'),
    )
    await loop.h.emulator.waitFor(() =>
      loop.h.emulator.callbackAnswers().find((a) => a.text === '该申请已处理。'),
    )
    expect(await finesDue(loop.f.units.taicheng)).toBeNull()

    const around = await remindersOver(DAYS)
    expect(around.taicheng.length).toBeGreaterThanOrEqual(3)
    expect(around.taicheng).toEqual(around.doushan)
    const [row] = await t.db.select().from(extensionRequests)
    expect([row!.status, row!.decidedBy]).toEqual(['refused', loop.f.people.supervisor.id])
  })

  it('refuses bad requests and a liaison pressing 批准, changing nothing', async () => {
    const asks: [string, string][] = [
      ['/extend 二（五）2 10月1日 来不及', '新期限 10月1日 早于今天，不能申请。'],
      ['/extend 九（九）9 12月1日 x', '找不到任务 九（九）9，请用 /tasks 查看任务编号。'],
      ['/extend 三（二）1 12月1日 x', '三（二）1 不是本单位承担的任务，不能申请延期。'],
      ['/extend 二（五）2 10月18日', '新期限 10月18日 不晚于现在的期限 10月20日，无需延期。'],
      ['/extend 二（五）2 下周', '请写明新的期限，例如 12月15日。'],
      ['/extend', '用法：/extend 任务编号 新期限 原因，例如：/extend 二（五）2 12月15日 需补充现场核查'],
    ]
    for (const [text, expected] of asks)
      expect((await loop.h.say(users.liaison, dm(users.liaison), text)).visibleText).toBe(expected)
    expect(
      (await loop.h.say(users.supervisor, dm(users.supervisor), '/extend 二（五）2 12月1日 x')).visibleText,
    ).toBe('只有本单位联络员或其请假代理人可以申请延期。')
    expect(await t.db.select().from(extensionRequests)).toEqual([])
    expect(await t.db.select().from(deliveries)).toEqual([])

    const card = await askAndGetCard()
    loop.h.emulator.pressButton(
      users.liaison,
      groups.supervisors.id,
      card.message_id,
      button(card, '✅ 批准'),
    )
    await loop.h.emulator.waitFor(() =>
      loop.h.emulator.callbackAnswers().find((a) => a.text === '只有督办人员可以审批延期。'),
    )
    expect(await finesDue(loop.f.units.taicheng)).toBeNull()
    const [row] = await t.db.select().from(extensionRequests)
    expect(row!.status).toBe('pending')
    // While one waits, a second request for the same task is refused.
    expect(
      (await loop.h.say(users.liaison, dm(users.liaison), '/extend 二（五）2 11月20日 再延')).visibleText,
    ).toBe('二（五）2 已有待审批的延期申请，请等待督办人员处理。')
  })

  it('/history shows the same timeline as duban history, to supervisors and to the unit only', async () => {
    await runJobAt(t.db, loop.h, loop.clock, 'assignment-receipts', '2024-10-15', '10:00')
    await deliver(t.db, loop.h, loop.clock)
    const card = await askAndGetCard()
    loop.clock.set('2024-10-15', '11:00')
    loop.h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card.message_id,
      button(card, '✅ 批准'),
    )
    await waitIn(groups.supervisors.id, (m) => m.visibleText.startsWith('已批准延期'))

    const cli = await duban(t.db, loop.h, loop.clock, 'history', '台城', '二（五）2')
    const lines = cli.out.trim().split('\n')
    expect(lines).toEqual([
      '2024-10-15 10:00 台城街道 二（五）2 · 发出交办通知 · 系统',
      '2024-10-15 10:00 台城街道 二（五）2 · 申请延期 · 需补充现场核查 2024-11-15 · 李明',
      '2024-10-15 11:00 台城街道 二（五）2 · 批准延期 · 2024-11-15 · 王督办',
    ])
    const expected = [
      '台城街道 · 二（五）2 办理记录',
      ...lines.map((l) => l.replace(' 台城街道 二（五）2', '')),
    ].join('\n')
    const bySupervisor = await loop.h.say(users.supervisor, dm(users.supervisor), '/history 台城 二（五）2')
    expect(bySupervisor.visibleText).toBe(expected)
    const byLiaison = await loop.h.say(users.liaison, dm(users.liaison), '/history 二（五）2')
    expect(byLiaison.visibleText).toBe(expected)

    expect((await loop.h.say(users.liaison, dm(users.liaison), '/history 斗山 二（五）2')).visibleText).toBe(
      '您只能查看和报告本单位（台城街道）的情况。',
    )
    expect(
      (await loop.h.say(users.supervisor, dm(users.supervisor), '/history 台城 九（九）9')).visibleText,
    ).toBe('找不到任务 九（九）9，请用 /tasks 查看任务编号。')
    expect((await loop.h.say(users.supervisor, dm(users.supervisor), '/history')).visibleText).toBe(
      '用法：/history 单位 任务编号，例如：/history 台城 二（五）4',
    )
  })

  it('⏳ 申请延期 under a reminder asks for the date and the reason, and files the request', async () => {
    await remindersOver(['2024-10-16', '2024-10-17'])
    const reminder = loop.h.emulator
      .sentMessages(groups.taicheng.id)
      .find((m) => m.visibleText.includes(FINES) && m.visibleText.startsWith('【督办提醒】'))!
    const data = button(reminder, '⏳ 申请延期')
    // Someone not of the unit is refused.
    loop.h.emulator.pressButton(users.doushanLiaison, groups.taicheng.id, reminder.message_id, data)
    await loop.h.emulator.waitFor(() =>
      loop.h.emulator
        .callbackAnswers()
        .find((a) => a.text === '只有本单位联络员或其请假代理人可以申请延期。'),
    )
    loop.h.emulator.pressButton(users.liaison, groups.taicheng.id, reminder.message_id, data)
    const question = await waitIn(groups.taicheng.id, (m) => m.visibleText.startsWith('申请延期：'))
    expect(question.visibleText).toBe(
      '申请延期：二（五）2 开展涉企乱罚款专项整治\n请回复新的期限和原因，例如：12月15日 需补充现场核查',
    )
    const reply = loop.h.emulator.sendText(users.liaison, groups.taicheng, '11月15日 需补充现场核查', {
      replyTo: question.message_id,
    })
    const answer = await waitIn(groups.taicheng.id, (m) => m.reply_to_message_id === reply.message_id)
    expect(answer.visibleText).toBe('已提交延期申请：二（五）2 延至 11月15日，等待督办人员审批。')
    const rows = await t.db.select().from(extensionRequests)
    expect(rows.map((r) => [r.unitId, r.taskId, r.newDue, r.reason, r.status])).toEqual([
      [loop.f.units.taicheng, loop.f.tasks.fines, '2024-11-15', '需补充现场核查', 'pending'],
    ])
  })
})
