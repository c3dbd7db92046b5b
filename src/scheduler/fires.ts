/**
 * Schedule fires in Postgres. A fire is claimed by inserting its (schedule, fire time) row; the row
 * is never deleted, so among all replicas and restarts exactly one claim succeeds, ever.
 *
 * While a fire runs, its process stamps `heartbeat_at` every tick. A fire still `running` whose
 * heartbeat stopped belonged to a process that died; another replica takes it over by writing a
 * new `started_at`, which is the owner's token: the process that wrote an older one finds, at its
 * next retry or when it records the outcome, that the fire is no longer its own.
 */
import { and, desc, eq, isNull, lt, max, notInArray, or } from 'drizzle-orm'
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
    .values({ schedule, fireAt, status: 'running', late, startedAt, heartbeatAt: startedAt })
    .onConflictDoNothing()
    .returning({ schedule: scheduleFires.schedule })
  return rows.length === 1
}

/** A fire this process runs: which one, and the `started_at` it wrote (its token). */
export interface OwnedFire {
  schedule: string
  fireAt: Date
  startedAt: Date
}

const ownedBy = (fire: OwnedFire) =>
  and(
    eq(scheduleFires.schedule, fire.schedule),
    eq(scheduleFires.fireAt, fire.fireAt),
    eq(scheduleFires.startedAt, fire.startedAt),
    eq(scheduleFires.status, 'running'),
  )

/** Stamps the heartbeat of fires this process still runs, in one statement; a fire taken over is left alone. */
export async function beatFires(db: Db, fires: OwnedFire[], at: Date): Promise<void> {
  if (fires.length === 0) return
  await db
    .update(scheduleFires)
    .set({ heartbeatAt: at })
    .where(or(...fires.map(ownedBy)))
}

/** Whether the fire is still running under this process's token (not finished, not taken over). */
export async function ownsFire(db: Db, fire: OwnedFire): Promise<boolean> {
  const rows = await db.select({ schedule: scheduleFires.schedule }).from(scheduleFires).where(ownedBy(fire))
  return rows.length === 1
}

/**
 * Takes over this schedule's fires left `running` with no heartbeat since before `olderThan` (their
 * process died mid-run: kill -9, out of memory), except the fires this process runs itself: each
 * starts again at `startedAt`, late, under that new token. One statement, so among replicas one
 * takes each.
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
    .set({ startedAt, heartbeatAt: startedAt, late: true })
    .where(
      and(
        eq(scheduleFires.schedule, schedule),
        eq(scheduleFires.status, 'running'),
        or(
          lt(scheduleFires.heartbeatAt, olderThan),
          // Claimed before heartbeats were kept.
          and(isNull(scheduleFires.heartbeatAt), lt(scheduleFires.startedAt, olderThan)),
        ),
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

/** Records how a fire this process owns ended; false when it was taken over meanwhile (nothing written). */
export async function finishFire(
  db: Db,
  fire: OwnedFire,
  outcome: { status: Exclude<FireStatus, 'running'>; enqueued: number; detail: string | null },
  at: Date,
): Promise<boolean> {
  const rows = await db
    .update(scheduleFires)
    .set({ ...outcome, finishedAt: at })
    .where(ownedBy(fire))
    .returning({ schedule: scheduleFires.schedule })
  return rows.length === 1
}

/** Marks a fire this process owns as failed without running it further (shutdown ran out of time, too old to run). */
export async function markInterrupted(db: Db, fire: OwnedFire, detail: string, at: Date): Promise<void> {
  await finishFire(db, fire, { status: 'failed', enqueued: 0, detail }, at)
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
