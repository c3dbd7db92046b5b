import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { openDatabase, LockHeldError } from '../../src/db/client.ts'
import { units } from '../../src/db/schema.ts'

const repo = path.resolve(import.meta.dirname, '../..')

describe('embedded database shared between processes', () => {
  it('lets a second process use the database through the host, and refuses a second host', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-embedded-'))
    const host = await openDatabase({ dataDir, embedded: 'host' })
    try {
      expect(host.embeddedRole).toBe('host')
      await host.migrate()
      await host.db.insert(units).values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' })

      await expect(openDatabase({ dataDir, embedded: 'host' })).rejects.toBeInstanceOf(LockHeldError)

      // Another process: `duban migrate` runs as a client of this host and succeeds.
      // (asynchronously: this process's event loop serves the socket the child connects to)
      const cli = await promisify(execFile)(process.execPath, ['bin/duban.js', 'migrate'], {
        cwd: repo,
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
      })
      expect(cli.stderr).toBe('')
      expect(cli.stdout).toContain('up to date')

      // A client in this process sees the host's rows, and its transactions do not interleave.
      const client = await openDatabase({ dataDir })
      expect(client.embeddedRole).toBe('client')
      const rows = await client.db.select().from(units)
      expect(rows.map((r) => r.name)).toEqual(['台城街道'])
      await Promise.all([
        client.db
          .transaction(async (tx) => {
            await tx.insert(units).values({ name: '大江镇', shortName: '大江', kind: 'town' })
            await tx.execute(sql`select pg_sleep(0.05)`)
            throw new Error('roll back')
          })
          .catch(() => {}),
        host.db.insert(units).values({ name: '水步镇', shortName: '水步', kind: 'town' }),
      ])
      const names = (await host.db.select().from(units)).map((r) => r.name).sort()
      expect(names).toEqual(['台城街道', '水步镇'].sort())
      await client.close()
    } finally {
      await host.close()
    }
    // The lock is released: the directory can be hosted again and keeps its data.
    const again = await openDatabase({ dataDir, embedded: 'host' })
    expect((await again.db.select().from(units)).length).toBe(2)
    await again.close()
  })

  it('takes over a lock left by a process that no longer exists', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-stale-'))
    writeFileSync(path.join(dataDir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: 'x' }))
    const host = await openDatabase({ dataDir, embedded: 'host' })
    expect(host.embeddedRole).toBe('host')
    expect(JSON.parse(readFileSync(path.join(dataDir, 'pglite.lock'), 'utf8')).pid).toBe(process.pid)
    await host.close()
  })
})

describe('embedded database under concurrent connections', () => {
  it('keeps parameterized queries and transactions of several connections apart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-concurrent-'))
    const host = await openDatabase({ dataDir, embedded: 'host', max: 4 })
    await host.migrate()
    const client = await openDatabase({ dataDir, max: 2 })
    try {
      const work = []
      for (let i = 0; i < 60; i++) {
        const d = i % 2 === 0 ? host.db : client.db
        if (i % 5 === 0) {
          // A transaction that fails half-way must leave nothing behind.
          work.push(
            d
              .transaction(async (tx) => {
                await tx.insert(units).values({ name: `回滚${i}`, shortName: `r${i}`, kind: 'town' })
                throw new Error('roll back')
              })
              .catch(() => {}),
          )
        } else {
          work.push(
            d.insert(units).values({ name: `单位${i}`, shortName: `u${i}`, kind: 'town', tags: [String(i)] }),
          )
        }
        work.push(
          d
            .select()
            .from(units)
            .where(sql`${units.name} = ${`单位${i}`} and ${units.kind} = ${'town'}`),
        )
      }
      await Promise.all(work)
      const rows = await client.db.select().from(units)
      expect(rows).toHaveLength(48)
      expect(rows.every((r) => r.name.startsWith('单位') && r.tags[0] === r.name.slice(2))).toBe(true)
    } finally {
      await client.close()
      await host.close()
    }
  })
})
