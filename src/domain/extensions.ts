/**
 * 延期申请: a liaison asks for a later date for their unit's task; a supervisor approves or refuses.
 * An approval moves that unit's own date (assignments.due_override); the plan's date stays on the
 * task, and every other unit keeps its date. The reminder ladder reads the unit's date, so it
 * follows. Each step is a history event. Refusals change nothing.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignments, extensionRequests, people } from '../db/schema.ts'
import { readsAllUnits } from './access.ts'
import { formatMonthDay } from './dates.ts'
import { recordEvent } from './history.ts'
import { standsForUnit } from './leaves.ts'
import { finishedState, loopAssignment, loopError, nearDateInText, type LoopAssignment } from './loop.ts'
import type { Person } from './people.ts'
import type { Actor } from './reviews.ts'

/** The new date of a request as people write it (see nearDateInText). */
export const requestedDate = nearDateInText

export interface ExtensionRequest {
  id: number
  assignment: LoopAssignment
  newDue: string
  previousDue: string | null
  reason: string | null
  by: string | null
}

/**
 * A liaison of the unit (or their deputy during a leave) asks to move the unit's date for a task
 * to `newDue`. Refused (nothing written): not the unit's liaison or deputy, a finished item, a date before today or not after the
 * current one. Call in a transaction with its notification.
 */
export async function requestExtension(
  db: Db,
  input: {
    person: Person
    taskId: number
    /** The task's reference as the person wrote it (for the refusal texts). */
    ref: string
    unitId: number
    newDue: string
    reason: string
    today: string
    now: Date
    telegramChatId?: number | null
    telegramMessageId?: number | null
  },
): Promise<ExtensionRequest> {
  const { person } = input
  if (!(await standsForUnit(db, person, input.unitId, input.today)))
    throw loopError((t) => t.extension.notLiaison)
  const a = await loopAssignment(db, input.taskId, input.unitId)
  if (!a) throw loopError((t) => t.extension.notOfUnit(input.ref))
  if (finishedState(a.loopState)) throw loopError((t) => t.extension.finished(a.ref))
  if (input.newDue < input.today)
    throw loopError((t, l) => t.extension.pastDate(formatMonthDay(input.newDue, l)))
  if (a.due !== null && input.newDue <= a.due)
    throw loopError((t, l) =>
      t.extension.notLater(formatMonthDay(input.newDue, l), formatMonthDay(a.due!, l)),
    )
  const [waiting] = await db
    .select({ id: extensionRequests.id })
    .from(extensionRequests)
    .where(
      and(
        eq(extensionRequests.taskId, a.taskId),
        eq(extensionRequests.unitId, a.unitId),
        eq(extensionRequests.status, 'pending'),
      ),
    )
    .limit(1)
  if (waiting) throw loopError((t) => t.extension.pending(a.ref))
  const reason = input.reason.trim().slice(0, 500) || null
  const [row] = await db
    .insert(extensionRequests)
    .values({
      taskId: a.taskId,
      unitId: a.unitId,
      requestedBy: person.id,
      requestedAt: input.now,
      newDue: input.newDue,
      previousDue: a.due,
      reason,
    })
    .returning({ id: extensionRequests.id })
  await recordEvent(db, {
    kind: 'extension_requested',
    taskId: a.taskId,
    unitId: a.unitId,
    personId: person.id,
    at: input.now,
    telegramChatId: input.telegramChatId,
    telegramMessageId: input.telegramMessageId,
    payload: { requestId: row!.id, due: input.newDue, previousDue: a.due, reason },
  })
  return { id: row!.id, assignment: a, newDue: input.newDue, previousDue: a.due, reason, by: person.name }
}

/**
 * A supervisor (or admin) decides a pending request. Approve: the unit's date becomes the
 * requested one (a red mark from the old date is cleared). Refuse: nothing but the decision.
 * Anyone else, or a request already decided: refused, nothing changed. Call in a transaction.
 */
export async function decideExtension(
  db: Db,
  input: {
    requestId: number
    approve: boolean
    actor: Actor
    now: Date
    telegramChatId?: number | null
    telegramMessageId?: number | null
  },
): Promise<ExtensionRequest & { approved: boolean }> {
  if (!readsAllUnits(input.actor)) throw loopError((t) => t.extension.notSupervisor)
  const [req] = await db
    .select({
      id: extensionRequests.id,
      taskId: extensionRequests.taskId,
      unitId: extensionRequests.unitId,
      newDue: extensionRequests.newDue,
      previousDue: extensionRequests.previousDue,
      reason: extensionRequests.reason,
      status: extensionRequests.status,
      by: people.name,
    })
    .from(extensionRequests)
    .leftJoin(people, eq(people.id, extensionRequests.requestedBy))
    .where(eq(extensionRequests.id, input.requestId))
  if (!req || req.status !== 'pending') throw loopError((t) => t.extension.decided)
  const a = await loopAssignment(db, req.taskId, req.unitId)
  if (!a) throw loopError((t) => t.extension.decided)
  const decided = await db
    .update(extensionRequests)
    .set({
      status: input.approve ? 'approved' : 'refused',
      decidedBy: input.actor.id,
      decidedAt: input.now,
    })
    .where(and(eq(extensionRequests.id, req.id), eq(extensionRequests.status, 'pending')))
    .returning({ id: extensionRequests.id })
  if (decided.length === 0) throw loopError((t) => t.extension.decided)
  if (input.approve)
    await db
      .update(assignments)
      .set({ dueOverride: req.newDue, redSince: null })
      .where(and(eq(assignments.taskId, req.taskId), eq(assignments.unitId, req.unitId)))
  await recordEvent(db, {
    kind: input.approve ? 'extension_approved' : 'extension_refused',
    taskId: req.taskId,
    unitId: req.unitId,
    personId: input.actor.id,
    at: input.now,
    telegramChatId: input.telegramChatId,
    telegramMessageId: input.telegramMessageId,
    payload: { requestId: req.id, due: req.newDue, previousDue: req.previousDue },
  })
  return {
    id: req.id,
    assignment: input.approve ? { ...a, due: req.newDue } : a,
    newDue: req.newDue,
    previousDue: req.previousDue,
    reason: req.reason,
    by: req.by,
    approved: input.approve,
  }
}
