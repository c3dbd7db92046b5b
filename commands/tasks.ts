/**
 * `/tasks [unit]`: the unit's open tasks, numbered, with due dates and current state. The list
 * is itself a prompt (force_reply), so the liaison can answer it directly: `1 已完成；2 进行中 60%`.
 */
import { Composer } from 'grammy'
import { formatState } from '../src/domain/status-reply.ts'
import { attachPromptMessage, createPrompt } from '../src/domain/prompts.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import { splitHtmlMessage } from '../src/telegram/html.ts'
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
import { dueLabel } from '../src/templates/rhythm-parts.ts'

const composer = new Composer<BotContext>()

composer.command('tasks', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  if (unit === 'all') return refuse(ctx, ctx.t.tasks.chooseUnit, 'tasks_no_unit')
  const { db } = ctx.deps
  const open = await openTasksOfUnit(db, unit.id, viewMoment(ctx))
  const name = escapeHtml(clip(unit.name, 60))
  if (open.length === 0) {
    await replyHtml(ctx, ctx.t.tasks.none(name))
    return
  }
  const lines = open.map((task, i) =>
    ctx.t.tasks.line(
      i + 1,
      escapeHtml(clip(task.title, 300)),
      escapeHtml(clip(task.ref, 40)),
      escapeHtml(dueLabel(task, ctx.locale, ctx.t.tasks.noDue)),
      escapeHtml(formatState(task.state, task.progress, ctx.locale)),
    ),
  )
  const html = [ctx.t.tasks.header(name, open.length), ...lines, ctx.t.tasks.replyHint].join('\n')
  const taskIds = open.map((t) => t.taskId)
  const replyTo = ctx.chat?.type !== 'private' ? ctx.msg?.message_id : undefined
  // Each part is a prompt over the whole list, so a reply to any part is understood.
  for (const [i, part] of splitHtmlMessage(html).entries()) {
    const prompt = await createPrompt(db, { unitId: unit.id, taskIds, kind: 'tasks' })
    const sent = await ctx.reply(part, {
      parse_mode: 'HTML',
      reply_markup: { force_reply: true, selective: true },
      ...(replyTo !== undefined && i === 0
        ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
        : {}),
    })
    await attachPromptMessage(db, prompt.id, sent.chat.id, sent.message_id)
  }
})

export { composer as tasksFeature }
