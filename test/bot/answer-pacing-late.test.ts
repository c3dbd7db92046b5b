/**
 * An answer woken well after its rate slot (the process was starved) takes a fresh slot instead of
 * crowding into the next slots' second, as the outbox does; after two fresh slots it goes anyway.
 * The budget here is a recording fake: what is under test is what the pacing asks of it.
 */
import { expect, it } from 'vitest'
import type { Transformer } from 'grammy'
import { answerPacing } from '../../src/telegram/answer-pacing.ts'
import type { RateBudget, Reservation } from '../../src/delivery/rate-budget.ts'
import { createLogger } from '../../src/log.ts'

/** Holds the thread for `ms`, as a burst of synchronous work on a busy process does. */
function starve(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

/** A budget granting a slot 5 ms away; the first `starved` grants are overslept by 100 ms. */
function fakeBudget(starved: number) {
  const calls: string[] = []
  let grants = 0
  const grant = (): Reservation => {
    grants++
    if (grants <= starved) setTimeout(() => starve(100), 0)
    return { granted: true, waitMs: 5 }
  }
  const budget = {
    globalScope: 'tg:1',
    chatScopePrefix: 'tg:1:chat:',
    chatScope: (id: string) => `tg:1:chat:${id}`,
    reserve: async (chatId: string) => {
      calls.push(`reserve ${chatId}`)
      return grant()
    },
    reserveToken: async () => {
      calls.push('reserveToken')
      return grant()
    },
    finish: async (chatId: string, sent: boolean) => {
      calls.push(`finish ${chatId} ${sent}`)
    },
    pauseAfter429: async () => 'chat' as const,
    pause: async () => {},
  } satisfies RateBudget
  return { budget, calls }
}

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
it('in a group: frees the overslept slot, takes a fresh one, and sends once', async () => {
  const { budget, calls } = fakeBudget(1)
  expect(await answer(budget, -100123)).toEqual(['sendMessage'])
  expect(calls.slice(0, 3)).toEqual([
    'reserve -100123',
    'finish -100123 false', // the overslept slot, unused
    'reserve -100123',
  ])
  expect(calls.at(-1)).toBe('finish -100123 true') // the send's answer
  expect(calls.filter((c) => c.startsWith('reserve')).length).toBeLessThanOrEqual(3)
})

it('in a private chat: takes a fresh token slot; after two fresh slots it sends anyway', async () => {
  const { budget, calls } = fakeBudget(5)
  expect(await answer(budget, 501)).toEqual(['sendMessage'])
  expect(calls).toEqual(['reserveToken', 'reserveToken', 'reserveToken'])
})
