/**
 * The embedded server's guards: a password (kept in the 0600 lock file) is required of every
 * connection, DATA_DIR is 0700, and a client idle inside a transaction is cut off and rolled back
 * so the service's own queries go on.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import postgres from 'postgres'
import { openDatabase } from '../../src/db/client.ts'
import { units } from '../../src/db/schema.ts'

function lockOf(dataDir: string): { port: number; password: string } {
  return JSON.parse(readFileSync(path.join(dataDir, 'pglite.lock'), 'utf8')) as {
    port: number
    password: string
  }
}

describe('embedded database guards', { timeout: 240_000 }, () => {
  it('refuses a wrong or missing password; keeps DATA_DIR 0700 and the lock 0600', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'duban-guard-')), 'data')
    const host = await openDatabase({ dataDir, embedded: 'host' })
    try {
      await host.migrate()
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      expect(statSync(path.join(dataDir, 'pglite.lock')).mode & 0o777).toBe(0o600)
      const { port, password } = lockOf(dataDir)
      expect(password.length).toBeGreaterThanOrEqual(32)

      for (const pass of ['wrong', '', `${password}x`]) {
        const intruder = postgres({
          host: '127.0.0.1',
          port,
          user: 'postgres',
          pass,
          max: 1,
          onnotice: () => {},
        })
        const err = await intruder`select 1`.then(
          () => null,
          (e: unknown) => e as { code?: string; message?: string },
        )
        expect(err?.code).toBe('28P01')
        await intruder.end({ timeout: 1 })
      }
      const friend = postgres({ host: '127.0.0.1', port, user: 'postgres', pass: password, max: 1 })
      expect(await friend`select 1 as one`).toEqual([{ one: 1 }])
      await friend.end({ timeout: 1 })
      // And the service's own pool works throughout.
      expect(await host.db.select().from(units)).toEqual([])
    } finally {
      await host.close()
    }
  })

  it('cuts off a client idle inside a transaction and rolls it back; the service goes on', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-idle-'))
    const host = await openDatabase({ dataDir, embedded: 'host', idleTimeoutMs: 300 })
    try {
      await host.migrate()
      const { port, password } = lockOf(dataDir)
      const stuck = postgres({
        host: '127.0.0.1',
        port,
        user: 'postgres',
        pass: password,
        max: 1,
        onnotice: () => {},
      })
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let inTransaction!: () => void
      const began = new Promise<void>((r) => (inTransaction = r))
      const outcome = stuck
        .begin(async (tx) => {
          await tx`insert into units (name, short_name, kind) values ('大江镇', '大江', 'town')`
          inTransaction()
          await held // idle inside the transaction, holding PGlite's one session
          await tx`select 1`
        })
        .then(
          () => 'committed',
          (e: unknown) => `failed: ${(e as Error).message}`,
        )
      // The service's insert waits for the session, then gets it once the idle client is cut off.
      // (Only once the client holds it: the host's pool may already be connected, and win the race.)
      await began
      await host.db.insert(units).values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' })
      release()
      expect(await outcome).toMatch(/^failed/)
      expect((await host.db.select().from(units)).map((u) => u.name)).toEqual(['台城街道'])
      await stuck.end({ timeout: 1 })
    } finally {
      await host.close()
    }
  })
})
