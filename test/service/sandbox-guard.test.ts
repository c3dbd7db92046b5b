/**
 * The sandbox starts only when asked for: in a DATA_DIR it created (or an empty one), with
 * `--sandbox` in another directory, and never on a database that holds real data. Refusals exit 1
 * with a message saying how to start the real service; nothing is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { main, root } from '../../bin/root.ts'
import { openDatabase } from '../../src/db/client.ts'
import { loadConfig } from '../../src/config.ts'
import { startService } from '../../src/service.ts'
import { createLogger } from '../../src/log.ts'
import { addPerson } from '../../src/domain/people.ts'
import { importUnits } from '../../src/domain/units.ts'
import { SANDBOX_MARKER } from '../../src/sandbox/guard.ts'
import { settings } from '../../src/db/schema.ts'

const roles = { bot: false, scheduler: false, worker: false }
// Creating an embedded database takes seconds, and much longer on a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

describeDb('the sandbox only when asked for', (t) => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'duban-guard-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function start(env: Record<string, string>, ...flags: string[]) {
    let out = ''
    let err = ''
    const code = await main(['start', ...flags], {
      env: { TIMEZONE: 'Asia/Shanghai', LOG_LEVEL: 'silent', BOT_TOKEN: '', ...env },
      output: { out: (s) => void (out += s), err: (s) => void (err += s) },
    })
    return { code, out, err }
  }

  if (t.driver === 'pglite') {
    it('refuses an existing data directory it did not create, unless --sandbox', async () => {
      const dataDir = path.join(dir, 'real')
      const real = await openDatabase({ dataDir, embedded: 'host' })
      await real.migrate()
      await real.close()
      const before = readdirSync(dataDir).sort()
      const r = await start({ DATA_DIR: dataDir })
      expect(r.code).toBe(1)
      expect(r.err).toContain('不是沙盒建立的数据')
      expect(r.err).toContain('set BOT_TOKEN')
      expect(readdirSync(dataDir).sort()).toEqual(before)
    })

    it('refuses a data directory holding real data even with --sandbox', async () => {
      const dataDir = path.join(dir, 'real-data')
      const real = await openDatabase({ dataDir, embedded: 'host' })
      await real.migrate()
      await importUnits(real.db, [{ name: '台城街道', kind: 'subdistrict' }])
      await real.close()
      const r = await start({ DATA_DIR: dataDir }, '--sandbox')
      expect(r.code).toBe(1)
      expect(r.err).toContain('已有正式数据')
      expect(r.err).toContain('To run the real service, set BOT_TOKEN')
    })

    it('creates its own data directory with a marker (mode 0700) and says it is a sandbox', async () => {
      const dataDir = path.join(dir, 'fresh')
      const lines: string[] = []
      const logger = createLogger('warn', { write: (s: string) => void lines.push(s) })
      const config = loadConfig({ DATA_DIR: dataDir, TIMEZONE: 'Asia/Shanghai', LOG_LEVEL: 'warn' })
      const service = await startService(config, logger, roles, root)
      try {
        expect(existsSync(path.join(dataDir, SANDBOX_MARKER))).toBe(true)
        expect(statSync(dataDir).mode & 0o777).toBe(0o700)
        expect(lines.join('')).toContain('SANDBOX MODE (no BOT_TOKEN)')
        const marker = await service.database.db.select().from(settings)
        expect(marker.map((s) => s.key)).toContain('sandbox')
      } finally {
        await service.stop('test')
      }
      // Its own directory, seeded: a second start is allowed.
      const again = await startService(config, createLogger('silent'), roles, root)
      await again.stop('test')
    })
  }

  if (t.driver === 'postgres') {
    it('refuses a DATABASE_URL with real data, saying how to start the real service', async () => {
      await t.reset()
      await addPerson(t.db, { name: '王督办', role: 'supervisor' })
      const dataDir = path.join(dir, 'pg')
      mkdirSync(dataDir)
      writeFileSync(path.join(dataDir, SANDBOX_MARKER), '')
      const r = await start({ DATA_DIR: dataDir, DATABASE_URL: t.url! }, '--sandbox')
      expect(r.code).toBe(1)
      expect(r.err).toContain('DATABASE_URL')
      expect(r.err).toContain('已有正式数据')
      expect(r.err).toContain('set BOT_TOKEN')
    })
  }
})
