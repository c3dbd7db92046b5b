/**
 * The Telegram rate budget, one per bot token, shared by every replica through Postgres
 * (`rate_scopes`): about 30 messages per second in total, 1 per second into one chat, 20 per
 * minute into one group. Slots are computed on the database clock so replicas agree whatever
 * their own clocks say.
 *
 * - The token scope hands out evenly spaced slots: `reserve` takes the next one atomically (rows
 *   locked token-first, so concurrent reservations never deadlock) and the caller waits for it.
 *   Each process maps database time to its own clock with the offset measured on its quickest
 *   recent round trip, so a slow answer to one reservation does not make that send late.
 * - A chat is held from its reservation until `finish` reports the send's answer; only then is its
 *   next slot set, from the database clock at that moment. Two messages into one chat are
 *   therefore always a full interval apart as Telegram sees them, however late the first one was.
 * - A reservation is granted only when the chat is free by the time the next token slot comes,
 *   so one busy chat never makes the token budget idle: the caller is told when to come back.
 * - A 429's `retry_after` pauses a scope (`paused_until`) for every replica.
 * - The bot's own answers spend the same budget (src/telegram/answer-pacing.ts): a token slot each,
 *   and in a group its chat scope too, leaving part of the group's minute to the outbox.
 */
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { num, query } from '../db/sql.ts'
import { isGroupChat } from '../domain/chats.ts'
import { sleep } from './sleep.ts'

export interface TelegramLimits {
  /** Messages per second per bot token, all chats together. */
  perSecond: number
  /** Messages per second into one chat. */
  perChatPerSecond: number
  /** Messages per minute into one group (a chat whose id is negative). */
  groupPerMinute: number
}

/** Telegram's published limits (the exact ones are unspecified). */
export const publishedTelegramLimits: TelegramLimits = {
  perSecond: 30,
  perChatPerSecond: 1,
  groupPerMinute: 20,
}

export interface RateBudgetOptions {
  /** The bot's id (the token's numeric prefix): one budget per token. */
  botId: string
  limits?: TelegramLimits
  /**
   * Share of the per-token limit used, a margin for jitter between our slot and the moment the
   * server counts the message. Default 0.9: 27 msg/s, so any second holds at most 28 slots and
   * two messages of headroom absorb sends that arrive late (a busy replica, a cold connection):
   * at 0.975 three replicas started together put 31 messages into one second where they arrive.
   */
  pace?: number
  /** Extra time between two messages into one chat, and added to a group's minute (default 100 ms). */
  chatMarginMs?: number
}

/**
 * A send woken this much later than its slot (a busy process) takes a fresh slot instead, at most
 * twice: sent now, it would crowd into the second of the slots after it.
 */
const LATE_SLOT_MS = 20
export const LATE_SLOT_RETRIES = 2

/**
 * Waits `waitMs` for a granted slot. `woke` is false when `signal` aborted the wait; `late` when
 * the process woke more than LATE_SLOT_MS after the slot, and should take a fresh one.
 */
export async function sleepToSlot(
  waitMs: number,
  signal?: AbortSignal,
): Promise<{ woke: boolean; late: boolean }> {
  const slot = performance.now() + waitMs
  const woke = await sleep(waitMs, signal)
  return { woke, late: performance.now() - slot > LATE_SLOT_MS }
}

/**
 * Granted: wait `waitMs`, then send. Refused (nothing reserved): the token's queue is longer than
 * asked for, or the chat is busy (another message into it is on its way, or its own limit).
 */
export type Reservation =
  { granted: true; waitMs: number } | { granted: false; retryInMs: number; busy: 'token' | 'chat' }

