/**
 * The `duban` command line in-process, as a user runs it: `main(argv)` with an environment, its
 * exit code and what it wrote to stdout and stderr (each write a line).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { main } from '../../bin/root.ts'
import { openDatabase, type Db } from '../../src/db/client.ts'
import { openTestDb, type Driver } from './db.ts'

export interface CliRun {
  code: number
  out: string
  err: string
}

/** A runner of `duban …` with the environment `env()` gives at each call. */
export function cliRunner(env: () => Record<string, string>): (...argv: string[]) => Promise<CliRun> {
  return async (...argv) => {
    let out = ''
    let err = ''
    const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`)
    const code = await main(argv, {
      env: env(),
      output: { out: (s) => void (out += line(s)), err: (s) => void (err += line(s)) },
    })
    return { code, out, err }
  }
}

/** A data directory and database the CLI runs against, with a way to look into that database. */
export interface CliTarget {
  env: Record<string, string>
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * A fresh target on the driver: on PGlite the CLI's own embedded database in a new data
 * directory (opened between commands to look in), on PostgreSQL a fresh test database.
 */
export async function openCliTarget(driver: Driver, prefix = 'duban-cli-'): Promise<CliTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix))
  if (driver === 'pglite')
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: '', TIMEZONE: 'Asia/Shanghai' },
      async withDb(fn) {
        const database = await openDatabase({ dataDir })
        try {
          // Before the first command as after it: the schema is there.
          await database.migrate()
          return await fn(database.db)
        } finally {
          await database.close()
        }
      },
      close: async () => {},
    }
  const opened = await openTestDb('postgres')
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: opened.url!, TIMEZONE: 'Asia/Shanghai' },
    withDb: (fn) => fn(opened.db),
    close: () => opened.close(),
  }
}

/** `duban …` against the target, as `{ code, stdout, stderr }`. */
export async function runOn(target: CliTarget, ...argv: string[]) {
  const r = await cliRunner(() => ({ ...target.env }))(...argv)
  return { code: r.code, stdout: r.out, stderr: r.err }
}
