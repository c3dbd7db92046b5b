/**
 * The bot's own answers spend the same Telegram rate budget as the outbox (rate-budget.ts, shared
 * by every replica through Postgres), so a burst of commands cannot push the outbox's sends into
 * 429s, nor the outbox make an answer one:
 *
 * - every message the bot sends takes a token slot (about 27 per second, all replicas together);
 * - an answer into a group also waits for the group's own limits (1 per second, 20 per minute),
 *   and may use only `groupPerMinute − groupHeadroom` of the minute: a flood of commands in one
 *   group always leaves the outbox room for its reminders there;
 * - an answer into a private chat is not paced within the chat (a person asking twice gets both
 *   answers at once).
 *
 * An answer that cannot have its slot within `maxWaitMs` is not sent: `AnswerDropped` is thrown,
 * which the bot's error handler logs without apologizing (an apology would be one more message).
 * When the budget itself fails (the database is away) the answer goes out unpaced.
 */
import type { Transformer } from 'grammy'
import type { Logger } from '../log.ts'
import { LATE_SLOT_RETRIES, sleepToSlot, type RateBudget } from '../delivery/rate-budget.ts'
import { sleep } from '../delivery/sleep.ts'
import { isGroupChat } from '../domain/chats.ts'

/** The API methods that put a message into a chat (edits included: Telegram counts them too). */
const SENDING = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendMediaGroup',
  'sendAudio',
  'sendVideo',
  'sendVoice',
  'sendAnimation',
  'sendSticker',
  'sendLocation',
  'sendContact',
  'sendPoll',
  'copyMessage',
  'forwardMessage',
  'editMessageText',
  'editMessageCaption',
  'editMessageReplyMarkup',
  'editMessageMedia',
])

export class AnswerDropped extends Error {
  override name = 'AnswerDropped'
  constructor(
    readonly chatId: string,
    readonly method: string,
  ) {
    super(`no Telegram rate slot for ${method} into chat ${chatId} in time; the answer was not sent`)
  }
}

export interface AnswerPacingOptions {
  budget: RateBudget
  logger: Logger
  /** Longest an answer waits for its slot before it is dropped (default 10 s). */
  maxWaitMs?: number
  /** Of a group's messages per minute, how many the answers leave to the outbox (default 5). */
  groupHeadroom?: number
  /** The send's own timeout, for how long a group stays held if the answer is never reported. */
  sendTimeoutMs?: number
}

/** A grammY API transformer pacing the bot's sends by the shared budget. */
export function answerPacing(options: AnswerPacingOptions): Transformer {
  const { budget, logger } = options
  const maxWaitMs = options.maxWaitMs ?? 10_000
  const groupHeadroom = options.groupHeadroom ?? 5
  const holdMs = maxWaitMs + (options.sendTimeoutMs ?? 30_000) + 2000

  /**
   * Waits for a slot; 'dropped' when none comes in time. Woken well after its slot (a starved
   * process), it takes a fresh one, as the outbox does. Budget failures let the answer through.
   */
  async function takeSlot(chatId: string, group: boolean): Promise<'granted' | 'unpaced' | 'dropped'> {
    const deadline = performance.now() + maxWaitMs
    let lateSlots = 0
    try {
      for (;;) {
        const left = deadline - performance.now()
        const r = group
          ? await budget.reserve(chatId, Math.max(0, left), holdMs, { groupHeadroom })
          : await budget.reserveToken(Math.max(0, left))
        if (r.granted) {
          const { late } = await sleepToSlot(r.waitMs)
          if (late && lateSlots < LATE_SLOT_RETRIES && performance.now() < deadline) {
            lateSlots++
            // The chat's slot was not used: free it for the fresh reservation.
            if (group) await budget.finish(chatId, false)
            continue
          }
          return 'granted'
        }
        if (r.retryInMs > deadline - performance.now()) return 'dropped'
        await sleep(Math.max(10, r.retryInMs))
      }
    } catch (err) {
      logger.warn({ err, chat: chatId }, 'rate budget unavailable; answering without it')
      return 'unpaced'
    }
  }

  return async (prev, method, payload, signal) => {
    const chat = (payload as { chat_id?: number | string } | undefined)?.chat_id
    if (!SENDING.has(method) || chat === undefined) return prev(method, payload, signal)
    const chatId = String(chat)
    const group = isGroupChat(chatId)
    const slot = await takeSlot(chatId, group)
    if (slot === 'dropped') throw new AnswerDropped(chatId, method)
    // Only a group's chat scope is held, and must be released with what happened.
    const release = (counted: boolean) =>
      slot === 'granted' && group
        ? budget
            .finish(chatId, counted)
            .catch((err: unknown) =>
              logger.warn({ err, chat: chatId }, 'could not update the chat rate scope'),
            )
        : Promise.resolve()
    const call = prev(method, payload, signal)
    let result: Awaited<typeof call>
    try {
      result = await call
    } catch (err) {
      // No answer (network): the message may have arrived.
      await release(true)
      throw err
    }
    const answer = result as { ok: boolean; error_code?: number; parameters?: { retry_after?: number } }
    const limited = !answer.ok && answer.error_code === 429
    await release(!limited)
    if (limited) await budget.pauseAfter429(chatId, answer.parameters?.retry_after ?? 5).catch(() => {})
    return result
  }
}
