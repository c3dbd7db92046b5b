/**
 * End to end over HTTP: the real bot polls the Bot API emulator; people register, reply to
 * prompts, press buttons and ask for status; the assertions read what reached the chats and the
 * database.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { chats, notes, people, statusReports, trainingRecords } from '../../src/db/schema.ts'
import { decodeStatusButton } from '../../src/telegram/callback-data.ts'
import type { EmulatorUser, SentMessage } from '../../src/sandbox/emulator/index.ts'
import {
  type Fixture,
  groups,
  type Harness,
  rejectedCalls,
  sendPrompt,
  users,
  useSeededBot,
} from './harness.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })

/** The callback data of the button labelled `label` on a bot message. */
function button(m: SentMessage, label: string | RegExp): string {
  const rows =
    (m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] }).inline_keyboard ??
    []
  for (const row of rows)
    for (const b of row)
      if (typeof label === 'string' ? b.text === label : label.test(b.text)) return b.callback_data
  throw new Error(`no button ${String(label)} on message ${m.message_id}: ${JSON.stringify(rows)}`)
}

describeDb('the bot, end to end', (t) => {
  let h: Harness
  let f: Fixture

  useSeededBot(t, { use: (started, fixture) => ((h = started), (f = fixture)) })

  const register = async (u: EmulatorUser, code: string) => h.say(u, dm(u), `/start ${code}`)
  const reports = () => t.db.select().from(statusReports).orderBy(asc(statusReports.id))

  describe('registration', () => {
    it('binds an invited liaison by numeric user id, once', async () => {
      const answer = await register(users.liaison, f.invites.liaison)
      expect(answer.visibleText).toContain('绑定成功：李明（联络员 · 台城街道）')
      expect(answer.visibleText).toContain('/tasks')
      const [row] = await t.db.select().from(people).where(eq(people.id, f.people.liaison.id))
      expect(row!.telegramUserId).toBe(users.liaison.id)

      const again = await register(users.liaison, f.invites.liaison)
      expect(again.visibleText).toContain('您已绑定为 李明')
    })

    it('refuses a used code to someone else and changes nothing', async () => {
      await register(users.liaison, f.invites.liaison)
      const answer = await register(users.stranger, f.invites.liaison)
      expect(answer.visibleText).toBe('该邀请码已被使用。如需重新绑定，请联系市司法局管理员。')
      const [row] = await t.db.select().from(people).where(eq(people.id, f.people.liaison.id))
      expect(row!.telegramUserId).toBe(users.liaison.id)
    })

    it('refuses an expired code and an unknown code', async () => {
      expect((await register(users.liaison, f.invites.expired)).visibleText).toContain('该邀请码已过期')
      expect((await register(users.liaison, 'NoSuchCode123456')).visibleText).toContain('邀请码无效')
      const [row] = await t.db.select().from(people).where(eq(people.id, f.people.liaison.id))
      expect(row!.telegramUserId).toBeNull()
    })

    it('tells a stranger how to get an invite, whatever they send', async () => {
      for (const text of ['/start', 'hello', '/status 台城', '/report']) {
        const answer = await h.say(users.stranger, dm(users.stranger), text)
        expect(answer.visibleText).toContain('请向市司法局管理员索取邀请链接')
      }
      expect(await reports()).toEqual([])
    })

    it('answers in English to an English client until the person has a locale', async () => {
      const answer = await h.say({ ...users.stranger, language_code: 'en' }, dm(users.stranger), '/help')
      expect(answer.visibleText).toContain('ask the bureau’s administrator for an invite link')
    })
  })

  describe('status replies', () => {
    beforeEach(async () => {
      await register(users.liaison, f.invites.liaison)
      await register(users.supervisor, f.invites.supervisor)
      await register(users.doushanLiaison, f.invites.doushanLiaison)
    })

    it('records 进行中 60% replied to a prompt in the unit group, and /status 台城 shows it', async () => {
      const { promptId, messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [
        f.tasks.fines,
      ])
      const reply = h.emulator.sendText(users.liaison, groups.taicheng, '进行中 60%', { replyTo: messageId })
      const confirm = await h.emulator.waitFor((sent) =>
        sent.find((m) => m.chat_id === groups.taicheng.id && m.reply_to_message_id === reply.message_id),
      )
      expect(confirm.visibleText).toBe('已记录：台城街道 · 开展涉企乱罚款专项整治 → 进行中 60%')

      const rows = await reports()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        taskId: f.tasks.fines,
        unitId: f.units.taicheng,
        state: 'in_progress',
        progress: 60,
        personId: f.people.liaison.id,
        promptId,
        source: 'telegram',
        telegramChatId: groups.taicheng.id,
        telegramMessageId: reply.message_id,
        rawText: '进行中 60%',
      })

      const card = await h.say(users.supervisor, dm(users.supervisor), '/status 台城')
      expect(card.visibleText).toContain('台城街道 · 联络员 李明（已绑定）')
      expect(card.visibleText).toMatch(/二（五）2 开展涉企乱罚款专项整治：进行中 60%/)
      expect(rejectedCalls(h)).toEqual([])
    })

    it('refuses a liaison asking about another unit, and shows their own', async () => {
      const refused = await h.say(users.liaison, dm(users.liaison), '/status 斗山')
      expect(refused.visibleText).toBe('您只能查看和报告本单位（台城街道）的情况。')
      const own = await h.say(users.liaison, dm(users.liaison), '/status')
      expect(own.visibleText).toContain('台城街道 · 联络员 李明')
    })

    it('gives a supervisor the overview, and suggestions instead of guesses', async () => {
      const overview = await h.say(users.supervisor, dm(users.supervisor), '/status')
      expect(overview.visibleText).toContain('台城街道')
      expect(overview.visibleText).toContain('斗山镇')
      const unknown = await h.say(users.supervisor, dm(users.supervisor), '/status 斗门')
      expect(unknown.visibleText).toMatch(/^未找到单位“斗门”/)
      expect(unknown.visibleText).toContain('斗山镇')
      const ambiguous = await h.say(users.supervisor, dm(users.supervisor), '/status 镇')
      expect(ambiguous.visibleText).toMatch(/^“镇”可能指：/)
    })

    it('asks back for numbers on a multi-task prompt, keeps the text, and records numbered items', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [
        f.tasks.fines,
        f.tasks.publicity,
      ])
      const question = await h.say(users.liaison, groups.taicheng, '已完成', { replyTo: messageId })
      expect(question.visibleText).toContain('本提示涉及 2 项任务，请注明序号')
      expect(await reports()).toEqual([])
      expect((await t.db.select().from(notes)).map((n) => n.text)).toEqual(['已完成'])

      const confirm = await h.say(users.liaison, groups.taicheng, '1 已完成；2 有困难：缺少执法记录仪', {
        replyTo: messageId,
      })
      expect(confirm.visibleText).toBe(
        '已记录：台城街道 · 开展涉企乱罚款专项整治 → 已完成\n已记录：台城街道 · 全面推行行政执法公示制度 → 有困难：缺少执法记录仪\n已提交督办人员审核（待审核）。',
      )
      expect((await reports()).map((r) => [r.taskId, r.state, r.note])).toEqual([
        [f.tasks.fines, 'done', null],
        [f.tasks.publicity, 'blocked', '缺少执法记录仪'],
      ])
    })

    it('keeps a reply it does not understand as a note and answers with the accepted forms', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const answer = await h.say(users.liaison, groups.taicheng, '下周再说吧', { replyTo: messageId })
      expect(answer.visibleText).toContain('未能识别您的回复，已作为备注保存')
      expect(answer.visibleText).toContain('已完成 / 进行中 60% / 有困难：原因 / 未开始')
      expect(await reports()).toEqual([])
      const [note] = await t.db.select().from(notes)
      expect(note).toMatchObject({
        text: '下周再说吧',
        unitId: f.units.taicheng,
        personId: f.people.liaison.id,
      })
    })

    it('records an edited reply as a new report that supersedes the first', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const reply = h.emulator.sendText(users.liaison, groups.taicheng, '进行中 60%', { replyTo: messageId })
      await h.waitForCount(groups.taicheng.id, 2)
      h.emulator.editText(groups.taicheng.id, reply.message_id, '进行中 80%，已完成自查')
      const [, , update] = await h.waitForCount(groups.taicheng.id, 3)
      expect(update!.visibleText).toBe('已更新：台城街道 · 开展涉企乱罚款专项整治 → 进行中 80%')
      const rows = await reports()
      expect(rows.map((r) => [r.state, r.progress, r.supersedesId])).toEqual([
        ['in_progress', 60, null],
        ['in_progress', 80, rows[0]!.id],
      ])
    })

    it('refuses replies from people who may not report for the unit, whatever their username', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      // Same username as the liaison, different numeric id.
      const spoof = { id: 5_000_777, first_name: '李明', username: users.liaison.username }
      const a = await h.say(spoof, groups.taicheng, '已完成', { replyTo: messageId })
      expect(a.visibleText).toBe('您尚未绑定账号。请向市司法局管理员索取邀请链接。')
      const b = await h.say(users.doushanLiaison, groups.taicheng, '已完成', { replyTo: messageId })
      expect(b.visibleText).toBe('只有台城街道的联络员或督办人员可以报告该单位的进展。')
      expect(await reports()).toEqual([])
      // A supervisor may answer for the unit.
      await h.say(users.supervisor, groups.taicheng, '已完成', { replyTo: messageId })
      expect((await reports()).map((r) => [r.state, r.personId])).toEqual([['done', f.people.supervisor.id]])
    })

    it('says a reply to a non-prompt bot message is not a prompt, and ignores group chatter', async () => {
      const help = await h.say(users.liaison, groups.taicheng, '/help')
      const answer = await h.say(users.liaison, groups.taicheng, '已完成', { replyTo: help.message_id })
      expect(answer.visibleText).toContain('这条消息不是进展提示')
      const before = h.emulator.sentMessages(groups.taicheng.id).length
      const chatter = h.emulator.sendText(users.supervisor, groups.taicheng, '大家好，明天开会')
      h.emulator.sendText(users.liaison, groups.taicheng, '已完成', { replyTo: chatter.message_id })
      h.emulator.sendText(users.liaison, groups.taicheng, '收到')
      await h.settle()
      expect(h.emulator.sentMessages(groups.taicheng.id)).toHaveLength(before)
      expect(await reports()).toEqual([])
    })
  })

  describe('buttons', () => {
    beforeEach(async () => {
      await register(users.liaison, f.invites.liaison)
      await register(users.doushanLiaison, f.invites.doushanLiaison)
    })

    it('re-authorizes every press: the wrong person is refused, the right one recorded once', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const prompt = h.emulator.sentMessages(groups.taicheng.id).find((m) => m.message_id === messageId)!
      const done = button(prompt, '✅ 已完成')
      expect(decodeStatusButton(done)).toMatchObject({ item: 1, action: { kind: 'done' } })
      expect(Buffer.byteLength(done)).toBeLessThanOrEqual(64)

      h.emulator.pressButton(users.doushanLiaison, groups.taicheng.id, messageId, done)
      h.emulator.pressButton(users.stranger, groups.taicheng.id, messageId, done)
      await h.settle()
      expect(h.emulator.callbackAnswers().map((a) => a.text)).toEqual([
        '只有台城街道的联络员或督办人员可以操作。',
        '您尚未绑定账号，无法操作。',
      ])
      expect(await reports()).toEqual([])

      h.emulator.pressButton(users.liaison, groups.taicheng.id, messageId, done)
      const confirm = await h.emulator.waitFor((s) => s.find((m) => m.visibleText.startsWith('已记录')))
      expect(confirm.visibleText).toBe(
        '已记录：台城街道 · 开展涉企乱罚款专项整治 → 已完成\n已提交督办人员审核（待审核）。',
      )
      h.emulator.pressButton(users.liaison, groups.taicheng.id, messageId, done)
      await h.settle()
      expect(h.emulator.callbackAnswers().at(-1)?.text).toBe('当前已是该状态，无需重复记录。')
      expect((await reports()).map((r) => [r.state, r.source, r.personId])).toEqual([
        ['done', 'button', f.people.liaison.id],
      ])
    })

    it('refuses forged callback data that points at another prompt', async () => {
      const a = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const forged = `s:${a.promptId + 1}:1:d`
      h.emulator.pushUpdate({
        callback_query: {
          id: 'forged-1',
          from: { id: users.liaison.id, is_bot: false, first_name: '李明' },
          message: { message_id: a.messageId, date: 0, chat: { id: groups.taicheng.id, type: 'supergroup' } },
          chat_instance: '1',
          data: forged,
        },
      })
      await h.settle()
      expect(h.emulator.callbackAnswers().at(-1)?.text).toBe('该提示已失效，请发送 /report 重新报告。')
      expect(await reports()).toEqual([])
    })

    it('/report: choose a task, then in progress, then 80%', async () => {
      const chooser = await h.say(users.liaison, dm(users.liaison), '/report')
      expect(chooser.visibleText).toBe('台城街道：请选择要报告的任务')
      h.emulator.pressButton(users.liaison, users.liaison.id, chooser.message_id, button(chooser, /^1\. /))
      let msg = await h.emulator.waitFor((s) =>
        s.find((m) => m.message_id === chooser.message_id && m.visibleText.includes('请选择当前状态')),
      )
      h.emulator.pressButton(users.liaison, users.liaison.id, chooser.message_id, button(msg, '🔄 进行中'))
      msg = await h.emulator.waitFor((s) =>
        s.find((m) => m.message_id === chooser.message_id && m.visibleText.includes('请选择完成进度')),
      )
      h.emulator.pressButton(users.liaison, users.liaison.id, chooser.message_id, button(msg, '80%'))
      msg = await h.emulator.waitFor((s) =>
        s.find((m) => m.message_id === chooser.message_id && m.visibleText.startsWith('已记录')),
      )
      expect(msg.visibleText).toBe('已记录：台城街道 · 开展涉企乱罚款专项整治 → 进行中 80%')
      expect((await reports()).map((r) => [r.taskId, r.state, r.progress, r.source])).toEqual([
        [f.tasks.fines, 'in_progress', 80, 'button'],
      ])
    })

    it('blocked asks for the reason with force_reply, and the reply records it', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const prompt = h.emulator.sentMessages(groups.taicheng.id).find((m) => m.message_id === messageId)!
      h.emulator.pressButton(users.liaison, groups.taicheng.id, messageId, button(prompt, '⚠️ 有困难'))
      const ask = await h.emulator.waitFor((s) =>
        s.find((m) => m.visibleText.includes('请回复本消息，说明遇到的困难')),
      )
      expect(ask.reply_markup).toMatchObject({ force_reply: true })
      const done = await h.say(users.liaison, groups.taicheng, '缺少执法记录仪', { replyTo: ask.message_id })
      expect(done.visibleText).toBe('已记录：台城街道 · 开展涉企乱罚款专项整治 → 有困难：缺少执法记录仪')
      expect((await reports()).map((r) => [r.state, r.note])).toEqual([['blocked', '缺少执法记录仪']])
    })

    it('a button on a multi-task prompt asks which task first', async () => {
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [
        f.tasks.fines,
        f.tasks.publicity,
      ])
      const prompt = h.emulator.sentMessages(groups.taicheng.id).find((m) => m.message_id === messageId)!
      h.emulator.pressButton(users.liaison, groups.taicheng.id, messageId, button(prompt, '✅ 已完成'))
      const which = await h.emulator.waitFor((s) =>
        s.find((m) => m.visibleText.includes('请选择要报告的任务')),
      )
      h.emulator.pressButton(users.liaison, groups.taicheng.id, which.message_id, button(which, /^2\. /))
      await h.emulator.waitFor((s) => s.find((m) => m.visibleText.startsWith('已记录')))
      expect((await reports()).map((r) => [r.taskId, r.state])).toEqual([[f.tasks.publicity, 'done']])
    })
  })

  describe('commands', () => {
    beforeEach(async () => {
      await register(users.liaison, f.invites.liaison)
      await register(users.supervisor, f.invites.supervisor)
    })

    it('/tasks lists open tasks as a numbered prompt that takes a numbered reply', async () => {
      const list = await h.say(users.liaison, dm(users.liaison), '/tasks')
      expect(list.visibleText).toContain('台城街道 · 未完成任务 2 项')
      expect(list.visibleText).toContain('1. 开展涉企乱罚款专项整治（二（五）2）')
      expect(list.visibleText).toContain('截止：今年10月中旬前（按10月20日计）')
      expect(list.reply_markup).toMatchObject({ force_reply: true })
      const confirm = await h.say(users.liaison, dm(users.liaison), '1 已完成；2 进行中 40%', {
        replyTo: list.message_id,
      })
      // Two items and the 待审核 line (二（五）2 has a deadline, so 已完成 goes to review).
      expect(confirm.visibleText.split('\n')).toHaveLength(3)
      expect((await reports()).map((r) => [r.taskId, r.state, r.progress])).toEqual([
        [f.tasks.fines, 'done', null],
        [f.tasks.publicity, 'in_progress', 40],
      ])
    })

    it('/hours logs an officer entry and /hours alone shows the unit', async () => {
      const logged = await h.say(users.liaison, dm(users.liaison), '/hours 张三 4 2024-10-12 行政执法培训')
      expect(logged.visibleText).toBe('已记录：张三 4 学时（2024-10-12）。今年累计 34 学时。')
      const rows = await t.db.select().from(trainingRecords).where(eq(trainingRecords.source, 'telegram'))
      expect(rows.map((r) => [r.hours, r.takenOn, r.course])).toEqual([[4, '2024-10-12', '行政执法培训']])
      const future = await h.say(users.liaison, dm(users.liaison), '/hours 张三 4 2024-12-01')
      expect(future.visibleText).toContain('不晚于今天')
      const unknown = await h.say(users.liaison, dm(users.liaison), '/hours 王五 4')
      expect(unknown.visibleText).toContain('王五')
      const summary = await h.say(users.liaison, dm(users.liaison), '/hours')
      expect(summary.visibleText).toContain('台城街道 · 执法人员培训')
      expect(summary.visibleText).toContain('张三：34 学时')
    })

    it('/deadlines and /overdue for a liaison and for a supervisor', async () => {
      const mine = await h.say(users.liaison, dm(users.liaison), '/deadlines')
      expect(mine.visibleText).toContain('开展涉企乱罚款专项整治')
      expect(mine.visibleText).not.toContain('全面推行行政执法公示制度') // due 30 Nov, outside 30 days
      const all = await h.say(users.supervisor, dm(users.supervisor), '/deadlines')
      expect(all.visibleText).toContain('未完成 2 个单位：台城街道、斗山镇')
      const overdue = await h.say(users.supervisor, dm(users.supervisor), '/overdue')
      expect(overdue.visibleText).toContain('组织执法人员培训')
      expect(overdue.visibleText).toMatch(/斗山镇 · 组织执法人员培训（三（二）1）逾期 5 天/)
      const none = await h.say(users.liaison, dm(users.liaison), '/overdue')
      expect(none.visibleText).toBe('目前没有逾期事项。')
    })

    it('/help differs by role', async () => {
      expect((await h.say(users.liaison, dm(users.liaison), '/help')).visibleText).toContain(
        '联络员（台城街道）',
      )
      expect((await h.say(users.supervisor, dm(users.supervisor), '/help')).visibleText).toContain('督办人员')
    })

    it('publishes the command menus per scope in both languages', () => {
      const menus = h.emulator.commands()
      expect(Object.keys(menus)).toEqual(
        expect.arrayContaining([
          'all_private_chats',
          'all_private_chats@en',
          'all_group_chats',
          'all_group_chats@en',
        ]),
      )
    })
  })

  describe('groups', () => {
    beforeEach(async () => {
      await register(users.supervisor, f.invites.supervisor)
      await register(users.liaison, f.invites.liaison)
    })

    it('says once that an unknown group is not bound, then stays silent', async () => {
      const first = await h.say(users.liaison, groups.unknown, '/status')
      expect(first.visibleText).toContain('本群尚未绑定单位')
      h.emulator.sendText(users.liaison, groups.unknown, '/tasks')
      h.emulator.sendText(users.liaison, groups.unknown, '@duban_sandbox_bot 你好')
      await h.settle()
      expect(h.emulator.sentMessages(groups.unknown.id)).toHaveLength(1)
    })

    it('binds a group with a code from /bindcode, and only for supervisors', async () => {
      const code = await h.say(users.supervisor, dm(users.supervisor), '/bindcode 大江')
      const value = /\/bind (\S+)/.exec(code.visibleText)![1]!
      const group = { id: -1_001_000_000_055, type: 'supergroup' as const, title: '大江镇群' }
      const refused = await h.say(users.liaison, group, `/bind ${value}`)
      expect(refused.visibleText).toBe('只有管理员或督办人员可以绑定群组。')
      const bound = await h.say(users.supervisor, group, `/bind ${value}`)
      expect(bound.visibleText).toContain('本群已绑定：大江镇')
      const [row] = await t.db.select().from(chats).where(eq(chats.telegramChatId, group.id))
      expect(row).toMatchObject({ purpose: 'unit', unitId: f.units.dajiang })
      const reused = await h.say(users.supervisor, { ...group, id: -1_001_000_000_056 }, `/bind ${value}`)
      expect(reused.visibleText).toBe('该绑定码已被使用，请重新获取。')
    })

    it('keeps the binding when a group becomes a supergroup', async () => {
      const old = { id: -4_000_123, type: 'group' as const, title: '台城旧群' }
      const code = await h.say(users.supervisor, dm(users.supervisor), '/bindcode 台城')
      await h.say(users.supervisor, old, `/bind ${/\/bind (\S+)/.exec(code.visibleText)![1]!}`)
      h.emulator.migrateGroup(old.id, -1_001_000_000_077)
      await h.settle()
      const rows = await t.db.select().from(chats).where(eq(chats.unitId, f.units.taicheng))
      expect(rows.map((r) => r.telegramChatId).sort()).toEqual(
        [-1_001_000_000_077, groups.taicheng.id].sort(),
      )
    })
  })
})
