/**
 * PostgreSQL restarts in the middle of a scheduled job's enqueue, under a running service
 * (`duban start --no-bot --no-web` as a child process: scheduler and delivery worker on).
 *
 * The deadline reminders are due at start for UNITS units (one group each): one fire, a minute
 * or two old, found by the scheduler's first tick. The job writes its outbox rows and prompts in
 * one transaction; the test holds one of those rows (same key, recipient and channel) in an
 * uncommitted transaction of its own, so the job's insert for that unit waits, with the rows of the
 * units before it already written in its transaction. Seen waiting (pg_stat_activity), the server
 * restarts. Afterwards the process still runs, the fire is recorded once as done (run again by
 * the scheduler, not left failed until tomorrow), every reminder is in the outbox exactly once,
 * and every group got its reminder once (twice only where marked ambiguous).
 *
 * The child runs the real command line with the real jobs; only their calendar counts every day
 * as a working day (test/faults/service-every-day.ts), so the test passes on weekends too.
 *
 * Runs only with TEST_DATABASE_URL set (where PostgreSQL is installed; CI sets it).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, inArray, isNotNull, like, sql, type SQL } from 'drizzle-orm'
import { openDatabase, type Database } from '../../src/db/client.ts'
import {
  assignments,
  chats,
  deliveries,
  plans,
  scheduleFires,
  schedules,
  tasks,
  units,
} from '../../src/db/schema.ts'
import { addDays, localDate, wallTime } from '../../src/domain/dates.ts'
import { outboxKey } from '../../src/domain/outbox-keys.ts'
import { DEFAULT_LADDER, ladderStep } from '../../src/domain/reminder-ladder.ts'
import { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import { jobs } from '../../jobs/index.ts'
import { pgUrl } from '../helpers/db.ts'
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts'
import { TOKEN } from '../bot/harness.ts'
import { tolerant } from './helpers.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const TZ = 'Asia/Shanghai'
const JOB = 'deadline-reminders'
const UNITS = 150
/** The unit whose reminder the test holds: the job's enqueue stops there, mid-way. */
const HELD = 100
const chatIdOf = (i: number) => -1_009_000_000_000 - i

const skipReason = pgUrl ? '' : ' (skipped: set TEST_DATABASE_URL, where PostgreSQL is installed; CI does)'
if (!pgUrl) console.warn(`test/faults/pg-restart-job.test.ts${skipReason}`)

