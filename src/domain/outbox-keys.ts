/**
 * Outbox occurrence keys: the one place that builds them and the one place that finds earlier
 * rows by them. A key names one occurrence of a message (with recipient and channel it is unique
 * in `deliveries`), so writing the same decision twice sends nothing new. Jobs and commands call
 * these builders instead of writing key strings, and look up earlier rows through the matchers
 * below instead of writing patterns over keys built elsewhere.
 */
import { and, isNotNull, like, type SQL } from 'drizzle-orm'
import { deliveries } from '../db/schema.ts'

/** A step of a unit's deadline ladder: before the date (working days left) or overdue (n-th). */
export type LadderStepKey = { kind: 'before'; step: number } | { kind: 'overdue'; n: number }

export const outboxKey = {
  /**
   * A unit's deadline reminder at a ladder step: one per step, whatever day it goes. When it
   * counts toward a date other than the task's one plan date (an occurrence of a recurring
   * deadline, or the unit's own date after an extension or a return), the key names that date.
   */
  deadline(taskId: number, unitId: number, step: LadderStepKey, datedFor?: string): string {
    const pair = datedFor ? `${taskId}:${unitId}@${datedFor}` : `${taskId}:${unitId}`
    return step.kind === 'before'
      ? `deadline:${pair}:before:${step.step}`
      : `deadline:${pair}:overdue:${step.n}`
  },
  /** The supervisors' escalation for a task on a day (one message listing the units). */
  escalation: (taskId: number, day: string) => `escalation:${taskId}:${day}`,
  /** A red item's escalation step (liaison, leader, supervisors) within one red spell. */
  red: (taskId: number, unitId: number, redSince: string, step: 'liaison' | 'leader' | 'supervisors') =>
    `red:${taskId}:${unitId}:${redSince}:${step}`,
  /** The weekly status prompt of a unit (ISO week). */
  prompt: (unitId: number, week: string) => `prompt:${unitId}:${week}`,
  /** Monday's nudge to a unit that did not answer last week's prompt. */
  nudge: (unitId: number, week: string) => `nudge:${unitId}:${week}`,
  /** The weekly digest (ISO week). */
  digest: (week: string) => `digest:${week}`,
  /** A unit's training-pace notice, and the supervisors' list of units at risk (month). */
  pace: (unitId: number, month: string) => `pace:${unitId}:${month}`,
  paceRisk: (month: string) => `pace-risk:${month}`,
  /** New tasks noticed to a unit at a run, and the second notice when unsigned a working day later. */
  assigned: (unitId: number, runAt: Date) => `assigned:${unitId}:${runAt.toISOString()}`,
  assignedSecond: (unitId: number, day: string) => `assigned-second:${unitId}:${day}`,
  /** A supervisor's /remind of a unit in a local hour (`YYYY-MM-DD-HH`), about a task or all open. */
  remind: (unitId: number, taskId: number | 'all', hour: string) => `remind:${unitId}:${taskId}:${hour}`,
  /** A review card, each evidence file sent with it, and the unit told of the decision. */
  review: (reviewId: number) => `review:${reviewId}`,
  reviewFile: (reviewId: number, evidenceId: number) => `review:${reviewId}:file:${evidenceId}`,
  reviewDecision: (reviewId: number, decision: 'approved' | 'returned') => `review:${reviewId}:${decision}`,
  /** An extension request's card to the supervisors, and the unit told of the decision. */
  extension: (requestId: number) => `extension:${requestId}`,
  extensionDecision: (requestId: number) => `extension:${requestId}:decision`,
  /** The email that stands in for a Telegram message that could not be delivered. */
  fallback: (key: string) => `${key}:fallback`,
} as const

/** `%` and `_` are wildcards in LIKE; keys are built from ids and dates, but escape anyway. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export const earlierOutbox = {
  /** Rows of every escalation of a task, on any day. */
  escalationsOfTask: (taskId: number): SQL => like(deliveries.key, `${literal(`escalation:${taskId}:`)}%`),
  /** Rows of every unit's status prompt of a week. */
  promptsOfWeek: (week: string): SQL =>
    and(like(deliveries.key, `prompt:%:${literal(week)}`), isNotNull(deliveries.unitId))!,
  /** Rows of any /remind of a unit in a local hour, whichever task it was about. */
  remindsInHour: (unitId: number, hour: string): SQL =>
    like(deliveries.key, `${literal(`remind:${unitId}:`)}%:${literal(hour)}`),
}
