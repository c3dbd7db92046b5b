/**
 * The delivery worker: claims due outbox rows and sends them, under leases, so that any number of
 * processes can run it against one Postgres. This file is the loop; the parts live next door:
 * claim.ts (claiming), outcomes.ts (recording how an attempt ended), send-telegram.ts and
 * send-email.ts (the sends), and the recipients module decides email fallbacks.
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
import { sql } from 'drizzle-orm'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { Channel } from '../db/schema.ts'
import { num, query, textArray } from '../db/sql.ts'
import type { Logger } from '../log.ts'
import { answerLinkBuilder, signingKey } from '../domain/answer-links.ts'
import type { AnswerLinkBuilder } from '../templates/types.ts'
import { renderPayload } from '../templates/index.ts'
import { claimDeliveries, type ClaimedDelivery } from './claim.ts'
import { createEmailSender, type EmailSender } from './email.ts'
import { describeError } from './errors.ts'
import { createOutcomes } from './outcomes.ts'
import { createRateBudget, type RateBudget, type TelegramLimits } from './rate-budget.ts'
import { createEmailDelivery } from './send-email.ts'
import { createTelegramDelivery } from './send-telegram.ts'
import { sleep } from './sleep.ts'
import { createTelegramSender, type TelegramSender } from './telegram.ts'

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
  /** Share of the per-token Telegram limit used (default 0.9, see rate-budget.ts). */
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
   * due); rejects with what was left once `stallMs` (default 30 s) pass without progress (no row
   * finished), so a slow machine only takes longer and a stuck worker is still found out.
   */
  runUntilIdle(options?: { stallMs?: number }): Promise<void>
  /** Rows being processed right now. */
  readonly inFlight: number
  /** The shared rate budget (null without Telegram). */
  readonly budget: RateBudget | null
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

  const inflight = new Map<number, ClaimedDelivery>()
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

  const outcomes = createOutcomes({
    db,
    logger,
    maxAttempts: options.maxAttempts ?? 8,
    backoff: { baseMs: options.backoff?.baseMs ?? 30_000, capMs: options.backoff?.capMs ?? 3_600_000 },
    budget,
    now: clock,
  })
  const signal = () => abort.signal
  const telegramDelivery =
    telegram && budget
      ? createTelegramDelivery({
          db,
          logger,
          sender: telegram,
          budget,
          outcomes,
          leaseMs,
          maxSlotWaitMs,
          signal,
        })
      : null
  const emailDelivery = email
    ? createEmailDelivery({ logger, sender: email, outcomes, leaseMs, signal })
    : null

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

  // ---- claiming ---------------------------------------------------------------------------------

  /** Claims for every channel with room; starts each claimed row; returns how many were claimed. */
  async function claimAndLaunch(): Promise<number> {
    let claimed = 0
    for (const channel of channels) {
      const free = capacity[channel] - inflightOf(channel)
      if (free <= 0) continue
      const busyChats = [...inflight.values()].filter((j) => j.channel === 'telegram').map((j) => j.recipient)
      const rows = await claimDeliveries(db, {
        channel,
        limit: free,
        attemptId: `${workerId}:${++claimCounter}`,
        leaseMs,
        ...(channel === 'telegram' && budget ? { telegram: { budget, busyChats } } : {}),
      })
      for (const row of rows) launch(row)
      claimed += rows.length
    }
    return claimed
  }

  function launch(job: ClaimedDelivery): void {
    inflight.set(job.id, job)
    const task = deliver(job)
      .catch(async (err: unknown) => {
        logger.error({ err, delivery: job.id }, 'delivery worker: a database step failed')
        // Nothing went out for this row: give it back as soon as the database answers again.
        // Otherwise the lease expires and the row is claimed again, marked ambiguous.
        if (!job.attempted)
          await outcomes
            .giveBack(job, 0)
            .catch((e: unknown) =>
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

  /**
   * An email to a person about a unit carries one-tap answer links signed for that person and
   * unit (the web desk checks, when one is used, that the person may still report for the unit).
   */
  async function answerLinksFor(
    job: ClaimedDelivery,
    now: Date,
  ): Promise<{ answerLinks?: AnswerLinkBuilder }> {
    if (job.channel !== 'email' || job.personId === null || job.unitId === null || !config.publicUrl)
      return {}
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

  // ---- one row ------------------------------------------------------------------------------------

  async function deliver(job: ClaimedDelivery): Promise<void> {
    const locale = job.payload?.locale ?? job.personLocale ?? 'zh-CN'
    let rendered
    try {
      const now = clock()
      rendered = renderPayload(job.payload, locale, {
        now,
        tz: config.timezone,
        ...(await answerLinksFor(job, now)),
        // What a template leaves out (a picture that failed to draw) is logged with the row.
        warn: (fields, message) => logger.warn({ ...fields, delivery: job.id }, message),
      })
    } catch (err) {
      return outcomes.retryLater(job, `render: ${describeError(err)}`, false)
    }
    if (job.channel === 'telegram') {
      if (!rendered.telegram)
        return outcomes.finalFailure(job, 'dead', `template "${job.payload.template}" has no Telegram form`)
      return telegramDelivery!.deliver(job, rendered.telegram)
    }
    if (!rendered.email)
      return outcomes.finalFailure(job, 'dead', `template "${job.payload.template}" has no email form`)
    return emailDelivery!.deliver(job, rendered.email)
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
          await outcomes
            .releaseOnStop(job)
            .catch((err: unknown) =>
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
      const stallMs = opts.stallMs ?? 30_000
      let fewest = Infinity
      let progressAt = performance.now()
      const started = !running
      if (started) worker.start()
      try {
        for (;;) {
          const left = await outstanding()
          if (inflight.size === 0 && left === 0) return
          if (left < fewest) {
            fewest = left
            progressAt = performance.now()
          } else if (performance.now() - progressAt > stallMs) {
            throw new Error(
              `delivery worker: still ${left} pending or sending deliveries, none finished in the last ${stallMs} ms`,
            )
          }
          await sleep(25)
        }
      } finally {
        if (started) await worker.stop()
      }
    },
  }
  return worker
}
