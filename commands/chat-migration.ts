/**
 * Group life-cycle service messages. A group that becomes a supergroup gets a new chat id
 * (`migrate_to_chat_id` in the old chat, `migrate_from_chat_id` in the new one): the binding and
 * the prompts move with it, so replies keep matching. A bound group that removes the bot is
 * marked unreachable (supervisors see it); adding the bot back clears the mark.
 */
import { Composer } from 'grammy'
import { markChatReachable, markChatUnreachable, migrateChat } from '../src/domain/chats.ts'
import type { BotContext } from '../src/telegram/context.ts'

const composer = new Composer<BotContext>()

composer.on('message:migrate_to_chat_id', async (ctx) => {
  const to = ctx.message.migrate_to_chat_id
  await migrateChat(ctx.deps.db, ctx.chat.id, to)
  ctx.lookups.forgetChat(ctx.chat.id)
  ctx.lookups.forgetChat(to)
  ctx.deps.logger.info({ from: ctx.chat.id, to }, 'group migrated to a supergroup')
})

composer.on('message:migrate_from_chat_id', async (ctx) => {
  const from = ctx.message.migrate_from_chat_id
  await migrateChat(ctx.deps.db, from, ctx.chat.id)
  ctx.lookups.forgetChat(from)
  ctx.lookups.forgetChat(ctx.chat.id)
})

composer.on('my_chat_member', async (ctx, next) => {
  if (!ctx.boundChat) return next()
  const status = ctx.myChatMember.new_chat_member.status
  const { db, logger, now } = ctx.deps
  ctx.lookups.forgetChat(ctx.chat.id)
  if (status === 'left' || status === 'kicked') {
    await markChatUnreachable(db, ctx.chat.id, `bot ${status} by user ${ctx.from.id}`, now())
    logger.warn({ chatId: ctx.chat.id, status }, 'bot removed from a bound group')
  } else if (status === 'member' || status === 'administrator') {
    await markChatReachable(db, ctx.chat.id)
  }
})

export { composer as chatMigrationFeature }
