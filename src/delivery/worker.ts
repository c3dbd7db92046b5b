/**
 * The delivery worker: claims due outbox rows and sends them, under leases, so that any number of
 * processes can run it against one Postgres.
 *
 * - Claiming is one statement: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)`
 *   setting `sending`, a lease, an attempt id and attempts + 1. A `sending` row whose lease expired
 *   belonged to a worker that died: it is claimed again and marked ambiguous (`ambiguous_at`), since
 *   that worker may have sent it. Every later write is fenced on (id, attempt id, `sending`), so a
 *   worker that lost its lease never overwrites the row.
 * - Telegram claims take at most one row per chat, skip chats whose rate scope is busy or paused,
 *   and every send waits for its slot in the shared budget (rate-budget.ts).
 * - A message is rendered at send time; a render error is retried, then the row is dead-lettered.
 * - Outcomes: sent; transient errors back to `pending` with exponential backoff and jitter
 *   (dead after `maxAttempts`); 429 pauses the scope for every replica; `migrate_to_chat_id` is
 *   followed at once; 403 / chat not found fail the row, mark the person or group unreachable and
 *   queue the same message by email (key + `:fallback`) to the person, or to the group's liaisons
 *   (supervisors for the supervisors' group); SMTP 5xx for the recipient fails the row, other 5xx
 *   kill it.
 * - `stop()` stops claiming, releases rows still waiting for a rate slot, lets sends on the wire
 *   finish within `stopDeadlineMs`, and then releases whatever is left (marked ambiguous).
 */
import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { performance } from 'node:perf_hooks'
import { sql, type SQL } from 'drizzle-orm'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { Channel, Locale } from '../db/schema.ts'
import type { Logger } from '../log.ts'
import { renderPayload } from '../messages/index.ts'
import { count429, countDelivery, observeSend } from '../metrics.ts'
import { answerLinkBuilder, signingKey } from '../domain/answer-links.ts'
import type { AnswerLinkBuilder } from '../messages/types.ts'
import type { EmailMessage, MessagePayload, TelegramMessage } from '../messages/types.ts'
import { splitHtmlMessage } from '../telegram/html.ts'
import { chatByTelegramId, markChatUnreachable, migrateChat } from '../domain/chats.ts'
import {
  findPersonById,
  findPersonByTelegramId,
  liaisonsOf,
  markPersonUnreachable,
  supervisors,
  type Person,
} from '../domain/people.ts'
import { attachPromptMessage } from '../domain/status.ts'
import { createEmailSender, type EmailSender } from './email.ts'
import { describeError, SendError, type SendFailure } from './errors.ts'
import { enqueue, type OutboxItem } from './outbox.ts'
import { createRateBudget, isGroupChat, type RateBudget, type TelegramLimits } from './rate-budget.ts'
import { num, query, textArray } from '../db/sql.ts'
import { createTelegramSender, type TelegramPart, type TelegramSender } from './telegram.ts'

export interface DeliveryWorkerOptions {
  db: Db
  config: Pick<Config, 'timezone' | 'botToken' | 'telegramApiRoot' | 'smtpUrl' | 'mailFrom' | 'dataDir'> &
    /** Without publicUrl, emails carry no answer links. */
    Partial<Pick<Config, 'publicUrl' | 'webSigningKey'>>
  logger: Logger
  /** Default: a sender for config.botToken if set; `null`: Telegram rows are left alone. */
  telegram?: TelegramSender | null
  /** Default: SMTP_URL, or .eml files in DATA_DIR/outbox; `null`: email rows are left alone. */
  email?: EmailSender | null
  /** The Telegram limits this bot works under (default: the published 30/s, 1/s/chat, 20/min/group). */
  limits?: TelegramLimits
  /** Share of the per-token Telegram limit used (default 0.975). */
  pace?: number
  /** Telegram deliveries in flight per process (default 16). */
  concurrency?: number
  /** Email deliveries in flight per process (default 3, the SMTP pool's size). */
  emailConcurrency?: number
  /** How long a claim holds a row (default 120 s); must exceed a rate wait plus a send's timeout. */
  leaseMs?: number
  /** Attempts before a row is given up (default 8). */
  maxAttempts?: number
  /** Retry delay: base × 2^(attempt−1), capped, times a random 0.5–1 (default 30 s, 1 h). */
  backoff?: { baseMs?: number; capMs?: number }
  /** How often an idle worker looks for due rows (default 1 s). */
  idlePollMs?: number
  /** How long stop() lets sends on the wire finish (default 20 s). */
  stopDeadlineMs?: number
  /** A send whose rate slot is further away than this gives its row back (default 5 s). */
  maxSlotWaitMs?: number
  /** The clock for timestamps written through domain functions and for rendering. */
  now?: () => Date
  /** Names this process in attempt ids and logs (default: a random id). */
  workerId?: string
}

