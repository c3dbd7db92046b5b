/**
 * Jobs for scheduler tests: each records the fires it was given and writes one outbox row per
 * fire time (key = job name + scheduled time), so `enqueued` counts new rows as real jobs do.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../../src/db/client.ts'
import { deliveries } from '../../src/db/schema.ts'
import type { CatchUpPolicy, Job, JobContext, JobFire, JobResult } from '../../jobs/types.ts'

export interface FakeJob extends Job {
  calls: { fire: JobFire; options: Record<string, unknown> }[]
}

export interface FakeJobSpec {
  name: string
  cron: string
  catchUp?: CatchUpPolicy
  windowHours?: number
  defaultOptions?: Record<string, unknown>
  /** Replaces the default behaviour (write one outbox row) after the call is recorded. */
  behave?: (ctx: JobContext, fire: JobFire) => Promise<JobResult>
}

/** Writes the fire's outbox row; 1 when new, 0 when it was there already. */
export async function enqueueFor(db: Db, job: string, fire: JobFire): Promise<number> {
  const rows = await db
    .insert(deliveries)
    .values({
      key: `${job}:${fire.scheduledAt.toISOString()}`,
      channel: 'telegram',
      recipient: '-100200300',
      payload: { template: 'test', late: fire.late },
    })
    .onConflictDoNothing()
    .returning({ id: deliveries.id })
  return rows.length
}

export function fakeJob(spec: FakeJobSpec): FakeJob {
  const calls: FakeJob['calls'] = []
  return {
    name: spec.name,
    description: { 'zh-CN': `测试任务 ${spec.name}`, en: `test job ${spec.name}` },
    defaultCron: spec.cron,
    ...(spec.defaultOptions ? { defaultOptions: spec.defaultOptions } : {}),
    catchUp: spec.catchUp ?? 'each',
    catchUpWindowHours: spec.windowHours ?? 72,
    calls,
    async run(ctx, fire) {
      calls.push({ fire, options: ctx.options })
      if (spec.behave) return spec.behave(ctx, fire)
      return { enqueued: await enqueueFor(ctx.db, spec.name, fire) }
    },
  }
}

/** How many outbox rows a job wrote. */
export async function outboxCount(db: Db, job: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(sql`${deliveries.key} like ${`${job}:%`}`)
  return rows[0]?.n ?? 0
}

/** A promise with its resolve function, to hold a job in the middle of its run. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/** A job whose first run waits for `release()` before writing its outbox row; later runs go straight through. */
export function firstRunHeld(spec: Omit<FakeJobSpec, 'behave'>): { job: FakeJob; release: () => void } {
  const gate = deferred()
  const job: FakeJob = fakeJob({
    ...spec,
    behave: async (ctx, fire) => {
      if (job.calls.length === 1) await gate.promise
      return { enqueued: await enqueueFor(ctx.db, spec.name, fire) }
    },
  })
  return { job, release: gate.resolve }
}
