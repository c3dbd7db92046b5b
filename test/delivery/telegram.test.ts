/**
 * The delivery worker against the Bot API emulator over HTTP: each Telegram row of the fault table
 * in reliability.md, asserted as counts (delivered, duplicated, lost) and as the rows an admin sees.
 */
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { eq, inArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import { describeDb } from '../helpers/db.ts'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts'
import { chats, deliveries, people, prompts, rateScopes, units } from '../../src/db/schema.ts'
import { enqueue, listDeliveries } from '../../src/delivery/outbox.ts'
import { createEmailSender } from '../../src/delivery/email.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import { registerTemplate } from '../../src/templates/index.ts'
import type { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import {
  countByKey,
  knownChats,
  MAIL_FROM,
  notice,
  startEmulator,
  testConfig,
  testWorker,
  TOKEN,
} from './harness.ts'

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

registerTemplate({
  name: 'test-boom',
  params: z.object({}),
  render() {
    throw new Error('template exploded')
  },
})

registerTemplate({
  name: 'test-long-prompt',
  params: z.object({ lines: z.number(), key: z.string() }),
  render({ lines, key }) {
    const body = Array.from(
      { length: lines },
      (_, i) => `${i + 1}. 第${i + 1}项任务 &lt;进展&gt; key=${key}`,
    ).join('\n')
    return {
      telegram: {
        html: `<b>请回复进展</b>\n${body}`,
        buttons: [[{ text: '已完成', callbackData: 'p:1:done' }]],
      },
    }
  },
})

describeDb('telegram delivery', (t) => {
  let emulator: BotApiEmulator
  let smtp: TestSmtp

  beforeAll(async () => {
    emulator = await startEmulator()
    smtp = await startTestSmtp()
  })
  afterAll(async () => {
    await emulator.stop()
    await smtp.stop()
  })
  beforeEach(async () => {
    await t.reset()
    emulator.reset()
    smtp.received.length = 0
    smtp.rejected.clear()
  })

  it('sends every pending delivery once, records its message id, and sends nothing on a second run', async () => {
    const ids = [501, 502, 503, 504, -5005]
    knownChats(emulator, ids)
    expect(
      await enqueue(
        t.db,
        ids.map((id) => notice(`k${id}`, id)),
      ),
    ).toBe(5)
    await testWorker(t.db, emulator).runUntilIdle()

    const counts = countByKey(emulator)
    expect([...counts.values()]).toEqual([1, 1, 1, 1, 1])
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent'])
    for (const r of rows) {
      const msg = emulator.sentMessages(Number(r.recipient))[0]!
      expect(r.externalId).toBe(String(msg.message_id))
      expect(msg.visibleText).toBe(`通知 ${r.key}\nkey=${r.key}`)
      expect(r.ambiguous).toBe(false)
    }

    // The same decision again: nothing new in the outbox, nothing new in Telegram.
    expect(
      await enqueue(
        t.db,
        ids.map((id) => notice(`k${id}`, id)),
      ),
    ).toBe(0)
    await testWorker(t.db, emulator).runUntilIdle()
    expect(emulator.sentMessages()).toHaveLength(5)
  })

  it('escapes and splits a long message at line boundaries, buttons on the last part, prompt bound to it', async () => {
    knownChats(emulator, [-6001])
    const [unit] = await t.db
      .insert(units)
      .values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' })
      .returning()
    const [prompt] = await t.db
      .insert(prompts)
      .values({ unitId: unit!.id, taskIds: [1, 2], kind: 'status' })
      .returning()
    await enqueue(t.db, [
      {
        key: 'prompt:long',
        channel: 'telegram',
        recipient: '-6001',
        unitId: unit!.id,
        payload: {
          template: 'test-long-prompt',
          params: { lines: 250, key: 'prompt:long' },
          promptId: prompt!.id,
        },
      },
    ])
    await testWorker(t.db, emulator).runUntilIdle()

    const sent = emulator.sentMessages(-6001)
    expect(sent.length).toBeGreaterThan(1)
    expect(sent.every((m) => m.visibleText.length <= 4096)).toBe(true)
    // Every line arrives whole and once, in order.
    const lines = sent.flatMap((m) => m.visibleText.split('\n')).filter((l) => /^\d+\. /.test(l))
    expect(lines).toHaveLength(250)
    expect(lines[0]).toBe('1. 第1项任务 <进展> key=prompt:long')
    expect(lines[249]).toBe('250. 第250项任务 <进展> key=prompt:long')
    expect(sent.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true)
    expect(sent.at(-1)!.reply_markup).toEqual({
      inline_keyboard: [[{ text: '已完成', callback_data: 'p:1:done' }]],
    })

    const [row] = await listDeliveries(t.db)
    expect(row!.status).toBe('sent')
    expect(row!.externalId).toBe(sent.map((m) => m.message_id).join(','))
    const [p] = await t.db.select().from(prompts).where(eq(prompts.id, prompt!.id))
    expect(p!.telegramChatId).toBe(-6001)
    expect(p!.telegramMessageId).toBe(sent.at(-1)!.message_id)
  })

  it('retries 5xx answers and refused connections without sending anything twice', async () => {
    knownChats(emulator, [701, 702])
    await enqueue(t.db, [notice('k701', 701)])
    emulator.failNext('sendMessage', { kind: 'http', code: 502 }, 2)
    await testWorker(t.db, emulator).runUntilIdle()
    const [first] = await listDeliveries(t.db)
    expect(first).toMatchObject({ status: 'sent', attempts: 3, ambiguous: false })
    expect(first!.lastError).toContain('502')
    expect(countByKey(emulator).get('k701')).toBe(1)

    // Nobody listening: the connection is refused, the request never left.
    await enqueue(t.db, [notice('k702', 702)])
    const offline = testWorker(t.db, null, {
      telegram: createTelegramSender({
        token: TOKEN,
        apiRoot: `http://127.0.0.1:${await closedPort()}`,
        timeoutSeconds: 2,
      }),
    })
    expect(await offline.drainOnce()).toBe(1)
    const [, waiting] = await listDeliveries(t.db)
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, ambiguous: false })
    expect(waiting!.lastError).toContain('ECONNREFUSED')
    await testWorker(t.db, emulator).runUntilIdle()
    const [, done] = await listDeliveries(t.db)
    expect(done).toMatchObject({ status: 'sent', attempts: 2, ambiguous: false })
    expect(countByKey(emulator).get('k702')).toBe(1)
  })

  it('counts a send answered while the event loop was starved past the timeout as sent, once', async () => {
    knownChats(emulator, [851])
    await enqueue(t.db, [notice('k851', 851)])
    // The moment the Bot API has the message, this process is starved for longer than the send's
    // timeout (1 s): the answer waits in the socket while the timeout's timer is overdue.
    const starved = emulator.waitFor((sent) => {
      if (!sent.some((m) => m.chat_id === 851)) return false
      const until = performance.now() + 1500
      while (performance.now() < until) {
        // a busy machine: nothing else runs
      }
      return true
    }, 30_000)
    const worker = testWorker(t.db, emulator, {
      telegram: createTelegramSender({ token: TOKEN, apiRoot: emulator.apiRoot, timeoutSeconds: 1 }),
    })
    await worker.runUntilIdle()
    await starved
    const [row] = await listDeliveries(t.db)
    expect(row).toMatchObject({ status: 'sent', attempts: 1, ambiguous: false })
    expect(countByKey(emulator).get('k851')).toBe(1)
  })

  it('marks a send ambiguous when the connection drops after the request went out, and resends it', async () => {
    knownChats(emulator, [801, 802])
    await enqueue(t.db, [notice('k801', 801)])
    emulator.failNext('sendMessage', { kind: 'drop-after-accept' })
    await testWorker(t.db, emulator).runUntilIdle()
    // Telegram had accepted it: the one duplicate physics allows, and it is marked.
    expect(countByKey(emulator).get('k801')).toBe(2)
    const [dup] = await listDeliveries(t.db)
    expect(dup).toMatchObject({ status: 'sent', ambiguous: true, attempts: 2 })

    await enqueue(t.db, [notice('k802', 802)])
    emulator.failNext('sendMessage', { kind: 'drop' })
    await testWorker(t.db, emulator).runUntilIdle()
    // Dropped before it was handled: delivered once, still marked, because we could not know.
    expect(countByKey(emulator).get('k802')).toBe(1)
    const rows = await listDeliveries(t.db, { status: 'ambiguous' })
    expect(rows.map((r) => r.key)).toEqual(['k801', 'k802'])
  })

  it('takes over the rows of a worker that died mid-send (lease expired), sends them once more and marks them', async () => {
    knownChats(emulator, [851, 852])
    await enqueue(t.db, [notice('k851', 851), notice('k852', 852)])
    // A worker claimed k851 and died: its lease ran out. k852 is claimed by a live worker.
    await t.db.execute(sql`update deliveries set status = 'sending', attempts = 1, attempt_id = 'dead:1',
      lease_until = now() - interval '1 second' where key = 'k851'`)
    await t.db.execute(sql`update deliveries set status = 'sending', attempts = 1, attempt_id = 'alive:1',
      lease_until = now() + interval '1 hour' where key = 'k852'`)
    expect(await testWorker(t.db, emulator).drainOnce()).toBe(1)
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.ambiguous])).toEqual([
      ['k851', 'sent', 2, true],
      ['k852', 'sending', 1, false],
    ])
    expect(rows[0]!.lastError).toMatch(/^ambiguous: /)
    expect([...countByKey(emulator).keys()]).toEqual(['k851'])
  })

  it('honours a 429 retry_after in every replica before the next call in that scope', async () => {
    const chatIds = Array.from({ length: 12 }, (_, i) => 901 + i)
    knownChats(emulator, chatIds)
    await enqueue(t.db, [notice('k901', 901)])
    emulator.failNext('sendMessage', { kind: 'http', code: 429, retryAfter: 2 })
    const a = testWorker(t.db, emulator, { workerId: 'a' })
    const b = testWorker(t.db, emulator, { workerId: 'b' })
    expect(await a.drainOnce()).toBe(1)
    const [limited] = await listDeliveries(t.db)
    expect(limited).toMatchObject({ status: 'pending', attempts: 0 })
    expect(limited!.lastError).toContain('429')
    const [global] = await t.db.select().from(rateScopes).where(eq(rateScopes.scope, a.budget!.globalScope))
    expect(global!.pausedUntil).not.toBeNull()

    await enqueue(
      t.db,
      chatIds.slice(1).map((id) => notice(`k${id}`, id)),
    )
    a.start()
    b.start()
    await b.runUntilIdle({ stallMs: 20_000 })
    await Promise.all([a.stop(), b.stop()])

    const calls = emulator.calls('sendMessage')
    const refused = calls.find((c) => c.code === 429)!
    const later = calls.filter((c) => c !== refused)
    expect(later).toHaveLength(12)
    // Nobody called Telegram in the paused scope before retry_after had passed.
    expect(Math.min(...later.map((c) => c.time)) - refused.time).toBeGreaterThanOrEqual(2000 - 50)
    expect([...countByKey(emulator).values()].every((n) => n === 1)).toBe(true)
    // The injected 429 is not a limit the worker broke; nothing after it broke one either.
    expect(emulator.violations).toBe(0)
  })

  it('403: the person is marked unreachable, the row fails, and the message goes by email once', async () => {
    knownChats(emulator, [1101])
    emulator.blockBot(1101)
    const [unit] = await t.db
      .insert(units)
      .values({ name: '水步镇', shortName: '水步', kind: 'town' })
      .returning()
    const [person] = await t.db
      .insert(people)
      .values({
        name: '李明',
        role: 'liaison',
        unitId: unit!.id,
        email: 'liming@example.gov.cn',
        telegramUserId: 1101,
      })
      .returning()
    await enqueue(t.db, [notice('reminder:t1:u1', 1101, { personId: person!.id, unitId: unit!.id })])
    const email = createEmailSender({ smtpUrl: smtp.url, mailFrom: MAIL_FROM, dataDir: testConfig().dataDir })
    try {
      await testWorker(t.db, emulator, { email }).runUntilIdle()
    } finally {
      email.close()
    }

    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.channel, r.recipient, r.status])).toEqual([
      ['reminder:t1:u1', 'telegram', '1101', 'failed'],
      ['reminder:t1:u1:fallback', 'email', 'liming@example.gov.cn', 'sent'],
    ])
    expect(rows[0]!.attempts).toBe(1)
    expect(rows[0]!.lastError).toContain('403')
    expect(emulator.calls('sendMessage')).toHaveLength(1)
    const [p] = await t.db.select().from(people).where(eq(people.id, person!.id))
    expect(p!.unreachableAt).not.toBeNull()
    expect(p!.unreachableReason).toContain('blocked')
    expect(smtp.received).toHaveLength(1)
    expect(smtp.received[0]!.to).toEqual(['liming@example.gov.cn'])
    expect(smtp.received[0]!.parsed.subject).toBe('通知 reminder:t1:u1')
    expect(smtp.received[0]!.parsed.text).toContain('因无法送达改为邮件发送')
  })

  it('chat not found for a group: the group is marked unreachable and its liaisons get the message by email', async () => {
    const [unit] = await t.db
      .insert(units)
      .values({ name: '四九镇', shortName: '四九', kind: 'town' })
      .returning()
    await t.db
      .insert(chats)
      .values({ telegramChatId: -1201, purpose: 'unit', unitId: unit!.id, title: '四九镇群' })
    await t.db.insert(people).values([
      { name: '王芳', role: 'liaison', unitId: unit!.id, email: 'wangfang@example.gov.cn' },
      { name: '赵强', role: 'liaison', unitId: unit!.id },
    ])
    await enqueue(t.db, [notice('digest:w40', -1201, { unitId: unit!.id })])
    const email = createEmailSender({ smtpUrl: smtp.url, mailFrom: MAIL_FROM, dataDir: testConfig().dataDir })
    try {
      await testWorker(t.db, emulator, { email }).runUntilIdle()
    } finally {
      email.close()
    }
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.channel, r.recipient, r.status])).toEqual([
      ['telegram', '-1201', 'failed'],
      ['email', 'wangfang@example.gov.cn', 'sent'],
    ])
    expect(rows[0]!.lastError).toContain('chat not found')
    const [chat] = await t.db.select().from(chats).where(eq(chats.telegramChatId, -1201))
    expect(chat!.unreachableAt).not.toBeNull()
    expect(smtp.received.map((m) => m.to)).toEqual([['wangfang@example.gov.cn']])
  })

  it('follows migrate_to_chat_id: the stored chat id changes and the messages go to the supergroup', async () => {
    const [unit] = await t.db
      .insert(units)
      .values({ name: '斗山镇', shortName: '斗山', kind: 'town' })
      .returning()
    knownChats(emulator, [-1301])
    await t.db.insert(chats).values({ telegramChatId: -1301, purpose: 'unit', unitId: unit!.id })
    emulator.migrateGroup(-1301, -1001301)
    await enqueue(t.db, [notice('m1', -1301), notice('m2', -1301)])
    await testWorker(t.db, emulator).runUntilIdle()

    const inNew = emulator.sentMessages(-1001301).filter((m) => m.text.includes('key='))
    expect(inNew.map((m) => m.visibleText.split('\n')[1])).toEqual(['key=m1', 'key=m2'])
    expect(emulator.sentMessages(-1301).filter((m) => m.text.includes('key='))).toHaveLength(0)
    const [chat] = await t.db.select().from(chats).where(eq(chats.unitId, unit!.id))
    expect(chat!.telegramChatId).toBe(-1001301)
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.recipient, r.status])).toEqual([
      ['-1001301', 'sent'],
      ['-1001301', 'sent'],
    ])
  })

  it('dead-letters a delivery whose template throws after N attempts; the others are delivered', async () => {
    knownChats(emulator, [1401, 1402, 1403])
    await enqueue(t.db, [
      notice('ok1', 1401),
      { key: 'boom', channel: 'telegram', recipient: '1402', payload: { template: 'test-boom', params: {} } },
      notice('ok3', 1403),
    ])
    await testWorker(t.db, emulator, { maxAttempts: 3 }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.status, r.attempts])).toEqual([
      ['ok1', 'sent', 1],
      ['boom', 'dead', 3],
      ['ok3', 'sent', 1],
    ])
    expect(rows[1]!.lastError).toBe('gave up after 3 attempts: render: template exploded')
    expect([...countByKey(emulator).keys()].sort()).toEqual(['ok1', 'ok3'])
  })

  it('gives up at once on a 400 Telegram will never accept, and on invalid template parameters', async () => {
    knownChats(emulator, [1501, 1502])
    await enqueue(t.db, [
      notice('bad400', 1501),
      {
        key: 'badparams',
        channel: 'telegram',
        recipient: '1502',
        payload: { template: 'notice', params: { lines: 3 } },
      },
    ])
    emulator.failNext('sendMessage', {
      kind: 'http',
      code: 400,
      description: "Bad Request: can't parse entities",
    })
    await testWorker(t.db, emulator, { maxAttempts: 2 }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.status, r.attempts])).toEqual([
      ['bad400', 'dead', 1],
      ['badparams', 'dead', 2],
    ])
    expect(rows[0]!.lastError).toContain("can't parse entities")
    expect(rows[1]!.lastError).toContain('invalid parameters for message template "notice"')
    expect(emulator.calls('sendMessage')).toHaveLength(1)
  })

  it('does not send a delivery before its notBefore time', async () => {
    knownChats(emulator, [1601])
    await enqueue(t.db, [notice('later', 1601, { notBefore: new Date(Date.now() + 3_600_000) })])
    expect(await testWorker(t.db, emulator).drainOnce()).toBe(0)
    expect(emulator.sentMessages()).toHaveLength(0)
    await t.db.execute(sql`update deliveries set next_attempt_at = now()`)
    expect(await testWorker(t.db, emulator).drainOnce()).toBe(1)
    expect(countByKey(emulator).get('later')).toBe(1)
  })

  it('keeps fan-out within the per-token, per-chat and per-group limits the emulator enforces', async () => {
    // A higher token budget than Telegram's keeps the test short; the emulator enforces the same.
    const fast = await startEmulator({ perSecond: 120, perChatPerSecond: 1, perGroupPerMinute: 20 })
    try {
      const privateIds = Array.from({ length: 200 }, (_, i) => 20_001 + i)
      const groupIds = Array.from({ length: 5 }, (_, i) => -20_001 - i)
      knownChats(fast, [...privateIds, ...groupIds])
      const items = [
        ...privateIds.map((id) => notice(`p${id}`, id)),
        // Three messages into each of 20 private chats, four into each group: the per-chat pace matters.
        ...privateIds.slice(0, 20).flatMap((id) => [notice(`p${id}b`, id), notice(`p${id}c`, id)]),
        ...groupIds.flatMap((id) => [1, 2, 3, 4].map((n) => notice(`g${-id}n${n}`, id))),
      ]
      await enqueue(t.db, items)
      await testWorker(t.db, fast, {
        limits: { perSecond: 120, perChatPerSecond: 1, groupPerMinute: 20 },
        concurrency: 32,
      }).runUntilIdle({ stallMs: 25_000 })
      // On failure, the broken limits with the sends into the same chat, to see which came too close.
      const why = fast
        .rateViolations()
        .slice(0, 3)
        .map((v) => ({
          ...v,
          sends: fast.sentMessages(v.chatId).map((m) => m.sentAt - v.at),
        }))
      expect(fast.violationsByKind, JSON.stringify(why)).toEqual({ total: 0, token: 0, chat: 0, group: 0 })
      const counts = countByKey(fast)
      expect(counts.size).toBe(items.length)
      const twice = [...counts].filter(([, n]) => n !== 1)
      const twiceRows = twice.length
        ? await t.db
            .select()
            .from(deliveries)
            .where(
              inArray(
                deliveries.key,
                twice.map(([k]) => k),
              ),
            )
        : []
      expect(twice, JSON.stringify(twiceRows)).toEqual([])
      const [row] = await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(eq(deliveries.status, 'sent'))
      expect(Number(row!.n)).toBe(items.length)
    } finally {
      await fast.stop()
    }
  })
})
