/**
 * The Telegram channel: one `sendMessage` per message part through grammY's `Api`, with every
 * failure classified for the worker (errors.ts). No auto-retry here: the outbox decides retries,
 * because retrying a request that may have arrived is how duplicates happen.
 */
import { Api, GrammyError, HttpError, InputFile } from 'grammy'
import type { InlineKeyboardMarkup, ForceReply } from 'grammy/types'
import type { TelegramMessage } from '../templates/types.ts'
import { scrub } from '../log.ts'
import { describeError, SendError, type SendFailure } from './errors.ts'

export type TelegramPart = TelegramMessage

export interface TelegramSender {
  /** The bot's id (the token's numeric prefix): the rate budget is per bot token. */
  readonly botId: string
  /** The longest one send can take before it fails (its request timeout). */
  readonly timeoutMs: number
  /** Sends one message (a picture when the part has one); resolves to its message id. Throws SendError. */
  sendMessage(chatId: string, part: TelegramPart): Promise<number>
  /**
   * Opens `connections` connections ahead of the first sends (getMe), so the first messages are
   * not late for their rate slots while connections are set up. Never throws.
   */
  warmUp?(connections: number): Promise<void>
}

export interface TelegramSenderOptions {
  token: string
  /** Bot API root without a trailing slash (config.telegramApiRoot, or the emulator's). */
  apiRoot: string
  /** Per-request timeout; must stay well below the worker's lease (default 15 s). */
  timeoutSeconds?: number
}

/** A request that never reached the server (refused, DNS, unreachable): safe to send again. */
class NotSentError extends Error {
  override name = 'NotSentError'
}

const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

/**
 * fetch for grammY: Node's own, reporting whether a failure happened before the request left,
 * and turning a non-JSON error page (a proxy's 502) into a Bot API error with that status.
 */
async function botApiFetch(
  url: string,
  init: Record<string, unknown>,
  onAnswered: () => void = () => {},
): Promise<{ json(): Promise<unknown> }> {
  const { method, headers, body, signal } = init as RequestInit
  let res: Response
  try {
    // A file upload's body is a stream, which Node's fetch sends only with duplex 'half'.
    res = await fetch(url, { method, headers, body, signal, duplex: 'half' })
    onAnswered()
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    if (cause?.code && notSentCodes.has(cause.code)) throw new NotSentError(`${cause.code}: request not sent`)
    throw err
  }
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = { ok: false, error_code: res.status, description: `HTTP ${res.status} without a Bot API answer` }
  }
  return { json: () => Promise.resolve(parsed) }
}

const unreachablePatterns = [
  /chat not found/i,
  /user not found/i,
  /PEER_ID_INVALID/i,
  /group chat was deactivated/i,
  /bot was kicked/i,
  /not enough rights to send/i,
  /have no rights to send/i,
]

/** Classifies whatever grammY threw for one sendMessage. */
export function classifyTelegramError(err: unknown): SendFailure {
  if (err instanceof GrammyError) {
    const reason = `telegram ${err.error_code}: ${err.description}`
    const p = err.parameters
    if (err.error_code === 429) return { kind: 'rate-limited', reason, retryAfterSec: p.retry_after ?? 5 }
    if (p.migrate_to_chat_id !== undefined)
      return { kind: 'migrated', reason, newChatId: String(p.migrate_to_chat_id) }
    if (err.error_code === 403) return { kind: 'unreachable', reason }
    if (err.error_code === 400 && unreachablePatterns.some((re) => re.test(err.description)))
      return { kind: 'unreachable', reason }
    if (err.error_code === 400) return { kind: 'permanent', reason }
    // 5xx, 401/404 (a token problem an operator can fix), anything else: retried until given up.
    return { kind: 'retry', reason, ambiguous: false }
  }
  if (err instanceof HttpError) {
    const inner = err.error
    if (inner instanceof NotSentError)
      return { kind: 'retry', reason: `network: ${inner.message}`, ambiguous: false }
    // Reset after sending, timeout, a body cut off: the message may have been accepted.
    const cause = (inner as { cause?: { code?: string; message?: string } }).cause
    const detail = [describeError(inner), cause?.code, cause?.message].filter(Boolean).join(' ')
    return { kind: 'retry', reason: `network: ${scrub(detail)}`, ambiguous: true }
  }
  return { kind: 'retry', reason: scrub(describeError(err)), ambiguous: true }
}

