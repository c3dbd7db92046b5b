/**
 * The service's configuration: the one place that reads the environment.
 *
 * `loadConfig` validates every variable with zod and either returns a typed `Config` or throws a
 * `ConfigError` whose message has one line per problem: the variable, what was expected, and an
 * example. `.env` in the working directory is loaded first if present (it never overrides a
 * variable that is already set).
 */
import path from 'node:path'
import { isIP } from 'node:net'
import { existsSync } from 'node:fs'
import dotenv from 'dotenv'
import * as z from 'zod'

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const urlWithProtocols = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol)
    } catch {
      return false
    }
  })

/** Each entry: the zod schema, and the expectation and example printed when it fails. */
const fields = {
  BOT_TOKEN: {
    schema: z.preprocess(
      empty,
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/)
        .optional(),
    ),
    expect: 'a Telegram bot token from @BotFather, or unset for sandbox mode',
    example: '123456789:AAH5ex-ample_TokenFromBotFather0000',
  },
  TELEGRAM_API_ROOT: {
    schema: z.preprocess(empty, urlWithProtocols(['http:', 'https:']).default('https://api.telegram.org')),
    expect: 'an http(s) URL of the Bot API server',
    example: 'https://api.telegram.org',
  },
  DATABASE_URL: {
    schema: z.preprocess(empty, urlWithProtocols(['postgres:', 'postgresql:']).optional()),
    expect: 'a postgres:// URL, or unset for the embedded database',
    example: 'postgres://duban:secret@127.0.0.1:5432/duban',
  },
  DATA_DIR: {
    schema: z.preprocess(empty, z.string().default('./data')),
    expect: 'a directory path',
    example: './data',
  },
  SMTP_URL: {
    schema: z.preprocess(empty, urlWithProtocols(['smtp:', 'smtps:']).optional()),
    expect: 'an smtp:// or smtps:// URL, or unset to write emails to DATA_DIR/outbox',
    example: 'smtps://duban%40example.gov.cn:password@smtp.example.gov.cn:465',
  },
  MAIL_FROM: {
    schema: z.preprocess(
      empty,
      z
        .string()
        .refine((v) => /^[^<>]*<[^<>\s@]+@[^<>\s@]+>$|^[^<>\s@]+@[^<>\s@]+$/.test(v.trim()))
        .default('督办助手 <duban@localhost>'),
    ),
    expect: 'a sender address, optionally with a display name',
    example: '督办助手 <duban@example.gov.cn>',
  },
  TIMEZONE: {
    schema: z.preprocess(empty, z.string().refine(validTimeZone).default('Asia/Shanghai')),
    expect: 'an IANA time zone name',
    example: 'Asia/Shanghai',
  },
  BOT_MODE: {
    schema: z.preprocess(empty, z.enum(['polling', 'webhook']).default('polling')),
    expect: '"polling" or "webhook"',
    example: 'polling',
  },
  WEBHOOK_URL: {
    schema: z.preprocess(empty, urlWithProtocols(['https:', 'http:']).optional()),
    expect: 'the public https URL Telegram posts updates to',
    example: 'https://duban.example.gov.cn/telegram',
  },
  WEBHOOK_SECRET: {
    schema: z.preprocess(
      empty,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/)
        .optional(),
    ),
    expect: '16–256 characters of A-Z, a-z, 0-9, _ and -',
    example: 'k3Jd9_xq-7Lw2mZp4RtY',
  },
  WEBHOOK_LEASE_SECONDS: {
    schema: z.preprocess(empty, z.coerce.number().int().min(1).max(3600).default(60)),
    expect: 'seconds, 1–3600',
    example: '60',
  },
  PORT: {
    schema: z.preprocess(empty, z.coerce.number().int().min(1).max(65535).default(8080)),
    expect: 'a TCP port number',
    example: '8080',
  },
  EVIDENCE_DIR: {
    schema: z.preprocess(empty, z.string().optional()),
    expect: 'a directory for evidence files, or unset to keep them in the database',
    example: '/srv/duban/evidence',
  },
  WEB_PORT: {
    schema: z.preprocess(empty, z.coerce.number().int().min(0).max(65535).default(8081)),
    expect: "a TCP port number for the web desk (PORT is the webhook's; 0: any free port)",
    example: '8081',
  },
  PUBLIC_URL: {
    schema: z.preprocess(empty, urlWithProtocols(['http:', 'https:']).optional()),
    expect: 'the http(s) URL people open the web desk at (behind a reverse proxy: its public address)',
    example: 'https://duban.example.gov.cn',
  },
  WEB_SIGNING_KEY: {
    schema: z.preprocess(empty, z.string().min(32).optional()),
    expect:
      'at least 32 characters of secret for signing email answer links, or unset to keep one in the database',
    example: 'a-long-random-secret-of-at-least-32-characters',
  },
  METRICS_ALLOW: {
    schema: z.preprocess(
      empty,
      z
        .string()
        .default('127.0.0.1,::1')
        .transform((v) =>
          v
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        )
        .refine((list) => list.length > 0 && list.every((a) => isIP(a) !== 0)),
    ),
    expect: 'a comma-separated list of IP addresses allowed to read /healthz and /metrics',
    example: '127.0.0.1,::1,10.0.0.5',
  },
  LOG_LEVEL: {
    schema: z.preprocess(empty, z.enum(logLevels).default('info')),
    expect: `one of ${logLevels.join(', ')}`,
    example: 'info',
  },
} as const

