/** The emulator's sliding windows, driven with explicit times (no clocks involved). */
import { describe, expect, it } from 'vitest'
import { SendRateLimiter } from '../../src/sandbox/emulator/rate-limit.ts'

const limits = { perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20, enforce: true, slackMs: 50 }

/** Sends at the given times; returns the breaches (null = within limits), recording accepted sends. */
function run(l: SendRateLimiter, sends: [chatId: number, at: number][]) {
  return sends.map(([chat, at]) => {
    const b = l.check(chat, at)
    if (!b) l.record(chat, at)
    return b
  })
}

describe('SendRateLimiter', () => {
  it('lets a client pacing exactly at the budget through, even firing up to the slack early', () => {
    const l = new SendRateLimiter(limits)
    // 30 msg/s across distinct chats for 5 s, each send up to 40 ms early.
    const sends: [number, number][] = []
    for (let k = 0; k < 150; k++) sends.push([k + 1, (k * 1000) / 30 - (k % 3 === 0 ? 40 : 0)])
    expect(run(l, sends).filter(Boolean)).toEqual([])
    // One chat at 1 msg/s with 45 ms jitter.
    const chat = new SendRateLimiter(limits)
    expect(
      run(chat, [
        [7, 0],
        [7, 955],
        [7, 1950],
        [7, 2990],
      ]).filter(Boolean),
    ).toEqual([])
  })

  it('counts a send over the token budget in the trailing second', () => {
    const l = new SendRateLimiter({ ...limits, perSecond: 3 })
    const r = run(l, [
      [1, 0],
      [2, 100],
      [3, 200],
      [4, 300],
      [5, 960],
      [6, 1100],
    ])
    expect(r.map((b) => b?.kinds ?? null)).toEqual([null, null, null, ['token'], null, null])
    expect(r[3]?.retryAfter).toBe(1)
  })

  it('allows one send per second per chat, and forgives only the slack', () => {
    const l = new SendRateLimiter(limits)
    const r = run(l, [
      [9, 0],
      [9, 900],
      [9, 949],
      [9, 951],
    ])
    expect(r.map((b) => b?.kinds ?? null)).toEqual([null, ['chat'], ['chat'], null])
  })

  it('limits a group to 20 per minute and says how long to wait', () => {
    const l = new SendRateLimiter(limits)
    const sends: [number, number][] = Array.from({ length: 21 }, (_, k) => [-100, k * 1000])
    const r = run(l, sends)
    expect(r.slice(0, 20).every((b) => b === null)).toBe(true)
    expect(r[20]).toEqual({ kinds: ['group'], retryAfter: 40 })
    // Once the first send leaves the window (60 s − slack after it), the group may be written again.
    expect(l.check(-100, 59_951)).toBeNull()
    // Private chats have no per-minute limit.
    const p = new SendRateLimiter(limits)
    expect(
      run(
        p,
        Array.from({ length: 30 }, (_, k) => [5, k * 1000] as [number, number]),
      ).filter(Boolean),
    ).toEqual([])
  })

  it('reports every limit a send breaks', () => {
    const l = new SendRateLimiter({ ...limits, perSecond: 1 })
    const r = run(l, [
      [-1, 0],
      [-1, 10],
    ])
    expect(r[1]?.kinds).toEqual(['token', 'chat'])
  })
})
