/**
 * The 督办 loop end to end, through the real bot (long polling the Bot API emulator), the
 * delivery worker and the jobs at simulated times: 交办 → 签收 → a photo and a document with
 * 已完成 → 待审核 → 退回 with a reason and a date → 整改中, the unit told → a reminder before the
 * new date → new evidence → 通过 → 已办结, no more reminders; the timeline lists every step with
 * who and when; `duban evidence get` gives back the bytes that were sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignments, evidence } from '../../src/db/schema.ts'
import { timeline } from '../../src/domain/history.ts'
import type { EmulatorUser, SentMessage } from '../../src/sandbox/emulator/index.ts'
import { groups, NOW, seed, startHarness, users, type Fixture, type Harness } from '../bot/harness.ts'
import { button, Clock, deliver, duban, runJobAt } from './helpers.ts'

const fileIdOf = (m: unknown, kind: 'photo' | 'document'): string => {
  const msg = m as { photo?: { file_id: string }[]; document?: { file_id: string } }
  return kind === 'photo' ? msg.photo![0]!.file_id : msg.document!.file_id
}

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })

/** A small JPEG (the magic bytes are what the sniffer reads) and a PDF. */
const PHOTO = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0现场照片'),
  Buffer.alloc(64, 7),
])
const REPORT = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n清理报告\n%%EOF\n')
const RECTIFIED = Buffer.from('%PDF-1.7\n整改报告 second version\n%%EOF\n')