export interface RateBudget {
  readonly globalScope: string
  /** `<globalScope>:chat:`, followed by the chat id. */
  readonly chatScopePrefix: string
  chatScope(chatId: string): string
  /**
   * Reserves the next slot for one message into `chatId`: granted with how long to wait for it,
   * or refused (nothing reserved) with when to ask again, when the chat is busy or the next token
   * slot is more than `maxWaitMs` away. A granted chat stays held for up to `holdMs` (the wait
   * plus the send's timeout) unless `finish` is called, as it must be, once the send is answered.
   */
  reserve(chatId: string, maxWaitMs: number, holdMs: number, options?: ReserveOptions): Promise<Reservation>
  /**
   * Reserves the next token slot only (no chat held): the bot's answer in a private chat, which
   * counts against the token's messages per second but is not paced within its chat.
   */
  reserveToken(maxWaitMs: number): Promise<Reservation>
  /**
   * The send into `chatId` was answered (`sent`: it may have been counted by Telegram) or never
   * made: sets when the chat may have its next message.
   */
  finish(chatId: string, sent: boolean): Promise<void>
  /**
   * After a 429 for a send into `chatId`: pauses the chat, and the whole token unless the chat's
   * own limit explains the 429. Returns the scope that explained it.
   */
  pauseAfter429(chatId: string, retryAfterSec: number): Promise<'chat' | 'global'>
  /** Nobody sends in that scope for `retryAfterSec` seconds. */
  pause(scope: 'global' | 'chat', chatId: string, retryAfterSec: number): Promise<void>
}

export interface ReserveOptions {
  /**
   * In a group, leave this many of its messages per minute to others: granted only while fewer
   * than `groupPerMinute − groupHeadroom` went into the group in the last minute. The bot's
   * answers use it, so a flood of commands in one group always leaves room for the outbox.
   */
  groupHeadroom?: number
}

/** Granting a slot up to this much after the next token slot costs at most one token slot. */
const JOIN_SLACK_MS = 40

