/**
 * Deadline reminders, daily at 09:00 on working days: for every task of the active plans with a
 * deadline and every assigned unit whose latest status is not done, the ladder step due today
 * (src/domain/reminder-ladder.ts): 14, 7, 3, 1 working days before and on the day, then every 3
 * working days overdue. One reminder per (task, unit, step), whatever day it actually goes, to the
 * unit's groups (as a prompt) and its liaisons' email. From the second overdue reminder on, the
 * supervisors get ONE escalation per task and day listing the units escalated that day.
 *
 * Roles: lead (牵头) and responsible (负责) units are chased as above. A support unit (配合) gets the
 * steps before and on the deadline as information (no prompt, no buttons, no reply expected) and
 * nothing after it: no overdue reminder, no escalation. Withdrawn tasks and ongoing tasks (no date)
 * get nothing.
 *
 * A recurring deadline (series): each occurrence has its own ladder (keys carry the date) and
 * counts only the reports made from the start of its period on. An occurrence whose date passed
 * without a report is chased like any deadline (overdue reminders, escalation) while the next
 * occurrence's ladder runs beside it, until the unit reports or the next date passes too (then
 * that one is the missed occurrence).
 *
 * Catch-up 'latest': after downtime only the newest missed fire runs, and the ladder makes up
 * every step that was missed, worded for the moment it is sent.
 */
import * as z from 'zod'
import { deliveries } from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { assignmentStates, type AssignmentState } from '../src/domain/digest.ts'
import { supervisorRecipients, unitRecipients } from '../src/domain/recipients.ts'
import { DEFAULT_LADDER, ladderStep, type LadderStep } from '../src/domain/reminder-ladder.ts'
import { activePlans, isChased } from '../src/domain/plans.ts'
import { occurrencesToChase } from '../src/domain/series.ts'
import { listUnits } from '../src/domain/units.ts'
import type {
  DeadlineEscalationParams,
  DeadlineReminderParams,
  MomentParams,
} from '../src/templates/deadline-reminder.ts'
import { noPlan, fireDay, jobDescription, nameList, nonWorkingDay, parseJobOptions } from './rhythm.ts'
import type { Job } from './types.ts'
import { decideAndEnqueue, enqueueToSupervisors, enqueueUnitMessage } from '../src/delivery/notify.ts'
import { earlierOutbox, outboxKey } from '../src/domain/outbox-keys.ts'
import { deadlineEscalation } from '../src/templates/deadline-reminder.ts'

const NAME = 'deadline-reminders'

const options = z.object({
  steps: z.array(z.number().int().min(0)).min(1),
  overdueEvery: z.number().int().min(1),
  escalateFrom: z.number().int().min(1),
})

/** The moment as the template's parameters. */
export function momentParams(step: LadderStep['moment'] | null): MomentParams {
  if (!step) return { kind: 'none' }
  if (step.kind === 'before') return { kind: 'before', workingDaysLeft: step.workingDaysLeft }
  if (step.kind === 'today') return { kind: 'today' }
  return { kind: 'overdue', workingDaysOverdue: step.workingDaysOverdue }
}

/** A unit's latest report as the templates take it (null: no reply). */
export function statusOf(a: AssignmentState): DeadlineReminderParams['status'] {
  if (a.state === 'no_reply' || !a.reportedAt) return null
  return { state: a.state, progress: a.progress, note: a.note, at: a.reportedAt.toISOString(), by: a.by }
}

/** The task as the templates take it. */
export function taskOf(a: AssignmentState): DeadlineReminderParams['task'] {
  // A unit's own date is a plain date: the plan's phrase describes the plan's date (or its series) only.
  const phraseFits = a.deadlineKind === 'series' || a.due === a.planDue
  return {
    id: a.taskId,
    ref: a.ref,
    title: a.title,
    due: a.due,
    dueText: phraseFits ? a.dueText : null,
    ...(a.role === 'responsible' ? {} : { role: a.role }),
    ...(a.plan ? { plan: a.plan } : {}),
  }
}

/** Units already listed in an escalation of the task at a level, as `unitId:level` (`@date` for an occurrence). */
async function escalatedBefore(tx: Db, taskId: number): Promise<Set<string>> {
  const rows = await tx
    .select({ payload: deliveries.payload })
    .from(deliveries)
    .where(earlierOutbox.escalationsOfTask(taskId))
  const seen = new Set<string>()
  for (const r of rows) {
    const units =
      (r.payload as { params?: { units?: { unitId?: number; level?: number; due?: string }[] } }).params
        ?.units ?? []
    for (const u of units)
      if (u.unitId !== undefined && u.level !== undefined)
        seen.add(`${u.unitId}:${u.level}${u.due ? `@${u.due}` : ''}`)
  }
  return seen
}

