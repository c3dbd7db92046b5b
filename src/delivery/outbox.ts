/**
 * The outbox: one `deliveries` row per (occurrence key, recipient, channel). A job writes rows in
 * the same transaction as its decision to notify; the delivery worker (worker.ts) sends them.
 *
 * Row states:
 * - `pending`: waiting for its first attempt or for a retry at `next_attempt_at` (a transient error
 *   is in `last_error`);
 * - `sending`: claimed by a worker under a lease (`lease_until`, `attempt_id`); a lease that expires
 *   means the worker died, and the row is claimed again;
 * - `sent`: delivered (`external_id` = Telegram message id(s) or email Message-ID);
 * - `failed`: the recipient cannot be reached (Telegram 403 / chat not found, SMTP recipient
 *   rejected): not retried automatically;
 * - `dead`: given up (attempts exhausted, a message Telegram or SMTP refuses, a template that
 *   cannot render).
 * `ambiguous_at` is set when an attempt's outcome could not be known (worker killed mid-send,
 * connection dropped after the request went out); the row is then sent again, so the recipient may
 * have it twice. That is the only way a duplicate can arise, and it is always marked.
 */
import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { deliveries, type Channel, type DeliveryStatus } from '../db/schema.ts'
import { userError } from '../errors.ts'
import { hasTemplate } from '../templates/index.ts'
import type { MessagePayload } from '../templates/types.ts'

export type { MessagePayload }

export interface OutboxItem {
  /** The occurrence, e.g. `reminder:task12:unit3:2026-10-13`; with recipient and channel, unique. */
  key: string
  channel: Channel
  /** Telegram chat id as text, or an email address. */
  recipient: string
  personId?: number | null
  unitId?: number | null
  payload: MessagePayload
  /** Not sent before this instant (default: as soon as possible). */
  notBefore?: Date
}

export interface DeliveryRow {
  id: number
  key: string
  channel: Channel
  recipient: string
  personId: number | null
  unitId: number | null
  payload: MessagePayload
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: Date
  lastError: string | null
  externalId: string | null
  sentAt: Date | null
  /** An attempt's outcome was unknown and the message was sent again: it may have arrived twice. */
  ambiguous: boolean
  createdAt: Date
  updatedAt: Date
}

const CHUNK = 500

/**
 * Inserts items (ON CONFLICT (key, recipient, channel) DO NOTHING) and returns how many rows
 * were new. Call inside the caller's transaction, together with the decision to notify.
 * Throws (a programming error) for a template name that is not registered.
 */
export async function enqueue(db: Db, items: OutboxItem[]): Promise<number> {
  for (const item of items)
    if (!hasTemplate(item.payload.template))
      throw new Error(`unknown message template "${item.payload.template}"`)
  let inserted = 0
  for (let i = 0; i < items.length; i += CHUNK) {
    const rows = await db
      .insert(deliveries)
      .values(
        items.slice(i, i + CHUNK).map((item) => ({
          key: item.key,
          channel: item.channel,
          recipient: item.recipient,
          personId: item.personId ?? null,
          unitId: item.unitId ?? null,
          payload: item.payload as unknown as Record<string, unknown>,
          ...(item.notBefore ? { nextAttemptAt: item.notBefore } : {}),
        })),
      )
      .onConflictDoNothing({ target: [deliveries.key, deliveries.recipient, deliveries.channel] })
      .returning({ id: deliveries.id })
    inserted += rows.length
  }
  return inserted
}

/** A status, or `ambiguous` for rows whose message may have arrived twice (whatever their status). */
export type DeliveryFilterStatus = DeliveryStatus

export interface DeliveryFilter {
  status?: DeliveryFilterStatus
  key?: string
  limit?: number
}

function toRow(r: typeof deliveries.$inferSelect): DeliveryRow {
  return {
    id: r.id,
    key: r.key,
    channel: r.channel,
    recipient: r.recipient,
    personId: r.personId,
    unitId: r.unitId,
    payload: r.payload as unknown as MessagePayload,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastError: r.lastError,
    externalId: r.externalId,
    sentAt: r.sentAt,
    ambiguous: r.ambiguousAt !== null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** Outbox rows, oldest first. `status: 'ambiguous'` lists the rows that may have arrived twice. */
export async function listDeliveries(db: Db, filter: DeliveryFilter = {}): Promise<DeliveryRow[]> {
  const where: SQL[] = []
  if (filter.status === 'ambiguous') where.push(isNotNull(deliveries.ambiguousAt))
  else if (filter.status) where.push(eq(deliveries.status, filter.status))
  if (filter.key) where.push(eq(deliveries.key, filter.key))
  const q = db
    .select()
    .from(deliveries)
    .where(and(...where))
    .orderBy(asc(deliveries.id))
  const rows = filter.limit ? await q.limit(filter.limit) : await q
  return rows.map(toRow)
}

/**
 * Puts a `failed` or `dead` row back to `pending`, due at `now` (attempts are kept, so a row that
 * fails again after exhausting its attempts is given up at once). UserError for an unknown id, a
 * row already sent, or one still pending or being sent; nothing changes then.
 */
export async function retryDelivery(db: Db, id: number, now: Date): Promise<void> {
  const [updated] = await db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt: now, leaseUntil: null, attemptId: null, updatedAt: now })
    .where(and(eq(deliveries.id, id), inArray(deliveries.status, ['failed', 'dead', 'ambiguous'])))
    .returning({ id: deliveries.id })
  if (updated) return
  const [row] = Number.isSafeInteger(id)
    ? await db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, id))
    : []
  if (!row) throw userError('delivery', (t) => t.retry.unknown(String(id)))
  if (row.status === 'sent') throw userError('delivery', (t) => t.retry.alreadySent(id))
  throw userError('delivery', (t) => t.retry.inFlight(id))
}

/** Counts of rows per status (for the service's log line and the benchmarks). */
export async function countDeliveries(db: Db): Promise<Record<DeliveryStatus, number>> {
  const rows = await db
    .select({ status: deliveries.status, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .groupBy(deliveries.status)
  const out = { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, ambiguous: 0 } as Record<
    DeliveryStatus,
    number
  >
  for (const r of rows) out[r.status] = Number(r.n)
  return out
}
