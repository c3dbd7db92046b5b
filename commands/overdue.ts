/**
 * `/overdue [unit]`: tasks past their deadline and not done, with days overdue and the unit's
 * last state. A liaison sees their unit; a supervisor sees every unit (or the one named).
 */
import { Composer } from 'grammy'
import { localDate } from '../src/domain/dates.ts'
import { formatState } from '../src/domain/status-reply.ts'
import { openTasksOfUnit, overdueDays, overviewStatus } from '../src/domain/status.ts'
import {
  clip,
  commandArgs,
  replyHtml,
  unitForCommand,
  type BotContext,
  type UnitRef,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('overdue', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  const { db, config, now } = ctx.deps
  const at = now()
  const today = localDate(at, config.timezone)
  let units: UnitRef[]
  if (unit !== 'all') units = [unit]
  else
    units = (await overviewStatus(db, at, config.timezone))
      .filter((o) => o.counts.overdue > 0)
      .map((o) => ({ id: o.unit.id, name: o.unit.name }))
  const lines: string[] = []
  for (const u of units) {
    for (const task of await openTasksOfUnit(db, u.id)) {
      const days = overdueDays(task.due, task.state, today)
      if (days <= 0) continue
      lines.push(
        ctx.t.overdue.line(
          escapeHtml(clip(task.title, 300)),
          escapeHtml(clip(task.ref, 40)),
          escapeHtml(clip(u.name, 60)),
          days,
          escapeHtml(formatState(task.state, task.progress, ctx.locale)),
        ),
      )
    }
  }
  await replyHtml(ctx, lines.length ? [ctx.t.overdue.header, ...lines].join('\n') : ctx.t.overdue.none)
})

export { composer as overdueFeature }
