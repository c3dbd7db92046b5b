/**
 * `/remind <unit> [task ref]` (supervisors and admins): an immediate reminder to the unit through
 * the outbox, as a prompt the liaison can answer: about one task (`/remind 台城 二（五）2`, worded
 * for today against its deadline) or about all its open tasks. At most one per unit per hour, so
 * a group is never spammed: key `remind:{unitId}:{taskId|all}:{yyyy-mm-dd-HH}`; a second press
 * within the hour is answered with the time the first one went.
 */
import { Composer } from 'grammy'
import { deliveries } from '../src/db/schema.ts'
import { localDate } from '../src/domain/dates.ts'
import { assignmentStates, byDueThenPlan, type AssignmentState } from '../src/domain/digest.ts'
import { unitReach, type UnitReach } from '../src/domain/recipients.ts'
import { deadlineMoment } from '../src/domain/reminder-ladder.ts'
import { activePlans } from '../src/domain/plans.ts'
import { chinaCalendar } from '../src/domain/working-days.ts'
import type { DeadlineReminderParams } from '../src/templates/deadline-reminder.ts'
import type { StatusPromptParams } from '../src/templates/status-prompt.ts'
import { wallTime } from '../src/domain/dates.ts'
import {
  clip,
  commandArgs,
  refuse,
  replyHtml,
  unitFromQuery,
  type BotContext,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { momentParams, statusOf, taskOf } from '../jobs/deadline-reminders.ts'
import { promptTasks } from '../jobs/status-prompts.ts'
import { decideAndEnqueue, enqueueUnitMessage } from '../src/delivery/notify.ts'
import { readsAllUnits } from '../src/domain/access.ts'
import { earlierOutbox, outboxKey } from '../src/domain/outbox-keys.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** A task ref as people type it: width, brackets and spaces do not matter (二(五)2 = 二（五）2). */
function sameRef(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '')
  return norm(a) === norm(b)
}

function channelCounts(reach: UnitReach) {
  return {
    groups: reach.telegram.filter((r) => r.kind === 'group').length,
    chats: reach.telegram.filter((r) => r.kind === 'private').length,
    emails: reach.email.length,
  }
}

const composer = new Composer<BotContext>()

composer.command('remind', async (ctx) => {
  const r = ctx.texts.rhythm.remind
  if (!readsAllUnits(ctx.person)) return refuse(ctx, ctx.t.refusals.supervisorsOnly, 'remind_not_supervisor')
  const [unitArg, ...rest] = commandArgs(ctx).split(/\s+/).filter(Boolean)
  if (!unitArg) return refuse(ctx, escapeHtml(r.usage), 'remind_usage')
  const unit = await unitFromQuery(ctx, unitArg)
  if (!unit) return
  const { db, config, now } = ctx.deps
  const at = now()
  const tz = config.timezone
  const name = escapeHtml(clip(unit.name, 60))
  const plans = await activePlans(db)
  if (plans.length === 0) return refuse(ctx, escapeHtml(r.noPlan), 'remind_no_plan')

  const mine = await assignmentStates(
    db,
    plans.map((p) => p.id),
    at,
    { unitIds: [unit.id] },
  )
  const ref = rest.join('')
  let chosen: AssignmentState[]
  if (ref) {
    const task = mine.find((a) => sameRef(a.ref, ref))
    if (!task) return refuse(ctx, r.taskUnknown(escapeHtml(clip(ref, 40)), name), 'remind_task_unknown')
    if (task.state === 'done') return refuse(ctx, r.taskDone(escapeHtml(task.ref), name), 'remind_task_done')
    chosen = [task]
  } else {
    chosen = mine.filter((a) => a.state !== 'done').sort(byDueThenPlan)
    if (chosen.length === 0) return refuse(ctx, r.nothingOpen(name), 'remind_nothing_open')
  }
  const reach = await unitReach(db, unit.id)
  if (reach.unreachable) return refuse(ctx, r.unreachable(name), 'remind_unreachable', { unitId: unit.id })

  const w = wallTime(at, tz)
  const hour = `${localDate(at, tz)}-${pad(w.hour)}`
  const key = outboxKey.remind(unit.id, ref ? chosen[0]!.taskId : 'all', hour)
  const outcome = await decideAndEnqueue(db, `remind:${unit.id}`, async (tx) => {
    // One per unit per hour, whichever task it was about.
    const [earlier] = await tx
      .select({ payload: deliveries.payload })
      .from(deliveries)
      .where(earlierOutbox.remindsInHour(unit.id, hour))
      .limit(1)
    if (earlier) {
      const sentAt = (earlier.payload as { params?: { requestedAt?: string } }).params?.requestedAt
      return { already: sentAt ? new Date(sentAt) : at }
    }
    const taskIds = chosen.map((a) => a.taskId)
    const common = { unitId: unit.id, reach, prompt: { taskIds, kind: 'remind' }, now: at }
    if (chosen.length === 1 && ref) {
      const a = chosen[0]!
      const params: DeadlineReminderParams & { requestedAt: string } = {
        unit: unit.name,
        task: taskOf(a),
        moment: momentParams(a.due ? deadlineMoment(chinaCalendar, localDate(at, tz), a.due) : null),
        status: statusOf(a),
        manual: true,
        requestedAt: at.toISOString(),
      }
      await enqueueUnitMessage(tx, { ...common, key, template: 'deadline-reminder', params })
    } else {
      const params: StatusPromptParams & { requestedAt: string } = {
        kind: 'manual',
        unit: unit.name,
        tasks: promptTasks(chosen),
        taskIds,
        requestedAt: at.toISOString(),
      }
      await enqueueUnitMessage(tx, { ...common, key, template: 'status-prompt', params })
    }
    return { already: null }
  })
  if (outcome.already) {
    const t = wallTime(outcome.already, tz)
    return refuse(ctx, r.alreadySent(name, `${pad(t.hour)}:${pad(t.minute)}`), 'remind_rate_limited', {
      unitId: unit.id,
    })
  }
  const c = channelCounts(reach)
  ctx.deps.logger.info({ personId: ctx.person?.id, unitId: unit.id, key }, 'manual reminder queued')
  await replyHtml(ctx, r.sent(name, chosen.length, escapeHtml(r.channels(c.groups, c.chats, c.emails))))
})

export { composer as remindFeature }
