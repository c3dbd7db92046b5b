/**
 * Writing a decision to notify into the outbox: a unit's message to every target the recipients
 * module chose (src/domain/recipients.ts decides who; this only writes), Telegram targets as
 * prompts a reply can answer; a supervisors' message likewise. Jobs and commands call these inside
 * `decideAndEnqueue`, so the decision and its outbox rows commit together.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { deliveries } from '../db/schema.ts'
import type { Recipient, UnitReach } from '../domain/recipients.ts'
import { createPrompt } from '../domain/prompts.ts'
import type { MessageTemplate } from '../templates/types.ts'
import { enqueue, type OutboxItem } from './outbox.ts'

/**
 * Runs `decide` in one transaction, serialized across processes and replicas under `lockName`
 * (a transaction-scoped advisory lock): two runs of the same decision never interleave, so a
 * prompt row is never created for a message another run already wrote.
 */
export async function decideAndEnqueue<T>(
  db: Db,
  lockName: string,
  decide: (tx: Db) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`duban:${lockName}`}))`)
    return decide(tx)
  })
}

export interface UnitMessage {
  /** The occurrence key (with recipient and channel, unique in the outbox). */
  key: string
  unitId: number
  reach: UnitReach
  template: string
  /** The template's parameters; Telegram prompts also get `promptId`. */
  params: Record<string, unknown>
  /** When set, each Telegram message is a prompt about these tasks (numbered in this order). */
  prompt?: { taskIds: number[]; kind: string }
  now: Date
}

/**
 * Writes a unit's message to the outbox for every target in `reach`: each Telegram target as a
 * prompt (a prompts row created here, so a reply to it is read as a status), each email as is.
 * A (key, recipient, channel) already in the outbox gets nothing new, not even a prompt row.
 * Call inside `decideAndEnqueue`. Returns the number of new outbox rows.
 */
export async function enqueueUnitMessage(tx: Db, m: UnitMessage): Promise<number> {
  if (m.reach.telegram.length === 0 && m.reach.email.length === 0) return 0
  const existing =
    m.prompt && m.reach.telegram.length
      ? await tx
          .select({ recipient: deliveries.recipient })
          .from(deliveries)
          .where(and(eq(deliveries.key, m.key), eq(deliveries.channel, 'telegram')))
      : []
  const have = new Set(existing.map((r) => r.recipient))
  const items: OutboxItem[] = []
  for (const r of m.reach.telegram) {
    if (have.has(r.recipient)) continue
    let promptId: number | undefined
    if (m.prompt) {
      promptId = (
        await createPrompt(tx, {
          unitId: m.unitId,
          taskIds: m.prompt.taskIds,
          kind: m.prompt.kind,
          now: m.now,
        })
      ).id
    }
    items.push({
      key: m.key,
      channel: 'telegram',
      recipient: r.recipient,
      personId: r.personId,
      unitId: m.unitId,
      payload: {
        template: m.template,
        params: promptId === undefined ? m.params : { ...m.params, promptId },
        ...(promptId === undefined ? {} : { promptId }),
      },
    })
  }
  for (const r of m.reach.email)
    items.push({
      key: m.key,
      channel: 'email',
      recipient: r.recipient,
      personId: r.personId,
      unitId: m.unitId,
      payload: { template: m.template, params: m.params },
    })
  return enqueue(tx, items)
}

/**
 * Writes a message for the supervisors to the outbox (every target of `supervisorRecipients`).
 * Typed by its template: the parameters are checked against the template's own type here, and
 * by its schema again when the worker renders them.
 */
export async function enqueueToSupervisors<P extends object>(
  tx: Db,
  key: string,
  recipients: Recipient[],
  template: MessageTemplate<P>,
  params: P,
): Promise<number> {
  // The outbox stores parameters as JSON; the template's schema reads them back at send time.
  const stored = params as Record<string, unknown>
  return enqueue(
    tx,
    recipients.map((r) => ({
      key,
      channel: r.channel,
      recipient: r.recipient,
      personId: r.personId,
      payload: { template: template.name, params: stored },
    })),
  )
}
