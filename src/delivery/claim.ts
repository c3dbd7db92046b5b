/**
 * Claiming outbox rows: one statement, `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED
 * LIMIT n)`, setting `sending`, a lease, an attempt id and attempts + 1. A `sending` row whose
 * lease expired belonged to a worker that died: it is claimed again and marked ambiguous
 * (`ambiguous_at`), since that worker may have sent it. Every later write is fenced on (id,
 * attempt id, `sending`) (outcomes.ts), so a worker that lost its lease never overwrites the row.
 *
 * Telegram claims take at most one row per chat, and skip chats this process is sending to and
 * chats whose rate scope is busy or paused (rate-budget.ts).
 */
import { performance } from 'node:perf_hooks'
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import type { Channel, Locale } from '../db/schema.ts'
import { num, query, textArray } from '../db/sql.ts'
import type { MessagePayload } from '../templates/types.ts'
import type { RateBudget } from './rate-budget.ts'

/** An outbox row this worker claimed, under a lease, for one attempt. */
export interface ClaimedDelivery {
  id: number
  key: string
  channel: Channel
  recipient: string
  personId: number | null
  unitId: number | null
  payload: MessagePayload
  attempts: number
  externalId: string | null
  attemptId: string
  personLocale: Locale | null
  /** performance.now() before the claim was sent: the lease runs from no earlier than this. */
  claimedAt: number
  /** A request may be on the wire: releasing the row now could duplicate it. */
  onWire: boolean
  /** A request left for this row during this claim (whatever came of it). */
  attempted: boolean
}

interface ClaimedRow {
  id: number | string
  key: string
  channel: Channel
  recipient: string
  person_id: number | null
  unit_id: number | null
  payload: MessagePayload
  attempts: number | string
  external_id: string | null
  person_locale: Locale | null
}

export const AMBIGUOUS_LEASE = 'ambiguous: a worker stopped mid-send (lease expired); sent again'

export interface ClaimRequest {
  channel: Channel
  /** At most this many rows. */
  limit: number
  /** Written on every claimed row; every later write is fenced on it. */
  attemptId: string
  leaseMs: number
  /** Telegram: the shared rate budget, and the chats this process is sending to right now. */
  telegram?: { budget: RateBudget; busyChats: string[] }
}

/** Claims up to `limit` due rows of one channel (oldest first); see the module comment. */
export async function claimDeliveries(db: Db, request: ClaimRequest): Promise<ClaimedDelivery[]> {
  const { channel, limit: n, attemptId, leaseMs } = request
  const claimedAt = performance.now()
  const due = sql`((d.status = 'pending' and d.next_attempt_at <= now()) or (d.status = 'sending' and d.lease_until < now()))`
  let candidates: SQL
  if (channel === 'telegram' && request.telegram) {
    const { budget, busyChats } = request.telegram
    // One row per chat, oldest first, among chats whose rate scope is free now or within a second.
    candidates = sql`
        select id from (
          select distinct on (s.recipient) s.id, s.next_attempt_at
          from scan s
          where s.recipient <> all(${textArray(busyChats)})
            and not exists (select 1 from rate_scopes r where r.scope = ${budget.globalScope} and r.paused_until > now())
            and not exists (
              select 1 from rate_scopes r
              where r.scope = ${budget.chatScopePrefix} || s.recipient
                and (r.next_at > now() + interval '1 second' or r.paused_until > now()))
          order by s.recipient, s.next_attempt_at, s.id
        ) x order by next_attempt_at, id limit ${n * 3}`
  } else {
    candidates = sql`select id from scan order by next_attempt_at, id limit ${n * 3}`
  }
  const rows = await query<ClaimedRow>(
    db,
    sql`
      with scan as (
        (select d.id, d.recipient, d.next_attempt_at from deliveries d
          where d.status = 'pending' and d.next_attempt_at <= now() and d.channel = ${channel}
          order by d.next_attempt_at, d.id limit ${channel === 'telegram' ? Math.max(2000, n * 20) : n * 3})
        union all
        (select d.id, d.recipient, d.next_attempt_at from deliveries d
          where d.status = 'sending' and d.lease_until < now() and d.channel = ${channel}
          order by d.lease_until limit ${n})
      ),
      candidates as (${candidates}),
      locked as (
        select d.id from deliveries d join candidates c on c.id = d.id
        where ${due}
        order by d.next_attempt_at, d.id
        limit ${n}
        for update of d skip locked
      ),
      claimed as (
        update deliveries d
        set status = 'sending', attempts = d.attempts + 1, attempt_id = ${attemptId},
            lease_until = now() + make_interval(secs => ${leaseMs / 1000}::float8), updated_at = now(),
            ambiguous_at = case when d.status = 'sending' then coalesce(d.ambiguous_at, now()) else d.ambiguous_at end,
            last_error = case when d.status = 'sending' then ${AMBIGUOUS_LEASE} else d.last_error end
        from locked l where d.id = l.id
        returning d.id, d.key, d.channel, d.recipient, d.person_id, d.unit_id, d.payload, d.attempts, d.external_id
      )
      select c.*, p.locale as person_locale from claimed c left join people p on p.id = c.person_id`,
  )
  return rows.map((r) => ({
    id: num(r.id),
    key: r.key,
    channel: r.channel,
    recipient: r.recipient,
    personId: r.person_id === null ? null : num(r.person_id),
    unitId: r.unit_id === null ? null : num(r.unit_id),
    payload: r.payload,
    attempts: num(r.attempts),
    externalId: r.external_id,
    attemptId,
    personLocale: r.person_locale,
    claimedAt,
    onWire: false,
    attempted: false,
  }))
}

/** The lease still covers a send that starts now and runs to its timeout. */
export function leaseAllows(delivery: ClaimedDelivery, sendTimeoutMs: number, leaseMs: number): boolean {
  return performance.now() - delivery.claimedAt + sendTimeoutMs + 1000 < leaseMs
}
