/**
 * The scheduler. node-cron only ticks once a minute; everything that matters lives in Postgres:
 * the editable `schedules` rows and one `schedule_fires` row per fire, claimed once and never
 * released, so each fire runs on exactly one replica, once, whatever restarts and replicas do.
 *
 * Each tick looks, per enabled schedule, at the cron's fires in (last considered, now] in the
 * plan's timezone. "Last considered" is held in memory while the process runs; a process that has
 * not considered a schedule yet (it just started) takes the schedule's latest recorded fire, or the
 * row's `updated_at` when it has none (a fresh install never back-fills history). A fire found
 * within `onTimeToleranceMs` of its time runs on time; an older one was missed and the job's
 * catch-up policy decides (see job.ts). Every missed fire gets a row, run or skipped with
 * the reason; of those older than the catch-up window at most `maxOutsideWindowRows` (default 50)
 * get a row each, the oldest of them saying that even earlier ones were not recorded one by one.
 *
 * A job that throws because the database went away (a restart, a failover: isDatabaseUnavailable)
 * runs again in this process, 1 s, 2 s, 4 s … up to a minute apart, while the fire is inside its
 * job's catch-up window: its decision rolled back with the connection, and a run of the same
 * moment adds only what is missing, so the fire is done once the database is back, not left
 * failed until its next time. A re-run that starts after the on-time tolerance runs late, as of
 * its own moment. The outcome is written the same way (the row never stays `running` for a
 * restart). While a fire runs, every tick stamps its heartbeat; a fire whose heartbeat stopped
 * for `abandonedAfterMs` (its process died: kill -9, out of memory) is taken over by the next
 * replica to tick, under a new token, so the first owner, should it wake, records nothing over it.
 * Any other error is logged and recorded `failed`; it is not retried automatically (an
 * admin runs `duban job run`). Schedules are handled concurrently, so a long job never delays the
 * others; a schedule still busy from an earlier tick is left alone by the next (in-process guard
 * on top of the unique claim).
 */
import cron, { type ScheduledTask } from 'node-cron'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import { schedules } from '../db/schema.ts'
import type { WorkingCalendar } from '../domain/working-days.ts'
import type { Logger } from '../log.ts'
import { jobByName, type Job } from './job.ts'
import { cronProblem } from './cron.ts'
import {
  beatFires,
  claimFire,
  finishFire,
  lastFireAt,
  markInterrupted,
  ownsFire,
  recordSkippedFire,
  takeOverAbandonedFires,
  type OwnedFire,
  type ScheduleRow,
} from './fires.ts'
import { planFires, type PlannedFire } from './plan.ts'
import { jobOptions, runJob } from './run.ts'
import { countJobFire } from '../metrics.ts'
import { formatInstant } from '../domain/dates.ts'
import { bilingual } from '../errors.ts'
import { isDatabaseUnavailable } from '../db/unavailable.ts'
import type { JobFire } from './job.ts'

export interface SchedulerOptions {
  db: Db
  config: Config
  logger: Logger
  calendar: WorkingCalendar
  jobs: readonly Job[]
  /** The clock for `start()`, the minute ticks and the fire rows' started/finished times. */
  now?: () => Date
  /** A fire found within this long after its time runs on time, not late (default 5 minutes). */
  onTimeToleranceMs?: number
  /** How long `stop()` waits for running jobs (default 25 s, inside the 30 s shutdown budget). */
  stopTimeoutMs?: number
  /** Rows written per schedule for fires older than the catch-up window (default 50). */
  maxOutsideWindowRows?: number
  /** The first wait before a fire whose database went away runs again (default 1 s; doubles up to a minute). */
  retryBaseMs?: number
  /**
   * A fire still `running` whose heartbeat (stamped each tick by the process running it) is this
   * old belonged to a process that died mid-run: it is taken over and run again, late (default
   * 10 min, ten missed ticks).
   */
  abandonedAfterMs?: number
}

const RETRY_MAX_MS = 60_000

