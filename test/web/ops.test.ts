/**
 * /healthz and /metrics: 200 with a reachable database, 503 when it is stopped or a role of this
 * process has stopped; both refused to addresses outside METRICS_ALLOW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type OpenedTestDb } from '../helpers/db.ts'
import { loadConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/log.ts'
import { startWebServer, type RunningWeb } from '../../src/web/server.ts'
import { freePort } from './harness.ts'

async function serve(db: OpenedTestDb, env: Record<string, string>, health = {}) {
  const port = await freePort()
  return startWebServer({
    db: db.db,
    config: loadConfig({ LOG_LEVEL: 'silent', WEB_PORT: String(port), ...env }),
    logger: silentLogger,
    port,
    hostname: '127.0.0.1',
    health,
  })
}

describe('operations endpoints', () => {
  let db: OpenedTestDb
  let web: RunningWeb
  let workerAlive = true

  beforeAll(async () => {
    db = await openTestDb('pglite')
    web = await serve(db, {}, { worker: () => workerAlive })
  })
  afterAll(async () => {
    await web.stop()
  })

  it('answers 200, then 503 when a role stops, then 503 when the database is stopped', async () => {
    const ok = await fetch(`${web.localUrl}/healthz`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ ok: true, database: 'ok', outboxLagSeconds: 0, worker: 'alive' })

    workerAlive = false
    const stopped = await fetch(`${web.localUrl}/healthz`)
    expect(stopped.status).toBe(503)
    expect(await stopped.json()).toMatchObject({ ok: false, worker: 'stopped' })
    workerAlive = true

    await db.close()
    const down = await fetch(`${web.localUrl}/healthz`)
    expect(down.status).toBe(503)
    expect(await down.json()).toMatchObject({ ok: false, database: 'unreachable' })
    // /metrics still answers without the database.
    expect((await fetch(`${web.localUrl}/metrics`)).status).toBe(200)
  })

  it('refuses addresses outside METRICS_ALLOW', async () => {
    const other = await openTestDb('pglite')
    const guarded = await serve(other, { METRICS_ALLOW: '10.1.2.3' })
    try {
      expect((await fetch(`${guarded.localUrl}/healthz`)).status).toBe(403)
      expect((await fetch(`${guarded.localUrl}/metrics`)).status).toBe(403)
    } finally {
      await guarded.stop()
      await other.close()
    }
  })
})
