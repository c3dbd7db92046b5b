/**
 * Delivery workers as separate processes on one PostgreSQL (TEST_DATABASE_URL): a worker killed
 * with SIGKILL mid-broadcast, three replicas sharing one rate budget, SIGTERM mid-broadcast.
 * Counts come from the Bot API emulator (each message carries its key) and from the outbox rows.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { describeDb, openTestDb, pgUrl, type OpenedTestDb } from '../helpers/db.ts'
import { resetDb } from '../helpers/db.ts'
import { enqueue, listDeliveries } from '../../src/delivery/outbox.ts'
import { query } from '../../src/db/sql.ts'
import type { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import {
  countByKey,
  knownChats,
  notice,
  spawnWorkerProcess,
  startEmulator,
  testWorker,
  TOKEN,
  type WorkerChild,
} from './harness.ts'

/** Polls until `check` is true (every 50 ms); rejects after `timeoutMs` saying what it waited for. */
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function statusCounts(db: OpenedTestDb['db']): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(
    db,
    sql`select status, count(*)::int as n from deliveries group by status`,
  )
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

describeDb('two workers on one database', (t) => {
  it('deliver 200 messages between them, each exactly once, within the one budget', async () => {
    const emulator = await startEmulator({ perSecond: 100 })
    try {
      const chatIds = Array.from({ length: 180 }, (_, i) => 70_001 + i)
      knownChats(emulator, [...chatIds, -70_001, -70_002])
      const items = [
        ...chatIds.map((id) => notice(`n${id}`, id)),
        ...[-70_001, -70_002].flatMap((id) =>
          Array.from({ length: 10 }, (_, n) => notice(`g${-id}-${n}`, id)),
        ),
      ]
      await enqueue(t.db, items)
      const limits = { perSecond: 100, perChatPerSecond: 1, groupPerMinute: 20 }
      const a = testWorker(t.db, emulator, { limits, workerId: 'a' })
      const b = testWorker(t.db, emulator, { limits, workerId: 'b' })
      a.start()
      await b.runUntilIdle({ stallMs: 30_000 })
      await a.stop()
      const counts = countByKey(emulator)
      expect(counts.size).toBe(200)
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      expect(emulator.violationsByKind).toEqual({ total: 0, token: 0, chat: 0, group: 0 })
      const rows = await query<{ worker: string }>(
        t.db,
        sql`select distinct split_part(attempt_id, ':', 1) as worker from deliveries order by 1`,
      )
      expect(rows.map((r) => r.worker)).toEqual(['a', 'b'])
    } finally {
      await emulator.stop()
    }
  })
})

