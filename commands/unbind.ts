/**
 * `/unbind` in a group: a supervisor or admin ends the group's binding from inside it. The group
 * receives nothing more (messages still waiting for it are withdrawn) and the change is audited.
 */
import { Composer } from 'grammy'
import { unbindChat } from '../src/domain/lifecycle.ts'
import { refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { readsAllUnits } from '../src/domain/access.ts'

const composer = new Composer<BotContext>()

composer.chatType(['group', 'supergroup']).command('unbind', async (ctx) => {
  const a = ctx.texts.access
  if (!readsAllUnits(ctx.person)) return refuse(ctx, a.unbindNotAllowed, 'unbind_not_allowed')
  if (!ctx.boundChat) return refuse(ctx, a.unbindNotBound, 'unbind_not_bound')
  const { db, logger, now } = ctx.deps
  const person = ctx.person!
  const result = await unbindChat(
    db,
    ctx.chat.id,
    { source: 'telegram', actor: `tg:${ctx.from.id}`, personId: person.id },
    now(),
  )
  ctx.lookups.forgetChat(ctx.chat.id)
  ctx.boundChat = null
  logger.info({ chatId: ctx.chat.id, personId: person.id, withdrawn: result.withdrawn }, 'group unbound')
  await replyHtml(ctx, a.unbound)
})

export { composer as unbindFeature }
