import { afterEach, beforeEach, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { loadConfig } from '../../src/config.ts'
import { schedules, scheduleFires } from '../../src/db/schema.ts'
import { silentLogger } from '../../src/log.ts'
import {
  createScheduler,
  syncSchedules,
  type Scheduler,
  type SchedulerOptions,
} from '../../src/scheduler/scheduler.ts'
import { firesOf } from '../../src/scheduler/fires.ts'
import type { Job } from '../../jobs/types.ts'
import { deferred, enqueueFor, fakeJob, firstRunHeld, outboxCount } from './fake-jobs.ts'

const config = loadConfig({ TIMEZONE: 'Asia/Shanghai' })
const everyDay = { isWorkingDay: () => true }
const at = (iso: string) => new Date(iso)
const iso = (d: Date) => d.toISOString()

describeDb('scheduler', (t) => {
  const made: Scheduler[] = []
  beforeEach(() => t.reset())
  afterEach(async () => {
    for (const s of made.splice(0)) await s.stop()
  })

  /** A scheduler whose clock reads `clock.now`. */
  function scheduler(jobs: Job[], clock: { now: Date }, extra: Partial<SchedulerOptions> = {}): Scheduler {
    const s = createScheduler({
      db: t.db,
      config,
      logger: silentLogger,
      calendar: everyDay,
      jobs,
      now: () => clock.now,
      stopTimeoutMs: 2000,
      ...extra,
    })
    made.push(s)
    return s
  }

  /** The 09:00 fire of 'daily' as another process claimed it at its time, heartbeat and all. */
  const runningElsewhere = (fireAt: string, o = { heartbeat: true }) =>
    t.db.insert(scheduleFires).values({
      schedule: 'daily',
      fireAt: at(fireAt),
      status: 'running',
      startedAt: at(fireAt),
      heartbeatAt: o.heartbeat ? at(fireAt) : null,
    })

  const fireRows = async (name: string) =>
    (await firesOf(t.db, name)).map((r) => ({
      at: iso(r.fireAt),
      status: r.status,
      late: r.late,
      enqueued: r.enqueued,
    }))

  it('evaluates cron in Asia/Shanghai: a 09:00 fire is 01:00Z, run on time with now = the fire time', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *' })
    await syncSchedules(t.db, [job], at('2024-10-10T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-10T00:30:00Z') })
    await s.tick(at('2024-10-10T00:59:00Z'))
    expect(job.calls).toHaveLength(0)
    await s.tick(at('2024-10-10T01:00:00.020Z'))
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-10T01:00:00.000Z', '2024-10-10T01:00:00.000Z', false],
    ])
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-10T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('runs each fire once when two replicas tick the same minute', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *' })
    await syncSchedules(t.db, [job], at('2024-10-10T00:00:00Z'))
    const clock = { now: at('2024-10-10T00:00:00Z') }
    const a = scheduler([job], clock)
    const b = scheduler([job], clock)
    await Promise.all([a.tick(at('2024-10-10T01:00:00Z')), b.tick(at('2024-10-10T01:00:00Z'))])
    await Promise.all([a.tick(at('2024-10-10T01:01:00Z')), b.tick(at('2024-10-10T01:01:00Z'))])
    expect(job.calls).toHaveLength(1)
    expect(await outboxCount(t.db, 'daily')).toBe(1)
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-10T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('runs a fire missed while the service was down once, late, after start', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'each' })
    const first = scheduler([job], { now: at('2024-10-14T00:30:00Z') })
    await first.start()
    await first.tick(at('2024-10-14T01:00:00Z'))
    await first.stop()
    // Down from Monday 09:00 until Tuesday 11:00 Shanghai time.
    const clock = { now: at('2024-10-15T03:00:00Z') }
    const second = scheduler([job], clock)
    await second.start()
    await second.tick(at('2024-10-15T03:01:00Z'))
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', '2024-10-14T01:00:00.000Z', false],
      ['2024-10-15T01:00:00.000Z', '2024-10-15T03:00:00.000Z', true],
    ])
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
      { at: '2024-10-15T01:00:00.000Z', status: 'done', late: true, enqueued: 1 },
    ])
  })

  it("records missed fires as skipped, with the reason, under catch-up 'skip'", async () => {
    const job = fakeJob({ name: 'nudge', cron: '0 8 * * 1', catchUp: 'skip' })
    await syncSchedules(t.db, [job], at('2024-10-10T00:00:00Z'))
    const s = scheduler([job], { now: at('2024-10-14T02:00:00Z') }) // Monday 10:00, two hours late
    await s.start()
    expect(job.calls).toHaveLength(0)
    const [row] = await firesOf(t.db, 'nudge')
    expect(row).toMatchObject({ status: 'skipped', late: true, enqueued: 0 })
    expect(iso(row!.fireAt)).toBe('2024-10-14T00:00:00.000Z')
    expect(row!.detail).toContain('按该任务的补发策略不补发')
    expect(row!.detail).toContain('this job does not catch up')
  })

  it("under catch-up 'latest' runs only the most recent missed fire and records the older ones skipped", async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'latest' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const first = scheduler([job], { now: at('2024-10-14T00:30:00Z') })
    await first.tick(at('2024-10-14T01:00:00Z'))
    // Down until Thursday 11:00: Tuesday, Wednesday and Thursday 09:00 were missed.
    const second = scheduler([job], { now: at('2024-10-17T03:00:00Z') })
    await second.start()
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', false],
      ['2024-10-17T01:00:00.000Z', true],
    ])
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
      { at: '2024-10-15T01:00:00.000Z', status: 'skipped', late: true, enqueued: 0 },
      { at: '2024-10-16T01:00:00.000Z', status: 'skipped', late: true, enqueued: 0 },
      { at: '2024-10-17T01:00:00.000Z', status: 'done', late: true, enqueued: 1 },
    ])
    const skipped = (await firesOf(t.db, 'daily'))[1]
    expect(skipped?.detail).toContain('已由 2024-10-17 09:00 的执行代替')
  })

  it('records fires older than the catch-up window as skipped and runs the ones inside it', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'each', windowHours: 48 })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    await scheduler([job], { now: at('2024-10-14T00:30:00Z') }).tick(at('2024-10-14T01:00:00Z'))
    // Down until Friday 11:00: 15th and 16th are older than 48 hours, 17th and 18th are not.
    await scheduler([job], { now: at('2024-10-18T03:00:00Z') }).start()
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
      { at: '2024-10-15T01:00:00.000Z', status: 'skipped', late: true, enqueued: 0 },
      { at: '2024-10-16T01:00:00.000Z', status: 'skipped', late: true, enqueued: 0 },
      { at: '2024-10-17T01:00:00.000Z', status: 'done', late: true, enqueued: 1 },
      { at: '2024-10-18T01:00:00.000Z', status: 'done', late: true, enqueued: 1 },
    ])
    expect((await firesOf(t.db, 'daily'))[1]?.detail).toContain('超出补发时限（48 小时）')
    expect(job.calls.map((c) => iso(c.fire.scheduledAt))).toEqual([
      '2024-10-14T01:00:00.000Z',
      '2024-10-17T01:00:00.000Z',
      '2024-10-18T01:00:00.000Z',
    ])
  })

  it('writes at most the configured number of rows for fires older than the window, and says so', async () => {
    const job = fakeJob({ name: 'hourly', cron: '0 * * * *', catchUp: 'each', windowHours: 1 })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    // Down for ten hours: fires at 01:00Z … 10:00Z; only 10:00Z is within the hour before 10:30Z.
    await scheduler([job], { now: at('2024-10-14T10:30:00Z') }, { maxOutsideWindowRows: 3 }).start()
    const rows = await firesOf(t.db, 'hourly')
    expect(rows.map((r) => [iso(r.fireAt), r.status])).toEqual([
      ['2024-10-14T07:00:00.000Z', 'skipped'],
      ['2024-10-14T08:00:00.000Z', 'skipped'],
      ['2024-10-14T09:00:00.000Z', 'skipped'],
      ['2024-10-14T10:00:00.000Z', 'done'],
    ])
    expect(rows[0]?.detail).toContain('更早错过的执行未逐条记录')
    expect(rows[1]?.detail).not.toContain('更早错过的执行未逐条记录')
  })

  it('does not back-fill fires from before a fresh install', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'each' })
    // First start ever on Monday at 11:00 Shanghai, after that day's 09:00.
    const s = scheduler([job], { now: at('2024-10-14T03:00:00Z') })
    await s.start()
    await s.tick(at('2024-10-14T03:01:00Z'))
    expect(await fireRows('daily')).toEqual([])
    await s.tick(at('2024-10-15T01:00:00Z'))
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-15T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('does not run a fire again after a restart', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'each' })
    const first = scheduler([job], { now: at('2024-10-14T00:30:00Z') })
    await first.start()
    await first.tick(at('2024-10-14T01:00:00Z'))
    await first.stop()
    await scheduler([job], { now: at('2024-10-14T01:00:30Z') }).start()
    await scheduler([job], { now: at('2024-10-14T06:00:00Z') }).start()
    expect(job.calls).toHaveLength(1)
    expect(await fireRows('daily')).toHaveLength(1)
  })

  it('records a throwing job as failed, not retried, and carries on with the other schedules', async () => {
    const broken = fakeJob({
      name: 'broken',
      cron: '0 9 * * *',
      behave: () => Promise.reject(new Error('plan table missing')),
    })
    const fine = fakeJob({ name: 'fine', cron: '0 9 * * *' })
    await syncSchedules(t.db, [broken, fine], at('2024-10-14T00:30:00Z'))
    const s = scheduler([broken, fine], { now: at('2024-10-14T00:30:00Z') })
    await s.tick(at('2024-10-14T01:00:00Z'))
    await s.tick(at('2024-10-14T01:01:00Z'))
    await s.tick(at('2024-10-15T01:00:00Z'))
    expect(await fireRows('broken')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'failed', late: false, enqueued: 0 },
      { at: '2024-10-15T01:00:00.000Z', status: 'failed', late: false, enqueued: 0 },
    ])
    const [failed] = await firesOf(t.db, 'broken')
    expect(failed?.detail).toContain('plan table missing')
    expect(failed?.detail).toContain('不会自动重试')
    expect(failed?.detail).toContain('duban job run broken --at 2024-10-14T01:00:00.000Z')
    expect(broken.calls).toHaveLength(2)
    expect(await fireRows('fine')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
      { at: '2024-10-15T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('runs a fire again when its job lost the database, and records it done once', async () => {
    const gone = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    })
    let failures = 2
    const job = fakeJob({
      name: 'daily',
      cron: '0 9 * * *',
      behave: (ctx, fire) =>
        failures-- > 0
          ? Promise.reject(gone)
          : enqueueFor(ctx.db, 'daily', fire).then((enqueued) => ({ enqueued })),
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-14T01:00:00Z') }, { retryBaseMs: 5 })
    await s.tick(at('2024-10-14T01:00:00Z'))
    expect(job.calls.map((c) => [iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', false],
      ['2024-10-14T01:00:00.000Z', false],
      ['2024-10-14T01:00:00.000Z', false],
    ])
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('runs it late, as of its own moment, when the database is back after the on-time tolerance', async () => {
    const clock = { now: at('2024-10-14T01:00:00Z') }
    const job = fakeJob({
      name: 'daily',
      cron: '0 9 * * *',
      behave: (ctx, fire) => {
        if (job.calls.length > 1) return enqueueFor(ctx.db, 'daily', fire).then((enqueued) => ({ enqueued }))
        clock.now = at('2024-10-14T01:20:00Z')
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      },
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    await scheduler([job], clock, { retryBaseMs: 5 }).tick(at('2024-10-14T01:00:00Z'))
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', '2024-10-14T01:00:00.000Z', false],
      ['2024-10-14T01:00:00.000Z', '2024-10-14T01:20:00.000Z', true],
    ])
    expect(await fireRows('daily')).toMatchObject([{ at: '2024-10-14T01:00:00.000Z', status: 'done' }])
  })

  it('stop() ends the waits of a fire whose database is away and records it failed', async () => {
    const job = fakeJob({
      name: 'daily',
      cron: '0 9 * * *',
      behave: () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-14T01:00:00Z') }, { retryBaseMs: 60_000 })
    const ticking = s.tick(at('2024-10-14T01:00:00Z'))
    await expect.poll(() => job.calls.length).toBe(1)
    const started = Date.now()
    await s.stop()
    await ticking
    expect(Date.now() - started).toBeLessThan(1500)
    const [row] = await firesOf(t.db, 'daily')
    expect(row).toMatchObject({ status: 'failed' })
    expect(row?.detail).toContain('duban job run daily --at 2024-10-14T01:00:00.000Z')
  })

  it('records a job that decides to skip as skipped with its reason', async () => {
    const job = fakeJob({
      name: 'prompts',
      cron: '0 10 * * 5',
      behave: () => Promise.resolve({ enqueued: 0, skipped: '非工作日 / non-working day' }),
    })
    await syncSchedules(t.db, [job], at('2024-09-30T00:00:00Z'))
    await scheduler([job], { now: at('2024-09-30T00:00:00Z') }).tick(at('2024-10-04T02:00:00Z'))
    const [row] = await firesOf(t.db, 'prompts')
    expect(row).toMatchObject({ status: 'skipped', late: false, detail: '非工作日 / non-working day' })
  })

  it('does not let a long job hold up other schedules, nor run twice when ticks overlap', async () => {
    const gate = deferred()
    const slow = fakeJob({
      name: 'slow',
      cron: '0 9 * * *',
      behave: async () => {
        await gate.promise
        return { enqueued: 0 }
      },
    })
    const minutely = fakeJob({ name: 'minutely', cron: '* * * * *' })
    await syncSchedules(t.db, [slow, minutely], at('2024-10-14T00:59:30Z'))
    const s = scheduler([slow, minutely], { now: at('2024-10-14T00:59:30Z') })
    const first = s.tick(at('2024-10-14T01:00:00Z'))
    const overlapping = s.tick(at('2024-10-14T01:00:00Z'))
    await expect.poll(() => slow.calls.length).toBe(1)
    await expect.poll(() => minutely.calls.length).toBe(1)
    // Called is not finished: until its 01:00 fire is recorded done, a tick rightly skips the
    // schedule (never two of its fires at once), which on PostgreSQL could race the next tick.
    await expect.poll(async () => (await fireRows('minutely')).map((r) => r.status)).toEqual(['done'])
    await s.tick(at('2024-10-14T01:01:00Z'))
    await s.tick(at('2024-10-14T01:02:00Z'))
    // The slow job is still held, yet the every-minute schedule kept going.
    expect(minutely.calls.map((c) => iso(c.fire.scheduledAt))).toEqual([
      '2024-10-14T01:00:00.000Z',
      '2024-10-14T01:01:00.000Z',
      '2024-10-14T01:02:00.000Z',
    ])
    expect(await fireRows('slow')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'running', late: false, enqueued: 0 },
    ])
    gate.resolve()
    await Promise.all([first, overlapping])
    await s.tick(at('2024-10-14T01:03:00Z'))
    expect(slow.calls).toHaveLength(1)
    expect(await fireRows('slow')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 0 },
    ])
  })

  it("runs one schedule's catch-up in order, never two of its fires at once, when ticks overlap", async () => {
    const { job, release } = firstRunHeld({ name: 'daily', cron: '0 9 * * *', catchUp: 'each' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-17T03:00:00Z') })
    const first = s.tick(at('2024-10-17T03:00:00Z'))
    await expect.poll(() => job.calls.length).toBe(1)
    await s.tick(at('2024-10-17T03:01:00Z'))
    expect(job.calls).toHaveLength(1)
    release()
    await first
    // The 14th is older than the 72-hour window; the rest ran one after the other, once each.
    expect(job.calls.map((c) => iso(c.fire.scheduledAt))).toEqual([
      '2024-10-15T01:00:00.000Z',
      '2024-10-16T01:00:00.000Z',
      '2024-10-17T01:00:00.000Z',
    ])
    expect(await outboxCount(t.db, 'daily')).toBe(3)
  })

  it('stop() waits for a running job, then claims nothing more', async () => {
    const gate = deferred()
    const job = fakeJob({
      name: 'daily',
      cron: '0 9 * * *',
      behave: async (ctx, fire) => {
        await gate.promise
        return { enqueued: (await outboxCount(ctx.db, 'daily')) === 0 ? 1 : 0, detail: iso(fire.scheduledAt) }
      },
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-14T00:30:00Z') })
    const ticking = s.tick(at('2024-10-14T01:00:00Z'))
    await expect.poll(() => job.calls.length).toBe(1)
    const stopping = s.stop()
    gate.resolve()
    await stopping
    // stop() returned only once the job had finished and its fire was recorded.
    expect((await fireRows('daily'))[0]?.status).toBe('done')
    await ticking
    await s.tick(at('2024-10-15T01:00:00Z'))
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('stop() records a job still running after the timeout as interrupted', async () => {
    const gate = deferred()
    const job = fakeJob({
      name: 'stuck',
      cron: '0 9 * * *',
      behave: async () => {
        await gate.promise
        return { enqueued: 0 }
      },
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const s = scheduler([job], { now: at('2024-10-14T00:30:00Z') }, { stopTimeoutMs: 50 })
    const ticking = s.tick(at('2024-10-14T01:00:00Z'))
    await expect.poll(() => job.calls.length).toBe(1)
    await s.stop()
    const [row] = await firesOf(t.db, 'stuck')
    expect(row).toMatchObject({ status: 'failed' })
    expect(row?.detail).toContain('服务停止时仍在执行')
    gate.resolve()
    await ticking
  })

  it('skips disabled schedules and does not catch up their fires when switched on again', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', catchUp: 'each' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    await t.db.update(schedules).set({ enabled: false }).where(eq(schedules.name, 'daily'))
    const s = scheduler([job], { now: at('2024-10-14T00:30:00Z') })
    await s.tick(at('2024-10-14T01:00:00Z'))
    await s.tick(at('2024-10-15T03:00:00Z'))
    await t.db.update(schedules).set({ enabled: true }).where(eq(schedules.name, 'daily'))
    await s.tick(at('2024-10-15T03:01:00Z'))
    expect(await fireRows('daily')).toEqual([])
    await s.tick(at('2024-10-16T01:00:00Z'))
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-16T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it("keeps an admin's schedule edits and gives the job the row's options over its defaults", async () => {
    const job = fakeJob({
      name: 'ladder',
      cron: '0 9 * * *',
      defaultOptions: { offsets: [14, 7, 3, 1, 0], cc: true },
    })
    expect(await syncSchedules(t.db, [job], at('2024-10-14T00:00:00Z'))).toEqual(['ladder'])
    await t.db
      .update(schedules)
      .set({ cron: '30 8 * * *', options: { offsets: [5, 1] } })
      .where(eq(schedules.name, 'ladder'))
    expect(await syncSchedules(t.db, [job], at('2024-10-14T00:10:00Z'))).toEqual([])
    const [row] = await t.db.select().from(schedules).where(eq(schedules.name, 'ladder'))
    expect(row).toMatchObject({ cron: '30 8 * * *', options: { offsets: [5, 1] } })
    await scheduler([job], { now: at('2024-10-14T00:10:00Z') }).tick(at('2024-10-14T00:30:00Z'))
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), c.options])).toEqual([
      ['2024-10-14T00:30:00.000Z', { offsets: [5, 1], cc: true }],
    ])
  })

  it('leaves the schedule_fires rows of other replicas alone', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    // Another replica claimed the fire and is still running it.
    await runningElsewhere('2024-10-14T01:00:00Z')
    await scheduler([job], { now: at('2024-10-14T00:30:00Z') }).tick(at('2024-10-14T01:10:00Z'))
    expect(job.calls).toHaveLength(0)
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'running', late: false, enqueued: 0 },
    ])
  })

  it('runs again, late, a fire a dead process left running (kill -9 mid-job), once among replicas', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    // Claimed at 09:00 by a process killed mid-run: the row says running, nothing will finish it.
    await runningElsewhere('2024-10-14T01:00:00Z')
    const clock = { now: at('2024-10-14T02:00:00Z') }
    await Promise.all([scheduler([job], clock).tick(clock.now), scheduler([job], clock).tick(clock.now)])
    await scheduler([job], clock).tick(at('2024-10-14T02:01:00Z'))
    expect(job.calls.map((c) => [iso(c.fire.scheduledAt), iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', '2024-10-14T02:00:00.000Z', true],
    ])
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: true, enqueued: 1 },
    ])
  })

  it('leaves a long job to its live replica, whose heartbeat goes on each tick', async () => {
    const { job, release } = firstRunHeld({ name: 'daily', cron: '0 9 * * *' })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const clock = { now: at('2024-10-14T01:00:00Z') }
    const a = scheduler([job], clock)
    const running = a.tick(clock.now)
    await expect.poll(() => job.calls.length).toBe(1)
    // Forty minutes into the job, replica A still ticks; replica B looks five minutes later.
    clock.now = at('2024-10-14T01:40:00Z')
    await a.tick(clock.now)
    clock.now = at('2024-10-14T01:45:00Z')
    await scheduler([job], clock).tick(clock.now)
    expect(job.calls).toHaveLength(1)
    release()
    await running
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'done', late: false, enqueued: 1 },
    ])
  })

  it('keeps the outcome of the replica that took a fire over; the silent first owner writes nothing over it', async () => {
    const gates = [deferred(), deferred()]
    const job = fakeJob({
      name: 'daily',
      cron: '0 9 * * *',
      behave: async (ctx, fire) => {
        const call = job.calls.length
        await gates[call - 1]?.promise
        return { enqueued: await enqueueFor(ctx.db, 'daily', fire), detail: `run ${call}` }
      },
    })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    const clock = { now: at('2024-10-14T01:00:00Z') }
    const first = scheduler([job], clock).tick(clock.now)
    await expect.poll(() => job.calls.length).toBe(1)
    // Replica A stops ticking (frozen, cut off) for twenty minutes; B takes the fire over.
    clock.now = at('2024-10-14T01:20:00Z')
    const second = scheduler([job], clock).tick(clock.now)
    await expect.poll(() => job.calls.length).toBe(2)
    expect(job.calls.map((c) => [iso(c.fire.now), c.fire.late])).toEqual([
      ['2024-10-14T01:00:00.000Z', false],
      ['2024-10-14T01:20:00.000Z', true],
    ])
    // A wakes and finishes first: the fire is B's now, so A records nothing.
    gates[0]?.resolve()
    await first
    expect(await fireRows('daily')).toEqual([
      { at: '2024-10-14T01:00:00.000Z', status: 'running', late: true, enqueued: 0 },
    ])
    gates[1]?.resolve()
    await second
    const [row] = await firesOf(t.db, 'daily')
    expect(row).toMatchObject({ status: 'done', late: true, enqueued: 0, detail: 'run 2' })
    expect(row?.startedAt.toISOString()).toBe('2024-10-14T01:20:00.000Z')
    expect(await outboxCount(t.db, 'daily')).toBe(1)
  })

  it('records a fire a dead process left running past the catch-up window as failed, with how to run it', async () => {
    const job = fakeJob({ name: 'daily', cron: '0 9 * * *', windowHours: 2 })
    await syncSchedules(t.db, [job], at('2024-10-14T00:30:00Z'))
    // A row claimed before heartbeats were kept: its start time tells its age.
    await runningElsewhere('2024-10-14T01:00:00Z', { heartbeat: false })
    await scheduler([job], { now: at('2024-10-14T05:00:00Z') }).tick(at('2024-10-14T05:00:00Z'))
    expect(job.calls).toHaveLength(0)
    const [row] = await firesOf(t.db, 'daily')
    expect(row?.status).toBe('failed')
    expect(row?.detail).toContain('duban job run daily --at 2024-10-14T01:00:00.000Z')
    expect(row?.detail).toContain('进程中途终止')
  })
})
