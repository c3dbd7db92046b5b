/**
 * Webhook mode: a plain node:http server that receives Telegram's POSTs.
 *
 * Every request must carry the secret given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`;
 * anything else gets 401 and nothing is processed. An accepted update is written, body and all,
 * to `processed_updates` (insert … on conflict do nothing) before Telegram gets its 200, so
 * Telegram's retries and replays, to this replica or another, are handled once, and a crash
 * after the 200 loses nothing. The server answers as soon as that row is written and handles the
 * update afterwards, one update at a time per chat, so Telegram never waits on our database or
 * on other API calls; the row is marked handled when the bot is done with it.
 *
 * Each stored update is leased to the process that accepted it (`lease_until`). A sweep, at start
 * and every third of the lease, renews the leases of the updates this process still holds and
 * takes over stored updates nobody handled whose lease ran out: those of a process that crashed
 * (this one before a restart, or another replica).
 */
import http from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { BotError, type Bot } from 'grammy'
import type { Update } from 'grammy/types'
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { processedUpdates } from '../db/schema.ts'
import { num, query } from '../db/sql.ts'
import { isDatabaseUnavailable } from '../db/unavailable.ts'
import type { Logger } from '../log.ts'
import type { BotContext } from './context.ts'

const MAX_BODY_BYTES = 1_000_000

export interface WebhookOptions {
  bot: Bot<BotContext>
  db: Db
  logger: Logger
  /** The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token. */
  secret: string
  port: number
  /** Default 0.0.0.0 (behind a reverse proxy); tests use 127.0.0.1. */
  host?: string
  /** Only POSTs to this path are accepted (default: any path). */
  path?: string
  /** The clock, for forgetting old update ids. */
  now?: () => Date
  /**
   * How long the accepting process owns a stored update's handling (default 60 s, renewed while
   * it holds it); after that, a sweep elsewhere (or after a restart) may take it over.
   */
  leaseMs?: number
}

export interface WebhookServer {
  /** The port actually listened on (useful with port 0). */
  port: number
  /** Accepted updates not yet handled. */
  busy(): number
  /** Stops accepting requests and waits for updates already accepted to be handled. */
  close(): Promise<void>
}

/** The chat an update belongs to, for per-chat ordering (user id when there is no chat). */
export function updateChatKey(update: Update): string {
  const chatId =
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.my_chat_member?.chat.id ??
    update.chat_member?.chat.id ??
    update.channel_post?.chat.id
  if (chatId !== undefined) return `c${chatId}`
  const userId = update.callback_query?.from.id ?? update.inline_query?.from.id
  return userId !== undefined ? `u${userId}` : 'none'
}

function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(secret)
  return a.length === b.length && timingSafeEqual(a, b)
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) tooLarge = true
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Telegram gives up redelivering an update after about a day; ids older than this are forgotten. */
const REMEMBER_UPDATES_MS = 48 * 3_600_000

const DEFAULT_LEASE_MS = 60_000
/** Updates taken over per sweep; the next sweep takes more. */
const RECOVER_BATCH = 200

