/**
 * `/deadlines [unit]`: what falls due in the next 30 days. A liaison sees their unit's open
 * tasks; a supervisor sees every task due in the window with the units that have not finished it
 * (or one unit's, when named or asked in that unit's group).
 */
import { Composer } from 'grammy'
import { addDays, localDate } from '../src/domain/dates.ts'
import { activePlansTasks } from '../src/domain/plans.ts'
import { formatState } from '../src/domain/status-reply.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import {
  clip,
  commandArgs,
  replyHtml,
  unitForCommand,
  type BotContext,
  viewMoment,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { dueLabel } from '../src/templates/rhythm-parts.ts'

export const DEADLINE_WINDOW_DAYS = 30

const composer = new Composer<BotContext>()

composer.command('deadlines', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  const { db } = ctx.deps
  // One moment for the whole answer: the window and every unit's open tasks read at it.
  const moment = viewMoment(ctx)
  const today = localDate(moment.now, moment.tz)
  const end = addDays(today, DEADLINE_WINDOW_DAYS)
  const inWindow = (due: string | null) => due !== null && due >= today && due <= end
  const t = ctx.t.deadlines
  const lines: string[] = []

  if (unit !== 'all') {
    for (const task of (await openTasksOfUnit(db, unit.id, moment)).filter((x) => inWindow(x.due)))
      lines.push(
        t.line(
          escapeHtml(dueLabel(task, ctx.locale, '')),
          escapeHtml(clip(task.title, 300)),
          escapeHtml(clip(task.ref, 40)),
          escapeHtml(formatState(task.state, task.progress, ctx.locale)),
        ),
      )
  } else {
    const plans = await activePlansTasks(db)
    const due = (plans ?? [])
      .flatMap((p) => p.tasks)
      .filter((x) => inWindow(x.dueDate))
      .sort((a, b) => (a.dueDate! < b.dueDate! ? -1 : a.dueDate! > b.dueDate! ? 1 : a.position - b.position))
    // Which of the responsible units have not finished each task.
    const openByUnit = new Map<number, Set<number>>()
    for (const u of new Set(due.flatMap((x) => x.units.map((v) => v.id))))
      openByUnit.set(u, new Set((await openTasksOfUnit(db, u, moment)).map((x) => x.taskId)))
    for (const task of due) {
      const pending = task.units.filter((u) => openByUnit.get(u.id)?.has(task.id))
      if (pending.length === 0) continue
      const names = pending
        .slice(0, 20)
        .map((u) => u.name)
        .join(ctx.locale === 'en' ? ', ' : '、')
      lines.push(
        t.line(
          escapeHtml(dueLabel({ due: task.dueDate, dueText: task.dueText }, ctx.locale, '')),
          escapeHtml(clip(task.title, 300)),
          escapeHtml(clip(task.ref, 40)),
          escapeHtml(t.pendingUnits(pending.length, pending.length > 20 ? `${names}…` : names)),
        ),
      )
    }
  }
  await replyHtml(
    ctx,
    lines.length ? [t.header(DEADLINE_WINDOW_DAYS), ...lines].join('\n') : t.none(DEADLINE_WINDOW_DAYS),
  )
})

export { composer as deadlinesFeature }
