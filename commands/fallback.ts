/**
 * Whatever no feature handled. In a private chat, or when addressed to the bot in a group:
 * strangers learn how to get an invite, unknown commands point to /help, other text points to
 * the ways of reporting. Ordinary group chatter is left alone. A button that no feature knows
 * is answered as expired, so the user's client stops waiting.
 */
import { Composer } from 'grammy'
import { addressesBot, logRefusal, replyHtml, type BotContext } from '../src/telegram/context.ts'

const composer = new Composer<BotContext>()

composer.on('message', async (ctx) => {
  if (ctx.chat.type !== 'private' && !addressesBot(ctx)) return
  if (!ctx.person) {
    logRefusal(ctx, 'stranger')
    await replyHtml(ctx, ctx.chat.type === 'private' ? ctx.t.start.stranger : ctx.t.refusals.notRegistered)
    return
  }
  const isCommand = ctx.message.entities?.some((e) => e.type === 'bot_command' && e.offset === 0) ?? false
  await replyHtml(ctx, isCommand ? ctx.t.unknownCommand : ctx.t.replies.freeText)
})

composer.on('callback_query', async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t.buttons.expired })
})

export { composer as fallbackFeature }
