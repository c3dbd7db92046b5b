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
  return text.replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, '[token]').replace(
    // The password may itself contain `@` or `/`: hide everything up to the last `@` of the word
    // (over-hiding a host is harmless; a password's tail in the log is not).
    /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:\S*@/gi,
    '$1[credentials]@',
  )
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
      serializers: { err: (e: Error) => pino.stdSerializers.errWithCause(scrubError(e)) },
    },
    destination ?? pino.destination(2),
  )
}

/** What a database error says beyond its message (PostgreSQL's SQLSTATE, detail, constraint…). */
const KEPT_FIELDS = [
  'code',
  'detail',
  'hint',
  'severity',
  'constraint_name',
  'table_name',
  'column_name',
  'schema_name',
  'where',
] as const

function scrubError(e: Error, depth = 0): Error {
  const copy = new Error(scrub(e.message))
  copy.name = e.name
  copy.stack = e.stack ? scrub(e.stack) : undefined
  const fields = copy as unknown as Record<string, unknown>
  const source = e as unknown as Record<string, unknown>
  for (const key of KEPT_FIELDS) {
    const v = source[key]
    if (typeof v === 'string') fields[key] = scrub(v)
    else if (typeof v === 'number') fields[key] = v
  }
  // drizzle wraps the driver's error: keep the cause (scrubbed too), where the code lives.
  if (e.cause instanceof Error && depth < 3) copy.cause = scrubError(e.cause, depth + 1)
  return copy
}

/** A logger that writes nothing, for tests and one-shot CLI commands at LOG_LEVEL=silent. */
export const silentLogger: Logger = pino({ level: 'silent' })
