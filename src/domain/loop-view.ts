/**
 * The 督办 loop in the status views: each task line of a unit gains its loop state, colour,
 * receipt and evidence count, and the unit its colour counts and unsigned tasks. Computed from
 * the jobs' view of the assignments (assignmentStates), so /status, the digest and the reminders
 * agree on dates and states.
 */
import type { Db } from '../db/client.ts'
import { colorOfAssignment, countColors, type Color } from './colors.ts'
import type { TaskLoop, UnitLoop } from './loop-types.ts'
import { activePlan } from './plans.ts'
import { unitStatus, type UnitStatus } from './status-view.ts'
import { localDate, daysBetween } from './dates.ts'
import { assignmentStates } from './digest.ts'
import { evidenceCounts } from './history.ts'
import { finishedState, viewState } from './loop.ts'
import { chinaCalendar, type WorkingCalendar } from './working-days.ts'

export type { TaskLoop, UnitLoop }

interface LineLike {
  taskId: number
  due: string | null
  overdueDays: number
  loop?: TaskLoop
}

/**
 * Adds the loop to a unit's task lines in place (this unit's own date replaces the plan's, and
 * finished items are never overdue) and returns the unit's counts.
 */
export async function applyLoop(
  db: Db,
  planId: number,
  unitId: number,
  lines: LineLike[],
  now: Date,
  tz: string,
  cal: WorkingCalendar = chinaCalendar,
): Promise<UnitLoop> {
  const today = localDate(now, tz)
  const states = await assignmentStates(db, planId, now, { unitIds: [unitId] })
  const byTask = new Map(states.map((a) => [a.taskId, a]))
  const evidence = await evidenceCounts(db, unitId)
  const colorList: Color[] = []
  let unacknowledged = 0
  for (const line of lines) {
    const a = byTask.get(line.taskId)
    if (!a) continue
    const state = viewState(a.state, a.loopState)
    const color = colorOfAssignment(a, today, cal, tz)
    colorList.push(color)
    if (!a.acknowledged && a.loopState === 'assigned') unacknowledged++
    line.due = a.due
    line.overdueDays =
      a.due && !finishedState(a.loopState) && a.state !== 'done' ? Math.max(0, daysBetween(a.due, today)) : 0
    line.loop = {
      state,
      color,
      acknowledgedAt: a.acknowledgedAt,
      evidenceCount: evidence.get(line.taskId) ?? 0,
      returnedCount: a.returnedCount,
    }
  }
  return { colors: countColors(colorList), unacknowledged }
}

/** The status card of a unit (unitStatus) with the 督办 loop applied. */
export async function unitStatusWithLoop(db: Db, unitId: number, now: Date, tz: string): Promise<UnitStatus> {
  const status = await unitStatus(db, unitId, now, tz)
  const plan = await activePlan(db)
  if (plan) status.loop = await applyLoop(db, plan.id, unitId, status.tasks, now, tz)
  return status
}