describeDb('the 督办 loop, end to end', (t) => {
  let h: Harness
  let f: Fixture
  const clock = new Clock(NOW)

  beforeAll(async () => {
    f = await seed(t.db)
    h = await startHarness(t.db, { now: clock.now })
    for (const [u, code] of [
      [users.liaison, f.invites.liaison],
      [users.supervisor, f.invites.supervisor],
    ] as const)
      await h.say(u, dm(u), `/start ${code}`)
  })
  afterAll(async () => {
    await h.stop()
  })

  const inChat = (chatId: number, since = 0) => h.emulator.sentMessages(chatId).slice(since)
  const waitIn = (chatId: number, pred: (m: SentMessage) => boolean) =>
    h.emulator.waitFor((sent) => sent.find((m) => m.chat_id === chatId && pred(m)), 30_000)
  const pair = async () =>
    (
      await t.db
        .select()
        .from(assignments)
        .where(and(eq(assignments.taskId, f.tasks.publicity), eq(assignments.unitId, f.units.taicheng)))
    )[0]!

  it('runs the whole loop and keeps its history', async () => {
    // 交办: the notice reaches the unit's group with a 签收 button.
    await runJobAt(t.db, h, clock, 'assignment-receipts', '2024-10-15', '10:00')
    await deliver(t.db, h, clock)
    const notice = inChat(groups.taicheng.id).find((m) => m.visibleText.includes('【交办通知】'))!
    expect(notice.visibleText).toContain('台城街道：以下 2 项任务已交办')
    expect(notice.visibleText).toContain('二（一）1 全面推行行政执法公示制度')

    // 签收
    clock.set('2024-10-15', '10:05')
    h.emulator.pressButton(users.liaison, groups.taicheng.id, notice.message_id, button(notice, '📥 签收'))
    const signed = await waitIn(groups.taicheng.id, (m) => m.visibleText.startsWith('已签收'))
    expect(signed.visibleText).toBe('已签收：台城街道 · 2 项任务（李明）')
    expect((await pair()).acknowledgedBy).toBe(f.people.liaison.id)

    // A photo and a document, as an album whose caption names the task and says 已完成.
    clock.set('2024-10-16', '15:00')
    const photo = h.emulator.sendFile(users.liaison, groups.taicheng, {
      kind: 'photo',
      data: PHOTO,
      caption: '二（一）1 已完成 清理报告见附件',
      mediaGroupId: 'album-1',
    })
    await waitIn(groups.taicheng.id, (m) => m.reply_to_message_id === photo.message_id)
    const doc = h.emulator.sendFile(users.liaison, groups.taicheng, {
      kind: 'document',
      data: REPORT,
      fileName: '清理报告.pdf',
      mimeType: 'application/pdf',
      mediaGroupId: 'album-1',
    })
    const docAnswer = await waitIn(groups.taicheng.id, (m) => m.reply_to_message_id === doc.message_id)
    const photoAnswer = inChat(groups.taicheng.id).find((m) => m.reply_to_message_id === photo.message_id)!
    expect(photoAnswer.visibleText).toContain('已记录：台城街道 · 全面推行行政执法公示制度 → 已完成')
    expect(photoAnswer.visibleText).toContain('已提交督办人员审核（待审核）。')
    expect(docAnswer.visibleText).toBe('已收到佐证材料：台城街道 · 二（一）1 · 清理报告.pdf')
    expect((await pair()).loopState).toBe('awaiting_review')
    const files = await t.db.select().from(evidence).where(eq(evidence.taskId, f.tasks.publicity))
    expect(files.map((e) => [e.kind, e.status, e.contentType, e.size])).toEqual([
      ['photo', 'stored', 'image/jpeg', PHOTO.length],
      ['document', 'stored', 'application/pdf', REPORT.length],
    ])

    // 待审核: the supervisors get the card and both files, re-sent by Telegram file id.
    await deliver(t.db, h, clock)
    const card = inChat(groups.supervisors.id).find((m) => m.visibleText.startsWith('【待审核】'))!
    expect(card.visibleText).toContain('台城街道 · 二（一）1 全面推行行政执法公示制度')
    expect(card.visibleText).toContain('李明 于 10月16日 报告已完成')
    const sentFiles = inChat(groups.supervisors.id).filter((m) => m.kind !== 'text')
    expect(sentFiles.map((m) => (m.photo ?? m.document)!.file_id).sort()).toEqual(
      [fileIdOf(photo.message, 'photo'), fileIdOf(doc.message, 'document')].sort(),
    )

    // A liaison cannot press the review buttons.
    h.emulator.pressButton(
      users.liaison,
      groups.supervisors.id,
      card.message_id,
      button(card, '✅ 通过（销号）'),
    )
    await h.emulator.waitFor(
      (s) => s.length > 0 && h.emulator.callbackAnswers().find((a) => a.text === '只有督办人员可以审核。'),
    )
    expect((await pair()).loopState).toBe('awaiting_review')

    // 退回整改 with a reason and a date.
    clock.set('2024-10-17', '09:30')
    h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card.message_id,
      button(card, '↩️ 退回整改'),
    )
    const ask = await waitIn(groups.supervisors.id, (m) => m.visibleText.startsWith('退回整改：'))
    expect(ask.visibleText).toContain('不写则为 10月24日（5 个工作日后）')
    const reason = h.emulator.sendText(
      users.supervisor,
      groups.supervisors,
      '照片不清晰，缺少整改前后对比 11月5日',
      {
        replyTo: ask.message_id,
      },
    )
    const returned = await waitIn(groups.supervisors.id, (m) => m.reply_to_message_id === reason.message_id)
    expect(returned.visibleText).toBe(
      '已退回整改：台城街道 · 全面推行行政执法公示制度，整改期限 11月5日。已通知该单位。',
    )
    const rectifying = await pair()
    expect([rectifying.loopState, rectifying.dueOverride, rectifying.returnedCount]).toEqual([
      'rectifying',
      '2024-11-05',
      1,
    ])

    // 整改中: the unit is told the reason and the date.
    const before = inChat(groups.taicheng.id).length
    await deliver(t.db, h, clock)
    const told = inChat(groups.taicheng.id, before).find((m) => m.visibleText.startsWith('【退回整改】'))!
    expect(told.visibleText).toContain('退回原因：照片不清晰，缺少整改前后对比')
    expect(told.visibleText).toContain('整改期限：11月5日')
    const status = JSON.parse((await duban(t.db, h, clock, 'status', '台城', '--json')).out) as {
      tasks: {
        ref: string
        state: string
        due: string
        evidenceCount: number
        acknowledgedAt: string | null
      }[]
    }
    expect(status.tasks.find((x) => x.ref === '二（一）1')).toMatchObject({
      state: 'rectifying',
      due: '2024-11-05',
      evidenceCount: 2,
      acknowledgedAt: '2024-10-15T02:05:00.000Z',
    })

    // A reminder before the new date (the plan's 11月30日 is still more than 14 working days off).
    const beforeReminder = inChat(groups.taicheng.id).length
    await runJobAt(t.db, h, clock, 'deadline-reminders', '2024-10-29', '09:00')
    await deliver(t.db, h, clock)
    const reminder = inChat(groups.taicheng.id, beforeReminder).find(
      (m) => m.visibleText.includes('全面推行行政执法公示制度') && m.visibleText.startsWith('【督办提醒】'),
    )!
    expect(reminder.visibleText).toContain('11月5日')

    // New evidence, as a reply to the reminder, with 已完成.
    clock.set('2024-10-30', '11:00')
    const fixed = h.emulator.sendFile(users.liaison, groups.taicheng, {
      kind: 'document',
      data: RECTIFIED,
      fileName: '整改报告.pdf',
      caption: '已完成',
      replyTo: reminder.message_id,
    })
    const fixedAnswer = await waitIn(groups.taicheng.id, (m) => m.reply_to_message_id === fixed.message_id)
    expect(fixedAnswer.visibleText).toContain('已提交督办人员审核（待审核）。')
    expect(fixedAnswer.visibleText).toContain('已收到佐证材料：台城街道 · 二（一）1 · 整改报告.pdf')

    // 通过（销号）
    const supervisorsBefore = inChat(groups.supervisors.id).length
    await deliver(t.db, h, clock)
    const card2 = inChat(groups.supervisors.id, supervisorsBefore).find((m) =>
      m.visibleText.startsWith('【待审核】'),
    )!
    expect(card2.visibleText).toContain('此前已退回整改 1 次')
    clock.set('2024-10-31', '09:10')
    h.emulator.pressButton(
      users.supervisor,
      groups.supervisors.id,
      card2.message_id,
      button(card2, '✅ 通过（销号）'),
    )
    await waitIn(groups.supervisors.id, (m) => m.visibleText.startsWith('已通过审核：台城街道'))
    expect((await pair()).loopState).toBe('closed')

    // 已办结: no more reminders for it, whatever the day.
    const afterClose = inChat(groups.taicheng.id).length
    for (const day of ['2024-11-01', '2024-11-04', '2024-11-05', '2024-11-06', '2024-11-29', '2024-12-03'])
      await runJobAt(t.db, h, clock, 'deadline-reminders', day, '09:00')
    await deliver(t.db, h, clock)
    const later = inChat(groups.taicheng.id, afterClose)
    expect(
      later.filter(
        (m) =>
          m.visibleText.includes('全面推行行政执法公示制度') && !m.visibleText.startsWith('【审核通过】'),
      ),
    ).toEqual([])
    expect(later.some((m) => m.visibleText.startsWith('【审核通过】'))).toBe(true)

    // The timeline: every step, who and when.
    const steps = (await timeline(t.db, { unitId: f.units.taicheng, taskId: f.tasks.publicity })).map((e) => [
      e.kind,
      e.by,
      e.at.toISOString(),
    ])
    expect(steps).toEqual([
      ['noticed', null, '2024-10-15T02:00:00.000Z'],
      ['acknowledged', '李明', '2024-10-15T02:05:00.000Z'],
      ['report', '李明', '2024-10-16T07:00:00.000Z'],
      ['evidence', '李明', '2024-10-16T07:00:00.000Z'],
      ['submitted', '李明', '2024-10-16T07:00:00.000Z'],
      ['evidence', '李明', '2024-10-16T07:00:00.000Z'],
      ['returned', '王督办', '2024-10-17T01:30:00.000Z'],
      ['report', '李明', '2024-10-30T03:00:00.000Z'],
      ['evidence', '李明', '2024-10-30T03:00:00.000Z'],
      ['submitted', '李明', '2024-10-30T03:00:00.000Z'],
      ['approved', '王督办', '2024-10-31T01:10:00.000Z'],
    ])
    const history = await duban(t.db, h, clock, 'history', '台城', '二（一）1')
    expect(history.out).toContain(
      '2024-10-17 09:30 台城街道 二（一）1 · 退回整改 · 照片不清晰，缺少整改前后对比 2024-11-05 · 王督办',
    )

    // duban evidence get: the very bytes that were sent.
    const listed = JSON.parse((await duban(t.db, h, clock, 'evidence', 'list', '台城', '--json')).out) as {
      id: number
      fileName: string
      sha256: string
    }[]
    expect(listed.map((e) => e.fileName)).toEqual([
      'photo-' + photo.message_id + '.jpg',
      '清理报告.pdf',
      '整改报告.pdf',
    ])
    for (const [i, bytes] of [PHOTO, REPORT, RECTIFIED].entries()) {
      const got = await duban(t.db, h, clock, 'evidence', 'get', String(listed[i]!.id))
      expect(got.code).toBe(0)
      expect(got.bytes.equals(bytes)).toBe(true)
    }
  })
})
