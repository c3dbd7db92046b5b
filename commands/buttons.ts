/**
 * Status buttons (see src/telegram/callback-data.ts). Buttons in a group are visible to
 * everyone, so every press is checked afresh: the pressed message must be the prompt the data
 * names, the presser must be a liaison of the prompt's unit or a supervisor/admin, and the task
 * must still be the unit's. A press that would repeat the current state records nothing.
 *
 * Follow-up questions (which task? what percentage?) edit the bot's own /report message in
 * place; under a reminder or a weekly prompt they come as a new message replying to it, which is
 * itself a prompt, so the reminder stays as it was. "Blocked" asks for the reason with
 * force_reply; the reply is read by the status-reply feature.
 */
import { Composer, GrammyError, type InlineKeyboard } from 'grammy'
import type { Db } from '../src/db/client.ts'
import type { ReportState } from '../src/db/schema.ts'
import { attachPromptMessage, createPrompt, type Prompt } from '../src/domain/prompts.ts'
import { latestStatus } from '../src/domain/reports.ts'
import {
  decodeStatusButton,
  progressButtons,
  statusButtons,
  taskButtons,
  type StatusAction,
} from '../src/telegram/callback-data.ts'
import { type BotContext, clip, logRefusal, planToday, refuse } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { recordPromptItems, unitNameOf } from './status-reply.ts'
import { mayAnswerFor } from '../src/domain/leaves.ts'

/** Prompt kinds whose message is the bot's own interactive chooser, edited in place. */
const INTERACTIVE = new Set(['report', 'choose'])

/** Sends a force_reply question as a prompt about one task; returns nothing (the reply comes later). */
export async function askReason(
  ctx: BotContext,
  db: Db,
  chatId: number,
  unitId: number,
  task: { id: number; title: string },
  replyTo?: number,
): Promise<void> {
  const prompt = await createPrompt(db, { unitId, taskIds: [task.id], kind: 'reason' })
  const sent = await ctx.api.sendMessage(chatId, ctx.t.report.askReason(escapeHtml(clip(task.title))), {
    parse_mode: 'HTML',
    reply_markup: { force_reply: true, selective: true },
    ...(replyTo !== undefined
      ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
      : {}),
  })
  await attachPromptMessage(db, prompt.id, sent.chat.id, sent.message_id)
}

/**
 * What this bot last put into each interactive message it edited (bounded), so a second press
 * that arrives with a stale copy of the message (both presses were made before the first edit
 * landed) does not ask Telegram for an edit that changes nothing.
 */
class ShownMessages {
  private shown = new Map<string, string>()

  same(chatId: number, messageId: number, content: string): boolean {
    return this.shown.get(`${chatId}:${messageId}`) === content
  }

  remember(chatId: number, messageId: number, content: string): void {
    const key = `${chatId}:${messageId}`
    this.shown.delete(key)
    this.shown.set(key, content)
    if (this.shown.size > 2000) this.shown.delete(this.shown.keys().next().value!)
  }
}

/** Edits the pressed message (text and keyboard), unless it already shows exactly that. */
async function edit(
  ctx: BotContext,
  shown: ShownMessages,
  text: string,
  keyboard?: InlineKeyboard,
): Promise<void> {
  const message = ctx.callbackQuery!.message!
  const content = JSON.stringify([text, keyboard?.inline_keyboard ?? null])
  const current = JSON.stringify([null, message.reply_markup?.inline_keyboard ?? null])
  if (shown.same(message.chat.id, message.message_id, content)) return
  // The press came with the message as it stands: same keyboard means this step is shown already.
  if (keyboard && current === JSON.stringify([null, keyboard.inline_keyboard])) return
  try {
    await ctx.editMessageText(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) })
  } catch (err) {
    if (!(err instanceof GrammyError && /not modified/i.test(err.description))) throw err
  }
  shown.remember(message.chat.id, message.message_id, content)
}

/** Edits the interactive message, or sends a new chooser (a prompt of its own) under a reminder. */
async function show(
  ctx: BotContext,
  shown: ShownMessages,
  prompt: Prompt,
  text: string,
  keyboard: (promptId: number) => InlineKeyboard,
): Promise<void> {
  const message = ctx.callbackQuery!.message!
  if (INTERACTIVE.has(prompt.kind)) {
    await edit(ctx, shown, text, keyboard(prompt.id))
    return
  }
  const { db } = ctx.deps
  const chooser = await createPrompt(db, { unitId: prompt.unitId, taskIds: prompt.taskIds, kind: 'choose' })
  const sent = await ctx.api.sendMessage(message.chat.id, text, {
    parse_mode: 'HTML',
    reply_markup: keyboard(chooser.id),
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  })
  await attachPromptMessage(db, chooser.id, sent.chat.id, sent.message_id)
}