describe.skipIf(!pgUrl)(`PostgreSQL restarts during a scheduled job's enqueue${skipReason}`, () => {
  let cluster: PgCluster
  let database: Database
  let emulator: BotApiEmulator
  let service: ChildProcess | undefined
  let log = ''

  beforeAll(async () => {
    cluster = await startPgCluster()
    database = await openDatabase({ databaseUrl: cluster.url, dataDir: tmpdir(), max: 3 })
    await database.migrate()
    emulator = await BotApiEmulator.start({ token: TOKEN })
  }, 120_000)

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r))
      service.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      if (service.exitCode === null) service.kill('SIGKILL')
    }
    await database?.close().catch(() => {})
    await emulator?.stop()
    cluster?.stop()
  })

  /** The `n` of a one-row count query (postgres.js hands rows as the result itself). */
  async function count(query: SQL): Promise<number | undefined> {
    const result: unknown = await database.db.execute(query)
    return (result as { n: number }[])[0]?.n
  }

  it('runs the job again after a restart mid-enqueue: every reminder once, the fire done once', async () => {
    const { db } = database
    // One fire a minute or two ago, on time; the next one is a day away.
    const now = new Date()
    const fireAt = new Date(Math.floor((now.getTime() - 90_000) / 60_000) * 60_000)
    const at = wallTime(fireAt, TZ)
    const today = localDate(fireAt, TZ)
    const due = addDays(today, 7)
    const everyDay = { isWorkingDay: () => true }
    const step = ladderStep(everyDay, today, due, DEFAULT_LADDER)
    if (step?.kind !== 'before')
      throw new Error(`expected a reminder before the deadline, got ${JSON.stringify(step)}`)

    const [plan] = await db
      .insert(plans)
      .values({ key: '故障测试方案', title: '故障测试方案', year: Number(today.slice(0, 4)) })
      .returning({ id: plans.id })
    const unitRows = await db
      .insert(units)
      .values(
        Array.from({ length: UNITS }, (_, i) => ({
          name: `故障测试单位${i + 1}`,
          shortName: `故障${i + 1}`,
          kind: 'town' as const,
        })),
      )
      .returning({ id: units.id, name: units.name })
    const unitIds = unitRows.map((u) => u.id)
    const [task] = await db
      .insert(tasks)
      .values({ planId: plan!.id, ref: '一（一）1', title: '故障测试任务', dueDate: due, position: 1 })
      .returning({ id: tasks.id })
    await db.insert(assignments).values(unitIds.map((unitId) => ({ taskId: task!.id, unitId })))
    await db.insert(chats).values(
      unitIds.map((unitId, i) => ({
        telegramChatId: chatIdOf(i),
        purpose: 'unit' as const,
        unitId,
        title: `故障测试群${i + 1}`,
      })),
    )
    emulator.addChats(
      ...unitIds.map((_, i) => ({
        id: chatIdOf(i),
        type: 'supergroup' as const,
        title: `故障测试群${i + 1}`,
      })),
    )
    // Only the deadline reminders are on (a tick at the full hour must not add assignment notices).
    await db.insert(schedules).values(
      jobs.map((job) =>
        job.name === JOB
          ? {
              name: job.name,
              cron: `${at.minute} ${at.hour} * * *`,
              enabled: true,
              options: job.defaultOptions ?? {},
              updatedAt: new Date(fireAt.getTime() - 10 * 60_000),
            }
          : {
              name: job.name,
              cron: job.defaultCron,
              enabled: false,
              options: job.defaultOptions ?? {},
              updatedAt: now,
            },
      ),
    )
    const expected = new Map(
      unitIds.map((unitId, i) => [
        `${outboxKey.deadline(task!.id, unitId, step)}|${chatIdOf(i)}`,
        chatIdOf(i),
      ]),
    )

    // Hold the HELD unit's reminder in an uncommitted transaction: the job's insert of it waits.
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    const holding = db
      .transaction(async (tx) => {
        await tx.insert(deliveries).values({
          key: outboxKey.deadline(task!.id, unitIds[HELD]!, step),
          channel: 'telegram',
          recipient: String(chatIdOf(HELD)),
          payload: { template: 'notice', params: { title: 'held by the test', lines: [] } },
        })
        await released
        throw new Error('rolled back: the row was only held')
      })
      .catch(() => {})
    // Until the hold is in place (the child must not start before it).
    await expect
      .poll(async () => {
        return count(
          sql`select count(*)::int as n from pg_stat_activity where state = 'idle in transaction' and datname = current_database()`,
        )
      })
      .toBeGreaterThanOrEqual(1)

    service = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/faults/service-every-day.ts', 'start', '--no-bot', '--no-web'],
      {
        cwd: repo,
        env: {
          ...process.env,
          DATABASE_URL: cluster.url,
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'duban-faults-job-')),
          BOT_TOKEN: TOKEN,
          TELEGRAM_API_ROOT: emulator.apiRoot,
          SMTP_URL: '',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    service.stdout!.on('data', (d: Buffer) => (log += d.toString()))
    service.stderr!.on('data', (d: Buffer) => (log += d.toString()))

    // The job's enqueue is under way and waits on the held row.
    const waiting = async () => {
      if (service!.exitCode !== null) throw new Error(`service exited:\n${log}`)
      return count(
        sql`select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and query ilike 'insert into "deliveries"%'`,
      )
    }
    await expect.poll(waiting, { timeout: 90_000, interval: 50 }).toBe(1)
    const [claimed] = await db.select().from(scheduleFires).where(eq(scheduleFires.schedule, JOB))
    expect(claimed).toMatchObject({ status: 'running', fireAt })

    cluster.restart()
    release()
    await holding

    // The fire is recorded done once, with every reminder enqueued by the run that completed.
    await expect
      .poll(
        () =>
          tolerant(async () =>
            (await db.select().from(scheduleFires).where(eq(scheduleFires.schedule, JOB))).map((f) => ({
              fireAt: f.fireAt,
              status: f.status,
            })),
          ),
        { timeout: 60_000, interval: 250 },
      )
      .toEqual([{ fireAt, status: 'done' }])
    // Every group got its reminder: the worker sent them all.
    const groupIds = new Set(expected.values())
    const received = () =>
      new Set(
        emulator
          .sentMessages()
          .filter((m) => groupIds.has(m.chat_id))
          .map((m) => m.chat_id),
      ).size
    await expect.poll(received, { timeout: 60_000 }).toBe(UNITS)
    expect(service.exitCode, log).toBeNull()
    // The restart met the job (its first run lost the database) and the scheduler ran it again.
    expect(log).toContain('scheduled job lost its database; it runs again')

    // The outbox holds each expected reminder exactly once, and nothing else.
    const rows = await db
      .select({ key: deliveries.key, recipient: deliveries.recipient, status: deliveries.status })
      .from(deliveries)
      .where(like(deliveries.key, 'deadline:%'))
    expect(rows.map((r) => `${r.key}|${r.recipient}`).sort()).toEqual([...expected.keys()].sort())
    // Mid-way: the run that was cut off had written other units' rows before the held one (about
    // HELD of them: their prompts rolled back, and the ids they took are missing from the sequence).
    const promptIds: unknown = await db.execute(
      sql`select count(*)::int as n, min(id)::int as first from prompts`,
    )
    const [prompts] = promptIds as { n: number; first: number }[]
    expect(prompts!.n).toBe(UNITS)
    expect(prompts!.first).toBeGreaterThan(2)
    const [fire] = await db.select().from(scheduleFires).where(eq(scheduleFires.schedule, JOB))
    expect(fire!.enqueued).toBe(UNITS)

    // Each group got one message; a second only where the delivery is marked ambiguous.
    await expect
      .poll(async () => (await db.select().from(deliveries).where(eq(deliveries.status, 'sent'))).length)
      .toBe(UNITS)
    const perChat = new Map<number, number>()
    for (const m of emulator.sentMessages())
      if (groupIds.has(m.chat_id)) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1)
    const twice = [...perChat].filter(([, n]) => n > 1).map(([id]) => String(id))
    const ambiguous = twice.length
      ? await db
          .select({ recipient: deliveries.recipient })
          .from(deliveries)
          .where(and(inArray(deliveries.recipient, twice), isNotNull(deliveries.ambiguousAt)))
      : []
    expect(ambiguous.map((r) => r.recipient).sort()).toEqual(twice.sort())
    expect(Math.max(...perChat.values())).toBeLessThanOrEqual(2)
  }, 240_000)
})
