/**
 * 审核: a unit's 已完成 on a task that needs review becomes 待审核 (awaiting_review) and the
 * supervisors get a review card (the report, its note, the evidence files); a supervisor passes it
 * (通过 → 已办结, closed, out of every chase) or returns it (退回整改 → 整改中 with a reason and a
 * new date for that unit, which the reminder ladder then follows). Where no review is needed,
 * 已完成 closes the assignment at once.
 *
 * A return also appends a status report (source `review`, state in_progress, the reason as its
 * note): the latest report then says "not done", so every chase (reminders, prompts, nudges,
 * overdue counts) picks the unit up again without a second notion of "open".
 */
import { and, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { advanceLatestStatus } from './latest-status.ts'
import { assignments, plans, reviews, statusReports, tasks, type Role } from '../db/schema.ts'
import { recordEvent } from './history.ts'
import { loopAssignment, loopError, type LoopAssignment } from './loop.ts'
import { addWorkingDays, type WorkingCalendar } from './working-days.ts'

/** A 退回 without a date gives this many working days. */
export const DEFAULT_RECTIFY_WORKING_DAYS = 5

/** The date a return without one gives: five working days after `today`. */
export function defaultRectifyDue(cal: WorkingCalendar, today: string): string {
  return addWorkingDays(cal, today, DEFAULT_RECTIFY_WORKING_DAYS)
}

/** Whether 已完成 on a task needs review: the task's setting, else its plan's, else whether it has a deadline. */
export async function reviewRequired(db: Db, taskId: number): Promise<boolean> {
  const [row] = await db
    .select({ task: tasks.reviewRequired, plan: plans.reviewRequired, due: tasks.dueDate })
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .where(eq(tasks.id, taskId))
  if (!row) return false
  return row.task ?? row.plan ?? row.due !== null
}

export interface Actor {
  id: number
  role: Role
}

const reviews_ = (role: Role) => role === 'supervisor' || role === 'admin'

export type DoneOutcome = 'awaiting_review' | 'closed' | 'unchanged'

/**
 * A unit reported 已完成 (report `reportId`): opens a review and sends the card to the supervisors,
 * or closes the assignment where no review is needed. Already waiting, closed or withdrawn: unchanged.
 * Call in the transaction that recorded the report.
 */
export async function reportedDone(
  db: Db,
  input: {
    taskId: number
    unitId: number
    reportId: number
    personId: number | null
    now: Date
    telegramChatId?: number | null
    telegramMessageId?: number | null
  },
): Promise<DoneOutcome> {
  const needsReview = await reviewRequired(db, input.taskId)
  const next = needsReview ? 'awaiting_review' : 'closed'
  const moved = await db
    .update(assignments)
    .set({ loopState: next })
    .where(
      and(
        eq(assignments.taskId, input.taskId),
        eq(assignments.unitId, input.unitId),
        notInArray(assignments.loopState, ['awaiting_review', 'closed', 'withdrawn']),
      ),
    )
    .returning({ taskId: assignments.taskId })
  if (moved.length === 0) return 'unchanged'
  const source = { telegramChatId: input.telegramChatId, telegramMessageId: input.telegramMessageId }
  if (!needsReview) {
    await recordEvent(db, {
      kind: 'closed',
      taskId: input.taskId,
      unitId: input.unitId,
      personId: input.personId,
      at: input.now,
      ...source,
      payload: { reportId: input.reportId, review: false },
    })
    return 'closed'
  }
  const [review] = await db
    .insert(reviews)
    .values({ taskId: input.taskId, unitId: input.unitId, reportId: input.reportId, requestedAt: input.now })
    .returning({ id: reviews.id })
  await recordEvent(db, {
    kind: 'submitted',
    taskId: input.taskId,
    unitId: input.unitId,
    personId: input.personId,
    at: input.now,
    ...source,
    payload: { reportId: input.reportId, reviewId: review!.id },
  })
  return 'awaiting_review'
}

/** The open review of an assignment, if any. */
export async function openReview(db: Db, taskId: number, unitId: number): Promise<{ id: number } | null> {
  const [row] = await db
    .select({ id: reviews.id })
    .from(reviews)
    .where(and(eq(reviews.taskId, taskId), eq(reviews.unitId, unitId), isNull(reviews.decision)))
    .orderBy(desc(reviews.id))
    .limit(1)
  return row ?? null
}

export interface ReviewTarget {
  review: { id: number; taskId: number; unitId: number }
  assignment: LoopAssignment
}

/** The open review `reviewId`, checked against the actor: a supervisor or admin, and still undecided. */
async function openForDecision(db: Db, reviewId: number, actor: Actor): Promise<ReviewTarget> {
  if (!reviews_(actor.role)) throw loopError((t) => t.review.notSupervisor)
  const [review] = await db
    .select({ id: reviews.id, taskId: reviews.taskId, unitId: reviews.unitId, decision: reviews.decision })
    .from(reviews)
    .where(eq(reviews.id, reviewId))
  if (!review || review.decision !== null) throw loopError((t) => t.review.decided)
  const assignment = await loopAssignment(db, review.taskId, review.unitId)
  if (!assignment || assignment.loopState !== 'awaiting_review') throw loopError((t) => t.review.decided)
  return { review, assignment }
}

/** Checks that a supervisor may still decide `reviewId` (for the buttons, before asking anything). */
export async function checkReviewable(db: Db, reviewId: number, actor: Actor): Promise<ReviewTarget> {
  return openForDecision(db, reviewId, actor)
}

/** 通过（销号）: the assignment is closed (已办结) and leaves every chase. Call in a transaction. */
export async function decideApproval(
  db: Db,
  input: {
    reviewId: number
    actor: Actor
    now: Date
    today: string
    telegramChatId?: number
    telegramMessageId?: number
  },
): Promise<ReviewTarget> {
  {
    const tx = db
    const target = await openForDecision(tx, input.reviewId, input.actor)
    const { review } = target
    const decided = await tx
      .update(reviews)
      .set({ decision: 'approved', decidedAt: input.now, decidedBy: input.actor.id })
      .where(and(eq(reviews.id, review.id), isNull(reviews.decision)))
      .returning({ id: reviews.id })
    if (decided.length === 0) throw loopError((t) => t.review.decided)
    await tx
      .update(assignments)
      .set({ loopState: 'closed', redSince: null })
      .where(and(eq(assignments.taskId, review.taskId), eq(assignments.unitId, review.unitId)))
    await recordEvent(tx, {
      kind: 'approved',
      taskId: review.taskId,
      unitId: review.unitId,
      personId: input.actor.id,
      at: input.now,
      telegramChatId: input.telegramChatId,
      telegramMessageId: input.telegramMessageId,
      payload: { reviewId: review.id },
    })
    return target
  }
}

/** Records where the "why return it?" question went, so the supervisor's reply finds its review. */
export async function rememberReturnQuestion(
  db: Db,
  reviewId: number,
  askedBy: number,
  chatId: number,
  messageId: number,
): Promise<void> {
  await db
    .update(reviews)
    .set({ askChatId: chatId, askMessageId: messageId, askedBy })
    .where(eq(reviews.id, reviewId))
}

/** The review whose return question is (chat, message), or null. */
export async function reviewByQuestion(
  db: Db,
  chatId: number,
  messageId: number,
): Promise<{ id: number } | null> {
  const [row] = await db
    .select({ id: reviews.id })
    .from(reviews)
    .where(and(eq(reviews.askChatId, chatId), eq(reviews.askMessageId, messageId)))
  return row ?? null
}

/**
 * 退回整改: the assignment goes to 整改中 with the reason and `due` as that unit's new date
 * (returned_count + 1). A missing reason or a date before `today` changes nothing. Call in a
 * transaction.
 */
export async function decideReturn(
  db: Db,
  input: {
    reviewId: number
    actor: Actor
    reason: string
    due: string
    today: string
    now: Date
    telegramChatId?: number
    telegramMessageId?: number
  },
): Promise<ReviewTarget & { due: string; reason: string }> {
  const reason = input.reason.trim().slice(0, 500)
  if (reason === '') throw loopError((t) => t.review.reasonMissing)
  if (input.due < input.today) throw loopError((t) => t.review.dueInPast(input.due))
  {
    const tx = db
    const target = await openForDecision(tx, input.reviewId, input.actor)
    const { review, assignment: a } = target
    const decided = await tx
      .update(reviews)
      .set({
        decision: 'returned',
        decidedAt: input.now,
        decidedBy: input.actor.id,
        reason,
        newDue: input.due,
      })
      .where(and(eq(reviews.id, review.id), isNull(reviews.decision)))
      .returning({ id: reviews.id })
    if (decided.length === 0) throw loopError((t) => t.review.decided)
    await tx
      .update(assignments)
      .set({
        loopState: 'rectifying',
        dueOverride: input.due,
        returnedCount: sql`${assignments.returnedCount} + 1`,
      })
      .where(and(eq(assignments.taskId, review.taskId), eq(assignments.unitId, review.unitId)))
    const [returned] = await tx
      .insert(statusReports)
      .values({
        taskId: review.taskId,
        unitId: review.unitId,
        state: 'in_progress',
        note: reason,
        personId: input.actor.id,
        reportedAt: input.now,
        source: 'review',
        telegramChatId: input.telegramChatId ?? null,
        telegramMessageId: input.telegramMessageId ?? null,
      })
      .returning({ id: statusReports.id })
    await advanceLatestStatus(tx, returned!.id)
    await recordEvent(tx, {
      kind: 'returned',
      taskId: review.taskId,
      unitId: review.unitId,
      personId: input.actor.id,
      at: input.now,
      telegramChatId: input.telegramChatId,
      telegramMessageId: input.telegramMessageId,
      payload: { reviewId: review.id, reason, due: input.due, returnedCount: a.returnedCount + 1 },
    })
    return { ...target, due: input.due, reason }
  }
}

/** Open reviews of many assignments at once, for views. */
export async function openReviewIds(db: Db, taskIds: number[]): Promise<Set<string>> {
  if (taskIds.length === 0) return new Set()
  const rows = await db
    .select({ taskId: reviews.taskId, unitId: reviews.unitId })
    .from(reviews)
    .where(and(inArray(reviews.taskId, taskIds), isNull(reviews.decision)))
  return new Set(rows.map((r) => `${r.taskId}:${r.unitId}`))
}
