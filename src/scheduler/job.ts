/**
 * The contract every scheduled job implements (one file each under jobs/). A job decides what to
 * send and writes it to the outbox; it never sends. The scheduler calls `run` once per schedule
 * fire, and `duban job run` calls it the same way by hand. The scheduler owns the contract; the
 * jobs themselves reach it only through the composition root (bin/root.ts).
 */
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { WorkingCalendar } from '../domain/working-days.ts'
import type { Logger } from '../log.ts'
import type { Locale } from '../db/schema.ts'

export interface JobContext {
  db: Db
  config: Config
  calendar: WorkingCalendar
  logger: Logger
  /** The schedule row's options over the job's `defaultOptions` (e.g. ladder offsets). */
  options: Record<string, unknown>
}

export interface JobFire {
  /** The fire time the schedule named. */
  scheduledAt: Date
  /** When it actually runs: equal to `scheduledAt` unless the fire is late. */
  now: Date
  /** True when the fire was missed (the service was down or busy) and runs after its time. */
  late: boolean
}

export interface JobResult {
  /** New outbox rows written by this run (re-running the same moment gives 0). */
  enqueued: number
  detail?: string
  /** Set when the job decided not to act, with the reason (e.g. 'non-working day'): the fire is recorded as skipped. */
  skipped?: string
}

export type CatchUpPolicy = 'latest' | 'each' | 'skip'

export interface Job {
  name:
    | 'deadline-reminders'
    | 'status-prompts'
    | 'prompt-nudges'
    | 'weekly-digest'
    | 'training-pace'
    | (string & {})
  description: Record<Locale, string>
  /** Five-field cron in the plan's timezone, e.g. '0 9 * * *'. */
  defaultCron: string
  defaultOptions?: Record<string, unknown>
  /**
   * What to do with fires missed while the service was down: 'latest' runs only the most recent
   * missed fire (late) and records the older ones skipped; 'each' runs every missed fire in
   * order; 'skip' records them all skipped.
   */
  catchUp: CatchUpPolicy
  /** How far back missed fires still make sense (e.g. 72 for daily reminders, 168 for the weekly digest); older ones are recorded skipped. */
  catchUpWindowHours: number
  run(ctx: JobContext, fire: JobFire): Promise<JobResult>
}

/** The job with that name in `list`, if any. */
export function jobByName(name: string, list: readonly Job[]): Job | undefined {
  return list.find((j) => j.name === name)
}
