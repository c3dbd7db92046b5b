/**
 * Who may read and report what: the authorization rules every channel applies (the bot's
 * commands and buttons today, the web desk next), kept in one place so they cannot drift apart.
 */
import type { Person } from './people.ts'

/** True for people who read every unit (supervisors and admins). */
export function readsAllUnits(person: Person | null): boolean {
  return person?.role === 'supervisor' || person?.role === 'admin'
}

/** True when the person may report for this unit: its liaison, or a supervisor/admin. */
export function mayReportFor(person: Person | null, unitId: number): boolean {
  if (!person) return false
  return readsAllUnits(person) || (person.role === 'liaison' && person.unitId === unitId)
}
