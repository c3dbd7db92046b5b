/**
 * 签收 (receipt): a unit confirms it received its tasks. The assignment notice (and each
 * reminder) carries a 签收 button; pressing it records who, when and from which message, once per
 * assignment. A unit that has not signed within one working day of the notice gets ONE second
 * notice, to its liaisons in private and by email.
 */
import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignmentDue, assignments, people, tasks } from '../db/schema.ts'
import { localDate } from './dates.ts'
import { recordEvent } from './history.ts'
import { withDeputies } from './leaves.ts'
import { personalRecipients, type UnitReach } from './recipients.ts'
import { workingDaysBetween, type WorkingCalendar } from './working-days.ts'

/**
 * Records the receipt of `taskIds` by `unitId` (those not signed yet): who, when, which message.
 * Returns how many were newly acknowledged (0: all signed before).
 */
export async function acknowledge(
  db: Db,
  input: {
    unitId: number
    taskIds: number[]
    personId: number
    now: Date
    telegramChatId?: number | null
    telegramMessageId?: number | null
  },
): Promise<number> {
  if (input.taskIds.length === 0) return 0
  return db.transaction(async (tx) => {
    const signed = await tx
      .update(assignments)
      .set({
        acknowledgedAt: input.now,
        acknowledgedBy: input.personId,
        acknowledgedChatId: input.telegramChatId ?? null,
        acknowledgedMessageId: input.telegramMessageId ?? null,
        loopState: sql`case when ${assignments.loopState} = 'assigned' then 'acknowledged' else ${assignments.loopState} end`,
      })
      .where(
        and(
          eq(assignments.unitId, input.unitId),
          inArray(assignments.taskId, input.taskIds),
          isNull(assignments.acknowledgedAt),
        ),
      )
      .returning({ taskId: assignments.taskId })
    for (const { taskId } of signed)
      await recordEvent(tx, {
        kind: 'acknowledged',
        taskId,
        unitId: input.unitId,
        personId: input.personId,
        at: input.now,
        telegramChatId: input.telegramChatId,
        telegramMessageId: input.telegramMessageId,
      })
    return signed.length
  })
}

export interface PendingReceipt {
  unitId: number
  taskId: number
  ref: string
  title: string
  due: string | null
  dueText: string | null
}

const pendingColumns = {
  unitId: assignments.unitId,
  taskId: assignments.taskId,
  ref: tasks.ref,
  title: tasks.title,
  due: assignmentDue,
  dueText: tasks.dueText,
}

/** Assignments of the plan that no notice went out for yet, by unit (plan order). */
export async function unnoticed(db: Db, planId: number): Promise<Map<number, PendingReceipt[]>> {
  const rows = await db
    .select(pendingColumns)
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(
      and(
        eq(tasks.planId, planId),
        isNull(assignments.noticedAt),
        isNull(assignments.acknowledgedAt),
        eq(assignments.loopState, 'assigned'),
      ),
    )
    .orderBy(asc(tasks.position), asc(tasks.id))
  return byUnit(rows)
}

/** Assignments noticed at least one working day before `today` and still not signed, never second-noticed. */
export async function dueForSecondNotice(
  db: Db,
  planId: number,
  cal: WorkingCalendar,
  today: string,
  tz: string,
): Promise<Map<number, PendingReceipt[]>> {
  const rows = await db
    .select({ ...pendingColumns, noticedAt: assignments.noticedAt })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(
      and(
        eq(tasks.planId, planId),
        isNotNull(assignments.noticedAt),
        isNull(assignments.acknowledgedAt),
        isNull(assignments.secondNoticeAt),
        eq(assignments.loopState, 'assigned'),
      ),
    )
    .orderBy(asc(tasks.position), asc(tasks.id))
  return byUnit(rows.filter((r) => workingDaysBetween(cal, localDate(r.noticedAt!, tz), today) >= 1))
}

function byUnit(rows: PendingReceipt[]): Map<number, PendingReceipt[]> {
  const out = new Map<number, PendingReceipt[]>()
  for (const r of rows) out.set(r.unitId, [...(out.get(r.unitId) ?? []), r])
  return out
}

/** Marks notices (or second notices) as decided, and records the step. */
export async function markNoticed(
  db: Db,
  unitId: number,
  taskIds: number[],
  second: boolean,
  now: Date,
): Promise<void> {
  await db
    .update(assignments)
    .set(second ? { secondNoticeAt: now } : { noticedAt: now })
    .where(and(eq(assignments.unitId, unitId), inArray(assignments.taskId, taskIds)))
  for (const taskId of taskIds)
    await recordEvent(db, { kind: second ? 'second_notice' : 'noticed', taskId, unitId, at: now })
}

/**
 * The second notice's reach: the unit's liaisons (or their deputies on `day`) in private and by
 * email, never the group (the group had the first notice).
 */
export async function liaisonsInPrivate(db: Db, unitId: number, day: string): Promise<UnitReach> {
  const roster = await db
    .select({
      id: people.id,
      unitId: people.unitId,
      email: people.email,
      telegramUserId: people.telegramUserId,
      unreachableAt: people.unreachableAt,
      locale: people.locale,
    })
    .from(people)
    .where(and(eq(people.role, 'liaison'), eq(people.active, true), eq(people.unitId, unitId)))
    .orderBy(asc(people.id))
  const rows = await withDeputies(db, roster, day)
  const { telegram, email } = personalRecipients(rows)
  return {
    unitId,
    telegram,
    email,
    liaisons: rows.length,
    unreachable: telegram.length || email.length ? null : rows.length ? 'no_channel' : 'no_liaison',
  }
}

/** How many assignments of the plan each unit has not signed for. */
export async function unacknowledgedCounts(db: Db, planId: number): Promise<Map<number, number>> {
  const rows = await db
    .select({ unitId: assignments.unitId, n: sql<number>`count(*)::int`.mapWith(Number) })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(
      and(
        eq(tasks.planId, planId),
        isNull(assignments.acknowledgedAt),
        eq(assignments.loopState, 'assigned'),
      ),
    )
    .groupBy(assignments.unitId)
  return new Map(rows.map((r) => [r.unitId, r.n]))
}