export interface DeliveryWorker {
  /** Starts claiming and sending in the background. */
  start(): void
  /**
   * Stops claiming; rows waiting for a rate slot are released at once, sends on the wire get until
   * the stop deadline, then their rows are released too (marked ambiguous). Closes the senders the
   * worker created itself.
   */
  stop(): Promise<void>
  /** Claims one batch per channel and processes it to the end; resolves to how many rows it claimed. */
  drainOnce(): Promise<number>
  /**
   * Runs until no row of this worker's channels is pending or sending (including retries not yet
   * due); rejects after `timeoutMs` (default 30 s) with what was left.
   */
  runUntilIdle(options?: { timeoutMs?: number }): Promise<void>
  /** Rows being processed right now. */
  readonly inFlight: number
  /** The shared rate budget (null without Telegram). */
  readonly budget: RateBudget | null
}

interface Job {
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

/** A send this late for its rate slot takes a new one. */
const LATE_SLOT_MS = 20

const AMBIGUOUS_LEASE = 'ambiguous: a worker stopped mid-send (lease expired); sent again'
const AMBIGUOUS_STOP = 'ambiguous: stopped while the send was on the wire; will be sent again'

/** Sleeps `ms`; resolves false at once if `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** A worker over the outbox; see the module comment for what it promises. */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, config, logger } = options
  const clock = options.now ?? (() => new Date())
  const workerId = options.workerId ?? randomUUID().slice(0, 8)
  const capacity: Record<Channel, number> = {
    telegram: options.concurrency ?? 16,
    email: options.emailConcurrency ?? 3,
  }
  const leaseMs = options.leaseMs ?? 120_000
  const maxAttempts = options.maxAttempts ?? 8
  const backoffBase = options.backoff?.baseMs ?? 30_000
  const backoffCap = options.backoff?.capMs ?? 3_600_000
  const idlePollMs = options.idlePollMs ?? 1000
  const stopDeadlineMs = options.stopDeadlineMs ?? 20_000
  const maxSlotWaitMs = options.maxSlotWaitMs ?? 5000

  const telegram: TelegramSender | null =
    options.telegram === undefined
      ? config.botToken
        ? createTelegramSender({ token: config.botToken, apiRoot: config.telegramApiRoot })
        : null
      : options.telegram
  const ownsEmail = options.email === undefined
  const email: EmailSender | null =
    options.email === undefined
      ? createEmailSender({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, dataDir: config.dataDir })
      : options.email
  const budget = telegram
    ? createRateBudget(db, {
        botId: telegram.botId,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.pace ? { pace: options.pace } : {}),
      })
    : null
  for (const sender of [telegram, email])
    if (sender && leaseMs < sender.timeoutMs + maxSlotWaitMs + 2000)
      throw new Error(
        `delivery worker: leaseMs (${leaseMs}) must exceed a send's timeout (${sender.timeoutMs}) plus the longest rate wait (${maxSlotWaitMs}) by 2 s`,
      )
  const channels: Channel[] = [
    ...(telegram ? ['telegram' as const] : []),
    ...(email ? ['email' as const] : []),
  ]

  const inflight = new Map<number, Job>()
  const tasks = new Set<Promise<void>>()
  let running = false
  let loopDone: Promise<void> | undefined
  // Every row waiting for a rate slot listens for stop(): more than the default 10.
  const newAbort = () => {
    const c = new AbortController()
    setMaxListeners(0, c.signal)
    return c
  }
  let abort = newAbort()
  let wake: (() => void) | undefined
  let claimCounter = 0

  const notify = () => {
    const w = wake
    wake = undefined
    w?.()
  }

  const inflightOf = (channel: Channel) => {
    let n = 0
    for (const j of inflight.values()) if (j.channel === channel) n++
    return n
  }

  const backoffMs = (attempt: number) =>
    Math.min(backoffCap, backoffBase * 2 ** Math.max(0, attempt - 1)) * (0.5 + Math.random() * 0.5)

  /** The lease still covers a send that starts now and runs to its timeout. */
  const leaseAllows = (job: Job, sendTimeoutMs: number) =>
    performance.now() - job.claimedAt + sendTimeoutMs + 1000 < leaseMs

  // ---- claiming ---------------------------------------------------------------------------------

  async function claim(channel: Channel, n: number): Promise<Job[]> {
    const token = `${workerId}:${++claimCounter}`
    const claimedAt = performance.now()
    const due = sql`((d.status = 'pending' and d.next_attempt_at <= now()) or (d.status = 'sending' and d.lease_until < now()))`
    let candidates: SQL
    if (channel === 'telegram' && budget) {
      const busy = [...inflight.values()].filter((j) => j.channel === 'telegram').map((j) => j.recipient)
      // One row per chat, oldest first, among chats whose rate scope is free now or within a second.
      candidates = sql`
        select id from (
          select distinct on (s.recipient) s.id, s.next_attempt_at
          from scan s
          where s.recipient <> all(${textArray(busy)})
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
        set status = 'sending', attempts = d.attempts + 1, attempt_id = ${token},
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
      attemptId: token,
      personLocale: r.person_locale,
      claimedAt,
      onWire: false,
      attempted: false,
    }))
  }

  /** Claims for every channel with room; starts each claimed row; returns how many were claimed. */
  async function claimAndLaunch(): Promise<number> {
    let claimed = 0
    for (const channel of channels) {
      const free = capacity[channel] - inflightOf(channel)
      if (free <= 0) continue
      const jobs = await claim(channel, free)
      for (const job of jobs) launch(job)
      claimed += jobs.length
    }
    return claimed
  }

  function launch(job: Job): void {
    inflight.set(job.id, job)
    const task = deliver(job)
      .catch(async (err: unknown) => {
        logger.error({ err, delivery: job.id }, 'delivery worker: a database step failed')
        // Nothing went out for this row: give it back as soon as the database answers again.
        // Otherwise the lease expires and the row is claimed again, marked ambiguous.
        if (!job.attempted)
          await giveBack(job, 0).catch((e: unknown) =>
            logger.error(
              { err: e, delivery: job.id },
              'delivery worker: the row waits for its lease to expire',
            ),
          )
      })
      .finally(() => {
        inflight.delete(job.id)
        tasks.delete(task)
        notify()
      })
    tasks.add(task)
  }

  // ---- recording outcomes -------------------------------------------------------------------------

  /** Applies `set` to the row if this attempt still owns it; false (and a warning) if not. */
  async function transition(exec: Db, job: Job, set: SQL): Promise<boolean> {
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

  const progressOf = (ids: number[]) => (ids.length ? ids.join(',') : null)

  async function retryLater(
    job: Job,
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

  async function finalFailure(job: Job, status: 'failed' | 'dead', reason: string, progress: number[] = []) {
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
  async function giveBack(job: Job, afterMs: number, progress: number[] = []): Promise<void> {
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

  async function markSent(job: Job, ids: string[], chatId: string): Promise<void> {
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

  // ---- Telegram -----------------------------------------------------------------------------------

  /** Tells the budget a granted slot was used (or not); a failure only delays the chat's next send. */
  async function finishSlot(chatId: string, sent: boolean): Promise<void> {
    await budget!
      .finish(chatId, sent)
      .catch((err: unknown) =>
        logger.warn({ err, chat: chatId }, 'delivery worker: could not update the chat rate scope'),
      )
  }

  /** Waits for this part's rate slot; false when the row was given back instead (busy, stopping). */
  async function awaitSlot(
    job: Job,
    chatId: string,
    progress: number[],
    sendTimeoutMs: number,
  ): Promise<boolean> {
    const signal = abort.signal
    let lateSlots = 0
    for (;;) {
      if (signal.aborted) {
        await giveBack(job, 0, progress)
        return false
      }
      // The chat stays held through the send; finish() releases it when the answer is in.
      const r = await budget!.reserve(chatId, maxSlotWaitMs, maxSlotWaitMs + sendTimeoutMs + 2000)
      if (r.granted) {
        const target = performance.now() + r.waitMs
        if (!(await sleep(r.waitMs, signal)) || !leaseAllows(job, sendTimeoutMs)) {
          await finishSlot(chatId, false)
          await giveBack(job, 0, progress)
          return false
        }
        // Woken well after the slot (a busy machine): sending now would crowd this message into
        // the next slots' second, so take a fresh slot instead (twice at most).
        if (performance.now() - target > LATE_SLOT_MS && lateSlots < 2) {
          lateSlots++
          await finishSlot(chatId, false)
          continue
        }
        return true
      }
      if (r.retryInMs > maxSlotWaitMs) {
        // A busy chat: the claim filter hands the row out again once the chat is free (another
        // replica's send into it may finish any moment). A paused or long token queue: wait it out.
        await giveBack(job, r.busy === 'chat' ? 0 : r.retryInMs, progress)
        return false
      }
      if (!(await sleep(r.retryInMs, signal))) {
        await giveBack(job, 0, progress)
        return false
      }
    }
  }

  /** The group became a supergroup: update the chat, queued rows, and send there. */
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
  async function unreachable(job: Job, chatId: string, reason: string, progress: number[]): Promise<void> {
    const now = clock()
    const enqueued = await persist(() =>
      db.transaction(async (tx) => {
        const ok = await transition(
          tx,
          job,
          sql`status = 'failed', last_error = ${reason}, external_id = coalesce(${progressOf(progress)}, external_id)`,
        )
        if (!ok) return 0
        let fallback: Person[] = []
        if (isGroupChat(chatId)) {
          await markChatUnreachable(tx, Number(chatId), reason, now)
          const chat = await chatByTelegramId(tx, Number(chatId))
          const unitId = job.unitId ?? chat?.unitId ?? null
          if (chat?.purpose === 'supervisors') fallback = await supervisors(tx)
          else if (unitId !== null) fallback = await liaisonsOf(tx, unitId)
        } else {
          const person =
            (job.personId !== null ? await findPersonById(tx, job.personId) : null) ??
            (await findPersonByTelegramId(tx, Number(chatId)))
          if (person) {
            await markPersonUnreachable(tx, person.id, reason, now)
            fallback = [person]
          }
        }
        const { promptId: _prompt, ...payload } = job.payload
        const items: OutboxItem[] = fallback
          .filter((p): p is Person & { email: string } => !!p.email)
          .map((p) => ({
            key: `${job.key}:fallback`,
            channel: 'email',
            recipient: p.email,
            personId: p.id,
            unitId: job.unitId ?? p.unitId,
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

  async function onFailure(
    job: Job,
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

  function partsOf(message: TelegramMessage): TelegramPart[] {
    const htmls = splitHtmlMessage(message.html)
    return htmls.map((html, i) => {
      const part: TelegramPart = { html }
      if (i === 0 && message.replyToMessageId !== undefined) part.replyToMessageId = message.replyToMessageId
      if (i === htmls.length - 1) {
        if (message.buttons) part.buttons = message.buttons
        if (message.forceReply) part.forceReply = message.forceReply
      }
      return part
    })
  }

  async function deliverTelegram(job: Job, message: TelegramMessage): Promise<void> {
    const sender = telegram!
    const parts = partsOf(message)
    // Parts sent by an earlier attempt are not sent again.
    const done = (job.externalId ?? '')
      .split(',')
      .filter((s) => /^\d+$/.test(s))
      .map(Number)
    let chatId = job.recipient
    let migrations = 0
    while (done.length < parts.length) {
      const part = parts[done.length]!
      if (!(await awaitSlot(job, chatId, done, sender.timeoutMs))) return
      let messageId: number
      job.onWire = true
      job.attempted = true
      const sendStarted = performance.now()
      try {
        messageId = await sender.sendMessage(chatId, part)
        observeSend('telegram', (performance.now() - sendStarted) / 1000)
      } catch (err) {
        const failure: SendFailure =
          err instanceof SendError
            ? err.failure
            : { kind: 'retry', reason: describeError(err), ambiguous: true }
        // A 429 or a request that never left was not counted by Telegram; anything else may have been.
        const counted =
          failure.kind !== 'rate-limited' &&
          !(failure.kind === 'retry' && !failure.ambiguous && failure.reason.startsWith('network'))
        job.onWire = false
        await finishSlot(chatId, counted)
        if (failure.kind === 'migrated' && migrations < 2) {
          migrations++
          await followMigration(chatId, failure.newChatId)
          chatId = failure.newChatId
          continue
        }
        return onFailure(job, failure, chatId, done)
      } finally {
        job.onWire = false
      }
      await finishSlot(chatId, true)
      done.push(messageId)
      // Remember the parts already sent, so a retry sends only the rest.
      if (done.length < parts.length)
        await persist(() =>
          db.execute(sql`update deliveries set external_id = ${done.join(',')}, updated_at = now()
            where id = ${job.id} and attempt_id = ${job.attemptId} and status = 'sending'`),
        )
    }
    await markSent(
      job,
      done.map((id) => String(id)),
      chatId,
    )
    logger.debug({ delivery: job.id, chat: chatId, parts: done.length }, 'telegram message sent')
  }

  // ---- email --------------------------------------------------------------------------------------

  async function deliverEmail(job: Job, message: EmailMessage): Promise<void> {
    const sender = email!
    if (abort.signal.aborted || !leaseAllows(job, sender.timeoutMs)) return giveBack(job, 0)
    let messageId: string
    job.onWire = true
    job.attempted = true
    const sendStarted = performance.now()
    try {
      messageId = await sender.send({ deliveryId: job.id, key: job.key, to: job.recipient, message })
      observeSend('email', (performance.now() - sendStarted) / 1000)
    } catch (err) {
      const failure: SendFailure =
        err instanceof SendError
          ? err.failure
          : { kind: 'retry', reason: describeError(err), ambiguous: true }
      return onFailure(job, failure, job.recipient, [])
    } finally {
      job.onWire = false
    }
    await markSent(job, [messageId], job.recipient)
    logger.debug({ delivery: job.id }, 'email sent')
  }

  // ---- one row ------------------------------------------------------------------------------------

  async function deliver(job: Job): Promise<void> {
    const locale = job.payload?.locale ?? job.personLocale ?? 'zh-CN'
    let rendered
    try {
      const now = clock()
      rendered = renderPayload(job.payload, locale, {
        now,
        tz: config.timezone,
        ...(await answerLinksFor(job, now)),
      })
    } catch (err) {
      return retryLater(job, `render: ${describeError(err)}`, false)
    }
    if (job.channel === 'telegram') {
      if (!rendered.telegram)
        return finalFailure(job, 'dead', `template "${job.payload.template}" has no Telegram form`)
      return deliverTelegram(job, rendered.telegram)
    }
    if (!rendered.email)
      return finalFailure(job, 'dead', `template "${job.payload.template}" has no email form`)
    return deliverEmail(job, rendered.email)
  }

  /**
   * An email to a person about a unit carries one-tap answer links signed for that person and
   * unit (the web desk checks, when one is used, that the person may still report for the unit).
   */
  async function answerLinksFor(job: Job, now: Date): Promise<{ answerLinks?: AnswerLinkBuilder }> {
    if (job.channel !== 'email' || job.personId === null || job.unitId === null || !config.publicUrl) return {}
    const key = await signingKey(db, config.webSigningKey)
    return {
      answerLinks: answerLinkBuilder({
        key,
        baseUrl: config.publicUrl,
        personId: job.personId,
        unitId: job.unitId,
        now,
      }),
    }
  }

  // ---- the loop -----------------------------------------------------------------------------------

  async function loop(): Promise<void> {
    if (telegram?.warmUp) {
      // Bounded: an unreachable Bot API must not hold up email.
      const warm = new AbortController()
      await Promise.race([telegram.warmUp(Math.min(capacity.telegram, 8)), sleep(5000, warm.signal)])
      warm.abort()
    }
    let errorDelay = 250
    while (running) {
      let claimed = 0
      try {
        claimed = await claimAndLaunch()
        errorDelay = 250
      } catch (err) {
        logger.error({ err }, 'delivery worker: claiming failed; trying again')
        await sleep(errorDelay)
        errorDelay = Math.min(errorDelay * 2, 10_000)
        continue
      }
      if (!running) break
      const full = channels.every((c) => inflightOf(c) >= capacity[c])
      if (claimed > 0 && !full) {
        // Yield to timers and I/O before claiming again (PGlite answers without leaving the microtask queue).
        await new Promise((resolve) => setImmediate(resolve))
        continue
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idlePollMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      // Let sends finishing in the same turn free their places, so one claim serves them together.
      if (running) await new Promise((resolve) => setImmediate(resolve))
    }
  }

  async function outstanding(): Promise<number> {
    const [row] = await query<{ n: number | string }>(
      db,
      sql`select count(*) as n from deliveries where status in ('pending', 'sending') and channel = any(${textArray(channels)})`,
    )
    return row ? num(row.n) : 0
  }

  const worker: DeliveryWorker = {
    get inFlight() {
      return inflight.size
    },
    budget,

    start() {
      if (running) return
      running = true
      abort = newAbort()
      loopDone = loop()
    },

    async stop() {
      if (running) {
        running = false
        notify()
        await loopDone
      }
      abort.abort()
      const all = Promise.allSettled([...tasks])
      let timer: NodeJS.Timeout | undefined
      const finished = await Promise.race([
        all.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), stopDeadlineMs))),
      ])
      clearTimeout(timer)
      if (!finished) {
        // Sends still on the wire after the deadline: give their rows back, marked ambiguous.
        for (const job of inflight.values()) {
          await transition(
            db,
            job,
            sql`status = 'pending', attempt_id = null, next_attempt_at = now(),
                ambiguous_at = case when ${job.onWire}::boolean then coalesce(ambiguous_at, now()) else ambiguous_at end,
                last_error = case when ${job.onWire}::boolean then ${AMBIGUOUS_STOP} else last_error end`,
          ).catch((err: unknown) =>
            logger.error({ err, delivery: job.id }, 'delivery worker: could not release a row'),
          )
        }
      }
      if (ownsEmail) email?.close()
    },

    async drainOnce() {
      abort = newAbort()
      const claimed = await claimAndLaunch()
      await Promise.allSettled([...tasks])
      return claimed
    },

    async runUntilIdle(opts = {}) {
      const deadline = performance.now() + (opts.timeoutMs ?? 30_000)
      const started = !running
      if (started) worker.start()
      try {
        for (;;) {
          if (inflight.size === 0 && (await outstanding()) === 0) return
          if (performance.now() > deadline)
            throw new Error(
              `delivery worker: still ${await outstanding()} pending or sending deliveries after ${opts.timeoutMs ?? 30_000} ms`,
            )
          await sleep(25)
        }
      } finally {
        if (started) await worker.stop()
      }
    },
  }
  return worker
}
