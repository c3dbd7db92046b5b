/**
 * The logger (pino). Secrets are redacted by path, and the bot token is scrubbed from any string
 * that reaches the log (grammY puts it in request URLs and some error messages).
 */
import pino, { type Logger } from 'pino'

export type { Logger }

const secretPaths = [
  'token',
  'botToken',
  'password',
  'smtpUrl',
  'databaseUrl',
  'webhookSecret',
  '*.token',
  '*.botToken',
  '*.password',
  '*.smtpUrl',
  '*.databaseUrl',
  '*.webhookSecret',
  'headers["x-telegram-bot-api-secret-token"]',
]

/** Removes bot tokens (`123:ABC…`) and URL credentials from a string. */
export function scrub(text: string): string {
  return text
    .replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, '[token]')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[credentials]@')
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: secretPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) =>
              typeof a === 'string' ? scrub(a) : a instanceof Error ? scrubError(a) : a,
            ) as Parameters<typeof method>,
          )
        },
      },
      serializers: { err: (e: Error) => pino.stdSerializers.err(scrubError(e)) },
    },
    destination ?? pino.destination(2),
  )
}

function scrubError(e: Error): Error {
  const copy = new Error(scrub(e.message))
  copy.name = e.name
  copy.stack = e.stack ? scrub(e.stack) : undefined
  return copy
}

/** A logger that writes nothing, for tests and one-shot CLI commands at LOG_LEVEL=silent. */
export const silentLogger: Logger = pino({ level: 'silent' })
