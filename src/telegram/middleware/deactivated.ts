/**
 * A person whose access was ended (`duban people deactivate`) is refused clearly on their next
 * update, instead of being treated as a stranger: in a private chat, on a button, and when they
 * address the bot in a group (a command, a mention, a reply to the bot). Their other group chatter
 * is not read at all.
 */
import type { NextFunction } from 'grammy'
import { addressesBot, refuse, type BotContext } from '../context.ts'
import { escapeHtml } from '../html.ts'

export async function refuseDeactivated(ctx: BotContext, next: NextFunction): Promise<void> {
  const userId = ctx.from?.id
  if (ctx.person || userId === undefined || ctx.from?.is_bot || !(await ctx.lookups.deactivated(userId)))
    return next()
  if (ctx.callbackQuery || ctx.chat?.type === 'private' || addressesBot(ctx))
    await refuse(ctx, escapeHtml(ctx.texts.access.botDeactivated), 'deactivated')
}