/**
 * botApiFetch with a request timeout that a busy machine cannot turn into a duplicate. A timer
 * that fires on a starved event loop runs before the loop reads sockets (Node runs timers first
 * in each turn), so Telegram's answer, already received, would lose to the timeout: the send
 * counted as failed (ambiguous), and sent again. Here the timeout lets one round of I/O pass
 * first (setImmediate runs after the poll phase) and aborts only a request still unanswered; once
 * the answer's headers are in, the send is decided and the timeout no longer applies.
 */
function fetchWithTimeout(timeoutMs: number) {
  return async (url: string, init: Record<string, unknown>) => {
    const controller = new AbortController()
    const outer = (init as RequestInit).signal
    const onOuterAbort = () => controller.abort(outer?.reason)
    if (outer?.aborted) onOuterAbort()
    else outer?.addEventListener('abort', onOuterAbort, { once: true })
    let answered = false
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (!answered) controller.abort(new Error(`no answer within ${timeoutMs} ms`))
        }),
      timeoutMs,
    )
    try {
      return await botApiFetch(url, { ...init, signal: controller.signal }, () => (answered = true))
    } finally {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuterAbort)
    }
  }
}

/** A sender on grammY's Api (no transformers: no auto-retry, no throttler). */
export function createTelegramSender(options: TelegramSenderOptions): TelegramSender {
  const timeoutSeconds = options.timeoutSeconds ?? 15
  const api = new Api(options.token, {
    apiRoot: options.apiRoot.replace(/\/+$/, ''),
    // The timeout that counts is fetchWithTimeout's; grammY's own (a plain timer) is only a
    // backstop for an answer whose body never ends.
    timeoutSeconds: timeoutSeconds * 2 + 5,
    // grammY types `fetch` with node-fetch's types (not installed here); ours has the shape it calls.
    fetch: fetchWithTimeout(timeoutSeconds * 1000),
  })
  const botId = options.token.split(':')[0] ?? 'bot'
  return {
    botId,
    timeoutMs: (options.timeoutSeconds ?? 15) * 1000,
    async warmUp(connections) {
      await Promise.allSettled(Array.from({ length: connections }, () => api.getMe()))
    },
    async sendMessage(chatId, part) {
      let reply_markup: InlineKeyboardMarkup | ForceReply | undefined
      if (part.buttons?.length)
        reply_markup = {
          inline_keyboard: part.buttons.map((row) =>
            row.map((b) => ({ text: b.text, callback_data: b.callbackData })),
          ),
        }
      else if (part.forceReply) reply_markup = { force_reply: true, selective: true }
      const chat = /^-?\d+$/.test(chatId) ? Number(chatId) : chatId
      try {
        if (part.photo) {
          const photo = await api.sendPhoto(chat, new InputFile(part.photo.data, part.photo.fileName))
          return photo.message_id
        }
        if (part.file) {
          const extra = {
            caption: part.html,
            parse_mode: 'HTML' as const,
            ...(reply_markup ? { reply_markup } : {}),
          }
          const sent =
            part.file.kind === 'photo'
              ? await api.sendPhoto(chat, part.file.fileId, extra)
              : await api.sendDocument(chat, part.file.fileId, extra)
          return sent.message_id
        }
        const msg = await api.sendMessage(chat, part.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(reply_markup ? { reply_markup } : {}),
          ...(part.replyToMessageId
            ? { reply_parameters: { message_id: part.replyToMessageId, allow_sending_without_reply: true } }
            : {}),
        })
        return msg.message_id
      } catch (err) {
        throw new SendError(classifyTelegramError(err))
      }
    },
  }
}
