/**
 * `/history 台城 二（五）4`: the timeline of one assignment (交办, 签收, reports, evidence, review,
 * return, extension, leave, escalation), with who and when, as `duban history` prints it.
 * Supervisors and admins name any unit; a liaison sees their own unit (and may leave it out:
 * `/history 二（五）4`, or the number from /tasks).
 */
import { Composer } from 'grammy'
import { timeline } from '../src/domain/history.ts'
import { leadingTaskRef, taskByRef } from '../src/domain/loop.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import { renderTimeline } from '../src/domain/timeline-text.ts'
import {
  clip,
  commandArgs,
  refuse,
  replyHtml,
  unitForCommand,
  type BotContext,
  viewMoment,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('history', async (ctx) => {
  const t = ctx.texts.loop.history
  const args = commandArgs(ctx)
  if (!args) return refuse(ctx, escapeHtml(t.usage), 'history_usage')
  // The unit first, unless the text starts with the task.
  const startsWithTask = leadingTaskRef(args)
  const [first = '', ...others] = args.split(/\s+/)
  const named = startsWithTask.ref || startsWithTask.number !== undefined ? null : first
  const unit = await unitForCommand(ctx, named ?? '')
  if (!unit) return
  if (unit === 'all') return refuse(ctx, escapeHtml(t.usage), 'history_no_unit')
  const which = named === null ? startsWithTask : leadingTaskRef(others.join(' '))
  const { db, config } = ctx.deps
  let task: { id: number; ref: string } | null = null
  if (which.ref) task = await taskByRef(db, which.ref)
  else if (which.number !== undefined) {
    const open = (await openTasksOfUnit(db, unit.id, viewMoment(ctx)))[which.number - 1]
    task = open ? { id: open.taskId, ref: open.ref } : null
  } else return refuse(ctx, escapeHtml(t.usage), 'history_usage')
  if (!task) {
    const asked = which.ref ?? String(which.number)
    return refuse(ctx, escapeHtml(t.unknownRef(clip(asked, 40))), 'history_unknown_ref')
  }
  const entries = await timeline(db, { unitId: unit.id, taskId: task.id })
  const body = entries.length ? renderTimeline(entries, ctx.locale, config.timezone, false) : t.none
  await replyHtml(ctx, `<b>${escapeHtml(t.header(clip(unit.name, 60), task.ref))}</b>\n${escapeHtml(body)}`)
})

export { composer as historyFeature }
