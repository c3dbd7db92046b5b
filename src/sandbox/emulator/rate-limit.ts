/**
 * Telegram's send limits as sliding windows over accepted sends.
 *
 * A send at time t breaks a limit when, counting itself, more than
 *   - `perSecond` sends were accepted for the token in the trailing window (1000 ms − slack),
 *   - `perChatPerSecond` were accepted into that chat in the trailing (1000 ms − slack), or
 *   - `perGroupPerMinute` were accepted into that group in the trailing (60 000 ms − slack)
 *     (groups are chats with negative ids and are subject to the per-chat limit too).
 * `slackMs` (default 50) forgives timer jitter: a client that paces exactly at the budget, firing up
 * to `slackMs` early, never breaks a limit. Rejected sends do not enter the windows.
 */

export type LimitKind = 'token' | 'chat' | 'group'

export interface ResolvedLimits {
  perSecond: number
  perChatPerSecond: number
  perGroupPerMinute: number
  enforce: boolean
  slackMs: number
}

export interface LimitBreach {
  kinds: LimitKind[]
  /** Whole seconds until the send would be within every broken limit (at least 1), as Telegram reports. */
  retryAfter: number
}

const SECOND = 1000
const MINUTE = 60_000

export class SendRateLimiter {
  private token: number[] = []
  private chats = new Map<number, number[]>()
  private groups = new Map<number, number[]>()
  private recorded = 0

  constructor(readonly limits: ResolvedLimits) {}

  /** Whether a send to `chatId` at `now` would break a limit; null when it is within all of them. */
  check(chatId: number, now: number): LimitBreach | null {
    const kinds: LimitKind[] = []
    let waitMs = 0
    const test = (kind: LimitKind, times: number[] | undefined, windowMs: number, limit: number) => {
      const w = Math.max(1, windowMs - this.limits.slackMs)
      const inWindow = (times ?? []).filter((t) => t > now - w)
      if (inWindow.length + 1 > limit) {
        kinds.push(kind)
        // The send fits once enough of the oldest sends have left the window.
        const mustExpire = inWindow.length + 1 - limit
        const t = inWindow[mustExpire - 1] ?? now
        waitMs = Math.max(waitMs, t + w - now)
      }
    }
    test('token', this.token, SECOND, this.limits.perSecond)
    test('chat', this.chats.get(chatId), SECOND, this.limits.perChatPerSecond)
    if (chatId < 0) test('group', this.groups.get(chatId), MINUTE, this.limits.perGroupPerMinute)
    if (kinds.length === 0) return null
    return { kinds, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) }
  }

  /** Enters an accepted send into the windows. */
  record(chatId: number, now: number): void {
    this.token.push(now)
    prune(this.token, now - SECOND)
    push(this.chats, chatId, now, now - SECOND)
    if (chatId < 0) push(this.groups, chatId, now, now - MINUTE)
    if (++this.recorded % 5000 === 0) this.sweep(now)
  }

  reset(): void {
    this.token = []
    this.chats.clear()
    this.groups.clear()
  }

  /** Drops chats with no send inside their window, so thousands of chats do not pile up. */
  private sweep(now: number): void {
    for (const [id, times] of this.chats) if ((times.at(-1) ?? 0) <= now - SECOND) this.chats.delete(id)
    for (const [id, times] of this.groups) if ((times.at(-1) ?? 0) <= now - MINUTE) this.groups.delete(id)
  }
}

function prune(times: number[], before: number): void {
  let k = 0
  while (k < times.length && times[k]! <= before) k++
  if (k > 0) times.splice(0, k)
}

function push(map: Map<number, number[]>, id: number, now: number, before: number): void {
  let times = map.get(id)
  if (!times) {
    times = []
    map.set(id, times)
  }
  times.push(now)
  prune(times, before)
}
