/**
 * The bot acts only in groups someone bound to a unit or to the supervisors. In any other group
 * it says so once (when added, or the first time someone addresses it) and is silent after that;
 * `/bind` and the group-to-supergroup migration still get through, since they are how a group
 * becomes known. Channels are ignored.
 */
import type { NextFunction } from 'grammy'
import { addressesBot, logRefusal, type BotContext } from '../context.ts'

/** Middleware; `told` remembers (per process) which unknown groups were already answered. */
export function groupGate(told = new Set<number>()) {
  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    const chat = ctx.chat
    if (!chat || chat.type === 'private') return next()
    if (chat.type === 'channel') return
    if (ctx.boundChat) return next()
    const msg = ctx.message
    if (msg?.migrate_to_chat_id !== undefined || msg?.migrate_from_chat_id !== undefined) return next()
    if (msg?.text && /^\/bind(@\w+)?(\s|$)/i.test(msg.text)) return next()

    const added =
      ctx.myChatMember?.new_chat_member.status === 'member' ||
      ctx.myChatMember?.new_chat_member.status === 'administrator'
    if (ctx.callbackQuery) {
      logRefusal(ctx, 'unknown_group')
      await ctx.answerCallbackQuery({ text: ctx.t.groups.unknown })
      return
    }
    if (!added && !addressesBot(ctx)) return
    if (told.has(chat.id)) return
    told.add(chat.id)
    logRefusal(ctx, 'unknown_group')
    await ctx.api.sendMessage(chat.id, ctx.t.groups.unknown)
  }
}
