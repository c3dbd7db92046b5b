/**
 * The context each CLI command runs with: validated config, output, and the database opened on
 * demand (migrated when this process hosts it) and closed when the command ends.
 */
import { loadConfig, loadDotEnv, type Config } from '../config.ts'
import { openDatabase, type Database, type Db } from '../db/client.ts'
import type { Logger } from '../log.ts'
import type { Output } from './io.ts'
import type { AppParts } from '../app-parts.ts'

export interface CliContext {
  env: NodeJS.ProcessEnv
  output: Output
  /** The bot's features and the scheduled jobs, from the composition root. */
  parts: AppParts
  config(): Config
  /** The logger; pino loads with the first command that logs (most one-shot commands never do). */
  logger(): Promise<Logger>
  /** Opens (once) and returns the database; closed by `close()`. */
  db(): Promise<Db>
  database(): Promise<Database>
  /** The current time; a command that takes `--at` uses that instead. */
  now(): Date
  close(): Promise<void>
}

export function createCliContext(
  env: NodeJS.ProcessEnv,
  output: Output,
  parts: AppParts,
  clock: () => Date = () => new Date(),
): CliContext {
  let config: Config | undefined
  let logger: Promise<Logger> | undefined
  let opening: Promise<Database> | undefined
  const ctx: CliContext = {
    env,
    output,
    parts,
    config() {
      if (!config) {
        loadDotEnv(env)
        config = loadConfig(env)
      }
      return config
    },
    logger() {
      // One-shot commands log warnings and errors only, to stderr, unless LOG_LEVEL asks for more.
      logger ??= (async () => {
        const level = env.LOG_LEVEL ? ctx.config().logLevel : 'warn'
        return (await import('../log.ts')).createLogger(level)
      })()
      return logger
    },
    database() {
      opening ??= (async () => {
        const c = ctx.config()
        const database = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, max: 4 })
        // A running service migrated what it hosts; otherwise bring the schema up to date.
        if (database.embeddedRole !== 'client') await database.migrate()
        return database
      })()
      return opening
    },
    async db() {
      return (await ctx.database()).db
    },
    now: clock,
    async close() {
      if (opening) {
        const d = await opening.catch(() => undefined)
        opening = undefined
        await d?.close()
      }
    },
  }
  return ctx
}
