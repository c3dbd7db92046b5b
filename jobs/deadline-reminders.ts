/**
 * Deadline reminders, daily at 09:00 on working days: for every task of the active plan with a
 * deadline and every responsible unit whose latest status is not done, the ladder step due today
 * (src/domain/reminder-ladder.ts): 14, 7, 3, 1 working days before and on the day, then every 3
 * working days overdue. One reminder per (task, unit, step), whatever day it actually goes, to the
 * unit's groups (as a prompt) and its liaisons' email. From the second overdue reminder on, the
 * supervisors get ONE escalation per task and day listing the units escalated that day.
 *
 * Catch-up 'latest': after downtime only the newest missed fire runs, and the ladder makes up
 * every step that was missed, worded for the moment it is sent.
 */
import { like } from 'drizzle-orm'
import { z } from 'zod'
import { deliveries } from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { assignmentStates, type AssignmentState } from '../src/domain/digest.ts'
import { supervisorRecipients, unitRecipients } from '../src/domain/recipients.ts'
import {
  DEFAULT_LADDER,
  escalationKey,
  ladderStep,
  reminderKey,
  type LadderStep,
} from '../src/domain/reminder-ladder.ts'
import { activePlan } from '../src/domain/status.ts'
import { listUnits } from '../src/domain/units.ts'
import { messages } from '../src/i18n/index.ts'
import type {
  DeadlineEscalationParams,
  DeadlineReminderParams,
  MomentParams,
} from '../src/messages/deadline-reminder.ts'
import { fireDay, jobOptions, nameList, nonWorkingDay } from './rhythm.ts'
import type { Job } from './types.ts'
import { decideAndEnqueue, enqueueToSupervisors, enqueueUnitMessage } from '../src/delivery/notify.ts'

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
  return { ref: a.ref, title: a.title, due: a.due, dueText: a.dueText }
}

/** Units already listed in an escalation of the task at a level, as `unitId:level`. */
async function escalatedBefore(tx: Db, taskId: number): Promise<Set<string>> {
  const rows = await tx
    .select({ payload: deliveries.payload })
    .from(deliveries)
    .where(like(deliveries.key, `escalation:${taskId}:%`))
  const seen = new Set<string>()
  for (const r of rows) {
    const units =
      (r.payload as { params?: { units?: { unitId?: number; level?: number }[] } }).params?.units ?? []
    for (const u of units)
      if (u.unitId !== undefined && u.level !== undefined) seen.add(`${u.unitId}:${u.level}`)
  }
  return seen
}

export const deadlineReminders: Job = {
  name: NAME,
  description: {
    'zh-CN': messages('zh-CN').rhythm.jobs.deadlineReminders,
    en: messages('en').rhythm.jobs.deadlineReminders,
  },
  defaultCron: '0 9 * * *',
  defaultOptions: { ...DEFAULT_LADDER },
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const today = fireDay(ctx, fire)
    const off = nonWorkingDay(ctx, today)
    if (off) return off
    const ladder = jobOptions(NAME, options, ctx)
    const plan = await activePlan(ctx.db)
    if (!plan) return { enqueued: 0, skipped: messages('en').rhythm.skipped.noPlan }

    const all = await assignmentStates(ctx.db, plan.id, fire.now)
    const stepOfTask = new Map<number, LadderStep | null>()
    const due: { a: AssignmentState; step: LadderStep }[] = []
    for (const a of all) {
      if (!a.due || a.state === 'done') continue
      if (!stepOfTask.has(a.taskId)) stepOfTask.set(a.taskId, ladderStep(ctx.calendar, today, a.due, ladder))
      const step = stepOfTask.get(a.taskId)
      if (step) due.push({ a, step })
    }
    if (due.length === 0) return { enqueued: 0, detail: 'no reminders due' }

    const unitIds = [...new Set(due.map((d) => d.a.unitId))]
    const reach = await unitRecipients(ctx.db, unitIds)
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
        }
        enqueued += await enqueueUnitMessage(tx, {
          key: reminderKey(a.taskId, a.unitId, step),
          unitId: a.unitId,
          reach: r,
          template: 'deadline-reminder',
          params,
          prompt: { taskIds: [a.taskId], kind: 'reminder' },
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
        const fresh = list.filter((d) => d.step.kind === 'overdue' && !seen.has(`${d.a.unitId}:${d.step.n}`))
        if (fresh.length === 0 || supervisors.length === 0) continue
        const params: DeadlineEscalationParams = {
          task: taskOf(fresh[0]!.a),
          units: fresh.map(({ a, step }) => ({
            unitId: a.unitId,
            level: step.kind === 'overdue' ? step.n : 0,
            name: names.get(a.unitId) ?? `#${a.unitId}`,
            workingDaysOverdue: step.moment.kind === 'overdue' ? step.moment.workingDaysOverdue : 0,
            status: statusOf(a),
            reachable: !reach.get(a.unitId)?.unreachable,
          })),
        }
        const n = await enqueueToSupervisors(
          tx,
          escalationKey(taskId, today),
          supervisors,
          'deadline-escalation',
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
