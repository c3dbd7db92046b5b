/**
 * Database-backed suites run once per driver: always on a fresh in-memory PGlite, and also on a
 * fresh PostgreSQL database (copied from a migrated template) when TEST_DATABASE_URL is set.
 *
 *   describeDb('plan import', (t) => { it('…', async () => { await t.db.select()… }) })
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, inject } from 'vitest'
import postgres from 'postgres'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { sql } from 'drizzle-orm'
import * as schema from '../../src/db/schema.ts'
import { migrationsFolder, type Db } from '../../src/db/client.ts'
import { dropDatabase, withDatabase } from './global-setup.ts'

export type Driver = 'pglite' | 'postgres'

export const pgUrl = process.env.TEST_DATABASE_URL
export const drivers: Driver[] = pgUrl ? ['pglite', 'postgres'] : ['pglite']

export interface TestDb {
  driver: Driver
  /** The database, valid inside tests (set in beforeAll). */
  db: Db
  /** postgres:// URL of this file's database (postgres driver only), for child processes. */
  url: string | undefined
  /** Empties every table (between tests that need a clean slate). */
  reset(): Promise<void>
}

export interface OpenedTestDb {
  db: Db
  url: string | undefined
  close(): Promise<void>
}

/** A fresh, migrated database on the given driver. */
export async function openTestDb(driver: Driver): Promise<OpenedTestDb> {
  if (driver === 'pglite') {
    const client = await PGlite.create()
    yieldBeforeQueries(client)
    const db = drizzlePglite(client, { schema })
    await migratePglite(db, { migrationsFolder })
    return { db: db as unknown as Db, url: undefined, close: () => client.close() }
  }
  if (!pgUrl) throw new Error('TEST_DATABASE_URL is not set')
  const name = `${inject('pgPrefix')}${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(pgUrl, { max: 1, onnotice: () => {} })
  const template = inject('pgTemplate')
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${template}`)
      break
    } catch (err) {
      // Two files copying the template at the same instant: try again shortly.
      if (attempt > 20) throw err
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
    }
  }
  const url = withDatabase(pgUrl, name)
  const client = postgres(url, { max: 5, onnotice: () => {} })
  const db = drizzlePostgres(client, { schema }) as unknown as Db
  return {
    db,
    url,
    async close() {
      await client.end({ timeout: 5 })
      await dropDatabase(admin, name)
      await admin.end()
    },
  }
}

/**
 * In-memory PGlite runs each query synchronously on this thread, and queued queries follow one
 * another in microtasks, so a burst of them (a 32-wide fan-out) can keep sockets unread for
 * seconds: the in-process Bot API emulator then cannot answer a send in time. The service's
 * embedded database is reached over a socket, where every query is an I/O round; here each
 * query and transaction waits for one turn of the event loop first, to behave the same.
 */
function yieldBeforeQueries(client: PGlite): void {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
  for (const method of ['query', 'exec', 'transaction'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>
    ;(client as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await turn()
      return original(...args)
    }
  }
}

export async function resetDb(db: Db): Promise<void> {
  const tables = Object.values(schema)
    .filter(
      (v): v is (typeof schema)['units'] =>
        typeof v === 'object' && v !== null && Symbol.for('drizzle:Name') in v,
    )
    .map((t) => `"${(t as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')]}"`)
  await db.execute(sql.raw(`truncate ${tables.join(', ')} restart identity cascade`))
}

/** Declares the suite once per available driver, each with its own fresh database. */
export function describeDb(name: string, body: (t: TestDb) => void): void {
  for (const driver of drivers) {
    describe(`${name} [${driver}]`, () => {
      let opened: OpenedTestDb | undefined
      const t: TestDb = {
        driver,
        get db(): Db {
          if (!opened) throw new Error('database not open yet: use it inside a test or hook')
          return opened.db
        },
        get url() {
          return opened?.url
        },
        reset: () => resetDb(t.db),
      }
      beforeAll(async () => {
        opened = await openTestDb(driver)
      })
      afterAll(async () => {
        await opened?.close()
      })
      body(t)
    })
  }
}
