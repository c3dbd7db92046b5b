/**
 * Recording how an attempt ended. Every write is fenced on (id, attempt id, `sending`): a worker
 * that lost its lease never overwrites the row. Outcomes:
 * - sent (`external_id` = Telegram message id(s) or email Message-ID; a prompt is attached to its
 *   message, so a reply to it reads as a status);
 * - transient errors back to `pending` with exponential backoff and jitter, dead after
 *   `maxAttempts`; a 429 pauses the rate scope for every replica and does not count as an attempt;
 * - 403 / chat not found: the row fails, the person or group is marked unreachable and the same
 *   message is queued by email (key + `:fallback`) to whom the recipients module names;
 * - SMTP 5xx for the recipient fails the row, other permanent refusals kill it;
 * - a row given back (busy chat, stopping) is pending again without counting an attempt.
 */
import { count429, countDelivery } from '../metrics.ts'
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'
import { markChatUnreachable, migrateChat } from '../domain/chats.ts'
import { markPersonUnreachable } from '../domain/people.ts'
import { telegramFallback } from '../domain/recipients.ts'
import { attachPromptMessage } from '../domain/prompts.ts'
import type { Logger } from '../log.ts'
import type { ClaimedDelivery } from './claim.ts'
import type { SendFailure } from './errors.ts'
import { enqueue, type OutboxItem } from './outbox.ts'
import type { RateBudget } from './rate-budget.ts'
import { sleep } from './sleep.ts'

const AMBIGUOUS_STOP = 'ambiguous: stopped while the send was on the wire; will be sent again'

export interface OutcomeOptions {
  db: Db
  logger: Logger
  /** Attempts before a row is given up. */
  maxAttempts: number
  /** Retry delay: base × 2^(attempt−1), capped, times a random 0.5–1. */
  backoff: { baseMs: number; capMs: number }
  /** The shared rate budget a 429 pauses (null without Telegram). */
  budget: RateBudget | null
  /** The clock for unreachable marks. */
  now: () => Date
}

export type Outcomes = ReturnType<typeof createOutcomes>

const progressOf = (ids: number[]) => (ids.length ? ids.join(',') : null)