/** `@date` of a series occurrence, which escalates on its own; '' for a plain deadline. */
function occurrenceTag(a: AssignmentState): string {
  return a.deadlineKind === 'series' && a.due ? `@${a.due}` : ''
}

export const deadlineReminders: Job = {
  name: NAME,
  description: jobDescription('deadlineReminders'),
  defaultCron: '0 9 * * *',
  defaultOptions: { ...DEFAULT_LADDER },
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const today = fireDay(ctx, fire)
    const off = nonWorkingDay(ctx, today)
    if (off) return off
    const ladder = parseJobOptions(NAME, options, ctx)
    const plans = await activePlans(ctx.db)
    if (plans.length === 0) return noPlan

    const all = await occurrencesToChase(
      ctx.db,
      await assignmentStates(
        ctx.db,
        plans.map((p) => p.id),
        fire.now,
      ),
      today,
      fire.now,
      ctx.config.timezone,
    )
    const stepOfTask = new Map<string, LadderStep | null>()
    const due: { a: AssignmentState; step: LadderStep }[] = []
    for (const a of all) {
      if (!a.due || a.state === 'done' || a.deadlineKind === 'ongoing') continue
      // Per task and date: an occurrence, or a unit with its own date (extension, return), has its own ladder.
      const at = `${a.taskId}:${a.due}`
      if (!stepOfTask.has(at)) stepOfTask.set(at, ladderStep(ctx.calendar, today, a.due, ladder))
      const step = stepOfTask.get(at)
      // Support units are informed up to the deadline, never chased after it.
      if (step && (isChased(a.role) || step.kind === 'before')) due.push({ a, step })
    }
    if (due.length === 0) return { enqueued: 0, detail: 'no reminders due' }

    const unitIds = [...new Set(due.map((d) => d.a.unitId))]
    const reach = await unitRecipients(ctx.db, unitIds, today)
    const names = new Map((await listUnits(ctx.db)).map((u) => [u.id, u.name]))
    const supervisors = await supervisorRecipients(ctx.db)

    return decideAndEnqueue(ctx.db, NAME, async (tx) => {
      let enqueued = 0
      const unreachable = new Set<number>()
      for (const { a, step } of due) {
        const r = reach.get(a.unitId)!
        if (r.unreachable) unreachable.add(a.unitId)
        const params: DeadlineReminderParams = {
          unit: names.get(a.unitId) ?? `#${a.unitId}`,
          task: taskOf(a),
          moment: momentParams(step.moment),
          status: statusOf(a),
          ack: !a.acknowledged,
        }
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.deadline(
            a.taskId,
            a.unitId,
            step,
            a.deadlineKind === 'series' || a.due !== a.planDue ? (a.due ?? undefined) : undefined,
          ),
          unitId: a.unitId,
          reach: r,
          template: 'deadline-reminder',
          params,
          ...(isChased(a.role) ? { prompt: { taskIds: [a.taskId], kind: 'reminder' } } : {}),
          now: fire.now,
        })
      }

      // Escalations: per task, the units that reached a new escalating level today.
      const byTask = new Map<number, { a: AssignmentState; step: LadderStep }[]>()
      for (const d of due)
        if (d.step.kind === 'overdue' && d.step.escalate)
          byTask.set(d.a.taskId, [...(byTask.get(d.a.taskId) ?? []), d])
      let escalations = 0
      for (const [taskId, list] of byTask) {
        const seen = await escalatedBefore(tx, taskId)
        const fresh = list.filter(
          (d) => d.step.kind === 'overdue' && !seen.has(`${d.a.unitId}:${d.step.n}${occurrenceTag(d.a)}`),
        )
        if (fresh.length === 0 || supervisors.length === 0) continue
        const params: DeadlineEscalationParams = {
          task: taskOf(fresh[0]!.a),
          units: fresh.map(({ a, step }) => ({
            unitId: a.unitId,
            level: step.kind === 'overdue' ? step.n : 0,
            ...(a.deadlineKind === 'series' && a.due ? { due: a.due } : {}),
            name: names.get(a.unitId) ?? `#${a.unitId}`,
            workingDaysOverdue: step.moment.kind === 'overdue' ? step.moment.workingDaysOverdue : 0,
            status: statusOf(a),
            reachable: !reach.get(a.unitId)?.unreachable,
          })),
        }
        const n = await enqueueToSupervisors(
          tx,
          outboxKey.escalation(taskId, today),
          supervisors,
          deadlineEscalation,
          params,
        )
        enqueued += n
        if (n > 0) escalations++
      }

      const parts = [`${due.length} reminder(s) due to ${unitIds.length} unit(s)`]
      if (escalations) parts.push(`${escalations} escalation(s)`)
      if (unreachable.size)
        parts.push(`unreachable: ${nameList([...unreachable].map((id) => names.get(id) ?? `#${id}`))}`)
      return { enqueued, detail: parts.join('; ') }
    })
  },
}

export default deadlineReminders
