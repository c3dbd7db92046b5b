/**
 * 红色督办 escalation: a red assignment (colors.ts) climbs a ladder, one step per working day
 * from the day it was first seen red (assignments.red_since): the unit's liaison that day, its
 * leader (a person with role `leader` in the unit) the next working day, the supervisors the
 * working day after. A unit without a leader skips that step: the supervisors come the day after
 * the liaison. Each step goes once per red spell (the outbox key names the spell's first day);
 * an item that leaves red clears its mark, and a later red spell starts the ladder again.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { people } from '../db/schema.ts'
import { workingDaysBetween, type WorkingCalendar } from './working-days.ts'

export type EscalationStep = 'liaison' | 'leader' | 'supervisors'

/** The level the red-escalation message names for each step. */
export const escalationLevel: Record<EscalationStep, 1 | 2 | 3> = { liaison: 1, leader: 2, supervisors: 3 }

/** The steps reached on `today` by an item red since `redSince` (both YYYY-MM-DD), lowest first. */
export function escalationSteps(
  cal: WorkingCalendar,
  redSince: string,
  today: string,
  hasLeader: boolean,
): EscalationStep[] {
  const ladder: EscalationStep[] = hasLeader
    ? ['liaison', 'leader', 'supervisors']
    : ['liaison', 'supervisors']
  const elapsed = Math.max(0, workingDaysBetween(cal, redSince, today))
  return ladder.slice(0, Math.min(ladder.length, elapsed + 1))
}

/** Which of the units have an active leader. */
export async function unitsWithLeader(db: Db, unitIds: number[]): Promise<Set<number>> {
  if (unitIds.length === 0) return new Set()
  const rows = await db
    .select({ unitId: people.unitId })
    .from(people)
    .where(and(eq(people.role, 'leader'), eq(people.active, true), inArray(people.unitId, unitIds)))
  return new Set(rows.map((r) => r.unitId).filter((id): id is number => id !== null))
}