// Several processes need a real server: these run when TEST_DATABASE_URL is set (as in CI).
if (pgUrl) {
  describe('delivery workers as separate processes [postgres]', { timeout: 90_000 }, () => {
    let opened: OpenedTestDb
    let emulator: BotApiEmulator | undefined
    const children: WorkerChild[] = []

    beforeAll(async () => {
      opened = await openTestDb('postgres')
    })
    afterAll(async () => {
      await opened.close()
    })
    beforeEach(async () => {
      await resetDb(opened.db)
    })
    afterEach(async () => {
      for (const c of children.splice(0)) c.kill('SIGKILL')
      await emulator?.stop()
      emulator = undefined
    })

    const spawn = (workerId: string, extra: Partial<Parameters<typeof spawnWorkerProcess>[0]> = {}) => {
      const child = spawnWorkerProcess({
        databaseUrl: opened.url!,
        apiRoot: emulator!.apiRoot,
        token: TOKEN,
        workerId,
        ...extra,
      })
      children.push(child)
      return child
    }

    it('kill -9 in the middle of 500 deliveries, then a restart: all 500 delivered, duplicates only for sends in flight, each marked', async () => {
      emulator = await startEmulator({ perSecond: 200, enforce: false })
      const chatIds = Array.from({ length: 500 }, (_, i) => 30_001 + i)
      knownChats(emulator, chatIds)
      await enqueue(
        opened.db,
        chatIds.map((id) => notice(`reminder:${id}`, id)),
      )
      const fast = {
        limits: { perSecond: 200, perChatPerSecond: 1, groupPerMinute: 20 },
        concurrency: 16,
        leaseMs: 4000,
        maxSlotWaitMs: 1000,
        timeoutSeconds: 1,
      }
      const first = spawn('first', fast)
      await first.ready
      await until('150 messages sent', () => emulator!.sentMessages().length >= 150)
      first.kill('SIGKILL')
      expect((await first.exited).signal).toBe('SIGKILL')
      // The rows the dead worker held: the only ones whose send may have happened unrecorded.
      const inFlight = (await statusCounts(opened.db)).sending ?? 0
      expect(inFlight).toBeGreaterThan(0)

      const second = spawn('second', fast)
      await second.ready
      await until('every row sent', async () => (await statusCounts(opened.db)).sent === 500)
      second.kill('SIGTERM')
      expect((await second.exited).code).toBe(0)

      const counts = countByKey(emulator)
      expect(counts.size).toBe(500) // delivered: all of them, lost: none
      const duplicated = [...counts].filter(([, n]) => n > 1)
      const duplicates = duplicated.reduce((sum, [, n]) => sum + n - 1, 0)
      expect(duplicates).toBeLessThanOrEqual(inFlight)
      const rows = await listDeliveries(opened.db)
      const ambiguous = new Set(rows.filter((r) => r.ambiguous).map((r) => r.key))
      expect(ambiguous.size).toBeLessThanOrEqual(inFlight)
      for (const [key] of duplicated) expect(ambiguous.has(key)).toBe(true)
      expect(rows.every((r) => r.status === 'sent')).toBe(true)
    })

    it('three workers, 1,000 deliveries: each delivered exactly once, the combined rate within the one budget', async () => {
      // A budget above Telegram's keeps the test short; the emulator enforces the same numbers.
      const limits = { perSecond: 100, perChatPerSecond: 1, groupPerMinute: 20 }
      emulator = await startEmulator({ perSecond: 100, perChatPerSecond: 1, perGroupPerMinute: 20 })
      const privateIds = Array.from({ length: 900 }, (_, i) => 40_001 + i)
      const groupIds = Array.from({ length: 10 }, (_, i) => -40_001 - i)
      knownChats(emulator, [...privateIds, ...groupIds])
      const items = [
        ...privateIds.map((id) => notice(`p${id}`, id)),
        ...privateIds.slice(0, 50).map((id) => notice(`p${id}-again`, id)),
        ...groupIds.flatMap((id) => [1, 2, 3, 4, 5].map((n) => notice(`g${-id}-${n}`, id))),
      ]
      expect(items).toHaveLength(1000)
      await enqueue(opened.db, items)
      const workers = ['r1', 'r2', 'r3'].map((id) => spawn(id, { limits, concurrency: 16 }))
      await Promise.all(workers.map((w) => w.ready))
      await until('every row sent', async () => (await statusCounts(opened.db)).sent === 1000, 60_000)
      for (const w of workers) w.kill('SIGTERM')
      expect((await Promise.all(workers.map((w) => w.exited))).map((e) => e.code)).toEqual([0, 0, 0])

      const counts = countByKey(emulator)
      expect(counts.size).toBe(1000)
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      expect(emulator.violationsByKind).toEqual({ total: 0, token: 0, chat: 0, group: 0 })
      // The busiest trailing window, judged as the emulator judges (1 s less its 50 ms of slack), and
      // the average rate, are within the one budget.
      const times = emulator
        .sentMessages()
        .map((m) => m.sentAt)
        .sort((a, b) => a - b)
      let busiest = 0
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= 950) j++
        busiest = Math.max(busiest, i - j + 1)
      }
      expect(busiest).toBeLessThanOrEqual(100)
      expect(((times.length - 1) * 1000) / (times.at(-1)! - times[0]!)).toBeLessThanOrEqual(100)
      // All three replicas took part.
      const rows = await query<{ worker: string; n: number }>(
        opened.db,
        sql`select split_part(attempt_id, ':', 1) as worker, count(*)::int as n from deliveries group by 1 order by 1`,
      )
      expect(rows.map((r) => r.worker)).toEqual(['r1', 'r2', 'r3'])
      expect(rows.every((r) => Number(r.n) > 100)).toBe(true)
    })

    it("three replicas started together at Telegram's published limits: no second where the messages arrive holds more than 30", async () => {
      // The emulator only counts here (enforce off, no slack): every message's arrival time is
      // judged in trailing windows of a full second, from the replicas' very first sends.
      emulator = await startEmulator({ enforce: false, slackMs: 0 })
      const ids = Array.from({ length: 180 }, (_, i) => 60_001 + i)
      knownChats(emulator, ids)
      await enqueue(
        opened.db,
        ids.map((id) => notice(`s${id}`, id)),
      )
      const workers = ['r1', 'r2', 'r3'].map((id) => spawn(id, { concurrency: 16 }))
      await until('every row sent', async () => (await statusCounts(opened.db)).sent === ids.length, 60_000)
      for (const w of workers) w.kill('SIGTERM')
      await Promise.all(workers.map((w) => w.exited))

      const times = emulator
        .sentMessages()
        .map((m) => m.sentAt)
        .sort((a, b) => a - b)
      expect(times).toHaveLength(ids.length)
      let busiest = 0
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= 1000) j++
        busiest = Math.max(busiest, i - j + 1)
      }
      expect(busiest).toBeLessThanOrEqual(30)
      expect(emulator.violations).toBe(0)
    })

    it('Postgres drops every connection mid-broadcast: the worker reconnects and carries on, nothing lost', async () => {
      emulator = await startEmulator({ perSecond: 100 })
      const chatIds = Array.from({ length: 150 }, (_, i) => 60_001 + i)
      knownChats(emulator, chatIds)
      await enqueue(
        opened.db,
        chatIds.map((id) => notice(`n${id}`, id)),
      )
      const limits = { perSecond: 100, perChatPerSecond: 1, groupPerMinute: 20 }
      // A lease short enough that a send whose outcome the lost connection hid is retried within the test.
      const worker = spawn('survivor', {
        limits,
        concurrency: 8,
        leaseMs: 10_000,
        maxSlotWaitMs: 2000,
        timeoutSeconds: 2,
      })
      await worker.ready
      await until('30 messages sent', () => emulator!.sentMessages().length >= 30)
      // What a server restart looks like to the clients: every session ends at once. Only client
      // sessions of our own role: an autovacuum worker in this database may not be signalled by
      // a role that is not a superuser.
      await opened.db.execute(
        sql`select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
              and backend_type = 'client backend' and usename = current_user`,
      )
      await until('every row sent', async () => (await statusCounts(opened.db)).sent === 150, 60_000)
      worker.kill('SIGTERM')
      expect((await worker.exited).code).toBe(0)
      const counts = countByKey(emulator)
      expect(counts.size).toBe(150)
      // A send whose outcome the lost connection hid may repeat, but only marked.
      const ambiguous = new Set(
        (await listDeliveries(opened.db)).filter((r) => r.ambiguous).map((r) => r.key),
      )
      for (const [key, n] of counts) if (n > 1) expect(ambiguous.has(key)).toBe(true)
    })

    it('SIGTERM during a broadcast: stops within 30 s, releases what it held, nothing lost or sent twice', async () => {
      emulator = await startEmulator({ perSecond: 60 })
      const chatIds = Array.from({ length: 200 }, (_, i) => 50_001 + i)
      knownChats(emulator, chatIds)
      await enqueue(
        opened.db,
        chatIds.map((id) => notice(`digest:${id}`, id)),
      )
      const limits = { perSecond: 60, perChatPerSecond: 1, groupPerMinute: 20 }
      const worker = spawn('draining', { limits, concurrency: 16 })
      await worker.ready
      await until('40 messages sent', () => emulator!.sentMessages().length >= 40)
      worker.kill('SIGTERM')
      const exit = await Promise.race([
        worker.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('still running 30 s after SIGTERM')), 30_000),
        ),
      ])
      expect(exit.code).toBe(0)
      expect(exit.stdout).toContain('"event":"stopped"')
      const afterStop = await statusCounts(opened.db)
      expect(afterStop.sending ?? 0).toBe(0)
      expect(afterStop.sent).toBe(emulator.sentMessages().length)
      expect(afterStop.sent! + (afterStop.pending ?? 0)).toBe(200)

      await testWorker(opened.db, emulator, { limits }).runUntilIdle({ stallMs: 30_000 })
      const counts = countByKey(emulator)
      expect(counts.size).toBe(200)
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      expect((await listDeliveries(opened.db)).filter((r) => r.ambiguous)).toEqual([])
    })
  })
}
