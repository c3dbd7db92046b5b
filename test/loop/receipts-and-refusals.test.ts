/**
 * 签收 after one working day (one second notice, in private, once) and the loop's refusals:
 * each refused with a clear message and nothing changed.
 */
import { expect, it } from 'vitest'
import { asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignmentEvents, evidence, statusReports } from '../../src/db/schema.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { groups, sendPrompt, users } from '../bot/harness.ts'
import { deliver, duban, runJobAt, useLoopHarness } from './helpers.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n')

describeDb('签收 and refusals in the 督办 loop', (t) => {
  const loop = useLoopHarness(t, (f) => [
    [users.liaison, f.invites.liaison],
    [users.supervisor, f.invites.supervisor],
    [users.doushanLiaison, f.invites.doushanLiaison],
  ])

  /** The bot's answer: a reply in a group; in a private chat, the next message. */
  const answerTo = (chatId: number, messageId: number) =>
    loop.h.emulator.waitFor(
      (sent) =>
        sent.find(
          (m) =>
            m.chat_id === chatId &&
            (m.reply_to_message_id === messageId || (chatId > 0 && m.message_id > messageId)),
        ),
      // Downloads are retried after pauses: allow for them on a busy machine.
      30_000,
    )
  const nothingKept = async () => {
    expect(await t.db.select().from(evidence)).toEqual([])
    expect(await t.db.select().from(statusReports)).toEqual([])
  }

  it('sends one second notice to the liaison in private after a working day without 签收', async () => {
    expect(
      (await runJobAt(t.db, loop.h, loop.clock, 'assignment-receipts', '2024-10-15', '10:00')).enqueued,
    ).toBeGreaterThan(0)
    await deliver(t.db, loop.h, loop.clock)
    expect((await duban(t.db, loop.h, loop.clock, 'status', '台城')).out).toContain('未签收 2 项')
    // Later the same day, and the next morning before a working day has passed: nothing new.
    expect(
      (await runJobAt(t.db, loop.h, loop.clock, 'assignment-receipts', '2024-10-15', '17:00')).enqueued,
    ).toBe(0)
    const second = await runJobAt(t.db, loop.h, loop.clock, 'assignment-receipts', '2024-10-16', '10:00')
    expect(second.enqueued).toBeGreaterThan(0)
    for (const [day, time] of [
      ['2024-10-16', '11:00'],
      ['2024-10-17', '10:00'],
      ['2024-10-21', '10:00'],
    ] as const)
      expect((await runJobAt(t.db, loop.h, loop.clock, 'assignment-receipts', day, time)).enqueued).toBe(0)
    await deliver(t.db, loop.h, loop.clock)
    const privately = loop.h.emulator
      .sentMessages(users.liaison.id)
      .filter((m) => m.visibleText.startsWith('【签收催办】'))
    expect(privately).toHaveLength(1)
    expect(privately[0]!.visibleText).toContain('台城街道：以下 2 项任务交办已满 1 个工作日，尚未签收')
    // Not to the group a second time.
    expect(
      loop.h.emulator
        .sentMessages(groups.taicheng.id)
        .filter((m) => m.visibleText.startsWith('【签收催办】')),
    ).toEqual([])
    const kinds = (await t.db.select().from(assignmentEvents).orderBy(asc(assignmentEvents.id)))
      .filter((e) => e.unitId === loop.f.units.taicheng)
      .map((e) => e.kind)
    expect(kinds).toEqual(['noticed', 'noticed', 'second_notice', 'second_notice'])
  })

  it('refuses a 30 MB file with the limit named, and keeps nothing', async () => {
    const sent = loop.h.emulator.sendFile(users.liaison, dm(users.liaison), {
      kind: 'document',
      data: Buffer.alloc(30 * 1024 * 1024, 1),
      fileName: '全部照片.zip',
      caption: '二（一）1 已完成',
    })
    const answer = await answerTo(users.liaison.id, sent.message_id)
    expect(answer.visibleText).toBe(
      '文件超过 20 MB（Telegram 机器人可下载文件的上限），未保存。请压缩或拆分后重新发送。',
    )
    await nothingKept()
  })

  it("refuses a file from someone not of the prompt's unit", async () => {
    const { messageId } = await sendPrompt(loop.h, t.db, groups.taicheng.id, loop.f.units.taicheng, [
      loop.f.tasks.publicity,
    ])
    const sent = loop.h.emulator.sendFile(users.doushanLiaison, groups.taicheng, {
      kind: 'document',
      data: PDF,
      fileName: 'a.pdf',
      caption: '已完成',
      replyTo: messageId,
    })
    expect((await answerTo(groups.taicheng.id, sent.message_id)).visibleText).toBe(
      '只有台城街道的联络员可以为其提交材料，材料未保存。',
    )
    const stranger = loop.h.emulator.sendFile(users.stranger, dm(users.stranger), {
      kind: 'photo',
      data: PDF,
      caption: '二（一）1 已完成',
    })
    expect((await answerTo(users.stranger.id, stranger.message_id)).visibleText).toContain(
      '请向市司法局管理员索取邀请链接',
    )
    await nothingKept()
  })

  it("refuses a caption naming another unit's task", async () => {
    const sent = loop.h.emulator.sendFile(users.liaison, dm(users.liaison), {
      kind: 'document',
      data: PDF,
      fileName: 'b.pdf',
      caption: '三（二）1 已完成 培训签到表',
    })
    expect((await answerTo(users.liaison.id, sent.message_id)).visibleText).toBe(
      '三（二）1 不是台城街道承担的任务，材料未保存。',
    )
    await nothingKept()
  })

  it('asks which task a file without one is for, and files it under the chosen task', async () => {
    const sent = loop.h.emulator.sendFile(users.liaison, dm(users.liaison), {
      kind: 'document',
      data: PDF,
      fileName: 'c.pdf',
    })
    const question = await answerTo(users.liaison.id, sent.message_id)
    expect(question.visibleText).toBe('这份材料属于台城街道的哪项任务？请选择：')
    const rows = (question.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] })
      .inline_keyboard
    const choice = rows.flat().find((b) => b.text.includes('二（一）1'))!
    loop.h.emulator.pressButton(users.liaison, users.liaison.id, question.message_id, choice.callback_data)
    await loop.h.emulator.waitFor(() =>
      loop.h.emulator.callbackAnswers().find((a) => a.text === '已归入：二（一）1'),
    )
    const [row] = await t.db.select().from(evidence)
    expect([row!.taskId, row!.status]).toEqual([loop.f.tasks.publicity, 'stored'])
  })

  it('retries a failed download; when it never arrives the liaison is told and the report stands', async () => {
    const first = loop.h.emulator.sendFile(users.liaison, dm(users.liaison), {
      kind: 'document',
      data: PDF,
      fileName: 'once.pdf',
      caption: '二（一）1 进行中 50%',
    })
    loop.h.emulator.failDownloads(
      (first.message as unknown as { document: { file_id: string } }).document.file_id,
      1,
    )
    expect((await answerTo(users.liaison.id, first.message_id)).visibleText).toContain(
      '已收到佐证材料：台城街道 · 二（一）1 · once.pdf',
    )

    const never = loop.h.emulator.sendFile(users.liaison, dm(users.liaison), {
      kind: 'document',
      data: PDF,
      fileName: 'never.pdf',
      caption: '二（一）1 进行中 60%',
    })
    loop.h.emulator.failDownloads(
      (never.message as unknown as { document: { file_id: string } }).document.file_id,
      99,
    )
    const answer = await answerTo(users.liaison.id, never.message_id)
    expect(answer.visibleText).toContain('已记录：台城街道 · 全面推行行政执法公示制度 → 进行中 60%')
    expect(answer.visibleText).toContain('佐证材料“never.pdf”未能下载（已尝试 3 次），请重新发送该文件。')
    const files = await t.db.select().from(evidence).orderBy(asc(evidence.id))
    expect(files.map((e) => [e.fileName, e.status, e.attempts])).toEqual([
      ['once.pdf', 'stored', 1],
      ['never.pdf', 'failed', 3],
    ])
    const reports = await t.db
      .select()
      .from(statusReports)
      .where(eq(statusReports.taskId, loop.f.tasks.publicity))
    expect(reports.map((r) => r.progress)).toEqual([50, 60])
  })
})
