/**
 * PostgreSQL restarts under a running service (`duban start` as a child process, webhook mode,
 * delivery worker on) while it fans out reminders and while it handles replies. The server is a
 * private one of this test (test/helpers/pg-cluster.ts), so restarting it disturbs no other test
 * file. Afterwards the process still runs, every reminder arrived (twice only where the send was
 * in flight, and then the delivery is marked ambiguous), and every reply is recorded once.
 *
 * Runs only with TEST_DATABASE_URL set (where PostgreSQL is installed; CI sets it).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, inArray, isNotNull, like, sql } from 'drizzle-orm'
import { openDatabase, type Database } from '../../src/db/client.ts'
import { deliveries, processedUpdates, statusReports } from '../../src/db/schema.ts'
import { enqueue } from '../../src/delivery/outbox.ts'
import { attachPromptMessage, createPrompt } from '../../src/domain/prompts.ts'
import { redeemInvite } from '../../src/domain/invites.ts'
import { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import { pgUrl } from '../helpers/db.ts'
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts'
import { freePort, tolerant } from './helpers.ts'
import { groups, NOW, seed, TOKEN, users, type Fixture } from '../bot/harness.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const SECRET = 'fault_webhook-Secret_0123456789'
const FANOUT = 90
// Under the bot's per-person limit (20 in 10 s): one liaison answers, 400 ms apart.
const REPLIES = 15

const skipReason = pgUrl ? '' : ' (skipped: set TEST_DATABASE_URL, where PostgreSQL is installed; CI does)'
if (!pgUrl) console.warn(`test/faults/pg-restart.test.ts${skipReason}`)

describe.skipIf(!pgUrl)(`PostgreSQL restarts under a running service${skipReason}`, () => {
  let cluster: PgCluster
  let database: Database
  let emulator: BotApiEmulator
  let service: ChildProcess
  let log = ''
  let f: Fixture
  let webhookUrl = ''

  beforeAll(async () => {
    cluster = await startPgCluster()
    database = await openDatabase({ databaseUrl: cluster.url, dataDir: tmpdir(), max: 2 })
    await database.migrate()
    f = await seed(database.db)
    await redeemInvite(database.db, f.invites.liaison, users.liaison.id, NOW)
    emulator = await BotApiEmulator.start({ token: TOKEN })
    emulator.addChats(groups.taicheng)
    const port = await freePort()
    webhookUrl = `http://127.0.0.1:${port}/telegram`
    service = spawn(process.execPath, ['bin/duban.js', 'start', '--no-scheduler', '--no-web'], {
      cwd: repo,
      env: {
        ...process.env,
        DATABASE_URL: cluster.url,
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'duban-faults-')),
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        BOT_MODE: 'webhook',
        WEBHOOK_URL: webhookUrl,
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_LEASE_SECONDS: '3',
        PORT: String(port),
        SMTP_URL: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    service.stdout!.on('data', (d: Buffer) => (log += d.toString()))
    service.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    const deadline = Date.now() + 90_000
    while (emulator.calls('setWebhook').length === 0) {
      if (service.exitCode !== null || Date.now() > deadline)
        throw new Error(`service did not start:\n${log}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 180_000)

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service.once('exit', r))
      service.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      if (service.exitCode === null) service.kill('SIGKILL')
    }
    await database?.close().catch(() => {})
    await emulator?.stop()
    cluster?.stop()
  })

  it('delivers a fan-out once per reminder across a restart mid-way; the process keeps running', async () => {
    const chats = Array.from({ length: FANOUT }, (_, i) => ({ id: 70_000_000 + i, type: 'private' as const }))
    emulator.addChats(...chats)
    await enqueue(
      database.db,
      chats.map((c, i) => ({
        key: `fault-fanout:${i}`,
        channel: 'telegram' as const,
        recipient: String(c.id),
        payload: { template: 'notice', params: { title: '【督办提醒】故障测试', lines: [`第 ${i + 1} 条`] } },
      })),
    )
    const received = () => emulator.sentMessages().filter((m) => m.chat_id >= 70_000_000).length
    await expect.poll(received, { timeout: 60_000 }).toBeGreaterThanOrEqual(20)
    cluster.restart()

    await expect
      .poll(
        () =>
          tolerant(async () => {
            const [row] = await database.db
              .select({ n: sql<number>`count(*)::int` })
              .from(deliveries)
              .where(and(like(deliveries.key, 'fault-fanout:%'), eq(deliveries.status, 'sent')))
            return row?.n
          }),
        { timeout: 120_000 },
      )
      .toBe(FANOUT)
    expect(service.exitCode).toBeNull()
    const perChat = new Map<number, number>()
    for (const m of emulator.sentMessages())
      if (m.chat_id >= 70_000_000) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1)
    // Nothing lost: every chat got its reminder.
    expect(perChat.size).toBe(FANOUT)
    // A second copy only where the first send's outcome was lost with the connection: marked ambiguous.
    const twice = [...perChat].filter(([, n]) => n > 1).map(([id]) => String(id))
    const ambiguous = twice.length
      ? await database.db
          .select({ recipient: deliveries.recipient })
          .from(deliveries)
          .where(and(inArray(deliveries.recipient, twice), isNotNull(deliveries.ambiguousAt)))
      : []
    expect(ambiguous.map((r) => r.recipient).sort()).toEqual(twice.sort())
    expect(Math.max(...perChat.values())).toBeLessThanOrEqual(2)
  }, 240_000)

  it('records every reply once when the server restarts while replies are being handled', async () => {
    // A status prompt in 台城's group, as the worker would have sent it.
    const prompt = await createPrompt(database.db, {
      unitId: f.units.taicheng,
      taskIds: [f.tasks.fines],
      kind: 'reminder',
    })
    const sent = (await (
      await fetch(`${emulator.apiRoot}/bot${TOKEN}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: groups.taicheng.id, text: '【督办提醒】请直接回复本消息' }),
      })
    ).json()) as { result: { message_id: number } }
    await attachPromptMessage(database.db, prompt.id, groups.taicheng.id, sent.result.message_id)

    const bot = (
      (await (await fetch(`${emulator.apiRoot}/bot${TOKEN}/getMe`)).json()) as {
        result: { id: number; first_name: string }
      }
    ).result
    const chat = { id: groups.taicheng.id, type: 'supergroup', title: groups.taicheng.title }
    const reply = (i: number) => ({
      update_id: 940_000 + i,
      message: {
        message_id: 10_000 + i,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: users.liaison.id, is_bot: false, first_name: '李明' },
        text: `进行中 ${i + 1}%`,
        reply_to_message: {
          message_id: sent.result.message_id,
          date: Math.floor(Date.now() / 1000),
          chat,
          from: { id: bot.id, is_bot: true, first_name: bot.first_name },
          text: '【督办提醒】请直接回复本消息',
        },
      },
    })
    /** Posts as Telegram does: until the answer is 200 (a 500 or a refused connection means again). */
    const deliver = async (i: number) => {
      for (;;) {
        const status = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: JSON.stringify(reply(i)),
        })
          .then((r) => r.status)
          .catch(() => 0)
        if (status === 200) return
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    const posting = (async () => {
      for (let i = 0; i < REPLIES; i++) {
        await deliver(i)
        await new Promise((r) => setTimeout(r, 400))
      }
    })()
    await expect
      .poll(() => tolerant(async () => (await database.db.select().from(statusReports)).length), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(4)
    cluster.restart()
    await posting

    await expect
      .poll(
        () =>
          tolerant(async () => {
            const rows = await database.db
              .select({ id: processedUpdates.updateId })
              .from(processedUpdates)
              .where(and(sql`${processedUpdates.updateId} >= 940000`, isNotNull(processedUpdates.handledAt)))
            return rows.length
          }),
        { timeout: 120_000 },
      )
      .toBe(REPLIES)
    expect(service.exitCode).toBeNull()
    const reports = await database.db
      .select({ messageId: statusReports.telegramMessageId, progress: statusReports.progress })
      .from(statusReports)
    const byMessage = new Map<number, number>()
    for (const r of reports) byMessage.set(r.messageId!, (byMessage.get(r.messageId!) ?? 0) + 1)
    expect(byMessage.size).toBe(REPLIES)
    expect([...byMessage.values()].every((n) => n === 1)).toBe(true)
  }, 240_000)
})
