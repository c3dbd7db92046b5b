/**
 * What the 督办 loop's services share: their user errors (texts from the loop catalog in every
 * locale), reading one assignment with its task, and the state a view shows for it.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignments, locales, tasks, units, type Locale, type LoopState } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { LocalizedUserError } from './people.ts'
import type { TaskState } from './status.ts'

type LoopTexts = ReturnType<typeof messages>['loop']

/** A user error from the loop catalog, in every locale; nothing was changed. */
export function loopError(pick: (t: LoopTexts, locale: Locale) => string): LocalizedUserError {
  return new LocalizedUserError(
    Object.fromEntries(locales.map((l) => [l, pick(messages(l).loop, l)])) as Record<Locale, string>,
  )
}

/** The state a view shows: the loop's own states win over the latest report's. */
export type ViewState = TaskState | Exclude<LoopState, 'assigned' | 'acknowledged'>

/** Loop states that say more than the latest report does. */
const LOOP_SHOWN = new Set<LoopState>(['awaiting_review', 'rectifying', 'closed', 'withdrawn'])

export function viewState(report: TaskState, loop: LoopState): ViewState {
  return LOOP_SHOWN.has(loop) ? (loop as ViewState) : report
}

/** States in which nobody chases the unit any more (done and waiting, or finished). */
export function finishedState(loop: LoopState): boolean {
  return loop === 'awaiting_review' || loop === 'closed' || loop === 'withdrawn'
}

export interface LoopAssignment {
  taskId: number
  unitId: number
  unit: string
  ref: string
  title: string
  planId: number
  /** The plan's date for the task. */
  planDue: string | null
  dueText: string | null
  /** This unit's date: an approved extension or a rectification date, else the plan's. */
  due: string | null
  loopState: LoopState
  returnedCount: number
  acknowledgedAt: Date | null
}

/** One assignment with its task and unit, or null when the task is not the unit's. */
export async function loopAssignment(db: Db, taskId: number, unitId: number): Promise<LoopAssignment | null> {
  const [row] = await db
    .select({
      taskId: assignments.taskId,
      unitId: assignments.unitId,
      unit: units.name,
      ref: tasks.ref,
      title: tasks.title,
      planId: tasks.planId,
      planDue: tasks.dueDate,
      dueText: tasks.dueText,
      dueOverride: assignments.dueOverride,
      loopState: assignments.loopState,
      returnedCount: assignments.returnedCount,
      acknowledgedAt: assignments.acknowledgedAt,
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(and(eq(assignments.taskId, taskId), eq(assignments.unitId, unitId)))
  if (!row) return null
  const { dueOverride, ...rest } = row
  return { ...rest, due: dueOverride ?? row.planDue }
}
