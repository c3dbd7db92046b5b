/**
 * Friday's status prompt (daily at 10:00; acts on Friday, or on the first working day after a
 * non-working Friday in that week): one compact message per unit listing its open tasks of the
 * active plans (not done; lead and responsible assignments, not support ones), numbered 1..n as in the prompt's taskIds, to the unit's groups (as a
 * prompt) and its liaisons' email. Units with nothing open are not prompted. Key
 * `prompt:{unitId}:{isoWeek}`; once per week (see jobs/rhythm.ts).
 */
import * as z from 'zod'
import { assignmentStates, byDueThenPlan, type AssignmentState } from '../src/domain/digest.ts'
import { unitRecipients } from '../src/domain/recipients.ts'
import { isoWeek, weeklyRoundDay } from '../src/domain/reminder-ladder.ts'
import { activePlans, isChased } from '../src/domain/plans.ts'
import { atCurrentOccurrence } from '../src/domain/series.ts'
import { listUnits } from '../src/domain/units.ts'
import type { StatusPromptParams } from '../src/templates/status-prompt.ts'
import { statusOf, taskOf } from './deadline-reminders.ts'
import { noPlan, jobDescription, nameList, openRound, runRound } from './rhythm.ts'
import type { Job } from './types.ts'
import { enqueueUnitMessage } from '../src/delivery/notify.ts'
import { outboxKey } from '../src/domain/outbox-keys.ts'

const NAME = 'status-prompts'

const options = z.object({
  /** ISO weekday the prompt goes (5 = Friday); a day off moves it to the next working day of the week. */
  weekday: z.number().int().min(1).max(7),
})

/** The prompt's task lines: the unit's open assignments in order, each with its current status. */
export function promptTasks(list: AssignmentState[]): StatusPromptParams['tasks'] {
  return list.map((a) => ({ ...taskOf(a), status: statusOf(a) }))
}

export const statusPrompts: Job = {
  name: NAME,
  description: jobDescription('statusPrompts'),
  defaultCron: '0 10 * * *',
  defaultOptions: { weekday: 5 },
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const opened = openRound(ctx, fire, NAME, options, (day, o) =>
      weeklyRoundDay(ctx.calendar, day, o.weekday),
    )
    if ('end' in opened) return opened.end
    const { today } = opened
    const plans = await activePlans(ctx.db)
    if (plans.length === 0) return noPlan
    const week = isoWeek(today)

    return runRound(ctx.db, NAME, week, fire.now, async (tx) => {
      const open = new Map<number, AssignmentState[]>()
      const planIds = plans.map((p) => p.id)
      // Lead and responsible units are asked; support units report through them.
      // A recurring task is open again in each new period (its earlier report counted for the last one).
      const states = await atCurrentOccurrence(
        tx,
        await assignmentStates(tx, planIds, fire.now),
        today,
        fire.now,
        ctx.config.timezone,
      )
      for (const a of states)
        if (a.state !== 'done' && isChased(a.role)) open.set(a.unitId, [...(open.get(a.unitId) ?? []), a])
      const reach = await unitRecipients(tx, [...open.keys()], today)
      const names = new Map((await listUnits(tx)).map((u) => [u.id, u.name]))
      let enqueued = 0
      const unreachable: string[] = []
      for (const [unitId, list] of open) {
        list.sort(byDueThenPlan)
        const r = reach.get(unitId)!
        const unit = names.get(unitId) ?? `#${unitId}`
        if (r.unreachable) unreachable.push(unit)
        const taskIds = list.map((a) => a.taskId)
        const params: StatusPromptParams = { kind: 'weekly', unit, tasks: promptTasks(list), taskIds }
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.prompt(unitId, week),
          unitId,
          reach: r,
          template: 'status-prompt',
          params,
          prompt: { taskIds, kind: 'weekly' },
          now: fire.now,
        })
      }
      const detail = [`${week}: ${open.size} unit(s) with open tasks prompted`]
      if (unreachable.length) detail.push(`unreachable: ${nameList(unreachable)}`)
      return { enqueued, detail: detail.join('; ') }
    })
  },
}

export default statusPrompts
