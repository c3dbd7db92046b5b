/**
 * Monday's nudge (daily at 08:00; acts on Monday, or the first working day of the week): units
 * that were sent last week's status prompt and have reported nothing on its tasks since that
 * prompt went out get it again, as a prompt about the same tasks (those still assigned and not
 * done). Key `nudge:{unitId}:{isoWeek}`; once per week (see jobs/rhythm.ts).
 */
import { and, gte, inArray, lte } from 'drizzle-orm'
import * as z from 'zod'
import { deliveries, statusReports } from '../src/db/schema.ts'
import { addDays } from '../src/domain/dates.ts'
import { assignmentStates, type AssignmentState } from '../src/domain/digest.ts'
import { unitRecipients } from '../src/domain/recipients.ts'
import { isoWeek, weekStart, weeklyRoundDay } from '../src/domain/reminder-ladder.ts'
import { listUnits } from '../src/domain/units.ts'
import type { StatusPromptParams } from '../src/templates/status-prompt.ts'
import { noPlan, jobDescription, nameList, openRound, roundDoneAt, runRound } from './rhythm.ts'
import { promptTasks } from './status-prompts.ts'
import type { Job } from './types.ts'
import { enqueueUnitMessage } from '../src/delivery/notify.ts'
import { earlierOutbox, outboxKey } from '../src/domain/outbox-keys.ts'
import { activePlans } from '../src/domain/plans.ts'

const NAME = 'prompt-nudges'
const PROMPTS = 'status-prompts'

const options = z.object({
  /** ISO weekday of the nudge (1 = Monday); a day off moves it to the next working day of the week. */
  weekday: z.number().int().min(1).max(7),
})

export const promptNudges: Job = {
  name: NAME,
  description: jobDescription('promptNudges'),
  defaultCron: '0 8 * * *',
  defaultOptions: { weekday: 1 },
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
    const lastWeek = isoWeek(addDays(weekStart(today), -7))

    return runRound(ctx.db, NAME, week, fire.now, async (tx) => {
      const promptedAt = await roundDoneAt(tx, PROMPTS, lastWeek)
      if (!promptedAt) return { enqueued: 0, detail: `no status prompts went out in ${lastWeek}` }

      // Who was prompted last week, about which tasks: the outbox rows of that round.
      const rows = await tx
        .select({ unitId: deliveries.unitId, payload: deliveries.payload })
        .from(deliveries)
        .where(earlierOutbox.promptsOfWeek(lastWeek))
      const asked = new Map<number, number[]>()
      for (const r of rows) {
        const ids = (r.payload as { params?: { taskIds?: number[] } }).params?.taskIds
        if (r.unitId !== null && ids?.length && !asked.has(r.unitId)) asked.set(r.unitId, ids)
      }
      if (asked.size === 0) return { enqueued: 0, detail: `nobody was prompted in ${lastWeek}` }

      const reported = await tx
        .selectDistinct({ unitId: statusReports.unitId, taskId: statusReports.taskId })
        .from(statusReports)
        .where(
          and(
            inArray(statusReports.unitId, [...asked.keys()]),
            gte(statusReports.reportedAt, promptedAt),
            lte(statusReports.reportedAt, fire.now),
          ),
        )
      const answered = new Set<number>()
      for (const r of reported) if (asked.get(r.unitId)?.includes(r.taskId)) answered.add(r.unitId)
      const silent = [...asked.keys()].filter((u) => !answered.has(u))
      if (silent.length === 0) return { enqueued: 0, detail: `every unit prompted in ${lastWeek} answered` }

      const states = await assignmentStates(
        tx,
        plans.map((p) => p.id),
        fire.now,
        { unitIds: silent },
      )
      const byPair = new Map<string, AssignmentState>(states.map((a) => [`${a.unitId}:${a.taskId}`, a]))
      const reach = await unitRecipients(tx, silent, today)
      const names = new Map((await listUnits(tx)).map((u) => [u.id, u.name]))
      let enqueued = 0
      let nudged = 0
      const unreachable: string[] = []
      for (const unitId of silent) {
        const list = asked
          .get(unitId)!
          .map((taskId) => byPair.get(`${unitId}:${taskId}`))
          .filter((a): a is AssignmentState => a !== undefined && a.state !== 'done')
        if (list.length === 0) continue
        const unit = names.get(unitId) ?? `#${unitId}`
        const r = reach.get(unitId)!
        if (r.unreachable) unreachable.push(unit)
        const taskIds = list.map((a) => a.taskId)
        const params: StatusPromptParams = { kind: 'nudge', unit, tasks: promptTasks(list), taskIds }
        nudged++
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.nudge(unitId, week),
          unitId,
          reach: r,
          template: 'status-prompt',
          params,
          prompt: { taskIds, kind: 'nudge' },
          now: fire.now,
        })
      }
      const detail = [`${nudged} unit(s) nudged about ${lastWeek}`]
      if (unreachable.length) detail.push(`unreachable: ${nameList(unreachable)}`)
      return { enqueued, detail: detail.join('; ') }
    })
  },
}

export default promptNudges
