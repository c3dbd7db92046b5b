/**
 * 签收: the button under an assignment notice or a reminder. The pressed message must be the
 * prompt the button names; the presser must be able to answer for its unit (a liaison of it, a
 * supervisor or admin). Records the receipt of the prompt's tasks not signed yet.
 */
import { Composer } from 'grammy'
import { acknowledge } from '../src/domain/receipts.ts'
import { mayAnswerFor } from '../src/domain/leaves.ts'
import { decodeLoopButton } from '../src/telegram/loop-buttons.ts'
import { type BotContext, clip, logRefusal, planToday, refuse } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { unitNameOf } from './status-reply.ts'

const composer = new Composer<BotContext>()

composer.on('callback_query:data', async (ctx, next) => {
  const button = decodeLoopButton(ctx.callbackQuery.data)
  if (button?.kind !== 'ack') return next()
  const message = ctx.callbackQuery.message
  const found = message ? await ctx.lookups.prompt(message.chat.id, message.message_id) : null
  if (!message || !found || found.prompt.id !== button.promptId) {
    logRefusal(ctx, 'ack_not_a_prompt', { data: ctx.callbackQuery.data })
    await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
    return
  }
  const { prompt } = found
  const unit = await unitNameOf(ctx, prompt.unitId)
  if (!ctx.person) return refuse(ctx, ctx.t.buttons.notRegistered, 'ack_stranger')
  if (!(await mayAnswerFor(ctx.deps.db, ctx.person, prompt.unitId, planToday(ctx))))
    return refuse(ctx, escapeHtml(ctx.texts.loop.receipt.notAllowed(clip(unit, 60))), 'ack_other_unit', {
      unitId: prompt.unitId,
    })
  const n = await acknowledge(ctx.deps.db, {
    unitId: prompt.unitId,
    taskIds: prompt.taskIds,
    personId: ctx.person.id,
    now: ctx.deps.now(),
    telegramChatId: message.chat.id,
    telegramMessageId: message.message_id,
  })
  if (n === 0) {
    await ctx.answerCallbackQuery({ text: ctx.texts.loop.receipt.already })
    return
  }
  const text = ctx.texts.loop.receipt.acknowledged(unit, n, ctx.person.name)
  await ctx.answerCallbackQuery({ text: clip(text, 190) })
  await ctx.api.sendMessage(message.chat.id, escapeHtml(text), {
    parse_mode: 'HTML',
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  })
})

export { composer as receiptFeature }