function stateOf(action: StatusAction): { state: ReportState; progress: number | null } | null {
  if (action.kind === 'done') return { state: 'done', progress: null }
  if (action.kind === 'not_started') return { state: 'not_started', progress: null }
  if (action.kind === 'in_progress' && action.progress !== null)
    return { state: 'in_progress', progress: action.progress }
  return null
}

/** The buttons feature; each bot gets its own (its memory of what it showed is per bot). */
export function buttonsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>()
  const shown = new ShownMessages()
  composer.on('callback_query:data', (ctx, next) => handlePress(ctx, next, shown))
  return composer
}

async function handlePress(
  ctx: BotContext & { callbackQuery: { data: string } },
  next: () => Promise<void>,
  shown: ShownMessages,
): Promise<void> {
  const button = decodeStatusButton(ctx.callbackQuery.data)
  if (!button) return next()
  const { db } = ctx.deps
  const message = ctx.callbackQuery.message
  const found = message ? await ctx.lookups.prompt(message.chat.id, message.message_id) : null
  if (!message || !found || found.prompt.id !== button.promptId) {
    logRefusal(ctx, 'button_not_a_prompt', { data: ctx.callbackQuery.data })
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
    return
  }
  const { prompt, tasks } = found
  if (!ctx.person) return refuse(ctx, ctx.t.buttons.notRegistered, 'button_stranger', { promptId: prompt.id })
  if (!(await mayAnswerFor(ctx.deps.db, ctx.person, prompt.unitId, planToday(ctx)))) {
    const unit = await unitNameOf(ctx, prompt.unitId)
    return refuse(ctx, ctx.t.buttons.notAllowed(escapeHtml(clip(unit, 60))), 'button_other_unit', {
      promptId: prompt.id,
      unitId: prompt.unitId,
    })
  }

  const item = button.item === 0 && tasks.length === 1 ? 1 : button.item
  if (item > tasks.length) {
    logRefusal(ctx, 'button_bad_item', { promptId: prompt.id, item })
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
    return
  }
  const unit = await unitNameOf(ctx, prompt.unitId)

  if (item === 0) {
    const titles = tasks.map((t) => t?.title ?? '—')
    await show(ctx, shown, prompt, ctx.t.report.chooseTask(escapeHtml(clip(unit, 60))), (id) =>
      taskButtons(id, titles, button.action),
    )
    await ctx.answerCallbackQuery()
    return
  }
  const task = tasks[item - 1]
  if (!task) {
    logRefusal(ctx, 'button_task_gone', { promptId: prompt.id, item })
    await ctx.answerCallbackQuery({ text: ctx.t.replies.promptGone })
    return
  }
  const title = escapeHtml(clip(task.title))

  switch (button.action.kind) {
    case 'choose':
      await show(ctx, shown, prompt, ctx.t.report.chooseState(title), (id) =>
        statusButtons(id, item, ctx.locale, true),
      )
      await ctx.answerCallbackQuery()
      return
    case 'blocked':
      await askReason(ctx, db, message.chat.id, prompt.unitId, task, message.message_id)
      await ctx.answerCallbackQuery()
      return
    case 'in_progress':
      if (button.action.progress === null) {
        await show(ctx, shown, prompt, ctx.t.report.choosePercent(title), (id) => progressButtons(id, item))
        await ctx.answerCallbackQuery()
        return
      }
      break
    default:
      break
  }

  const wanted = stateOf(button.action)!
  const latest = await latestStatus(db, task.id, prompt.unitId)
  if (latest && latest.state === wanted.state && (latest.progress ?? null) === wanted.progress) {
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.alreadySo })
    return
  }
  const result = await recordPromptItems(
    ctx,
    prompt,
    [{ task, status: { ...wanted, note: null } }],
    'button',
    {
      chatId: message.chat.id,
      messageId: null,
      rawText: null,
    },
  )
  if (!result.ok) {
    await ctx.answerCallbackQuery({ text: result.text })
    return
  }
  await ctx.answerCallbackQuery({ text: ctx.t.buttons.recorded })
  if (INTERACTIVE.has(prompt.kind)) await edit(ctx, shown, result.text)
  else
    await ctx.api.sendMessage(message.chat.id, result.text, {
      parse_mode: 'HTML',
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
    })
}
