/**
 * Puts the service's dependencies on the context, then resolves who is speaking and where:
 * the person by the sender's numeric Telegram user id (never by username), the bound chat by the
 * chat id, and the texts in the person's language.
 */
import type { NextFunction } from 'grammy'
import type { Locale } from '../../db/schema.ts'
import { useLocale, type BotContext, type BotDeps } from '../context.ts'
import type { Lookups } from '../lookups.ts'

/** First middleware: every handler reaches the database, config, logger and clock through ctx.deps. */
export function provideDeps(deps: BotDeps, lookups: Lookups) {
  return (ctx: BotContext, next: NextFunction): Promise<void> => {
    ctx.deps = deps
    ctx.lookups = lookups
    const locale: Locale = ctx.from?.language_code?.startsWith('en') ? 'en' : 'zh-CN'
    useLocale(ctx, locale)
    ctx.person = null
    ctx.boundChat = null
    return next()
  }
}

/** Loads `ctx.person` and `ctx.boundChat` (remembered briefly, see lookups.ts) and switches to the person's locale. */
export async function resolveContext(ctx: BotContext, next: NextFunction): Promise<void> {
  const userId = ctx.from?.id
  const chat = ctx.chat
  await ctx.lookups.syncAccess()
  const [person, boundChat] = await Promise.all([
    userId !== undefined && !ctx.from?.is_bot ? ctx.lookups.person(userId) : null,
    chat && chat.type !== 'private' ? ctx.lookups.chat(chat.id) : null,
  ])
  ctx.person = person
  ctx.boundChat = boundChat
  if (person) useLocale(ctx, person.locale)
  await next()
}
