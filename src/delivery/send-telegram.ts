/**
 * Sending one claimed Telegram row: split the message at line boundaries under 4096 characters,
 * wait for each part's slot in the shared rate budget (rate-budget.ts), send, follow a group's
 * migration to a supergroup at once, and record the outcome (outcomes.ts). Parts an earlier
 * attempt sent are not sent again.
 */
import { observeSend } from '../metrics.ts'
import { performance } from 'node:perf_hooks'
import type { Db } from '../db/client.ts'
import type { Logger } from '../log.ts'
import type { TelegramMessage } from '../templates/types.ts'
import { splitHtmlMessage } from '../telegram/html.ts'
import { leaseAllows, type ClaimedDelivery } from './claim.ts'
import { describeError, SendError, type SendFailure } from './errors.ts'
import type { Outcomes } from './outcomes.ts'
import { LATE_SLOT_RETRIES, sleepToSlot, type RateBudget } from './rate-budget.ts'
import { sleep } from './sleep.ts'
import type { TelegramPart, TelegramSender } from './telegram.ts'

export interface TelegramDeliveryOptions {
  db: Db
  logger: Logger
  sender: TelegramSender
  budget: RateBudget
  outcomes: Outcomes
  leaseMs: number
  /** A send whose rate slot is further away than this gives its row back. */
  maxSlotWaitMs: number
  /** Aborts when the worker stops: rows waiting for a slot are given back. */
  signal: () => AbortSignal
}

/** The message's parts: buttons and force-reply on the last, the reply target on the first. */
function partsOf(message: TelegramMessage): TelegramPart[] {
  // A file goes as one message, its text the caption (kept short by its template).
  if (message.file) return [{ ...message }]
  const htmls = splitHtmlMessage(message.html)
  // A picture goes first, as its own part: a retry after it was sent sends only the text.
  const photo: TelegramPart[] = message.photo ? [{ html: '', photo: message.photo }] : []
  return [
    ...photo,
    ...htmls.map((html, i) => {
      const part: TelegramPart = { html }
      if (i === 0 && message.replyToMessageId !== undefined) part.replyToMessageId = message.replyToMessageId
      if (i === htmls.length - 1) {
        if (message.buttons) part.buttons = message.buttons
        if (message.forceReply) part.forceReply = message.forceReply
      }
      return part
    }),
  ]
}

/** Sends claimed Telegram rows; see the module comment. */
export function createTelegramDelivery(options: TelegramDeliveryOptions) {
  const { logger, sender, budget, outcomes, leaseMs, maxSlotWaitMs } = options

  /** Tells the budget a granted slot was used (or not); a failure only delays the chat's next send. */
  async function finishSlot(chatId: string, sent: boolean): Promise<void> {
    await budget
      .finish(chatId, sent)
      .catch((err: unknown) =>
        logger.warn({ err, chat: chatId }, 'delivery worker: could not update the chat rate scope'),
      )
  }

  /** Waits for this part's rate slot; false when the row was given back instead (busy, stopping). */
  async function awaitSlot(job: ClaimedDelivery, chatId: string, progress: number[]): Promise<boolean> {
    const signal = options.signal()
    const sendTimeoutMs = sender.timeoutMs
    let lateSlots = 0
    for (;;) {
      if (signal.aborted) {
        await outcomes.giveBack(job, 0, progress)
        return false
      }
      // The chat stays held through the send; finish() releases it when the answer is in.
      const r = await budget.reserve(chatId, maxSlotWaitMs, maxSlotWaitMs + sendTimeoutMs + 2000)
      if (r.granted) {
        const { woke, late } = await sleepToSlot(r.waitMs, signal)
        if (!woke || !leaseAllows(job, sendTimeoutMs, leaseMs)) {
          await finishSlot(chatId, false)
          await outcomes.giveBack(job, 0, progress)
          return false
        }
        // Woken well after the slot (a busy machine): take a fresh one.
        if (late && lateSlots < LATE_SLOT_RETRIES) {
          lateSlots++
          await finishSlot(chatId, false)
          continue
        }
        return true
      }
      if (r.retryInMs > maxSlotWaitMs) {
        // A busy chat: the claim filter hands the row out again once the chat is free (another
        // replica's send into it may finish any moment). A paused or long token queue: wait it out.
        await outcomes.giveBack(job, r.busy === 'chat' ? 0 : r.retryInMs, progress)
        return false
      }
      if (!(await sleep(r.retryInMs, signal))) {
        await outcomes.giveBack(job, 0, progress)
        return false
      }
    }
  }

  /** Sends the rendered message to the row's chat and records the outcome. */
  async function deliver(job: ClaimedDelivery, message: TelegramMessage): Promise<void> {
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
      if (!(await awaitSlot(job, chatId, done))) return
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
          await outcomes.followMigration(chatId, failure.newChatId)
          chatId = failure.newChatId
          continue
        }
        return outcomes.failed(job, failure, chatId, done)
      } finally {
        job.onWire = false
      }
      await finishSlot(chatId, true)
      done.push(messageId)
      if (done.length < parts.length) await outcomes.recordProgress(job, done)
    }
    await outcomes.markSent(
      job,
      done.map((id) => String(id)),
      chatId,
    )
    logger.debug({ delivery: job.id, chat: chatId, parts: done.length }, 'telegram message sent')
  }

  return { deliver }
}
