/**
 * The set-up the paperwork CLI suites share: a data directory, the database (the suite's
 * PostgreSQL when there is one, else an embedded PGlite hosted for the CLI in that directory),
 * the bot fixture, and `duban …` run in-process with the clock at NOW.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { main } from '../../bin/root.ts'
import { openDatabase, type Database, type Db } from '../../src/db/client.ts'
import type { TestDb } from '../helpers/db.ts'
import { NOW, seed, TZ, type Fixture } from '../bot/harness.ts'

export interface PaperworkSuite {
  dataDir: string
  db: Db
  f: Fixture
  /** `duban …` against this suite's database, the clock at NOW. */
  duban(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>
}

/**
 * Registers the suite's beforeAll/afterAll: the database seeded with the fixture, then `fill`
 * (the suite's reports). The returned object is filled in before the first test runs.
 */
export function paperworkSuite(
  t: TestDb,
  name: string,
  fill: (db: Db, f: Fixture) => Promise<unknown>,
): PaperworkSuite {
  const suite = {} as PaperworkSuite
  let embedded: Database | undefined
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    suite.dataDir = mkdtempSync(path.join(tmpdir(), `duban-${name}-`))
    if (t.url) {
      suite.db = t.db
      env = { DATABASE_URL: t.url, DATA_DIR: suite.dataDir, LOG_LEVEL: 'silent', TIMEZONE: TZ }
    } else {
      embedded = await openDatabase({ dataDir: suite.dataDir, embedded: 'host' })
      await embedded.migrate()
      suite.db = embedded.db
      env = { DATABASE_URL: '', DATA_DIR: suite.dataDir, LOG_LEVEL: 'silent', TIMEZONE: TZ }
    }
    suite.f = await seed(suite.db)
    await fill(suite.db, suite.f)
  }, 240_000)
  afterAll(async () => {
    await embedded?.close()
    rmSync(suite.dataDir, { recursive: true, force: true })
  })
  suite.duban = async (...argv) => {
    const out: string[] = []
    const err: string[] = []
    const code = await main(argv, {
      env,
      now: () => NOW,
      output: { out: (s) => out.push(s), err: (s) => err.push(s) },
    })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  }
  return suite
}
