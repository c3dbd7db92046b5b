/**
 * Schedule fires in Postgres. A fire is claimed by inserting its (schedule, fire time) row; the row
 * is never deleted, so among all replicas and restarts exactly one claim succeeds, ever.
 */
import { and, desc, eq, lt, max, notInArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { scheduleFires, schedules } from '../db/schema.ts'

export type FireStatus = (typeof scheduleFires.$inferSelect)['status']
export type FireRow = typeof scheduleFires.$inferSelect
export type ScheduleRow = typeof schedules.$inferSelect

/** Claims a fire for this process; false when any process ever claimed or recorded it before. */
export async function claimFire(
  db: Db,
  schedule: string,
  fireAt: Date,
  late: boolean,
  startedAt: Date,
): Promise<boolean> {
  const rows = await db
    .insert(scheduleFires)
    .values({ schedule, fireAt, status: 'running', late, startedAt })
    .onConflictDoNothing()
    .returning({ schedule: scheduleFires.schedule })
  return rows.length === 1
}

/**
 * Takes over this schedule's fires left `running` since before `olderThan` by a process that died
 * mid-run (kill -9, out of memory), except the fires this process runs itself: each starts again
 * at `startedAt`, late. One statement, so among replicas one takes each.
 */
export async function takeOverAbandonedFires(
  db: Db,
  schedule: string,
  olderThan: Date,
  startedAt: Date,
  own: Date[],
): Promise<Date[]> {
  const rows = await db
    .update(scheduleFires)
    .set({ startedAt, late: true })
    .where(
      and(
        eq(scheduleFires.schedule, schedule),
        eq(scheduleFires.status, 'running'),
        lt(scheduleFires.startedAt, olderThan),
        ...(own.length > 0 ? [notInArray(scheduleFires.fireAt, own)] : []),
      ),
    )
    .returning({ fireAt: scheduleFires.fireAt })
  return rows.map((r) => r.fireAt).sort((a, b) => a.getTime() - b.getTime())
}

/** Records a fire that will not run, with the reason; leaves an existing row for that fire alone. */
export async function recordSkippedFire(
  db: Db,
  fire: { schedule: string; fireAt: Date; late: boolean; detail: string },
  at: Date,
): Promise<boolean> {
  const rows = await db
    .insert(scheduleFires)
    .values({ ...fire, status: 'skipped', startedAt: at, finishedAt: at })
    .onConflictDoNothing()
    .returning({ schedule: scheduleFires.schedule })
  return rows.length === 1
}

/** Records how a claimed fire ended. */
export async function finishFire(
  db: Db,
  schedule: string,
  fireAt: Date,
  outcome: { status: Exclude<FireStatus, 'running'>; enqueued: number; detail: string | null },
  at: Date,
): Promise<void> {
  await db
    .update(scheduleFires)
    .set({ ...outcome, finishedAt: at })
    .where(and(eq(scheduleFires.schedule, schedule), eq(scheduleFires.fireAt, fireAt)))
}

/** Marks fires this process claimed and still runs as failed (shutdown ran out of time). */
export async function markInterrupted(
  db: Db,
  schedule: string,
  fireAt: Date,
  detail: string,
  at: Date,
): Promise<void> {
  await db
    .update(scheduleFires)
    .set({ status: 'failed', detail, finishedAt: at })
    .where(
      and(
        eq(scheduleFires.schedule, schedule),
        eq(scheduleFires.fireAt, fireAt),
        eq(scheduleFires.status, 'running'),
      ),
    )
}

/** The latest fire time recorded for a schedule, whatever its status. */
export async function lastFireAt(db: Db, schedule: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: max(scheduleFires.fireAt) })
    .from(scheduleFires)
    .where(eq(scheduleFires.schedule, schedule))
  return row?.at ?? undefined
}

/** The latest recorded fire of every schedule, by schedule name. */
export async function latestFires(db: Db): Promise<Map<string, FireRow>> {
  const rows = await db
    .selectDistinctOn([scheduleFires.schedule])
    .from(scheduleFires)
    .orderBy(scheduleFires.schedule, desc(scheduleFires.fireAt))
  return new Map(rows.map((r) => [r.schedule, r]))
}

/** Every fire of one schedule, oldest first. */
export async function firesOf(db: Db, schedule: string): Promise<FireRow[]> {
  return db
    .select()
    .from(scheduleFires)
    .where(eq(scheduleFires.schedule, schedule))
    .orderBy(scheduleFires.fireAt)
}