const msOf = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`)

export function createRateBudget(db: Db, options: RateBudgetOptions): RateBudget {
  const limits = options.limits ?? publishedTelegramLimits
  const pace = options.pace ?? 0.9
  const globalIntervalMs = 1000 / (limits.perSecond * pace)
  const chatMarginMs = options.chatMarginMs ?? 100
  const chatIntervalMs = 1000 / limits.perChatPerSecond + chatMarginMs
  const groupWindowMs = 60_000 + chatMarginMs
  const globalScope = `tg:${options.botId}`
  const chatScopePrefix = `${globalScope}:chat:`
  const known = new Set<string>()

  // Database time minus local time, as a lower bound: the database read its clock at some moment
  // between our request and its answer, so `dbNow - answeredAt` never exceeds the true offset.
  // Waiting for a slot with the lower bound errs late, never early; the midpoint of the round
  // trip erred early by half of any time a query spent queued in the pool (a busy worker), which
  // put two messages into one chat inside Telegram's second. The tightest bound of the last 10 s
  // is kept (a fresh one after that, for clock drift).
  let offsetMs = 0
  let offsetRtt = Infinity
  let offsetAt = -Infinity
  const localNow = () => performance.timeOrigin + performance.now()
  const sampleClock = (dbNow: number, sentAt: number, answeredAt: number) => {
    const bound = dbNow - answeredAt
    if (bound >= offsetMs || answeredAt - offsetAt > 10_000) {
      offsetMs = bound
      offsetRtt = answeredAt - sentAt
      offsetAt = answeredAt
    }
  }

  /** A few bare clock reads, so the first slots are already mapped with a quick round trip. */
  const calibrate = async () => {
    for (let i = 0; i < 5 && offsetRtt > 5; i++) {
      const sentAt = localNow()
      const [row] = await query<{ now_ms: number | string }>(
        db,
        sql`select ${msOf('clock_timestamp()')} as now_ms`,
      )
      if (row) sampleClock(num(row.now_ms), sentAt, localNow())
    }
  }

  const ensure = async (scope: string) => {
    await db.execute(
      sql`insert into rate_scopes (scope) values (${globalScope}), (${scope}) on conflict do nothing`,
    )
    known.add(scope)
  }

  /** Before a reservation: the scope's rows exist, and the clock offset has a first measure. */
  const prepare = async (scope: string) => {
    if (!known.has(scope)) await ensure(scope)
    if (offsetAt === -Infinity) await calibrate()
  }

  /** A slot in database time, as a wait on this process's clock from `answeredAt`. */
  const localWait = (slotMs: number, answeredAt: number) => Math.max(0, slotMs - offsetMs - answeredAt)

  const pause = async (which: 'global' | 'chat', chatId: string, retryAfterSec: number) => {
    const scope = which === 'global' ? globalScope : chatScopePrefix + chatId
    await db.execute(
      sql`insert into rate_scopes (scope, paused_until)
          values (${scope}, clock_timestamp() + make_interval(secs => ${Math.max(0, retryAfterSec)}::float8))
          on conflict (scope) do update
          set paused_until = greatest(coalesce(rate_scopes.paused_until, '-infinity'), excluded.paused_until)`,
    )
    known.add(scope)
  }

  return {
    globalScope,
    chatScopePrefix,
    chatScope: (chatId) => chatScopePrefix + chatId,

    async reserve(chatId, maxWaitMs, holdMs, reserveOptions = {}) {
      const scope = chatScopePrefix + chatId
      // With a headroom, the chat is ready only once its (limit − headroom)-th newest send of the
      // last minute has left the minute (0 rows: no such send, ready now).
      const share = limits.groupPerMinute - (reserveOptions.groupHeadroom ?? 0)
      const shareReady =
        isGroupChat(chatId) && reserveOptions.groupHeadroom
          ? sql`(select e::float8 + ${groupWindowMs}::float8
                 from rate_scopes r, jsonb_array_elements_text(r."window") e
                 where r.scope = ${scope} order by e::float8 desc offset ${Math.max(0, share - 1)} limit 1)`
          : sql`null::float8`
      await prepare(scope)
      for (;;) {
        const sentAt = localNow()
        // One statement, no explicit transaction: the rows are locked token-first, the slot is
        // decided and taken in the same round trip (and a dropped connection leaves no half-open
        // transaction behind).
        const [row] = await query<{
          now_ms: number | string
          g_ready: number | string
          c_ready: number | string
          n: number | string
          granted: boolean
          slot: number | string
        }>(
          db,
          sql`with locked as (
                select scope, ${msOf('next_at')} as next_ms, ${msOf('paused_until')} as paused_ms
                from rate_scopes where scope in (${globalScope}, ${scope}) order by scope for update
              ),
              calc as (
                select t.now_ms,
                  greatest((select next_ms from locked where scope = ${globalScope}),
                           (select paused_ms from locked where scope = ${globalScope}), t.now_ms) as g_ready,
                  greatest((select next_ms from locked where scope = ${scope}),
                           (select paused_ms from locked where scope = ${scope}), ${shareReady}, t.now_ms) as c_ready,
                  (select count(*) from locked) as n
                from (select ${msOf('clock_timestamp()')} as now_ms) t
              ),
              decision as (
                select *, (n = 2 and g_ready - now_ms <= ${maxWaitMs}::float8
                           and c_ready <= g_ready + ${JOIN_SLACK_MS}::float8) as granted,
                       greatest(g_ready, c_ready) as slot
                from calc
              ),
              taken as (
                update rate_scopes r
                set next_at = to_timestamp((d.slot + case when r.scope = ${globalScope}
                                                          then ${globalIntervalMs}::float8
                                                          else ${holdMs}::float8 end) / 1000.0)
                from decision d where d.granted and r.scope in (${globalScope}, ${scope})
                returning r.scope
              )
              select now_ms, g_ready, c_ready, n, granted, slot, (select count(*) from taken) as taken from decision`,
        )
        const outcome: { r: Reservation; now: number } | 'missing' =
          !row || num(row.n) < 2
            ? 'missing'
            : (() => {
                const now = num(row.now_ms)
                const globalReady = num(row.g_ready)
                if (row.granted) return { r: { granted: true, waitMs: num(row.slot) }, now }
                if (globalReady - now > maxWaitMs)
                  return { r: { granted: false, retryInMs: globalReady - now, busy: 'token' }, now }
                return { r: { granted: false, retryInMs: num(row.c_ready) - now, busy: 'chat' }, now }
              })()
        if (outcome === 'missing') {
          // The table was emptied under us (tests truncate it): create the rows again.
          await ensure(scope)
          continue
        }
        const answeredAt = localNow()
        sampleClock(outcome.now, sentAt, answeredAt)
        if (!outcome.r.granted) return outcome.r
        return { granted: true, waitMs: localWait(outcome.r.waitMs, answeredAt) }
      }
    },

    async reserveToken(maxWaitMs) {
      await prepare(globalScope)
      for (;;) {
        const sentAt = localNow()
        const [row] = await query<{ now_ms: number | string; ready: number | string; granted: boolean }>(
          db,
          sql`with calc as (
                select ${msOf('clock_timestamp()')} as now_ms,
                  greatest(${msOf('next_at')}, ${msOf('paused_until')}, ${msOf('clock_timestamp()')}) as ready
                from rate_scopes where scope = ${globalScope} for update
              ),
              taken as (
                update rate_scopes set next_at = to_timestamp((c.ready + ${globalIntervalMs}::float8) / 1000.0)
                from calc c where scope = ${globalScope} and c.ready - c.now_ms <= ${maxWaitMs}::float8
                returning scope
              )
              select now_ms, ready, (select count(*) from taken) > 0 as granted from calc`,
        )
        if (!row) {
          await ensure(globalScope)
          continue
        }
        const answeredAt = localNow()
        const now = num(row.now_ms)
        sampleClock(now, sentAt, answeredAt)
        if (!row.granted) return { granted: false, retryInMs: num(row.ready) - now, busy: 'token' }
        return { granted: true, waitMs: localWait(num(row.ready), answeredAt) }
      }
    },

    async finish(chatId, sent) {
      const scope = chatScopePrefix + chatId
      if (!sent) {
        await db.execute(sql`update rate_scopes set next_at = clock_timestamp() where scope = ${scope}`)
        return
      }
      // Read, compute, then write only if nobody changed the window meanwhile (the chat is held
      // by this send, so a second round is rare). Plain statements, no explicit transaction.
      for (let round = 0; round < 5; round++) {
        const [c] = await query<{ window: number[] | null; now_ms: number | string }>(
          db,
          sql`select "window", ${msOf('clock_timestamp()')} as now_ms from rate_scopes where scope = ${scope}`,
        )
        if (!c) return
        const now = num(c.now_ms)
        const group = isGroupChat(chatId)
        // Recent answers: a minute's worth for groups (their 20/min), the last two seconds otherwise.
        const window = [...(c.window ?? []).filter((t) => t > now - (group ? groupWindowMs : 2000)), now]
        let next = now + chatIntervalMs
        if (group) {
          // With `limit` sends in the window, the next waits until the oldest that counts leaves it.
          const oldest =
            window.length >= limits.groupPerMinute ? window[window.length - limits.groupPerMinute] : undefined
          if (oldest !== undefined) next = Math.max(next, oldest + groupWindowMs)
        }
        const updated = await query<{ scope: string }>(
          db,
          sql`update rate_scopes set next_at = to_timestamp(${next}::float8 / 1000.0), "window" = ${JSON.stringify(window)}::jsonb
              where scope = ${scope} and "window" = ${JSON.stringify(c.window ?? [])}::jsonb returning scope`,
        )
        if (updated.length > 0) return
      }
    },

    async pauseAfter429(chatId, retryAfterSec) {
      // Telegram's 429 does not say which limit was hit. If this chat had another send answered
      // within the last 1.5 s, or a group had its minute's worth, it was the chat's limit;
      // otherwise the token's, and every chat must wait.
      const [c] = await query<{ window: number[] | null; now_ms: number | string }>(
        db,
        sql`select "window", ${msOf('clock_timestamp()')} as now_ms from rate_scopes where scope = ${chatScopePrefix + chatId}`,
      )
      const now = c ? num(c.now_ms) : 0
      const previous = c?.window ?? []
      const chatBusy =
        previous.some((t) => t > now - 1500) ||
        (isGroupChat(chatId) &&
          previous.filter((t) => t > now - groupWindowMs).length >= limits.groupPerMinute)
      const which = chatBusy ? 'chat' : 'global'
      await pause(which, chatId, retryAfterSec)
      if (which === 'global') await pause('chat', chatId, retryAfterSec)
      return which
    },

    pause,
  }
}
