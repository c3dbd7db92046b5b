/**
 * An answer woken well after its rate slot (the process was starved) takes a fresh slot instead of
 * crowding into the next slots' second, as the outbox does; after two fresh slots it goes anyway.
 * The budget is the real one on the test database; a thin wrapper records what the pacing asked of
 * it and, on the first grants, blocks the thread as a busy process would.
 */
import { expect, it } from 'vitest'
import type { Transformer } from 'grammy'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { answerPacing } from '../../src/telegram/answer-pacing.ts'
import { createRateBudget, type RateBudget } from '../../src/delivery/rate-budget.ts'
import { rateScopes } from '../../src/db/schema.ts'
import { createLogger } from '../../src/log.ts'

/** Holds the thread for `ms`, as a burst of synchronous work on a busy process does. */
function starve(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

/** The real budget, recording each call; the first `starved` grants are overslept by 100 ms. */
function recorded(budget: RateBudget, starved: number) {
  const calls: string[] = []
  let grants = 0
  const oversleep = <R extends { granted: boolean }>(r: R): R => {
    if (r.granted && ++grants <= starved) setTimeout(() => starve(100), 0)
    return r
  }
  const wrapped: RateBudget = {
    ...budget,
    chatScope: (id) => budget.chatScope(id),
    reserve: async (chatId, maxWaitMs, holdMs, options) => {
      calls.push(`reserve ${chatId}`)
      return oversleep(await budget.reserve(chatId, maxWaitMs, holdMs, options))
    },
    reserveToken: async (maxWaitMs) => {
      calls.push('reserveToken')
      return oversleep(await budget.reserveToken(maxWaitMs))
    },
    finish: async (chatId, sent) => {
      calls.push(`finish ${chatId} ${sent}`)
      await budget.finish(chatId, sent)
    },
  }
  return { budget: wrapped, calls }
}

/** The bot answers once into `chatId` through the pacing; returns the Telegram calls made. */
async function answer(budget: RateBudget, chatId: number): Promise<string[]> {
  const sent: string[] = []
  const prev = (async (method: string) => {
    sent.push(method)
    return { ok: true, result: true }
  }) as unknown as Parameters<Transformer>[0]
  const pacing = answerPacing({ budget, logger: createLogger('silent') })
  await pacing(prev, 'sendMessage', { chat_id: chatId, text: '收到' } as never, undefined)
  return sent
}

// Assertions allow for the machine's own lateness: on a loaded host a fresh slot may be overslept
// too, which only adds a retake (never more than two in all).
describeDb('an answer woken late for its rate slot', (t) => {
  it('in a group: frees the overslept slot, takes a fresh one, sends once and counts one message', async () => {
    const { budget, calls } = recorded(createRateBudget(t.db, { botId: '1' }), 1)
    expect(await answer(budget, -100123)).toEqual(['sendMessage'])
    expect(calls.slice(0, 3)).toEqual([
      'reserve -100123',
      'finish -100123 false', // the overslept slot, unused
      'reserve -100123',
    ])
    expect(calls.at(-1)).toBe('finish -100123 true') // the send's answer
    expect(calls.filter((c) => c.startsWith('reserve')).length).toBeLessThanOrEqual(3)
    // The group's minute counts the one message that went out, not the slots given back.
    const [scope] = await t.db
      .select({ window: rateScopes.window })
      .from(rateScopes)
      .where(eq(rateScopes.scope, budget.chatScope('-100123')))
    expect(scope!.window).toHaveLength(1)
  })

  it('in a private chat: takes a fresh token slot; after two fresh slots it sends anyway', async () => {
    const { budget, calls } = recorded(createRateBudget(t.db, { botId: '2' }), 5)
    expect(await answer(budget, 501)).toEqual(['sendMessage'])
    expect(calls).toEqual(['reserveToken', 'reserveToken', 'reserveToken'])
  })
})
