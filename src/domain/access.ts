/**
 * Who may see and do what, for every channel (bot, web, CLI): supervisors and admins read every
 * unit; a liaison reads and reports for their own unit only.
 */
import type { Person } from './people.ts'

/** True for people who read every unit (supervisors and admins). */
export function readsAllUnits(person: Pick<Person, 'role'> | null): boolean {
  return person?.role === 'supervisor' || person?.role === 'admin'
}

/** True when the person may report for this unit: its liaison, or a supervisor/admin. */
export function mayReportFor(person: Pick<Person, 'role' | 'unitId'> | null, unitId: number): boolean {
  if (!person) return false
  return readsAllUnits(person) || (person.role === 'liaison' && person.unitId === unitId)
}

/** True when the person may read this unit's tasks, people and timeline (same rule as reporting). */
export function mayReadUnit(person: Pick<Person, 'role' | 'unitId'> | null, unitId: number): boolean {
  return mayReportFor(person, unitId)
}

/** True for people who decide reviews (通过 / 退回整改): supervisors and admins, as the bot's buttons. */
export function mayReview(person: Pick<Person, 'role'> | null): boolean {
  return person?.role === 'supervisor' || person?.role === 'admin'
}

/** True for admins (deliveries, retries). */
export function isAdmin(person: Pick<Person, 'role'> | null): boolean {
  return person?.role === 'admin'
}