const leaseEnd = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000}::float8)`

/** Stores the update under a lease; false when its id was already there (a duplicate). */
async function storeUpdate(db: Db, update: Update, leaseMs: number): Promise<boolean> {
  const rows = await db
    .insert(processedUpdates)
    .values({ updateId: update.update_id, payload: update, leaseUntil: leaseEnd(leaseMs), handledAt: null })
    .onConflictDoNothing()
    .returning({ updateId: processedUpdates.updateId })
  return rows.length > 0
}

/** Marks the update handled and drops its body. */
async function markHandled(db: Db, updateId: number): Promise<void> {
  await db
    .update(processedUpdates)
    .set({ handledAt: sql`now()`, payload: null, leaseUntil: null })
    .where(eq(processedUpdates.updateId, updateId))
}

/** Extends the lease of updates this process still holds. */
async function renewLeases(db: Db, updateIds: number[], leaseMs: number): Promise<void> {
  if (updateIds.length === 0) return
  await db
    .update(processedUpdates)
    .set({ leaseUntil: leaseEnd(leaseMs) })
    .where(and(inArray(processedUpdates.updateId, updateIds), isNull(processedUpdates.handledAt)))
}

/** Takes over stored updates nobody handled whose lease ran out, oldest first. */
async function takeOverOrphans(db: Db, leaseMs: number): Promise<Update[]> {
  const rows = await query<{ update_id: number | string; payload: Update }>(
    db,
    sql`
      update processed_updates u set lease_until = ${leaseEnd(leaseMs)}
      where u.update_id in (
        select update_id from processed_updates
        where handled_at is null and payload is not null and (lease_until is null or lease_until < now())
        order by update_id limit ${RECOVER_BATCH}
        for update skip locked)
      returning u.update_id, u.payload`,
  )
  return rows
    .map((r) => ({ ...r.payload, update_id: num(r.update_id) }))
    .sort((a, b) => a.update_id - b.update_id)
}

/** Forgets update ids Telegram can no longer send again, so the table stays small. */
async function forgetOldUpdates(db: Db, now: Date): Promise<void> {
  await db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, new Date(now.getTime() - REMEMBER_UPDATES_MS)))
}

/** Starts the webhook server; resolves once it listens. */
export async function startWebhookServer(options: WebhookOptions): Promise<WebhookServer> {
  const { bot, db, logger, secret } = options
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const chains = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  /** Update ids this process holds (accepted or taken over) and has not marked handled. */
  const held = new Set<number>()
  let claimed = 0
  let closing = false

  /** Handles the update; false when the database was unavailable, so it should run again later. */
  const handle = async (update: Update): Promise<boolean> => {
    try {
      await bot.handleUpdate(update)
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        logger.warn(
          { err, updateId: update.update_id },
          'database unavailable: the update is handled again later',
        )
        return false
      }
      if (err instanceof BotError) await bot.errorHandler(err as BotError<BotContext>)
      else logger.error({ err, updateId: update.update_id }, 'webhook update failed')
    }
    return true
  }

  /**
   * Handles the update, then marks it handled. When the database went away mid-way, or the mark
   * fails, the row stays unhandled: once its lease runs out a sweep handles it again.
   */
  const handleStored = async (update: Update): Promise<void> => {
    if (!(await handle(update))) {
      held.delete(update.update_id)
      return
    }
    try {
      await markHandled(db, update.update_id)
    } catch (err) {
      logger.error({ err, updateId: update.update_id }, 'could not mark a webhook update handled')
    } finally {
      held.delete(update.update_id)
    }
  }

  const schedule = (update: Update): void => {
    held.add(update.update_id)
    const key = updateChatKey(update)
    const previous = chains.get(key) ?? Promise.resolve()
    const next = previous.then(() => handleStored(update))
    chains.set(key, next)
    inFlight.add(next)
    void next.finally(() => {
      inFlight.delete(next)
      if (chains.get(key) === next) chains.delete(key)
    })
  }

  const server = http.createServer((req, res) => {
    const answer = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(body)
    }
    void (async () => {
      if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], secret)) {
        logger.warn(
          { remote: req.socket.remoteAddress, path: req.url },
          'webhook request without the right secret',
        )
        req.resume()
        return answer(401, 'unauthorized')
      }
      if (req.method !== 'POST') {
        req.resume()
        return answer(405, 'method not allowed')
      }
      if (options.path && new URL(req.url ?? '/', 'http://x').pathname !== options.path) {
        req.resume()
        return answer(404, 'not found')
      }
      const body = await readBody(req)
      if (!body) return answer(413, 'too large')
      let update: Update
      try {
        update = JSON.parse(body.toString('utf8')) as Update
      } catch {
        return answer(400, 'bad json')
      }
      if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id))
        return answer(400, 'no update_id')
      if (!(await storeUpdate(db, update, leaseMs))) {
        logger.debug({ updateId: update.update_id }, 'duplicate update acknowledged and skipped')
        return answer(200)
      }
      answer(200)
      schedule(update)
      if (++claimed % 1000 === 0)
        forgetOldUpdates(db, (options.now ?? (() => new Date()))()).catch((err: unknown) =>
          logger.warn({ err }, 'could not prune processed_updates'),
        )
    })().catch((err: unknown) => {
      // The update was not recorded: a 500 makes Telegram send it again.
      logger.error({ err }, 'webhook request failed')
      if (!res.headersSent) answer(500, 'error')
    })
  })

  /** Renews what this process holds, then takes over orphaned updates (see the module comment). */
  const sweep = async (): Promise<void> => {
    await renewLeases(db, [...held], leaseMs)
    if (closing) return
    const orphans = await takeOverOrphans(db, leaseMs)
    for (const update of orphans) {
      if (held.has(update.update_id)) continue
      logger.warn({ updateId: update.update_id }, 'handling a stored webhook update nobody handled')
      schedule(update)
    }
  }
  let sweeping: Promise<void> = Promise.resolve()
  const sweepNow = () => {
    sweeping = sweeping
      .then(sweep)
      .catch((err: unknown) => logger.warn({ err }, 'webhook sweep failed; trying again later'))
    return sweeping
  }
  // Updates a crash left behind are handled first, before new ones arrive.
  await sweepNow()
  const sweepTimer = setInterval(() => void sweepNow(), Math.max(1000, Math.floor(leaseMs / 3)))
  sweepTimer.unref()

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  logger.info({ port }, 'webhook server listening')

  return {
    port,
    busy: () => inFlight.size,
    async close() {
      closing = true
      clearInterval(sweepTimer)
      await sweeping
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await Promise.allSettled([...inFlight])
      server.closeAllConnections()
      await closed
    },
  }
}
