/**
 * `/report [unit]`: report progress with buttons. The bot lists the unit's open tasks as
 * buttons; choosing one shows the states; "in progress" asks for a percentage (20/40/60/80),
 * "blocked" asks for the reason with force_reply. The chooser is a prompt, handled by the
 * buttons feature, so every press is authorized like any other.
 */
import { Composer } from 'grammy'
import { attachPromptMessage, createPrompt } from '../src/domain/prompts.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import { taskButtons } from '../src/telegram/callback-data.ts'
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

/** Telegram allows 100 buttons on a message; a unit with more open tasks reports the rest by reply. */
const MAX_BUTTONS = 60

const composer = new Composer<BotContext>()

composer.command('report', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  if (unit === 'all') return refuse(ctx, ctx.t.report.groupUnit, 'report_no_unit')
  const { db } = ctx.deps
  const open = (await openTasksOfUnit(db, unit.id, viewMoment(ctx))).slice(0, MAX_BUTTONS)
  const name = escapeHtml(clip(unit.name, 60))
  if (open.length === 0) {
    await replyHtml(ctx, ctx.t.report.none(name))
    return
  }
  const prompt = await createPrompt(db, {
    unitId: unit.id,
    taskIds: open.map((t) => t.taskId),
    kind: 'report',
  })
  const sent = await replyHtml(ctx, ctx.t.report.chooseTask(name), {
    reply_markup: taskButtons(
      prompt.id,
      open.map((t) => t.title),
      { kind: 'choose' },
    ),
  })
  const last = sent[sent.length - 1]!
  await attachPromptMessage(db, prompt.id, last.chat.id, last.message_id)
})

export { composer as reportFeature }
