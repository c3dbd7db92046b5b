/**
 * `duban start`: the long-running service. It opens and migrates the database, then runs up to
 * four roles: the web desk (src/web), the bot (Telegram updates), the scheduler (jobs that decide what to send and write
 * it to the outbox) and the delivery worker (sends what the outbox holds). Replicas can run any
 * subset against one PostgreSQL. In sandbox mode (no BOT_TOKEN) it also starts the local Bot API
 * emulator and loads the sample data on first start.
 *
 * Shutdown on SIGINT/SIGTERM: stop taking updates, stop claiming work, let in-flight sends finish
 * (or release them), close the database; the whole within 30 s.
 */
import type { Config } from './config.ts'
import { openDatabase, type Database } from './db/client.ts'
import type { Logger } from './log.ts'
import { chinaCalendar, coveredYears } from './domain/working-days.ts'
import { localDate } from './domain/dates.ts'
import { createScheduler } from './scheduler/scheduler.ts'
import { createDeliveryWorker } from './delivery/worker.ts'
import { startBot } from './telegram/bot.ts'
import { startSandbox, type Sandbox } from './sandbox/sandbox.ts'
import { checkSandboxDatabase, claimSandboxDataDir, SandboxRefused } from './sandbox/guard.ts'
import type { AppParts } from './app-parts.ts'

export interface ServiceRoles {
  bot: boolean
  scheduler: boolean
  worker: boolean
  /** The web desk (pages, sign-in links, email answers, /healthz, /metrics) on WEB_PORT. */
  web?: boolean
  /** `--sandbox`: run the sandbox in a DATA_DIR it did not create (never on real data). */
  sandbox?: boolean
}

export interface RunningService {
  database: Database
  sandbox: Sandbox | undefined
  /** Resolves when the service has fully stopped. */
  stopped: Promise<void>
  stop(reason?: string): Promise<void>
}

const SHUTDOWN_DEADLINE_MS = 25_000

export async function startService(
  config: Config,
  logger: Logger,
  roles: ServiceRoles,
  parts: AppParts,
): Promise<RunningService> {
  const startedAt = Date.now()
  if (roles.sandbox && !config.sandbox)
    throw new SandboxRefused(
      '--sandbox 与 BOT_TOKEN 不能同时使用。 / --sandbox and BOT_TOKEN cannot be used together.',
    )
  if (config.sandbox && !config.databaseUrl) await claimSandboxDataDir(config.dataDir, roles.sandbox === true)
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embedded: 'host',
  })
  const stops: { name: string; stop: () => Promise<void> }[] = []
  // Roles alive in this process, for /healthz: set when started, cleared when asked to stop.
  const alive = { worker: false, scheduler: false }
  let sandbox: Sandbox | undefined
  try {
    await database.migrate()
    const { db } = database

    let effective = config
    if (config.sandbox) {
      await checkSandboxDatabase(
        db,
        config.databaseUrl ? 'DATABASE_URL 指向的数据库 / the DATABASE_URL database' : config.dataDir,
      )
      logger.warn(
        { dataDir: config.dataDir, driver: database.driver },
        'SANDBOX MODE (no BOT_TOKEN): Telegram is emulated on this machine and emails are written to files; nothing reaches real people',
      )
      sandbox = await startSandbox({ db, config, logger })
      effective = sandbox.config
      stops.push({ name: 'sandbox', stop: () => sandbox!.stop() })
    }

    if (roles.worker) {
      const workerLogger = logger.child({ role: 'worker' })
      const worker = createDeliveryWorker({ db, config: effective, logger: workerLogger })
      worker.start()
      alive.worker = true
      stops.push({
        name: 'worker',
        stop: () => {
          alive.worker = false
          return worker.stop()
        },
      })
    }
    if (roles.scheduler) {
      const scheduler = createScheduler({
        db,
        config: effective,
        logger: logger.child({ role: 'scheduler' }),
        calendar: chinaCalendar,
        jobs: await parts.jobs(),
      })
      await scheduler.start()
      alive.scheduler = true
      stops.push({
        name: 'scheduler',
        stop: () => {
          alive.scheduler = false
          return scheduler.stop()
        },
      })
    }
    if (roles.bot) {
      const bot = await startBot({
        db,
        config: effective,
        logger: logger.child({ role: 'bot' }),
        features: await parts.botFeatures(),
      })
      stops.push({ name: 'bot', stop: () => bot.stop() })
    }
    if (roles.web) {
      const { startWebServer } = await import('./web/server.ts')
      const web = await startWebServer({
        db,
        config: effective,
        logger: logger.child({ role: 'web' }),
        health: {
          ...(roles.worker ? { worker: () => alive.worker } : {}),
          ...(roles.scheduler ? { scheduler: () => alive.scheduler } : {}),
        },
      })
      stops.push({ name: 'web', stop: () => web.stop() })
    }
  } catch (err) {
    for (const s of stops.reverse()) await s.stop().catch(() => {})
    await database.close().catch(() => {})
    throw err
  }

  const year = Number(localDate(new Date(), config.timezone).slice(0, 4))
  if (!coveredYears().includes(year))
    logger.warn(
      { year, known: coveredYears().at(-1) },
      'the holiday calendar does not know this year: only weekends count as days off until the chinese-days package is updated',
    )
  logger.info(
    { roles, driver: database.driver, sandbox: config.sandbox, ms: Date.now() - startedAt },
    'duban is ready',
  )

  let resolveStopped!: () => void
  const stopped = new Promise<void>((r) => (resolveStopped = r))
  let stopping: Promise<void> | undefined
  const stop = (reason = 'stop requested') => {
    stopping ??= (async () => {
      logger.info({ reason }, 'duban is stopping')
      // Bot first (no new updates), then scheduler (no new decisions), then the worker drains.
      const order = ['bot', 'web', 'scheduler', 'worker', 'sandbox']
      const sorted = [...stops].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
      const deadline = new Promise<void>((r) => setTimeout(r, SHUTDOWN_DEADLINE_MS).unref())
      for (const s of sorted) {
        const t0 = Date.now()
        await Promise.race([
          s.stop().catch((err: unknown) => logger.error({ err, part: s.name }, 'error while stopping')),
          deadline,
        ])
        logger.debug({ part: s.name, ms: Date.now() - t0 }, 'stopped')
      }
      await database.close().catch((err: unknown) => logger.error({ err }, 'error closing the database'))
      logger.info('duban stopped')
      resolveStopped()
    })()
    return stopping
  }
  return { database, sandbox, stopped, stop }
}
