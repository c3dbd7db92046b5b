/**
 * Property test: thousands of random updates (text, unicode, HTML, huge, empty, edited, button
 * presses with real and forged data, unknown chats, strangers with borrowed usernames) go through
 * the emulator to the polling bot. Afterwards: the bot still answers, Telegram (the emulator)
 * rejected none of its requests, and nobody's data changed except status reports and notes that
 * valid replies by authorized people produced.
 *
 * The generator is seeded (FUZZ_SEED to replay a failure; FUZZ_UPDATES to change the count).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { asc } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import {
  assignments,
  chatBindCodes,
  chats,
  invites,
  notes,
  officers,
  people,
  statusReports,
  tasks,
  trainingRecords,
  units,
} from '../../src/db/schema.ts'
import { encodeStatusButton } from '../../src/telegram/callback-data.ts'
import type { EmulatorChat, EmulatorUser, SentMessage } from '../../src/sandbox/emulator/index.ts'
import { groups, seed, sendPrompt, startHarness, users, type Fixture, type Harness } from './harness.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20241015)
const COUNT = Number(process.env.FUZZ_UPDATES ?? 2500)

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describeDb('fuzzing the bot with random updates', (t) => {
  let h: Harness
  let f: Fixture

  beforeAll(async () => {
    h = await startHarness(t.db)
    f = await seed(t.db)
    for (const [u, code] of [
      [users.liaison, f.invites.liaison],
      [users.supervisor, f.invites.supervisor],
      [users.doushanLiaison, f.invites.doushanLiaison],
    ] as const)
      await h.say(u, { id: u.id, type: 'private' }, `/start ${code}`)
  })
  afterAll(async () => {
    await h.stop()
  })

  const snapshot = async () => ({
    people: await t.db.select().from(people).orderBy(asc(people.id)),
    units: await t.db.select().from(units).orderBy(asc(units.id)),
    tasks: await t.db.select().from(tasks).orderBy(asc(tasks.id)),
    assignments: await t.db
      .select()
      .from(assignments)
      .orderBy(asc(assignments.taskId), asc(assignments.unitId)),
    invites: await t.db.select().from(invites).orderBy(asc(invites.code)),
    chats: await t.db.select().from(chats).orderBy(asc(chats.id)),
    chatBindCodes: await t.db.select().from(chatBindCodes).orderBy(asc(chatBindCodes.code)),
    officers: await t.db.select().from(officers).orderBy(asc(officers.id)),
  })

  it(`survives ${COUNT} random updates (seed ${SEED}) without a crash, a rejected request or a wrong write`, async () => {
    const rnd = prng(SEED)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
    const single = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
    const multi = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [
      f.tasks.fines,
      f.tasks.publicity,
    ])
    const doushanGroup = { id: -1_001_000_000_003, type: 'supergroup' as const, title: '斗山镇群' }
    await t.db
      .insert(chats)
      .values({ telegramChatId: doushanGroup.id, purpose: 'unit', unitId: f.units.doushan })
    h.emulator.addChats(doushanGroup)
    const doushanPrompt = await sendPrompt(h, t.db, doushanGroup.id, f.units.doushan, [
      f.tasks.fines,
      f.tasks.training,
    ])
    const before = await snapshot()
    const trainingBefore = (await t.db.select().from(trainingRecords)).length
    const callsBefore = h.emulator.calls().length

    const strangers: EmulatorUser[] = Array.from({ length: 6 }, (_, i) => ({
      id: 6_000_000 + i,
      first_name: pick(['Eve', '李明', '<b>x</b>', '&amp;', '']),
      username: pick([users.liaison.username, users.supervisor.username, `u${i}`]),
    }))
    const people = [users.liaison, users.supervisor, users.doushanLiaison, users.admin, ...strangers]
    const unknownGroup = (i: number): EmulatorChat => ({
      id: -1_002_000_000_000 - i,
      type: 'supergroup',
      title: `<i>g${i}</i>&`,
    })
    const fragments = [
      '已完成',
      '完成了',
      'done',
      '进行中 60%',
      '进行中',
      'in progress 60',
      '推进中，已完成自查',
      '有困难：缺少执法记录仪',
      'blocked: no budget',
      '未开始',
      '1 已完成；2 进行中 60%',
      '3 已完成',
      '1 已完成；1 未开始',
      '0 已完成',
      '150%',
      '<b>bold</b>',
      '<a href="javascript:alert(1)">x</a>',
      '& &amp; &lt; < > "',
      '</code></pre>',
      '\u0000\u0007\u001b[31m',
      '\ud800',
      '👍🏽👨‍👩‍👧',
      '𠮷野家',
      'ـــ العربية',
      ' ',
      '',
      '/status',
      '/status 台城',
      '/status 斗山',
      '/status <b>',
      '/tasks',
      '/report',
      '/deadlines',
      '/overdue',
      '/help',
      '/hours',
      '/hours 张三 abc',
      '/hours 张三 99',
      '/hours 不存在 4',
      '/start',
      '/start badcode',
      `/start ${f.invites.admin}x`,
      '/bind',
      '/bind ZZZZZZZZZZZZZZZZ',
      '/bindcode',
      '/bindcode 火星',
      '/unknown',
      '/status@other_bot 台城',
      '@duban_sandbox_bot 你好',
      'x'.repeat(4096),
      '长'.repeat(5000),
      '<'.repeat(3000),
    ]
    const text = () => {
      const n = 1 + Math.floor(rnd() * 3)
      return Array.from({ length: n }, () => pick(fragments)).join(pick([' ', '', '\n', '；']))
    }
    const promptTargets: { chat: EmulatorChat; messageId: number; promptId: number }[] = [
      { chat: groups.taicheng, ...single },
      { chat: groups.taicheng, ...multi },
      { chat: doushanGroup, ...doushanPrompt },
    ]
    const chatsFor = (u: EmulatorUser, i: number): EmulatorChat =>
      pick([
        { id: u.id, type: 'private' as const },
        groups.taicheng,
        groups.supervisors,
        doushanGroup,
        unknownGroup(i % 4),
      ])
    const sentByUsers: { chatId: number; messageId: number }[] = []

    for (let i = 0; i < COUNT; i++) {
      const u = pick(people)
      const r = rnd()
      try {
        if (r < 0.45) {
          // A message, sometimes replying to a prompt, to another bot message or to a person's message.
          const target = rnd() < 0.5 ? pick(promptTargets) : null
          const chat = target?.chat ?? chatsFor(u, i)
          const bot = h.emulator.sentMessages(chat.id)
          const replyTo =
            target?.messageId ??
            (rnd() < 0.3 && bot.length ? pick(bot).message_id : undefined) ??
            (rnd() < 0.2 ? sentByUsers.find((m) => m.chatId === chat.id)?.messageId : undefined)
          const sent = h.emulator.sendText(u, chat, text(), replyTo !== undefined ? { replyTo } : {})
          sentByUsers.push({ chatId: sent.chat_id, messageId: sent.message_id })
        } else if (r < 0.55 && sentByUsers.length) {
          const m = pick(sentByUsers)
          h.emulator.editText(m.chatId, m.messageId, text())
        } else if (r < 0.75) {
          // A press on a real button of a real bot message (any presser).
          const withButtons = h.emulator
            .sentMessages()
            .filter(
              (m: SentMessage) =>
                (m.reply_markup as { inline_keyboard?: unknown[] } | undefined)?.inline_keyboard,
            )
          if (withButtons.length) {
            const m = pick(withButtons)
            const rows = (m.reply_markup as { inline_keyboard: { callback_data: string }[][] })
              .inline_keyboard
            const b = pick(pick(rows))
            h.emulator.pressButton(u, m.chat_id, m.message_id, b.callback_data)
          }
        } else if (r < 0.9) {
          // A forged callback: real or made-up message, real-looking or garbage data.
          const target = pick(promptTargets)
          const data = pick([
            encodeStatusButton({
              promptId: target.promptId + Math.floor(rnd() * 3) - 1,
              item: Math.floor(rnd() * 4),
              action: { kind: 'done' },
            }),
            `s:${target.promptId}:1:i${Math.floor(rnd() * 300)}`,
            's:99999999999:1:d',
            'garbage',
            '',
            '<b>',
            'x'.repeat(64),
          ])
          h.emulator.pushUpdate({
            callback_query: {
              id: `fz${i}`,
              from: {
                id: u.id,
                is_bot: false,
                first_name: u.first_name,
                ...(u.username ? { username: u.username } : {}),
              },
              ...(rnd() < 0.9
                ? {
                    message: {
                      message_id: target.messageId,
                      date: 0,
                      chat: { id: target.chat.id, type: target.chat.type ?? 'supergroup' },
                    },
                  }
                : {}),
              chat_instance: '1',
              data,
            },
          })
        } else {
          // Odd shapes: no sender, channel posts, membership changes in unknown groups.
          const g = unknownGroup(i % 4)
          h.emulator.addChats(g)
          h.emulator.pushUpdate(
            pick([
              {
                message: {
                  message_id: 1_000_000 + i,
                  date: 0,
                  chat: { id: g.id, type: 'supergroup', title: g.title },
                  text: text(),
                },
              },
              {
                channel_post: {
                  message_id: i,
                  date: 0,
                  chat: { id: -1_003_000_000_000, type: 'channel', title: 'c' },
                  text: text(),
                },
              },
              {
                my_chat_member: {
                  chat: { id: g.id, type: 'supergroup', title: g.title },
                  from: { id: u.id, is_bot: false, first_name: 'x' },
                  date: 0,
                  old_chat_member: {
                    status: 'left',
                    user: { id: h.running.bot.botInfo.id, is_bot: true, first_name: 'b' },
                  },
                  new_chat_member: {
                    status: 'member',
                    user: { id: h.running.bot.botInfo.id, is_bot: true, first_name: 'b' },
                  },
                },
              },
              {
                edited_message: {
                  message_id: 5,
                  date: 0,
                  edit_date: 1,
                  chat: { id: users.liaison.id, type: 'private' },
                  text: text(),
                },
              },
            ]),
          )
        }
      } catch (err) {
        // The emulator refused to play something impossible (e.g. a reply to a message it never saw).
        if (!(err instanceof Error && err.message.startsWith('emulator:'))) throw err
      }
      if (i % 200 === 199) await h.settle()
    }
    await h.settle()

    // Still alive and answering.
    const before2 = h.emulator.sentMessages(users.supervisor.id).length
    h.emulator.sendText(users.supervisor, { id: users.supervisor.id, type: 'private' }, '/help')
    const alive = await h.emulator.waitFor((sent) =>
      sent
        .filter((m) => m.chat_id === users.supervisor.id)
        .slice(before2)
        .find((m) => m.visibleText.includes('/bindcode')),
    )
    expect(alive.visibleText).toContain('督办人员')
    await h.settle()

    // Telegram rejected nothing the bot sent (unescaped HTML, over-long text, bad markup, bad callback answers).
    const rejected = h.emulator
      .calls()
      .slice(callsBefore)
      .filter((c) => c.code !== null && c.code >= 400 && c.method !== 'getUpdates')
    expect(rejected.map((c) => `${c.method} ${c.code} ${c.description}`)).toEqual([])

    // Nobody's data changed, except reports and notes from valid replies by authorized people.
    expect(await snapshot()).toEqual(before)
    const allowed = new Map([
      [f.people.liaison.id, [f.units.taicheng]],
      [f.people.doushanLiaison.id, [f.units.doushan]],
      [f.people.supervisor.id, [f.units.taicheng, f.units.doushan]],
    ])
    const reports = await t.db.select().from(statusReports)
    expect(reports.length).toBeGreaterThan(0)
    for (const r of reports) {
      expect(allowed.get(r.personId!) ?? []).toContain(r.unitId)
      expect(r.promptId).not.toBeNull()
      expect(['telegram', 'button']).toContain(r.source)
    }
    for (const n of await t.db.select().from(notes))
      expect(allowed.get(n.personId!) ?? []).toContain(n.unitId)
    // Training entries only by people of the officer's unit (a random `/hours 张三 4` is a valid one).
    const officerUnit = new Map(before.officers.map((o) => [o.id, o.unitId]))
    for (const r of (await t.db.select().from(trainingRecords)).slice(trainingBefore))
      expect(allowed.get(r.personId!) ?? []).toContain(officerUnit.get(r.officerId))
  }, 240_000)
})
