/**
 * Assignment receipts (签收), hourly on working days: each unit gets a notice of the tasks newly
 * assigned to it (plan import, a new plan, a new unit) with a 签收 button, to its groups (as a
 * prompt) and its liaisons' email; a unit that has not signed one working day after the notice
 * gets ONE second notice, to its liaisons in private and by email. Both are marked on the
 * assignments in the same transaction as their outbox rows, so each goes exactly once.
 */
import { activePlan } from '../src/domain/plans.ts'
import {
  dueForSecondNotice,
  liaisonsInPrivate,
  markNoticed,
  unnoticed,
  type PendingReceipt,
} from '../src/domain/receipts.ts'
import { unitRecipients } from '../src/domain/recipients.ts'
import { decideAndEnqueue, enqueueUnitMessage } from '../src/delivery/notify.ts'
import { listUnits } from '../src/domain/units.ts'
import { fireDay, jobDescription, nonWorkingDay, noPlan } from './rhythm.ts'
import type { Job } from './types.ts'
import { outboxKey } from '../src/domain/outbox-keys.ts'

const NAME = 'assignment-receipts'

const taskParams = (list: PendingReceipt[]) =>
  list.map((t) => ({ ref: t.ref, title: t.title, due: t.due, dueText: t.dueText }))

export const assignmentReceipts: Job = {
  name: NAME,
  description: jobDescription('assignmentReceipts'),
  defaultCron: '0 * * * *',
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const today = fireDay(ctx, fire)
    const off = nonWorkingDay(ctx, today)
    if (off) return off
    const plan = await activePlan(ctx.db)
    if (!plan) return noPlan
    return decideAndEnqueue(ctx.db, NAME, async (tx) => {
      const names = new Map((await listUnits(tx)).map((u) => [u.id, u.name]))
      let enqueued = 0
      const fresh = await unnoticed(tx, plan.id)
      const reach = await unitRecipients(tx, [...fresh.keys()], today)
      for (const [unitId, list] of fresh) {
        const taskIds = list.map((t) => t.taskId)
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.assigned(unitId, fire.scheduledAt),
          unitId,
          reach: reach.get(unitId)!,
          template: 'assignment-notice',
          params: { unit: names.get(unitId) ?? `#${unitId}`, tasks: taskParams(list) },
          prompt: { taskIds, kind: 'assignment' },
          now: fire.now,
        })
        await markNoticed(tx, unitId, taskIds, false, fire.now)
      }
      const late = await dueForSecondNotice(tx, plan.id, ctx.calendar, today, ctx.config.timezone)
      for (const [unitId, list] of late) {
        const taskIds = list.map((t) => t.taskId)
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.assignedSecond(unitId, today),
          unitId,
          reach: await liaisonsInPrivate(tx, unitId, today),
          template: 'assignment-notice',
          params: { second: true, unit: names.get(unitId) ?? `#${unitId}`, tasks: taskParams(list) },
          prompt: { taskIds, kind: 'assignment' },
          now: fire.now,
        })
        await markNoticed(tx, unitId, taskIds, true, fire.now)
      }
      return { enqueued, detail: `${fresh.size} unit(s) noticed, ${late.size} second notice(s)` }
    })
  },
}

export default assignmentReceipts
