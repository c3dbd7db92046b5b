/**
 * The email channel. With SMTP_URL: a pooled nodemailer SMTP transport with short timeouts and
 * `maxRequeues: 0` (nodemailer never resends on its own; the outbox decides). Without it: each
 * email is written to `DATA_DIR/outbox/<id>-<slug>.eml` and counts as delivered there.
 * One row is one recipient; the Message-ID is derived from the delivery, so a resent email
 * carries the same id and mail clients can fold a duplicate.
 */
import { createHash } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js'
import type { EmailMessage } from '../templates/types.ts'
import { scrub } from '../log.ts'
import { describeError, SendError, type SendFailure } from './errors.ts'

export interface OutgoingEmail {
  deliveryId: number
  key: string
  to: string
  message: EmailMessage
}

export interface EmailSender {
  /** `smtp` sends through SMTP_URL; `files` writes .eml files to DATA_DIR/outbox. */
  readonly mode: 'smtp' | 'files'
  /** The longest one send can take before it fails (connection, greeting and socket timeouts). */
  readonly timeoutMs: number
  /** Sends one email; resolves to its Message-ID. Throws SendError. */
  send(mail: OutgoingEmail): Promise<string>
  /** Closes the SMTP pool. */
  close(): void
}

export interface EmailSenderOptions {
  smtpUrl: string | undefined
  mailFrom: string
  dataDir: string
  /** Connection and greeting timeout (default 10 s); the socket timeout is three times that. */
  timeoutMs?: number
}

/** The deterministic Message-ID of a delivery: `<duban.<id>.<hash of key>@<sender's domain>>`. */
export function deliveryMessageId(deliveryId: number, key: string, mailFrom: string): string {
  const domain = /@([^<>\s@]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost'
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16)
  return `<duban.${deliveryId}.${hash}@${domain}>`
}

/** The .eml file name of a delivery: `<id>-<key as a slug>.eml`. */
export function emlFileName(deliveryId: number, key: string): string {
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
  return `${deliveryId}-${slug || 'message'}.eml`
}

interface SmtpError {
  code?: string
  responseCode?: number
  command?: string
  message?: string
}

/** Classifies a nodemailer error: 4xx and connection trouble are retried, 5xx are final. */
export function classifySmtpError(err: unknown): SendFailure {
  const e = (err ?? {}) as SmtpError
  const reason = `smtp: ${scrub(describeError(err))}`
  const code = e.responseCode
  if (code !== undefined && code >= 500)
    return e.command === 'RCPT TO' ? { kind: 'rejected', reason } : { kind: 'permanent', reason }
  if (code !== undefined && code >= 400) return { kind: 'retry', reason, ambiguous: false }
  // No reply code: the connection failed. If it never opened (refused, unknown host, no greeting)
  // the message did not go out; a connection that closed or broke during the session may have
  // delivered it (nodemailer reports both as 'CONN', so only the cause tells them apart).
  const text = `${e.code ?? ''} ${e.message ?? ''}`
  const neverOpened =
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EDNS|Greeting never received|Connection timeout/i.test(
      text,
    ) || e.code === 'EAUTH'
  return { kind: 'retry', reason, ambiguous: !neverOpened }
}

/** The message's attachments as nodemailer takes them (inline images keep their Content-ID). */
function attachmentsOf(message: EmailMessage) {
  return (message.attachments ?? []).map((a) => ({
    filename: a.filename,
    content: Buffer.from(a.content),
    contentType: a.contentType,
    ...(a.cid ? { cid: a.cid } : {}),
  }))
}

/** The sender for the configuration: SMTP when `smtpUrl` is set, else .eml files. */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const timeout = options.timeoutMs ?? 10_000
  if (!options.smtpUrl) {
    const dir = path.join(options.dataDir, 'outbox')
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
    return {
      mode: 'files',
      timeoutMs: 10_000,
      async send(mail) {
        const messageId = deliveryMessageId(mail.deliveryId, mail.key, options.mailFrom)
        const info = await transport.sendMail({
          from: options.mailFrom,
          to: mail.to,
          subject: mail.message.subject,
          html: mail.message.html,
          text: mail.message.text,
          attachments: attachmentsOf(mail.message),
          messageId,
        })
        await mkdir(dir, { recursive: true })
        // Written whole, then renamed: a crash never leaves half a file, and a resend overwrites.
        const file = path.join(dir, emlFileName(mail.deliveryId, mail.key))
        await writeFile(`${file}.tmp`, info.message)
        await rename(`${file}.tmp`, file)
        return messageId
      },
      close() {},
    }
  }
  const transport = nodemailer.createTransport({
    ...parseConnectionUrl(options.smtpUrl),
    pool: true,
    maxConnections: 3,
    maxRequeues: 0,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
  } as Parameters<typeof nodemailer.createTransport>[0])
  return {
    mode: 'smtp',
    timeoutMs: timeout * 5,
    async send(mail) {
      const messageId = deliveryMessageId(mail.deliveryId, mail.key, options.mailFrom)
      try {
        await transport.sendMail({
          from: options.mailFrom,
          to: mail.to,
          subject: mail.message.subject,
          html: mail.message.html,
          text: mail.message.text,
          attachments: attachmentsOf(mail.message),
          messageId,
        })
      } catch (err) {
        throw new SendError(classifySmtpError(err))
      }
      return messageId
    },
    close() {
      transport.close()
    },
  }
}
