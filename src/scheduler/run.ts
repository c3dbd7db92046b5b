/**
 * Running one job for one moment: the single code path shared by schedule fires and
 * `duban job run`. It builds the job's context and returns what the job reports; it records
 * nothing itself (the scheduler records fires, a manual run records none).
 */
import { eq } from 'drizzle-orm'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import { schedules } from '../db/schema.ts'
import type { WorkingCalendar } from '../domain/working-days.ts'
import type { Logger } from '../log.ts'
import type { Job, JobFire, JobResult } from './job.ts'

export interface JobDeps {
  db: Db
  config: Config
  calendar: WorkingCalendar
  logger: Logger
}

/** The job's options: its defaults, overridden key by key by the schedule row's. */
export function jobOptions(job: Job, rowOptions?: Record<string, unknown> | null): Record<string, unknown> {
  return { ...(job.defaultOptions ?? {}), ...(rowOptions ?? {}) }
}

/** The options in force for a job: its schedule row's if the row exists, else its defaults. */
export async function loadJobOptions(db: Db, job: Job): Promise<Record<string, unknown>> {
  const [row] = await db
    .select({ options: schedules.options })
    .from(schedules)
    .where(eq(schedules.name, job.name))
  return jobOptions(job, row?.options)
}

/** Runs the job for `fire`; throws what the job throws. `enqueued` is normalized to a whole number ≥ 0. */
export async function runJob(
  deps: JobDeps,
  job: Job,
  options: Record<string, unknown>,
  fire: JobFire,
): Promise<JobResult> {
  const logger = deps.logger.child({ job: job.name, fireAt: fire.scheduledAt.toISOString(), late: fire.late })
  const result = await job.run(
    { db: deps.db, config: deps.config, calendar: deps.calendar, logger, options },
    fire,
  )
  const enqueued = Number.isFinite(result.enqueued) && result.enqueued > 0 ? Math.floor(result.enqueued) : 0
  return { ...result, enqueued }
}
