/**
 * Opening the database. With `DATABASE_URL`, postgres.js talks to that server. Without it, the
 * embedded PGlite in `DATA_DIR/pglite` is used; PGlite admits one process per directory, so the
 * first process to open it becomes its *host*: it holds `DATA_DIR/pglite.lock` and serves the
 * database on a loopback port (embedded-server.ts). Every query, the host's own included, goes
 * through that port, where the session is granted to one connection at a time, so transactions
 * and protocol exchanges from different connections never interleave in PGlite's single session. Other processes (an admin's `duban status` while `duban start` runs)
 * find the port in the lock file and connect to it as clients.
 */
import path from 'node:path'
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import postgres from 'postgres'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
// PGlite and its server load only in the process that hosts the embedded database: a client
// (`duban status` beside the service) or a PostgreSQL deployment never needs them.
import type { PGlite } from '@electric-sql/pglite'
import type { EmbeddedServer } from './embedded-server.ts'
import * as schema from './schema.ts'
import { EmbeddedLock, LockHeldError } from './embedded-lock.ts'
import { packageRoot } from '../package-root.ts'

export type Schema = typeof schema
/** Either driver's drizzle database (a transaction is one too). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export const migrationsFolder = path.join(packageRoot, 'drizzle')

export interface Database {
  db: Db
  driver: 'postgres' | 'pglite'
  /** For the embedded database: whether this process hosts it or is a client of the host. */
  embeddedRole?: 'host' | 'client'
  /** Runs pending migrations (idempotent; serialized across processes). */
  migrate(): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  databaseUrl?: string | undefined
  dataDir: string
  /** `host`: this process must host the embedded database (duban start); refuse if another does. */
  embedded?: 'host' | 'any'
  /** Pool size for postgres.js. */
  max?: number
  /** Embedded host: a client idle inside a transaction longer than this is cut off (default 60 s). */
  idleTimeoutMs?: number
}

/** The embedded PostgreSQL's buffer pool (createPrivately). */
export const EMBEDDED_SHARED_BUFFERS = '16MB'

/** DATA_DIR is this user's alone (0700), whoever created it and however. */
function restrictDataDir(dataDir: string): void {
  try {
    if ((statSync(dataDir).mode & 0o077) !== 0) chmodSync(dataDir, 0o700)
  } catch {
    /* not ours to change: the files below are still created without group/other access */
  }
}

/**
 * Opens PGlite with a umask that keeps group and others out of every file it creates, and takes
 * write access from group and others on files an earlier version left open.
 */
async function createPrivately(dir: string): Promise<PGlite> {
  const previous = process.umask(0o077)
  try {
    const { PGlite } = await import('@electric-sql/pglite')
    // PostgreSQL's buffer pool is zeroed, so touched, at start: its default 128 MB was a third of
    // the sandbox's RSS. A city's data is a few tens of MB, and what falls out of 16 MB is read
    // back from the operating system's page cache.
    const pglite = await PGlite.create(dir, {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
    })
    tightenTree(dir)
    return pglite
  } finally {
    process.umask(previous)
  }
}

function tightenTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name)
    try {
      const mode = statSync(file).mode
      if ((mode & 0o022) !== 0) chmodSync(file, mode & ~0o022 & 0o7777)
    } catch {
      /* removed meanwhile */
    }
  }
}

export { LockHeldError }

const MIGRATION_LOCK = 4_721_300_911 // pg_advisory_lock key for duban migrations

/** Runs drizzle's migrator on one dedicated connection under an advisory lock. */
async function migrateOver(
  url: string,
  options: postgres.Options<Record<string, never>> = {},
): Promise<void> {
  const client = postgres(url, { ...options, max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    try {
      await migratePostgres(drizzlePostgres(client), { migrationsFolder })
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
    }
  } finally {
    await client.end({ timeout: 5 })
  }
}

/** The newest migration's time in drizzle's journal (its migrator applies each one newer than the last applied). */
function newestMigration(): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[]
  }
  return Math.max(0, ...journal.entries.map((e) => e.when))
}

/**
 * Whether drizzle's migrator would apply nothing: the last applied migration is at least as new as
 * the journal's newest (the migrator's own test). One query on the pool the caller uses anyway,
 * where migrating opens a second connection, takes the advisory lock and reads and hashes every
 * migration file: about 50 ms that each CLI command paid on PostgreSQL although nothing was due.
 */
async function upToDate(client: postgres.Sql): Promise<boolean> {
  let rows: { last: string | number | null }[]
  try {
    rows = await client`select max(created_at) as last from drizzle.__drizzle_migrations`
  } catch {
    return false // no migrations table yet: a new database
  }
  const last = rows[0]?.last
  return last != null && Number(last) >= newestMigration()
}

function fromPostgresUrl(
  url: string,
  max: number,
  extra: Pick<Database, 'embeddedRole'> = {},
  onClose?: () => Promise<void>,
): Database {
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 })
  const db = drizzlePostgres(client, { schema }) as unknown as Db
  return {
    db,
    driver: extra.embeddedRole ? 'pglite' : 'postgres',
    ...extra,
    async migrate() {
      if (!(await upToDate(client))) await migrateOver(url)
    },
    async close() {
      await client.end({ timeout: 5 })
      await onClose?.()
    },
  }
}

function embeddedUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
}

/** Opens the configured database. Does not migrate: call `migrate()`. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const max = options.max ?? 10
  if (options.databaseUrl) return fromPostgresUrl(options.databaseUrl, max)

  // Only this OS user may read the database files and the lock (which holds the server's password).
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const lock = new EmbeddedLock(path.join(options.dataDir, 'pglite.lock'))
  const held = lock.acquire()
  if (!held.acquired) {
    if (options.embedded === 'host') throw new LockHeldError(held.holder)
    // Another process hosts the database: use it through its socket.
    if (!held.holder.port || !held.holder.password) throw new LockHeldError(held.holder)
    return fromPostgresUrl(embeddedUrl(held.holder.port, held.holder.password), Math.min(max, 2), {
      embeddedRole: 'client',
    })
  }

  let pglite: PGlite | undefined
  let server: EmbeddedServer | undefined
  try {
    restrictDataDir(options.dataDir)
    pglite = await createPrivately(path.join(options.dataDir, 'pglite'))
    const { newEmbeddedPassword, serveEmbedded } = await import('./embedded-server.ts')
    const password = newEmbeddedPassword()
    server = await serveEmbedded(pglite, {
      password,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    })
    const port = server.port
    lock.publishPort(port, password)
    const p = pglite
    const s = server
    return fromPostgresUrl(
      embeddedUrl(port, password),
      Math.min(max, 8),
      { embeddedRole: 'host' },
      async () => {
        await s.stop()
        await p.close()
        lock.release()
      },
    )
  } catch (err) {
    await server?.stop().catch(() => {})
    await pglite?.close().catch(() => {})
    lock.release()
    throw err
  }
}
