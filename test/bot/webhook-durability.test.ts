/**
 * Webhook updates survive a crash: the service (a real `duban start` process in webhook mode) is
 * killed after it answered Telegram's POST with 200 but before it finished handling the update
 * (the Bot API holds its answer, so the handler is stuck mid-way). Telegram will not send that
 * update again; a restarted service finds it stored, handles it, and marks it handled, once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openDatabase, type Database } from '../../src/db/client.ts'
import { people, processedUpdates } from '../../src/db/schema.ts'
import { silentLogger } from '../../src/log.ts'
import { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import { startBot, type RunningBot } from '../../src/telegram/bot.ts'
import { root } from '../../bin/root.ts'
import { openTestDb, pgUrl, type OpenedTestDb } from '../helpers/db.ts'
import { NOW, seed, testConfig, TOKEN, users, type Fixture } from './harness.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const SECRET = 'durable_webhook-Secret_0123456789'

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

const where = pgUrl ? (['embedded', 'postgres'] as const) : (['embedded'] as const)

for (const kind of where) {
  describe(`a webhook update accepted just before a crash [${kind}]`, () => {
    let emulator: BotApiEmulator
    let database: Database | undefined
    let testDb: OpenedTestDb | undefined
    let dbEnv: Record<string, string>
    let f: Fixture
    let dataDir = ''
    let service: ChildProcess | undefined
    let restarted: RunningBot | undefined
    const db = () => (database ? database.db : testDb!.db)

    beforeAll(async () => {
      emulator = await BotApiEmulator.start({ token: TOKEN, limits: { enforce: false } })
      emulator.addChats({ id: users.liaison.id, type: 'private' })
      if (kind === 'embedded') {
        // The service hosts the embedded database; this process is its client until it dies.
        dataDir = mkdtempSync(path.join(tmpdir(), 'duban-webhook-'))
        dbEnv = { DATABASE_URL: '', DATA_DIR: dataDir }
      } else {
        testDb = await openTestDb('postgres')
        dbEnv = { DATABASE_URL: testDb.url!, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'duban-webhook-')) }
      }
    }, 120_000)

    afterAll(async () => {
      if (service && service.exitCode === null) service.kill('SIGKILL')
      await restarted?.stop()
      await emulator.stop()
      await database?.close()
      await testDb?.close()
    })

    it('is handled once by the restarted service', async () => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}/telegram`
      const webhookEnv = {
        BOT_MODE: 'webhook',
        WEBHOOK_URL: url,
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_LEASE_SECONDS: '2',
        PORT: String(port),
      }
      service = spawn(
        process.execPath,
        ['bin/duban.js', 'start', '--no-scheduler', '--no-worker', '--no-web'],
        {
          cwd: repo,
          env: {
            ...process.env,
            ...dbEnv,
            ...webhookEnv,
            BOT_TOKEN: TOKEN,
            TELEGRAM_API_ROOT: emulator.apiRoot,
            SMTP_URL: '',
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let log = ''
      service.stdout!.on('data', (d: Buffer) => (log += d.toString()))
      service.stderr!.on('data', (d: Buffer) => (log += d.toString()))
      await expect
        .poll(() => (service!.exitCode === null ? log : `exited: ${log}`), { timeout: 90_000 })
        .toContain('duban is ready')
      expect(service.exitCode).toBeNull()
      if (kind === 'embedded') database = await openDatabase({ dataDir })
      f = await seed(db())

      // The bot's answer to /start will hang at the Bot API: the service is mid-handling.
      emulator.failNext('sendMessage', { kind: 'hold' })
      const update = {
        update_id: 930_001,
        message: {
          message_id: 1,
          date: Math.floor(NOW.getTime() / 1000),
          chat: { id: users.liaison.id, type: 'private', first_name: '李明' },
          from: { id: users.liaison.id, is_bot: false, first_name: '李明' },
          text: `/start ${f.invites.liaison}`,
          entities: [{ type: 'bot_command', offset: 0, length: 6 }],
        },
      }
      const answered = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      })
      expect(answered.status).toBe(200)
      await expect.poll(() => emulator.calls('sendMessage').length).toBe(1)

      // The crash: no clean stop, nothing more runs in that process.
      const exited = new Promise((r) => service!.once('exit', r))
      service.kill('SIGKILL')
      await exited
      if (kind === 'embedded') {
        // The host is gone: this process takes the database over (the lock names a dead process).
        await database!.close().catch(() => {})
        database = await openDatabase({ dataDir })
      }
      const [stored] = await db()
        .select()
        .from(processedUpdates)
        .where(eq(processedUpdates.updateId, 930_001))
      expect(stored?.handledAt).toBeNull()
      expect(emulator.sentMessages(users.liaison.id)).toEqual([])

      // The restart (in this process, same configuration): the stored update is handled.
      restarted = await startBot({
        db: db(),
        config: testConfig(emulator.apiRoot, webhookEnv),
        logger: silentLogger,
        features: await root.botFeatures(),
        now: () => NOW,
        rateLimit: false,
      })
      const welcome = await emulator.waitFor((s) => s.find((m) => m.chat_id === users.liaison.id))
      expect(welcome.visibleText).toContain('绑定成功：李明')
      await expect
        .poll(async () => {
          const [row] = await db()
            .select()
            .from(processedUpdates)
            .where(eq(processedUpdates.updateId, 930_001))
          return row?.handledAt instanceof Date
        })
        .toBe(true)
      const [liaison] = await db()
        .select({ telegramUserId: people.telegramUserId })
        .from(people)
        .where(eq(people.name, '李明'))
      expect(liaison?.telegramUserId).toBe(users.liaison.id)
      // Once: a further sweep finds nothing left (the lease is 2 s; sweeps run every second).
      await new Promise((r) => setTimeout(r, 3000))
      expect(emulator.sentMessages(users.liaison.id)).toHaveLength(1)
    }, 180_000)
  })
}
