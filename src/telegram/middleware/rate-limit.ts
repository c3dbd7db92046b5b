/**
 * Per-user rate limiting, in memory: a user who sends more than `limit` updates within
 * `windowMs` is answered once ("please try again in a moment") and then ignored until the window
 * ends, so one noisy user cannot slow everyone else down. State is per process on purpose: it
 * protects this process's handlers, and a restart forgets nothing that matters.
 */
import type { NextFunction } from 'grammy'
import type { BotContext } from '../context.ts'
import { messages } from '../../i18n/index.ts'

export interface RateLimitOptions {
  /** Updates allowed per user per window (default 20). */
  limit?: number
  /** Window length in milliseconds (default 10 000). */
  windowMs?: number
  /** Wall clock in ms; injectable for tests. */
  clock?: () => number
}

interface Window {
  start: number
  count: number
  warned: boolean
}

/** Middleware that drops a user's updates beyond the limit, answering the first dropped one. */
export function rateLimit(options: RateLimitOptions = {}) {
  const limit = options.limit ?? 20
  const windowMs = options.windowMs ?? 10_000
  const clock = options.clock ?? Date.now
  const windows = new Map<number, Window>()

  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    const userId = ctx.from?.id
    if (userId === undefined) return next()
    const now = clock()
    let w = windows.get(userId)
    if (!w || now - w.start >= windowMs) {
      if (windows.size > 10_000) prune(windows, now, windowMs)
      w = { start: now, count: 0, warned: false }
      windows.set(userId, w)
    }
    w.count++
    if (w.count <= limit) return next()
    if (w.warned) return
    w.warned = true
    ctx.deps?.logger.info({ userId, chatId: ctx.chat?.id, reason: 'rate_limited' }, 'refused')
    // The person is not resolved yet (that costs a query); the client's language decides.
    const text = messages(ctx.from?.language_code?.startsWith('en') ? 'en' : 'zh-CN').bot.rateLimited
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text })
    else if (ctx.chat) await ctx.reply(text)
  }
}

function prune(windows: Map<number, Window>, now: number, windowMs: number): void {
  for (const [id, w] of windows) if (now - w.start >= windowMs) windows.delete(id)
}