type Fields = typeof fields
type Env = { [K in keyof Fields]: z.output<Fields[K]['schema']> }

export interface Config {
  botToken: string | undefined
  telegramApiRoot: string
  databaseUrl: string | undefined
  dataDir: string
  smtpUrl: string | undefined
  mailFrom: string
  timezone: string
  botMode: 'polling' | 'webhook'
  webhookUrl: string | undefined
  webhookSecret: string | undefined
  /**
   * How long a webhook update stays with the process that accepted it before another process (or
   * this one after a restart) may take over its handling.
   */
  webhookLeaseMs: number
  port: number
  /** The web desk's port. */
  webPort: number
  /** Where people open the web desk (links in emails and in the bot); no trailing slash. */
  publicUrl: string
  /** Secret for email answer links; unset: one generated and kept in the database. */
  webSigningKey: string | undefined
  /** Addresses allowed to read /healthz and /metrics. */
  metricsAllow: string[]
  logLevel: (typeof logLevels)[number]
  /** Where evidence files (佐证材料) are kept: a directory, or undefined for the database. */
  evidenceDir: string | undefined
  /** True when no bot token is set: the service runs against the bundled Bot API emulator. */
  sandbox: boolean
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ConfigError'
  }
}

/** The process environment (the only access to it outside this module is through here). */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env
}

/** Loads `.env` (if present in `cwd`) into `env` without overriding what is set. */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): void {
  const file = path.join(cwd, '.env')
  if (existsSync(file)) dotenv.config({ path: file, processEnv: env, quiet: true })
}

/** Validates the environment; throws ConfigError with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const out: Partial<Record<keyof Fields, unknown>> = {}
  for (const [name, field] of Object.entries(fields) as [keyof Fields, Fields[keyof Fields]][]) {
    const result = field.schema.safeParse(env[name])
    if (result.success) out[name] = result.data
    else problems.push(`${name}: expected ${field.expect}, for example ${name}=${field.example}`)
  }
  const e = out as Env
  if (problems.length === 0 && e.BOT_MODE === 'webhook') {
    if (!e.WEBHOOK_URL)
      problems.push(
        `WEBHOOK_URL: required when BOT_MODE=webhook, for example WEBHOOK_URL=${fields.WEBHOOK_URL.example}`,
      )
    if (!e.WEBHOOK_SECRET)
      problems.push(
        `WEBHOOK_SECRET: required when BOT_MODE=webhook, for example WEBHOOK_SECRET=${fields.WEBHOOK_SECRET.example}`,
      )
    if (!e.BOT_TOKEN)
      problems.push(
        `BOT_TOKEN: required when BOT_MODE=webhook, for example BOT_TOKEN=${fields.BOT_TOKEN.example}`,
      )
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    botToken: e.BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    timezone: e.TIMEZONE,
    botMode: e.BOT_MODE,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookLeaseMs: e.WEBHOOK_LEASE_SECONDS * 1000,
    port: e.PORT,
    webPort: e.WEB_PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://127.0.0.1:${e.WEB_PORT}`).replace(/\/+$/, ''),
    webSigningKey: e.WEB_SIGNING_KEY,
    metricsAllow: e.METRICS_ALLOW,
    logLevel: e.LOG_LEVEL,
    evidenceDir: e.EVIDENCE_DIR ? path.resolve(e.EVIDENCE_DIR) : undefined,
    sandbox: !e.BOT_TOKEN,
  }
}
