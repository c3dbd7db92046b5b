/**
 * How a channel says why a send failed, so the worker can decide: retry (with backoff), pause a
 * rate scope, follow a group migration, mark the recipient unreachable, or give up.
 */

export type SendFailure =
  /** Transient (5xx, refused connection, SMTP 4xx): try again later. `ambiguous`: the request may have arrived. */
  | { kind: 'retry'; reason: string; ambiguous: boolean }
  /** Telegram 429: pause the scope for `retryAfterSec`, then try again (not counted as an attempt). */
  | { kind: 'rate-limited'; reason: string; retryAfterSec: number }
  /** The group became a supergroup: send to `newChatId` instead. */
  | { kind: 'migrated'; reason: string; newChatId: string }
  /** Telegram 403 / chat not found: the person or group cannot be reached; not retried. */
  | { kind: 'unreachable'; reason: string }
  /** SMTP refused this recipient (5xx at RCPT TO): this row fails, others are unaffected. */
  | { kind: 'rejected'; reason: string }
  /** A message the server will never accept (Telegram 400, SMTP 5xx): dead-lettered. */
  | { kind: 'permanent'; reason: string }

export class SendError extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.reason)
    this.name = 'SendError'
  }
}

/** A short, single-line description of any thrown value, for `last_error`. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.replace(/\s+/g, ' ').trim().slice(0, 500)
}