/** The outcome writers of one worker; see the module comment. */
export function createOutcomes(options: OutcomeOptions) {
  const { db, logger, maxAttempts, budget } = options

  const backoffMs = (attempt: number) =>
    Math.min(options.backoff.capMs, options.backoff.baseMs * 2 ** Math.max(0, attempt - 1)) *
    (0.5 + Math.random() * 0.5)

  /** Applies `set` to the row if this attempt still owns it; false (and a warning) if not. */
  async function transition(exec: Db, job: ClaimedDelivery, set: SQL): Promise<boolean> {
    const rows = await query<{ id: unknown }>(
      exec,
      sql`update deliveries set ${set}, lease_until = null, updated_at = now()
          where id = ${job.id} and attempt_id = ${job.attemptId} and status = 'sending' returning id`,
    )
    if (rows.length === 0)
      logger.warn({ delivery: job.id }, 'delivery worker: the lease was lost before the outcome was recorded')
    return rows.length > 0
  }

  /** Retries a database write a few times: a send that happened must not be forgotten over a blip. */
  async function persist<T>(what: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await what()
      } catch (err) {
        if (attempt >= 4) throw err
        await sleep(250 * 2 ** attempt)
      }
    }
  }

  async function retryLater(
    job: ClaimedDelivery,
    reason: string,
    ambiguous: boolean,
    progress: number[] = [],
  ): Promise<void> {
    const markAmbiguous = sql`ambiguous_at = case when ${ambiguous}::boolean then coalesce(ambiguous_at, now()) else ambiguous_at end,
      external_id = coalesce(${progressOf(progress)}, external_id)`
    if (job.attempts >= maxAttempts) {
      logger.warn({ delivery: job.id, key: job.key, reason }, 'delivery given up')
      countDelivery(job.channel, 'dead')
      await persist(() =>
        transition(
          db,
          job,
          sql`status = 'dead', last_error = ${`gave up after ${job.attempts} attempts: ${reason}`}, ${markAmbiguous}`,
        ),
      )
      return
    }
    countDelivery(job.channel, 'failed')
    const delayMs = backoffMs(job.attempts)
    logger.info(
      { delivery: job.id, key: job.key, reason, retryInMs: Math.round(delayMs) },
      'delivery will be retried',
    )
    await persist(() =>
      transition(
        db,
        job,
        sql`status = 'pending', next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}::float8),
            last_error = ${reason}, ${markAmbiguous}`,
      ),
    )
  }

  async function finalFailure(
    job: ClaimedDelivery,
    status: 'failed' | 'dead',
    reason: string,
    progress: number[] = [],
  ): Promise<void> {
    logger.warn({ delivery: job.id, key: job.key, status, reason }, 'delivery not possible')
    countDelivery(job.channel, status)
    await persist(() =>
      transition(
        db,
        job,
        sql`status = ${status}, last_error = ${reason}, external_id = coalesce(${progressOf(progress)}, external_id)`,
      ),
    )
  }

  /** Gives the row back without counting an attempt, due again after `afterMs`. */
  async function giveBack(job: ClaimedDelivery, afterMs: number, progress: number[] = []): Promise<void> {
    await persist(() =>
      transition(
        db,
        job,
        sql`status = 'pending', attempts = greatest(attempts - 1, 0), attempt_id = null,
            next_attempt_at = now() + make_interval(secs => ${Math.max(0, afterMs) / 1000}::float8),
            external_id = coalesce(${progressOf(progress)}, external_id)`,
      ),
    )
  }

  /** Remembers the parts of a long Telegram message already sent, so a retry sends only the rest. */
  async function recordProgress(job: ClaimedDelivery, done: number[]): Promise<void> {
    await persist(() =>
      db.execute(sql`update deliveries set external_id = ${done.join(',')}, updated_at = now()
            where id = ${job.id} and attempt_id = ${job.attemptId} and status = 'sending'`),
    )
  }

  /** Sent: records the external ids (and the chat it went to after a migration), attaches the prompt. */
  async function markSent(job: ClaimedDelivery, ids: string[], chatId: string): Promise<void> {
    const external = ids.join(',')
    countDelivery(job.channel, 'sent')
    const done = sql`status = 'sent', sent_at = now(), external_id = ${external}`
    if (chatId === job.recipient && (job.channel !== 'telegram' || job.payload.promptId === undefined)) {
      await persist(() => transition(db, job, done))
      return
    }
    const record = async (withPrompt: boolean) =>
      db.transaction(async (tx) => {
        const ok = await transition(tx, job, done)
        if (!ok) return
        if (chatId !== job.recipient)
          await tx.execute(sql`update deliveries d set recipient = ${chatId} where d.id = ${job.id}
            and not exists (select 1 from deliveries e where e.key = d.key and e.channel = d.channel and e.recipient = ${chatId})`)
        const promptId = job.payload.promptId
        const last = ids.at(-1)
        if (withPrompt && job.channel === 'telegram' && promptId !== undefined && last !== undefined)
          await attachPromptMessage(tx, promptId, Number(chatId), Number(last))
      })
    try {
      await persist(() => record(true))
    } catch (err) {
      // The message went out: record that even if the prompt cannot be attached.
      logger.error({ err, delivery: job.id }, 'delivery worker: could not attach the prompt to its message')
      await persist(() => record(false))
    }
  }

  /** The group became a supergroup: update the chat and its queued rows (the caller sends there). */
  async function followMigration(oldId: string, newId: string): Promise<void> {
    await persist(async () => {
      await migrateChat(db, Number(oldId), Number(newId))
      await db.execute(sql`update deliveries d set recipient = ${newId}, updated_at = now()
        where d.channel = 'telegram' and d.recipient = ${oldId} and d.status in ('pending', 'failed')
          and not exists (select 1 from deliveries e where e.key = d.key and e.channel = 'telegram' and e.recipient = ${newId})`)
    })
    logger.info({ from: oldId, to: newId }, 'telegram group migrated to a supergroup')
  }

  /** Telegram refused the chat for good: fail the row, mark who is unreachable, fall back to email. */
  async function unreachable(
    job: ClaimedDelivery,
    chatId: string,
    reason: string,
    progress: number[],
  ): Promise<void> {
    const now = options.now()
    const enqueued = await persist(() =>
      db.transaction(async (tx) => {
        const ok = await transition(
          tx,
          job,
          sql`status = 'failed', last_error = ${reason}, external_id = coalesce(${progressOf(progress)}, external_id)`,
        )
        if (!ok) return 0
        const fallback = await telegramFallback(tx, chatId, { personId: job.personId, unitId: job.unitId })
        if (fallback.refused?.kind === 'group')
          await markChatUnreachable(tx, fallback.refused.telegramChatId, reason, now)
        if (fallback.refused?.kind === 'person')
          await markPersonUnreachable(tx, fallback.refused.personId, reason, now)
        const { promptId: _prompt, ...payload } = job.payload
        const items: OutboxItem[] = fallback.emails.map((e) => ({
          key: `${job.key}:fallback`,
          channel: 'email',
          recipient: e.recipient,
          personId: e.personId,
          unitId: e.unitId,
          payload: { ...payload, fallbackFor: 'telegram' },
        }))
        return items.length ? enqueue(tx, items) : 0
      }),
    )
    logger.warn(
      { delivery: job.id, chat: chatId, reason, fallbackEmails: enqueued },
      'telegram recipient unreachable',
    )
  }

  /** Records a failed send per its kind (see errors.ts). */
  async function failed(
    job: ClaimedDelivery,
    failure: SendFailure,
    chatId: string,
    progress: number[],
  ): Promise<void> {
    switch (failure.kind) {
      case 'retry':
        return retryLater(job, failure.reason, failure.ambiguous, progress)
      case 'migrated':
        return retryLater(job, `${failure.reason} (migrated more than once)`, false, progress)
      case 'rate-limited': {
        count429()
        const scope = budget ? await budget.pauseAfter429(chatId, failure.retryAfterSec) : 'chat'
        logger.warn(
          { delivery: job.id, chat: chatId, retryAfter: failure.retryAfterSec, scope },
          'telegram 429',
        )
        await persist(() =>
          transition(
            db,
            job,
            sql`status = 'pending', attempts = greatest(attempts - 1, 0),
                next_attempt_at = now() + make_interval(secs => ${failure.retryAfterSec}::float8),
                last_error = ${`${failure.reason} (${scope} paused)`},
                external_id = coalesce(${progressOf(progress)}, external_id)`,
          ),
        )
        return
      }
      case 'unreachable':
        if (job.channel === 'telegram') return unreachable(job, chatId, failure.reason, progress)
        return finalFailure(job, 'failed', failure.reason, progress)
      case 'rejected':
        return finalFailure(job, 'failed', failure.reason, progress)
      case 'permanent':
        return finalFailure(job, 'dead', failure.reason, progress)
    }
  }

  /** Stop ran out of time: gives the row back, marked ambiguous if a request was on the wire. */
  async function releaseOnStop(job: ClaimedDelivery): Promise<void> {
    await transition(
      db,
      job,
      sql`status = 'pending', attempt_id = null, next_attempt_at = now(),
                ambiguous_at = case when ${job.onWire}::boolean then coalesce(ambiguous_at, now()) else ambiguous_at end,
                last_error = case when ${job.onWire}::boolean then ${AMBIGUOUS_STOP} else last_error end`,
    )
  }

  return {
    persist,
    retryLater,
    finalFailure,
    giveBack,
    recordProgress,
    markSent,
    followMigration,
    failed,
    releaseOnStop,
  }
}