export interface Scheduler {
  /** Seeds missing schedules, starts the minute tick, and resolves when the catch-up tick is done. */
  start(): Promise<void>
  /** Stops ticking and claiming; waits for running jobs up to `stopTimeoutMs`, then records the rest as interrupted. */
  stop(): Promise<void>
  /** Considers every enabled schedule as of `now`; resolves when the fires it claimed have finished. Never rejects. */
  tick(now: Date): Promise<void>
}

/**
 * Inserts a `schedules` row with the job's defaults for every job that has none, dated `now`.
 * Never touches an existing row (an admin's edits stand). Returns the names it inserted.
 */
export async function syncSchedules(db: Db, jobs: readonly Job[], now: Date = new Date()): Promise<string[]> {
  if (jobs.length === 0) return []
  for (const job of jobs) {
    const problem = cronProblem(job.defaultCron)
    if (problem) throw new Error(`job ${job.name}: defaultCron "${job.defaultCron}": ${problem}`)
  }
  const rows = await db
    .insert(schedules)
    .values(
      jobs.map((job) => ({
        name: job.name,
        cron: job.defaultCron,
        enabled: true,
        options: job.defaultOptions ?? {},
        updatedAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ name: schedules.name })
  return rows.map((r) => r.name)
}

interface ScheduleState {
  /** Fires at or before this were considered by this process. */
  after?: Date
  busy: boolean
}

/** A scheduler over the given jobs; nothing happens until `start()` or `tick(now)`. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, config, calendar, jobs } = options
  const logger = options.logger.child({ component: 'scheduler' })
  const clock = options.now ?? (() => new Date())
  const onTimeToleranceMs = options.onTimeToleranceMs ?? 5 * 60_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 25_000
  const maxOutsideWindowRows = options.maxOutsideWindowRows ?? 50
  const retryBaseMs = options.retryBaseMs ?? 1000
  const abandonedAfterMs = options.abandonedAfterMs ?? 10 * 60_000
  const tz = config.timezone

  const states = new Map<string, ScheduleState>()
  const inflight = new Set<Promise<unknown>>()
  /** Fires this process claimed and is running, for heartbeats and shutdown. */
  const running = new Map<string, OwnedFire>()
  const warned = new Set<string>()
  let task: ScheduledTask | undefined
  let stopping = false
  /** Pauses between runs of a fire, cut short by stop(). */
  const wakers = new Set<() => void>()

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      wakers.add(wake)
    })
  }

  const backoff = (attempt: number) => Math.min(RETRY_MAX_MS, retryBaseMs * 2 ** (attempt - 1))

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p)
    void p.finally(() => inflight.delete(p)).catch(() => {})
    return p
  }

  function warnOnce(key: string, fields: object, message: string): void {
    if (warned.has(key)) return
    warned.add(key)
    logger.warn(fields, message)
  }

  function skipDetail(fire: PlannedFire): string {
    const parts: string[] = []
    const r = fire.reason
    if (r?.kind === 'outside-window') parts.push(bilingual('scheduler', (t) => t.fire.outsideWindow(r.hours)))
    if (r?.kind === 'superseded')
      parts.push(bilingual('scheduler', (t) => t.fire.superseded(formatInstant(r.by, tz))))
    if (r?.kind === 'policy-skip') parts.push(bilingual('scheduler', (t) => t.fire.policySkip))
    if (fire.earlierNotRecorded)
      parts.push(bilingual('scheduler', (t) => t.fire.earlierNotRecorded(formatInstant(fire.at, tz))))
    return parts.join('; ')
  }

  /**
   * Runs a fire: claims it first, unless `takenOverAt` says this process already took it over from
   * a dead one (with that token).
   */
  async function runFire(
    row: ScheduleRow,
    job: Job,
    fire: PlannedFire,
    now: Date,
    takenOverAt?: Date,
  ): Promise<void> {
    if (stopping) return
    const owned: OwnedFire = { schedule: row.name, fireAt: fire.at, startedAt: takenOverAt ?? clock() }
    if (!takenOverAt && !(await claimFire(db, row.name, fire.at, fire.late, owned.startedAt))) return
    const key = `${row.name}@${fire.at.toISOString()}`
    running.set(key, owned)
    // Past this, a missed fire would be recorded skipped: the database's return is waited for until then.
    const retryUntil = fire.at.getTime() + job.catchUpWindowHours * 3_600_000
    let run: JobFire = { scheduledAt: fire.at, now: fire.late ? now : fire.at, late: fire.late }
    try {
      let outcome: Parameters<typeof finishFire>[2]
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await runJob(
            { db, config, calendar, logger },
            job,
            jobOptions(job, row.options),
            run,
          )
          outcome = result.skipped
            ? {
                status: 'skipped',
                enqueued: result.enqueued,
                detail: result.detail ? `${result.skipped}; ${result.detail}` : result.skipped,
              }
            : { status: 'done', enqueued: result.enqueued, detail: result.detail ?? null }
          logger.info(
            {
              job: job.name,
              fireAt: fire.at,
              late: run.late,
              attempt,
              status: outcome.status,
              enqueued: outcome.enqueued,
            },
            'schedule fire finished',
          )
          break
        } catch (err) {
          if (isDatabaseUnavailable(err) && !stopping && clock().getTime() < retryUntil) {
            const waitMs = backoff(attempt)
            logger.warn(
              { err, job: job.name, fireAt: fire.at, attempt, waitMs },
              'scheduled job lost its database; it runs again',
            )
            await pause(waitMs)
            // Down long enough for another replica to take the fire over: it is theirs now.
            if (!stopping && !(await ownsFire(db, owned).catch(() => true))) {
              logger.warn(
                { job: job.name, fireAt: fire.at },
                'fire taken over by another process; not run again here',
              )
              return
            }
            if (!stopping) {
              // Run as of now once the on-time moment has passed, as a late fire would.
              const at = clock()
              if (at.getTime() - fire.at.getTime() > onTimeToleranceMs)
                run = { scheduledAt: fire.at, now: at, late: true }
              continue
            }
          }
          const message = err instanceof Error ? err.message : String(err)
          logger.error({ err, job: job.name, fireAt: fire.at, late: run.late }, 'scheduled job failed')
          const rerun = `duban job run ${job.name} --at ${fire.at.toISOString()}`
          outcome = {
            status: 'failed',
            enqueued: 0,
            detail: bilingual('scheduler', (t) => t.fire.failed(message, rerun)),
          }
          break
        }
      }
      countJobFire(job.name, outcome.status)
      for (let attempt = 1; ; attempt++) {
        try {
          if (!(await finishFire(db, owned, outcome, clock())))
            logger.warn(
              { job: job.name, fireAt: fire.at, status: outcome.status },
              'fire taken over by another process meanwhile; its outcome is not recorded here',
            )
          break
        } catch (err) {
          // Stopping with the database away: the row stays `running`, as after a crash.
          if (!isDatabaseUnavailable(err) || stopping) throw err
          await pause(backoff(attempt))
        }
      }
    } finally {
      running.delete(key)
    }
  }

  async function considerSchedule(row: ScheduleRow, now: Date): Promise<void> {
    let state = states.get(row.name)
    if (!state) states.set(row.name, (state = { busy: false }))
    if (state.busy) {
      logger.debug({ schedule: row.name }, 'schedule still busy from an earlier tick')
      return
    }
    const job = jobByName(row.name, jobs)
    if (!job) {
      warnOnce(`nojob:${row.name}`, { schedule: row.name }, 'schedule has no registered job; ignored')
      return
    }
    if (!row.enabled) {
      // A schedule switched on again starts from that moment, not from before it was off.
      state.after = now
      return
    }
    const problem = cronProblem(row.cron)
    if (problem) {
      warnOnce(
        `cron:${row.name}:${row.cron}`,
        { schedule: row.name, cron: row.cron, problem },
        'invalid cron',
      )
      return
    }
    state.busy = true
    try {
      // Fires a dead process left running: run again now, late (jobs add only what is missing).
      const own = [...running.values()].filter((r) => r.schedule === row.name).map((r) => r.fireAt)
      // The same clock that wrote started_at, so a tick's own moment (a catch-up, a test) never ages a claim.
      const takenAt = clock()
      const cutoff = new Date(takenAt.getTime() - abandonedAfterMs)
      for (const fireAt of await takeOverAbandonedFires(db, row.name, cutoff, takenAt, own)) {
        if (stopping) return
        if (now.getTime() - fireAt.getTime() > job.catchUpWindowHours * 3_600_000) {
          // Too old to run now, as a missed fire would be: recorded failed, with how to run it.
          const rerun = `duban job run ${job.name} --at ${fireAt.toISOString()}`
          await markInterrupted(
            db,
            { schedule: row.name, fireAt, startedAt: takenAt },
            bilingual('scheduler', (t) => t.fire.abandoned(rerun)),
            clock(),
          )
          continue
        }
        logger.warn({ job: job.name, fireAt }, 'a fire left running by a process that stopped runs again')
        await runFire(row, job, { at: fireAt, late: true, action: 'run' }, now, takenAt)
      }
      const after = state.after ?? (await lastFireAt(db, row.name)) ?? row.updatedAt
      const planned = planFires({
        cron: row.cron,
        timeZone: tz,
        after,
        now,
        catchUp: job.catchUp,
        catchUpWindowHours: job.catchUpWindowHours,
        onTimeToleranceMs,
        maxOutsideWindowRows,
      })
      for (const fire of planned) {
        // Stopping: leave the rest unrecorded; the next start finds them after the last recorded fire.
        if (stopping) return
        if (fire.action === 'run') await runFire(row, job, fire, now)
        else {
          const detail = skipDetail(fire)
          if (
            await recordSkippedFire(
              db,
              { schedule: row.name, fireAt: fire.at, late: fire.late, detail },
              clock(),
            )
          )
            logger.info({ job: job.name, fireAt: fire.at, detail }, 'schedule fire skipped')
        }
      }
      if (after.getTime() < now.getTime()) state.after = now
    } catch (err) {
      // The database is unreachable or similar: keep `after`, so the next tick tries these fires again.
      logger.error({ err, schedule: row.name }, 'schedule tick failed')
    } finally {
      state.busy = false
    }
  }

  async function tick(now: Date): Promise<void> {
    if (stopping) return
    // First the heartbeat of fires still running here (a long job, a wait for the database), so no
    // replica takes them for a dead process's.
    if (running.size > 0)
      await beatFires(db, [...running.values()], clock()).catch((err: unknown) =>
        logger.warn({ err }, 'cannot stamp the heartbeat of running fires'),
      )
    let rows: ScheduleRow[]
    try {
      rows = await db.select().from(schedules)
    } catch (err) {
      logger.error({ err }, 'cannot read schedules')
      return
    }
    await Promise.all(rows.map((row) => track(considerSchedule(row, now))))
  }

  async function stop(): Promise<void> {
    stopping = true
    for (const wake of [...wakers]) wake()
    if (task) {
      await task.destroy()
      task = undefined
    }
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      Promise.allSettled([...inflight]).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), stopTimeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (!timedOut) return
    const detail = bilingual('scheduler', (t) => t.fire.interrupted)
    for (const fire of running.values()) {
      logger.warn({ schedule: fire.schedule, fireAt: fire.fireAt }, 'job still running at shutdown')
      await markInterrupted(db, fire, detail, clock()).catch((err: unknown) =>
        logger.error({ err, schedule: fire.schedule }, 'cannot record the interrupted fire'),
      )
    }
  }

  async function start(): Promise<void> {
    if (stopping) throw new Error('this scheduler was stopped; create a new one')
    if (task) return
    const inserted = await syncSchedules(db, jobs, clock())
    if (inserted.length > 0) logger.info({ schedules: inserted }, 'schedules created with their defaults')
    task = cron.createTask('* * * * *', () => void track(tick(clock())), {
      name: 'duban-scheduler',
      timezone: tz,
      logger: {
        info: (m) => logger.debug(m),
        warn: (m) => logger.warn(m),
        error: (m, err) => logger.error({ err: err ?? m }, 'node-cron'),
        debug: (m) => logger.debug({ m }, 'node-cron'),
      },
    })
    await task.start()
    await tick(clock())
  }

  return { start, stop, tick }
}
