/**
 * What a message template is: structured, validated parameters in; Telegram HTML and an email
 * (subject, HTML, text) out, per locale. Templates are pure: no database, no clock but `ctx.now`.
 */
import type { z } from 'zod'
import type { Locale } from '../db/schema.ts'

/** An inline keyboard button; `callbackData` is 1–64 bytes of opaque ids. */
export interface MessageButton {
  text: string
  callbackData: string
}

export interface TelegramMessage {
  /** Telegram HTML (parse_mode HTML): every quoted value already escaped with escapeHtml. */
  html: string
  /** Inline keyboard rows; placed on the last part when the message is split. */
  buttons?: MessageButton[][]
  /** Ask the client to open a reply to this message (status prompts); last part only. */
  forceReply?: boolean
  replyToMessageId?: number
  /** Sends a file already on Telegram (by its file id) with `html` as its caption (at most 1024 characters). */
  file?: { kind: 'photo' | 'document'; fileId: string }
  /** A picture sent (sendPhoto) before the text; the text follows as its own message(s). */
  photo?: { data: Uint8Array; fileName: string }
}

export interface EmailAttachment {
  filename: string
  content: Uint8Array
  contentType: string
  /** Content-ID for an inline image (`<img src="cid:…">`). */
  cid?: string
}

export interface EmailMessage {
  subject: string
  html: string
  text: string
  attachments?: EmailAttachment[]
}

/** One message rendered for the channels it can go to; a channel a template omits is not sent. */
export interface RenderedMessage {
  telegram?: TelegramMessage
  email?: EmailMessage
}

/** The three one-tap answer URLs of a task (signed for the recipient), by state. */
export type AnswerLinkBuilder = (taskId: number) => Record<'done' | 'in_progress' | 'blocked', string>

export interface RenderContext {
  now: Date
  /** The plan's timezone (IANA), for dates in the text. */
  tz: string
  /**
   * Set by the sender for an email to a person who may answer for the unit: reminder, prompt and
   * nudge emails then carry one-tap answer links for each open task.
   */
  answerLinks?: AnswerLinkBuilder
  /**
   * Where a template reports a part it had to leave out (the digest's picture that failed to
   * draw); rendering goes on without it. The worker points it at its logger.
   */
  warn?: (fields: Record<string, unknown>, message: string) => void
}

export interface MessageTemplate<P> {
  name: string
  params: z.ZodType<P>
  render(params: P, locale: Locale, ctx: RenderContext): RenderedMessage
}

/** What an outbox row carries: a template name and its parameters, rendered at send time. */
export interface MessagePayload {
  /** A name registered in src/templates/index.ts. */
  template: string
  /** JSON-serializable parameters, validated by the template's schema at send time. */
  params: Record<string, unknown>
  /** Default: the person's locale, else zh-CN. */
  locale?: Locale
  /** Telegram: after a successful send, the prompt is attached to (chat, message id) for replies. */
  promptId?: number
  /** Set on the email row that stands in for an undeliverable Telegram message. */
  fallbackFor?: 'telegram'
}
