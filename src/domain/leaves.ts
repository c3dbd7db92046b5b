/**
 * Leave and deputy: a liaison names a deputy for a period (both days included, plan timezone);
 * prompts and reminders that would reach the liaison reach the deputy then, and the liaison again
 * after. The substitution happens where recipients are decided (recipients.ts), nowhere else.
 */
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignments, leaves, people, type Locale } from '../db/schema.ts'
import { mayReportFor } from './access.ts'
import { formatMonthDay, isValidDate } from './dates.ts'
import { recordEvent } from './history.ts'
import { loopError } from './loop.ts'
import { findPerson, type Person } from './people.ts'

/** A roster row as recipients.ts reads it. */
export interface ReachRow {
  id: number
  unitId: number | null
  email: string | null
  telegramUserId: number | null
  unreachableAt: Date | null
  locale: Locale
}

/**
 * The rows with each person on leave on `day` replaced by their deputy (keeping the liaison's
 * unit, so the deputy answers for it). A deputy who is inactive is ignored: the liaison stays.
 */
export async function withDeputies(db: Db, rows: ReachRow[], day: string): Promise<ReachRow[]> {
  if (rows.length === 0) return rows
  const onLeave = await db
    .select({
      personId: leaves.personId,
      id: people.id,
      email: people.email,
      telegramUserId: people.telegramUserId,
      unreachableAt: people.unreachableAt,
      locale: people.locale,
      active: people.active,
    })
    .from(leaves)
    .innerJoin(people, eq(people.id, leaves.deputyId))
    .where(
      and(
        inArray(
          leaves.personId,
          rows.map((r) => r.id),
        ),
        lte(leaves.fromDate, day),
        gte(leaves.toDate, day),
      ),
    )
    .orderBy(asc(leaves.id))
  if (onLeave.length === 0) return rows
  const deputyOf = new Map(onLeave.filter((l) => l.active).map((l) => [l.personId, l]))
  return rows.map((r) => {
    const d = deputyOf.get(r.id)
    if (!d) return r
    return {
      id: d.id,
      unitId: r.unitId,
      email: d.email,
      telegramUserId: d.telegramUserId,
      unreachableAt: d.unreachableAt,
      locale: d.locale,
    }
  })
}

/**
 * Records a leave: the liaison `person` is away from `from` to `to` (YYYY-MM-DD, inclusive),
 * `deputy`, an active person of the same unit, stands in. Refused, nothing changed: a bad range,
 * a range already over on `today`, a person who is not a liaison, a deputy who is the person or
 * not of the unit. The step is in the history of every assignment of the person's unit.
 */
export async function recordLeave(
  db: Db,
  input: {
    person: Person
    deputy: Person
    from: string
    to: string
    by: number | null
    today: string
    now: Date
  },
): Promise<{ id: number }> {
  const { person, deputy } = input
  if (!isValidDate(input.from) || !isValidDate(input.to)) throw loopError((t) => t.leave.badRange)
  if (input.to < input.from) throw loopError((t) => t.leave.endBeforeStart)
  if (input.to < input.today) throw loopError((t, l) => t.leave.pastEnd(formatMonthDay(input.to, l)))
  if (person.role !== 'liaison' || person.unitId === null || !person.active)
    throw loopError((t) => t.leave.personUnknown(person.name))
  if (deputy.id === person.id) throw loopError((t) => t.leave.deputySelf)
  if (deputy.unitId !== person.unitId || !deputy.active)
    throw loopError((t) => t.leave.deputyOtherUnit(deputy.name, person.unitName ?? ''))
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(leaves)
      .values({
        personId: person.id,
        deputyId: deputy.id,
        fromDate: input.from,
        toDate: input.to,
        createdBy: input.by,
        createdAt: input.now,
      })
      .returning({ id: leaves.id })
    const taskIds = await tx
      .select({ taskId: assignments.taskId })
      .from(assignments)
      .where(eq(assignments.unitId, person.unitId!))
    for (const { taskId } of taskIds)
      await recordEvent(tx, {
        kind: 'leave',
        taskId,
        unitId: person.unitId,
        personId: input.by ?? person.id,
        at: input.now,
        payload: {
          leaveId: row!.id,
          person: person.name,
          deputy: deputy.name,
          from: input.from,
          to: input.to,
        },
      })
    return row!
  })
}

/** The deputy named for a liaison's leave: that name, preferring an active person of the unit. */
export async function findDeputy(db: Db, name: string, unitId: number | null): Promise<Person> {
  return findPerson(db, name, (p) => p.active && p.unitId === unitId)
}

/** Whether `person` may answer for `unitId` on `day`: by role (access.ts), or standing in for its liaison. */
export async function mayAnswerFor(
  db: Db,
  person: Pick<Person, 'id' | 'role' | 'unitId'> | null,
  unitId: number,
  day: string,
): Promise<boolean> {
  if (!person) return false
  return mayReportFor(person, unitId) || isDeputyFor(db, person.id, unitId, day)
}

/**
 * Whether `person` speaks for `unitId` on `day` as its liaison does: its liaison, or the deputy of
 * one on leave. Such a person answers prompts, sends 佐证材料 and asks for 延期 for the unit.
 */
export async function standsForUnit(
  db: Db,
  person: Pick<Person, 'id' | 'role' | 'unitId'> | null,
  unitId: number,
  day: string,
): Promise<boolean> {
  if (!person || person.unitId !== unitId) return false
  return person.role === 'liaison' || isDeputyFor(db, person.id, unitId, day)
}

/** Whether `person` stands in for a liaison of `unitId` on `day` (so may answer for the unit). */
export async function isDeputyFor(db: Db, personId: number, unitId: number, day: string): Promise<boolean> {
  const rows = await db
    .select({ id: leaves.id })
    .from(leaves)
    .innerJoin(people, eq(people.id, leaves.personId))
    .where(
      and(
        eq(leaves.deputyId, personId),
        eq(people.unitId, unitId),
        lte(leaves.fromDate, day),
        gte(leaves.toDate, day),
      ),
    )
    .limit(1)
  return rows.length > 0
}
