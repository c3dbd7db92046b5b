/**
 * What the rhythm's five jobs share: reading their options, the day of a fire, days off, and the
 * once-per-period rounds (weekly prompts, nudges and digest; the monthly pace check).
 *
 * A round acts on the first working day on or after its nominal day (Friday, Monday, the 1st)
 * within its week or month, once: a marker `round:<job>:<period>` in `settings`, written in the
 * same transaction as the round's outbox rows, says it was done. So a fire missed on the nominal
 * day (the service was down, or the day was off) is covered by the next working day's run, and a
 * later run in the same period, a restart or a second replica adds nothing.
 */
import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import type { Db } from '../src/db/client.ts'
import { settings } from '../src/db/schema.ts'
import { localDate } from '../src/domain/dates.ts'
import { messages } from '../src/i18n/index.ts'
import type { Job, JobContext, JobFire, JobResult } from './types.ts'
import { decideAndEnqueue } from '../src/delivery/notify.ts'

/** Validates the options in force (the scheduler's `jobOptions`: schedule row over defaults); a bad option fails the run with its reason. */
export function parseJobOptions<S extends z.ZodType>(job: string, schema: S, ctx: JobContext): z.output<S> {
  const parsed = schema.safeParse(ctx.options)
  if (!parsed.success)
    throw new Error(
      `${job}: invalid options in the schedules table: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}

/** The fire's day in the plan's timezone: the day it actually runs (a late fire runs today). */
export function fireDay(ctx: JobContext, fire: JobFire): string {
  return localDate(fire.now, ctx.config.timezone)
}

const texts = messages('en').rhythm

/** A job's description for `duban job list`, in both languages, from the rhythm texts. */
export function jobDescription(key: keyof typeof texts.jobs): Job['description'] {
  return { 'zh-CN': messages('zh-CN').rhythm.jobs[key], en: texts.jobs[key] }
}

/** The result of a fire while no plan is active: nothing to chase. */
export const noPlan: JobResult = { enqueued: 0, skipped: texts.skipped.noPlan }

/** The result of a fire on a day off: nothing decided, the next working day covers it. */
export function nonWorkingDay(ctx: JobContext, today: string): JobResult | null {
  return ctx.calendar.isWorkingDay(today) ? null : { enqueued: 0, skipped: texts.skipped.nonWorkingDay }
}

const roundKey = (job: string, period: string) => `round:${job}:${period}`

/** When the round of `job` for `period` was done, or null. */
export async function roundDoneAt(db: Db, job: string, period: string): Promise<Date | null> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, roundKey(job, period)))
  const at = (row?.value as { at?: string } | undefined)?.at
  return at ? new Date(at) : null
}

/**
 * Runs a period's round once: under the job's lock, claims the marker and runs `act`, all in one
 * transaction (if `act` throws, the round stays undone). Returns what `act` returns, or a skipped
 * result when the round was already done.
 */
export async function runRound(
  db: Db,
  job: string,
  period: string,
  now: Date,
  act: (tx: Db) => Promise<JobResult>,
): Promise<JobResult> {
  return decideAndEnqueue(db, job, async (tx) => {
    const claimed = await tx
      .insert(settings)
      .values({ key: roundKey(job, period), value: { at: now.toISOString() }, updatedAt: now })
      .onConflictDoNothing()
      .returning({ key: settings.key })
    if (claimed.length === 0) return { enqueued: 0, skipped: texts.skipped.alreadyDone(period) }
    const result = await act(tx)
    await tx
      .update(settings)
      .set({
        value: { at: now.toISOString(), enqueued: result.enqueued, detail: result.detail ?? null },
        updatedAt: now,
      })
      .where(eq(settings.key, roundKey(job, period)))
    return result
  })
}

/** The round's gate: a skipped result before the period's round day (or when it has none), else null. */
export function beforeRoundDay(today: string, roundDay: string | null): JobResult | null {
  if (roundDay === null) return { enqueued: 0, skipped: texts.skipped.noRoundDay }
  if (today < roundDay) return { enqueued: 0, skipped: texts.skipped.notYet(roundDay) }
  return null
}

/**
 * The opening every round job shares: the fire's day, nothing on a day off, the job's options,
 * nothing before the period's round day. Returns either the result to end the run with, or the
 * day and the options to go on with.
 */
export function openRound<S extends z.ZodType>(
  ctx: JobContext,
  fire: JobFire,
  job: string,
  schema: S,
  roundDay: (today: string, opts: z.output<S>) => string | null,
): { end: JobResult } | { today: string; opts: z.output<S> } {
  const today = fireDay(ctx, fire)
  const off = nonWorkingDay(ctx, today)
  if (off) return { end: off }
  const opts = parseJobOptions(job, schema, ctx)
  const gate = beforeRoundDay(today, roundDay(today, opts))
  if (gate) return { end: gate }
  return { today, opts }
}

/** A short list of unit names for a job's detail: `大江镇、三合镇 (+3)`. */
export function nameList(names: string[], max = 10): string {
  const shown = names.slice(0, max).join('、')
  return names.length > max ? `${shown} (+${names.length - max})` : shown
}
