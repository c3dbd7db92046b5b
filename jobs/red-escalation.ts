/**
 * 红色督办 escalation, working days 09:30 (after the deadline reminders): every red assignment
 * (overdue, or returned twice; see src/domain/colors.ts) of a lead or responsible unit climbs the
 * ladder of src/domain/escalation.ts, one step per working day: the unit's liaisons (privately and
 * by email; their deputies on leave; the unit's groups when no liaison can be reached privately),
 * then the unit's leader, then the supervisors. The first day an item is seen red is kept on the
 * assignment (red_since) in the same transaction as the outbox rows; each step's key names that
 * day, so each goes once per red spell, and an item that is no longer red has its mark cleared.
 */
import { outboxKey } from '../src/domain/outbox-keys.ts'
import { and, eq, inArray, isNotNull } from 'drizzle-orm'
import { assignments, tasks } from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { colorOfAssignment } from '../src/domain/colors.ts'
import { assignmentStates, type AssignmentState } from '../src/domain/digest.ts'
import {
  escalationLevel,
  escalationSteps,
  unitsWithLeader,
  type EscalationStep,
} from '../src/domain/escalation.ts'
import { recordEvent } from '../src/domain/history.ts'
import { activePlans, isChased } from '../src/domain/plans.ts'
import { liaisonsInPrivate } from '../src/domain/receipts.ts'
import {
  leaderRecipients,
  supervisorRecipients,
  unitReach,
  type Recipient,
} from '../src/domain/recipients.ts'
import { workingDaysBetween } from '../src/domain/working-days.ts'
import { listUnits } from '../src/domain/units.ts'
import { enqueue } from '../src/delivery/outbox.ts'
import { decideAndEnqueue } from '../src/delivery/notify.ts'
import { noPlan, fireDay, jobDescription, nonWorkingDay } from './rhythm.ts'
import type { Job } from './types.ts'

const NAME = 'red-escalation'

/** The red marks already on the plans' assignments, as `taskId:unitId` → first red day. */
async function redMarks(db: Db, planIds: number[]): Promise<Map<string, string>> {
  const rows = await db
    .select({ taskId: assignments.taskId, unitId: assignments.unitId, redSince: assignments.redSince })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(and(inArray(tasks.planId, planIds), isNotNull(assignments.redSince)))
  return new Map(rows.map((r) => [`${r.taskId}:${r.unitId}`, r.redSince!]))
}

async function setRedSince(db: Db, taskId: number, unitId: number, day: string | null): Promise<void> {
  await db
    .update(assignments)
    .set({ redSince: day })
    .where(and(eq(assignments.taskId, taskId), eq(assignments.unitId, unitId)))
}

export const redEscalation: Job = {
  name: NAME,
  description: jobDescription('redEscalation'),
  defaultCron: '30 9 * * *',
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const today = fireDay(ctx, fire)
    const off = nonWorkingDay(ctx, today)
    if (off) return off
    const plans = await activePlans(ctx.db)
    if (plans.length === 0) return noPlan
    const planIds = plans.map((p) => p.id)
    const tz = ctx.config.timezone
    const states = await assignmentStates(ctx.db, planIds, fire.now)
    const red = states.filter(
      (a) => isChased(a.role) && colorOfAssignment(a, today, ctx.calendar, tz) === 'red',
    )
    const names = new Map((await listUnits(ctx.db)).map((u) => [u.id, u.name]))

    return decideAndEnqueue(ctx.db, NAME, async (tx) => {
      const marks = await redMarks(tx, planIds)
      const redKeys = new Set(red.map((a) => `${a.taskId}:${a.unitId}`))
      for (const key of marks.keys())
        if (!redKeys.has(key)) {
          const [taskId, unitId] = key.split(':').map(Number)
          await setRedSince(tx, taskId!, unitId!, null)
        }
      const withLeader = await unitsWithLeader(tx, [...new Set(red.map((a) => a.unitId))])
      const supervisors = await supervisorRecipients(tx)
      let enqueued = 0
      let steps = 0
      for (const a of red) {
        let since = marks.get(`${a.taskId}:${a.unitId}`)
        if (!since) {
          since = today
          await setRedSince(tx, a.taskId, a.unitId, today)
        }
        for (const step of escalationSteps(ctx.calendar, since, today, withLeader.has(a.unitId))) {
          const n = await escalate(tx, a, step, since, today, {
            supervisors,
            unit: names.get(a.unitId) ?? `#${a.unitId}`,
            overdue: a.due !== null && a.due < today ? workingDaysBetween(ctx.calendar, a.due, today) : 0,
            now: fire.now,
          })
          enqueued += n
          if (n > 0) steps++
        }
      }
      return { enqueued, detail: `${red.length} red item(s), ${steps} new escalation step(s)` }
    })
  },
}

/** Writes one step for one red item (once: its key), with its history event. Returns new outbox rows. */
async function escalate(
  tx: Db,
  a: AssignmentState,
  step: EscalationStep,
  since: string,
  today: string,
  c: { supervisors: Recipient[]; unit: string; overdue: number; now: Date },
): Promise<number> {
  let recipients: Recipient[]
  if (step === 'supervisors') recipients = c.supervisors
  else if (step === 'leader') recipients = await leaderRecipients(tx, a.unitId)
  else {
    const privately = await liaisonsInPrivate(tx, a.unitId, today)
    const reach = privately.telegram.length ? privately : await unitReach(tx, a.unitId, today)
    recipients = [...reach.telegram, ...reach.email]
  }
  const level = escalationLevel[step]
  const key = outboxKey.red(a.taskId, a.unitId, since, step)
  const n = await enqueue(
    tx,
    recipients.map((r) => ({
      key,
      channel: r.channel,
      recipient: r.recipient,
      personId: r.personId,
      unitId: a.unitId,
      payload: {
        template: 'red-escalation',
        params: {
          level,
          unit: c.unit,
          task: { ref: a.ref, title: a.title },
          overdueWorkingDays: c.overdue,
          returnedCount: a.returnedCount,
        },
      },
    })),
  )
  if (n > 0)
    await recordEvent(tx, {
      kind: 'escalated',
      taskId: a.taskId,
      unitId: a.unitId,
      at: c.now,
      payload: { level, step, since },
    })
  return n
}

export default redEscalation
