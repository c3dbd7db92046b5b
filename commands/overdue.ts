/**
 * `/overdue [unit]`: tasks past their deadline and not done, with days overdue and the unit's
 * last state. A liaison sees their unit; a supervisor sees every unit (or the one named), in one
 * message: at province scale the longest overdue first, then how many more and where to look.
 */
import { Composer } from 'grammy'
import { localDate } from '../src/domain/dates.ts'
import { formatState } from '../src/domain/status-reply.ts'
import { openTasksOfUnit, overdueDays, overdueTasks } from '../src/domain/status-view.ts'
import type { TaskState } from '../src/domain/reports.ts'
import {
  clip,
  commandArgs,
  replyHtml,
  unitForCommand,
  type BotContext,
  viewMoment,
} from '../src/telegram/context.ts'
import { escapeHtml, fitLines } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('overdue', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  const { db, config } = ctx.deps
  const moment = viewMoment(ctx)
  const at = moment.now
  const today = localDate(at, config.timezone)
  const line = (
    t: { title: string; ref: string; state: TaskState; progress: number | null },
    unitName: string,
    days: number,
  ) =>
    ctx.t.overdue.line(
      escapeHtml(clip(t.title, 300)),
      escapeHtml(clip(t.ref, 40)),
      escapeHtml(clip(unitName, 60)),
      days,
      escapeHtml(formatState(t.state, t.progress, ctx.locale)),
    )
  if (unit !== 'all') {
    const lines: string[] = []
    for (const task of await openTasksOfUnit(db, unit.id, moment)) {
      const days = overdueDays(task.due, task.state, today, task.role)
      if (days > 0) lines.push(line(task, unit.name, days))
    }
    await replyHtml(ctx, lines.length ? [ctx.t.overdue.header, ...lines].join('\n') : ctx.t.overdue.none)
    return
  }
  // Every unit: one statement, and one message (the longest overdue first, then how many more).
  const all = await overdueTasks(db, at, config.timezone)
  if (all.length === 0) {
    await replyHtml(ctx, ctx.t.overdue.none)
    return
  }
  const units = new Set(all.map((t) => t.unit.id)).size
  await replyHtml(
    ctx,
    fitLines(
      ctx.t.overdue.header,
      all.map((t) => line(t, t.unit.name, t.overdueDays)),
      (omitted) => ctx.t.overdue.more(omitted, all.length, units),
    ),
  )
})

export { composer as overdueFeature }
