/**
 * Security at the edges: the webhook's secret and once-only processing, per-user rate limiting,
 * and hostile strings (HTML, 4 KB) in unit names, task titles, person names and replies, which
 * the emulator rejects exactly where Telegram would if anything went out unescaped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import net from 'node:net'
import { asc, eq, sql } from 'drizzle-orm'
import { query } from '../../src/db/sql.ts'
import { describeDb } from '../helpers/db.ts'
import { people, processedUpdates, statusReports } from '../../src/db/schema.ts'
import { createLogger, silentLogger } from '../../src/log.ts'
import { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import { root } from '../../bin/root.ts'
import { startBot, type RunningBot } from '../../src/telegram/bot.ts'
import {
  groups,
  NOW,
  rejectedCalls,
  seed,
  sendPrompt,
  startHarness,
  testConfig,
  TOKEN,
  users,
  type Fixture,
  type Harness,
} from './harness.ts'

const SECRET = 'test_webhook-Secret_0123456789'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

describeDb('webhook mode', (t) => {
  let emulator: BotApiEmulator
  let running: RunningBot
  let f: Fixture
  let url: string
  let setWebhookParams: Record<string, unknown>

  beforeAll(async () => {
    emulator = await BotApiEmulator.start({ limits: { enforce: false }, knownChats: [groups.taicheng] })
    const port = await freePort()
    url = `http://127.0.0.1:${port}/telegram`
    running = await startBot({
      db: t.db,
      config: testConfig(emulator.apiRoot, {
        BOT_MODE: 'webhook',
        WEBHOOK_URL: url,
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
      }),
      logger: silentLogger,
      features: await root.botFeatures(),
      now: () => NOW,
      rateLimit: false,
    })
    setWebhookParams = emulator.calls('setWebhook').at(-1)?.params ?? {}
  })
  afterAll(async () => {
    await running.stop()
    await emulator.stop()
  })
  beforeEach(async () => {
    await t.reset()
    emulator.reset()
    emulator.addChats({ id: users.liaison.id, type: 'private' })
    f = await seed(t.db)
  })

  const post = (body: unknown, secret?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(body),
    })
  const startUpdate = (updateId: number, code: string) => ({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(NOW.getTime() / 1000),
      chat: { id: users.liaison.id, type: 'private', first_name: '李明' },
      from: { id: users.liaison.id, is_bot: false, first_name: '李明' },
      text: `/start ${code}`,
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  })
  const boundUserIds = async () =>
    (await t.db.select({ id: people.telegramUserId }).from(people).where(eq(people.name, '李明'))).map(
      (r) => r.id,
    )

  it('registers the webhook with the secret and handles updates the emulator posts', async () => {
    expect(setWebhookParams).toMatchObject({ url, secret_token: SECRET })
    emulator.sendText(users.liaison, { id: users.liaison.id, type: 'private' }, `/start ${f.invites.liaison}`)
    const answer = await emulator.waitFor((s) => s.find((m) => m.chat_id === users.liaison.id))
    expect(answer.visibleText).toContain('绑定成功：李明')
  })

  it('answers 401 without the secret or with a wrong one, and changes nothing', async () => {
    const none = await post(startUpdate(910_001, f.invites.liaison))
    const wrong = await post(startUpdate(910_002, f.invites.liaison), `${SECRET}x`)
    const short = await post(startUpdate(910_003, f.invites.liaison), 'abc')
    expect([none.status, wrong.status, short.status]).toEqual([401, 401, 401])
    await new Promise((r) => setTimeout(r, 200))
    expect(await t.db.select().from(processedUpdates)).toEqual([])
    expect(emulator.sentMessages()).toEqual([])
    expect(await boundUserIds()).toEqual([null])
  })

  it('processes a repeated update_id once', async () => {
    const { messageId } = await sendPrompt(
      { running, emulator } as unknown as Harness,
      t.db,
      groups.taicheng.id,
      f.units.taicheng,
      [f.tasks.fines],
    )
    await post(startUpdate(920_000, f.invites.liaison), SECRET)
    await emulator.waitFor((s) => s.find((m) => m.chat_id === users.liaison.id))
    const reply = {
      update_id: 920_001,
      message: {
        message_id: 777,
        date: Math.floor(NOW.getTime() / 1000),
        chat: { id: groups.taicheng.id, type: 'supergroup', title: groups.taicheng.title },
        from: { id: users.liaison.id, is_bot: false, first_name: '李明' },
        text: '进行中 60%',
        reply_to_message: {
          message_id: messageId,
          date: Math.floor(NOW.getTime() / 1000),
          chat: { id: groups.taicheng.id, type: 'supergroup', title: groups.taicheng.title },
          from: { id: running.bot.botInfo.id, is_bot: true, first_name: '督办助手' },
          text: '【督办提醒】',
        },
      },
    }
    const answers = []
    for (let i = 0; i < 3; i++) answers.push((await post(reply, SECRET)).status)
    expect(answers).toEqual([200, 200, 200])
    await emulator.waitFor((s) => s.find((m) => m.visibleText.startsWith('已记录')))
    await new Promise((r) => setTimeout(r, 300))
    expect(await t.db.select().from(statusReports)).toHaveLength(1)
    expect(
      emulator.sentMessages(groups.taicheng.id).filter((m) => m.visibleText.startsWith('已记录')),
    ).toHaveLength(1)
    const ids = (await t.db.select().from(processedUpdates).orderBy(asc(processedUpdates.updateId))).map(
      (r) => r.updateId,
    )
    expect(ids).toEqual([920_000, 920_001])
  })

  it('refuses malformed bodies with the right secret, processing nothing', async () => {
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      body: '{not json',
    })
    const noId = await post({ message: {} }, SECRET)
    expect([bad.status, noId.status]).toEqual([400, 400])
    expect(await t.db.select().from(processedUpdates)).toEqual([])
  })
})

describeDb('rate limiting', (t) => {
  let h: Harness

  beforeAll(async () => {
    h = await startHarness(t.db, { rateLimit: { limit: 5, windowMs: 60_000 } })
  })
  afterAll(async () => {
    await h.stop()
  })
  beforeEach(async () => {
    await h.settle()
    await t.reset()
    h.emulator.reset()
  })

  it('answers a noisy user once with 请稍后再试 and drops the rest', async () => {
    await seed(t.db)
    const noisy = { id: 5_123_456, first_name: 'Noisy' }
    for (let i = 0; i < 12; i++) h.emulator.sendText(noisy, { id: noisy.id, type: 'private' }, `hello ${i}`)
    await h.settle()
    const texts = h.emulator.sentMessages(noisy.id).map((m) => m.visibleText)
    expect(texts.filter((x) => x === '请稍后再试。')).toHaveLength(1)
    expect(texts).toHaveLength(6)
    // Someone else is not slowed down.
    const other = await h.say(users.stranger, { id: users.stranger.id, type: 'private' }, 'hi')
    expect(other.visibleText).toContain('邀请链接')
  })
})

describeDb('hostile text', (t) => {
  let h: Harness

  beforeAll(async () => {
    h = await startHarness(t.db)
  })
  afterAll(async () => {
    await h.stop()
  })

  describe('hostile names and replies', () => {
    const evil = (label: string) => `<b>${label}</b> & <a href="https://evil.example">x</a> </code> &amp; <`
    const big = `${'<i>长</i>&'.repeat(600)}`

    it('escapes unit names, task titles, person names and replies everywhere', async () => {
      const f = await seed(t.db, {
        // Plan brackets split on 、，; and drop spaces, so the unit's name avoids those.
        taicheng: '台城街道<b>u</b>&<i>x</i>&lt<a>',
        finesTitle: `开展涉企乱罚款专项整治${evil('task')}${big}`,
        liaisonName: '李明<b>n</b>&<a href="x">',
      })
      const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })
      await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
      await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
      const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
      const confirm = await h.say(
        users.liaison,
        groups.taicheng,
        `有困难：${evil('reply')}${'&<>'.repeat(1400)}`,
        {
          replyTo: messageId,
        },
      )
      expect(confirm.visibleText).toContain(
        '已记录：台城街道<b>u</b>&<i>x</i>&lt<a> · 开展涉企乱罚款专项整治<b>task</b>',
      )
      const reason = await h.say(users.liaison, groups.taicheng, `进行中 70% ${evil('note')}`, {
        replyTo: messageId,
      })
      expect(reason.visibleText).toContain('进行中 70%')
      for (const text of [
        '/status',
        '/tasks',
        '/report',
        '/deadlines',
        '/overdue',
        '/hours',
        '/help',
        '/hours 张三 4',
      ])
        await h.say(users.liaison, dm(users.liaison), text)
      for (const text of [
        '/status',
        '/status 台城',
        '/deadlines',
        '/overdue',
        '/hours 台城',
        `/status ${evil('q')}`,
      ])
        await h.say(users.supervisor, dm(users.supervisor), text)
      const card = h.emulator
        .sentMessages(users.supervisor.id)
        .find((m) => m.visibleText.includes('联络员 李明'))!
      expect(card.visibleText).toContain('李明<b>n</b>&<a href="x">')
      const sent = h.emulator.calls('sendMessage').length + h.emulator.calls('editMessageText').length
      expect(sent).toBeGreaterThan(15)
      expect(rejectedCalls(h)).toEqual([])
      expect(await t.db.select().from(statusReports)).toHaveLength(2)
    })
  })
})

describeDb('errors and refusals', (t) => {
  let h: Harness
  const lines: Record<string, unknown>[] = []

  beforeAll(async () => {
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) })
    h = await startHarness(t.db, { logger })
  })
  afterAll(async () => {
    await h.stop()
  })
  beforeEach(async () => {
    await h.settle()
    await t.reset()
    h.emulator.reset()
    lines.length = 0
  })

  const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

  it('logs every refusal with the user id and the reason', async () => {
    const f = await seed(t.db)
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    await h.say(users.liaison, dm(users.liaison), '/status 斗山')
    await h.say(users.stranger, dm(users.stranger), '/status')
    const refusals = lines.filter((l) => l.msg === 'refused').map((l) => [l.userId, l.reason])
    expect(refusals).toEqual([
      [users.liaison.id, 'other_unit'],
      [users.stranger.id, 'stranger'],
    ])
  })

  it('caps retries on 429 (3 attempts, never a wait over 10 s), then apologizes and logs the error', async () => {
    await seed(t.db)
    h.emulator.failNext('sendMessage', { kind: 'http', code: 429, retryAfter: 0 }, 4)
    h.emulator.sendText(users.stranger, dm(users.stranger), '/help')
    const apology = await h.emulator.waitFor((s) => s.find((m) => m.chat_id === users.stranger.id))
    expect(apology.visibleText).toBe('抱歉，处理时出错，请稍后再试。')
    await h.settle()
    expect(h.emulator.calls('sendMessage').map((c) => c.code)).toEqual([429, 429, 429, 429, 200])

    // Told to wait 30 s: auto-retry does not wait that long, and the apology would only meet
    // another 429. The bot sends nothing into the pause (it holds for the outbox too) and logs.
    h.emulator.reset()
    h.emulator.failNext('sendMessage', { kind: 'http', code: 429, retryAfter: 30 }, 1)
    h.emulator.sendText(users.stranger, dm(users.stranger), '/help')
    await expect
      .poll(() => lines.filter((l) => l.msg === 'apology dropped: no rate slot in time'))
      .toHaveLength(1)
    await h.settle()
    expect(h.emulator.calls('sendMessage').map((c) => c.code)).toEqual([429])
    expect(h.emulator.sentMessages(users.stranger.id)).toEqual([])
    const errors = lines.filter((l) => l.msg === 'update failed')
    expect(errors).toHaveLength(2)
    expect(JSON.stringify(errors)).not.toContain(TOKEN)
    const [pause] = await query<{ paused: boolean }>(
      t.db,
      sql`select paused_until > now() + interval '20 seconds' as paused from rate_scopes where scope = ${`tg:${TOKEN.split(':')[0]}`}`,
    )
    expect(pause?.paused).toBe(true)
  })

  it('does not retry a request whose connection dropped (it may have arrived), and apologizes', async () => {
    await seed(t.db)
    h.emulator.failNext('sendMessage', { kind: 'drop' }, 1)
    h.emulator.sendText(users.stranger, dm(users.stranger), '/help')
    const apology = await h.emulator.waitFor((s) => s.find((m) => m.chat_id === users.stranger.id))
    expect(apology.visibleText).toBe('抱歉，处理时出错，请稍后再试。')
    await h.settle()
    expect(h.emulator.calls('sendMessage').map((c) => c.code)).toEqual([null, 200])
  })

  it('starts even when setMyCommands fails, and says so in the log', async () => {
    const emulator = await BotApiEmulator.start({ limits: { enforce: false } })
    emulator.failNext(
      'setMyCommands',
      { kind: 'http', code: 400, description: 'Bad Request: test failure' },
      4,
    )
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) })
    const running = await startBot({
      db: t.db,
      config: testConfig(emulator.apiRoot),
      logger,
      now: () => NOW,
      features: await root.botFeatures(),
    })
    try {
      await seed(t.db)
      emulator.sendText(users.stranger, dm(users.stranger), '/help')
      const answer = await emulator.waitFor((sent) => sent.find((m) => m.chat_id === users.stranger.id))
      expect(answer.visibleText).toContain('邀请链接')
      expect(lines.filter((l) => l.msg === 'setMyCommands failed; continuing')).toHaveLength(4)
    } finally {
      await running.stop()
      await emulator.stop()
    }
  })
})
