/**
 * 延期申请 in Telegram. `/extend 二（五）2 12月15日 原因` (or the number from /tasks instead of the
 * reference), by a liaison of the unit (or their deputy during a leave), or ⏳ 申请延期 under a dated reminder, which asks (force
 * reply) for the date and the reason: the request goes to the supervisors as a card with
 * 批准 / 不批准. A supervisor's press decides it (re-checked: a supervisor or admin, the request
 * still pending); the unit is told either way. Refusals say why and change nothing.
 */
import { Composer } from 'grammy'
import { formatMonthDay } from '../src/domain/dates.ts'
import { requestedDate } from '../src/domain/extensions.ts'
import { standsForUnit } from '../src/domain/leaves.ts'
import { leadingTaskRef, taskByRef } from '../src/domain/loop.ts'
import { attachPromptMessage, createPrompt } from '../src/domain/prompts.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import type { Person } from '../src/domain/people.ts'
import { answerExtension, askExtension } from '../src/delivery/loop-notify.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { decodeLoopButton } from '../src/telegram/loop-buttons.ts'
import {
  type BotContext,
  clip,
  commandArgs,
  logRefusal,
  planToday,
  refuse,
  replyHtml,
  viewMoment,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('extend', async (ctx) => {
  const t = ctx.texts.loop.extension
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'extend_stranger')
  const { db } = ctx.deps
  if (person.unitId === null || !(await standsForUnit(db, person, person.unitId, planToday(ctx))))
    return refuse(ctx, escapeHtml(t.notLiaison), 'extend_not_liaison')
  const named = leadingTaskRef(commandArgs(ctx))
  if (!named.ref && named.number === undefined) return refuse(ctx, escapeHtml(t.usage), 'extend_usage')
  let task: { id: number; ref: string } | null
  if (named.ref) {
    task = await taskByRef(db, named.ref)
    if (!task) return refuse(ctx, escapeHtml(t.unknownRef(clip(named.ref, 40))), 'extend_unknown_ref')
  } else {
    const open = await openTasksOfUnit(db, person.unitId, viewMoment(ctx))
    const picked = open[named.number! - 1]
    if (!picked) return refuse(ctx, escapeHtml(t.unknownRef(String(named.number))), 'extend_unknown_number')
    task = { id: picked.taskId, ref: picked.ref }
  }
  await ask(ctx, person, task, named.rest)
})

/** Parses the date and reason in `text` and files the request; answers either way. */
async function ask(ctx: BotContext, person: Person, task: { id: number; ref: string }, text: string) {
  const t = ctx.texts.loop.extension
  const day = planToday(ctx)
  const date = requestedDate(text, day)
  if (!date) return refuse(ctx, escapeHtml(t.dateMissing), 'extend_no_date')
  try {
    const req = await askExtension(ctx.deps.db, {
      person,
      taskId: task.id,
      ref: task.ref,
      unitId: person.unitId!,
      newDue: date.date,
      reason: date.rest,
      today: day,
      now: ctx.deps.now(),
      telegramChatId: ctx.chat?.id,
      telegramMessageId: ctx.msg?.message_id,
    })
    await replyHtml(ctx, escapeHtml(t.requested(req.assignment.ref, formatMonthDay(req.newDue, ctx.locale))))
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'extend_refused', { taskId: task.id })
    throw err
  }
}

/** ⏳ 申请延期 under a reminder: asks its liaison for the date and the reason, as a force reply. */
composer.on('callback_query:data', async (ctx, next) => {
  const button = decodeLoopButton(ctx.callbackQuery.data)
  if (button?.kind !== 'extendAsk') return next()
  const message = ctx.callbackQuery.message
  const found = message ? await ctx.lookups.prompt(message.chat.id, message.message_id) : null
  if (!message || !found || found.prompt.id !== button.promptId || found.prompt.taskIds.length !== 1) {
    logRefusal(ctx, 'extend_ask_not_a_prompt', { data: ctx.callbackQuery.data })
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
    return
  }
  const t = ctx.texts.loop.extension
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.buttons.notRegistered, 'extend_ask_stranger')
  if (!(await standsForUnit(ctx.deps.db, person, found.prompt.unitId, planToday(ctx))))
    return refuse(ctx, escapeHtml(t.notLiaison), 'extend_ask_not_liaison')
  const task = found.tasks[0]
  if (!task) {
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
    return
  }
  const sent = await ctx.api.sendMessage(message.chat.id, escapeHtml(t.ask(task.ref, clip(task.title))), {
    parse_mode: 'HTML',
    reply_markup: { force_reply: true, selective: true },
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  })
  const { db } = ctx.deps
  const prompt = await createPrompt(db, {
    unitId: found.prompt.unitId,
    taskIds: [task.id],
    kind: 'extension',
  })
  await attachPromptMessage(db, prompt.id, sent.chat.id, sent.message_id)
  await ctx.answerCallbackQuery()
})

/** The reply to that question: the new date and the reason. */
composer.on('message:text', async (ctx, next) => {
  const replyTo = ctx.msg.reply_to_message
  if (!replyTo || replyTo.from?.id !== ctx.me.id) return next()
  const found = await ctx.lookups.prompt(ctx.chat.id, replyTo.message_id)
  if (found?.prompt.kind !== 'extension') return next()
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'extend_stranger')
  if (!(await standsForUnit(ctx.deps.db, person, found.prompt.unitId, planToday(ctx))))
    return refuse(ctx, escapeHtml(ctx.texts.loop.extension.notLiaison), 'extend_not_liaison')
  const task = found.tasks[0]
  if (!task) return refuse(ctx, escapeHtml(ctx.texts.loop.extension.usage), 'extend_task_gone')
  await ask(ctx, person, task, ctx.msg.text)
})

composer.on('callback_query:data', async (ctx, next) => {
  const button = decodeLoopButton(ctx.callbackQuery.data)
  if (button?.kind !== 'extension') return next()
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.buttons.notRegistered, 'extension_stranger')
  const message = ctx.callbackQuery.message
  try {
    const decided = await answerExtension(ctx.deps.db, {
      requestId: button.requestId,
      approve: button.approve,
      actor: { id: person.id, role: person.role },
      now: ctx.deps.now(),
      today: planToday(ctx),
      telegramChatId: message?.chat.id,
      telegramMessageId: message?.message_id,
    })
    const t = ctx.texts.loop.extension
    const a = decided.assignment
    const text = decided.approved
      ? t.approved(a.unit, a.ref, formatMonthDay(decided.newDue, ctx.locale))
      : t.refused(a.unit, a.ref)
    await ctx.answerCallbackQuery({ text: clip(text, 190) })
    if (message)
      await ctx.api.sendMessage(message.chat.id, escapeHtml(text), {
        parse_mode: 'HTML',
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      })
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'extension_refused', {
        requestId: button.requestId,
      })
    throw err
  }
})

export { composer as extendFeature }
