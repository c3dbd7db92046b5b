/**
 * The sandbox runs only when it is safe to: a missing BOT_TOKEN alone (a service started from
 * another directory, so `.env` was not read) must never turn the real database into a playground,
 * with real groups' messages "sent" to the emulator and emails written to files.
 *
 * - Embedded database: DATA_DIR must be one the sandbox created itself (it writes a marker file
 *   when it creates it, or finds an empty or absent directory), or `duban start --sandbox` says
 *   so explicitly.
 * - Any database (embedded or DATABASE_URL): one holding a roster, plan or people that the
 *   sandbox's seeding did not write (no `sandbox` setting) is refused, whatever the flag.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { UserError } from '../errors.ts'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'

/** Written into DATA_DIR when the sandbox creates it. */
export const SANDBOX_MARKER = '.duban-sandbox'

const HOW_TO_RUN_REAL =
  '要运行正式服务，请设置 BOT_TOKEN（@BotFather 发放的机器人令牌，写在 .env 或环境变量中），再执行 duban start。' +
  ' / To run the real service, set BOT_TOKEN (the bot token from @BotFather, in .env or the environment) and run duban start again.'

/** Refusals of the sandbox: a user error that says how to start the real service. */
export class SandboxRefused extends UserError {
  constructor(why: string) {
    super(`${why}\n${HOW_TO_RUN_REAL}`)
    this.name = 'SandboxRefused'
  }
}

/**
 * Checks (before the embedded database is opened) that DATA_DIR is the sandbox's own; creates it
 * with the marker when absent or empty. `requested`: `--sandbox` was given.
 */
export async function claimSandboxDataDir(dataDir: string, requested: boolean): Promise<void> {
  const entries = existsSync(dataDir) ? await readdir(dataDir) : null
  const ours =
    entries === null ||
    entries.length === 0 ||
    entries.includes(SANDBOX_MARKER) ||
    // Sandboxes started before the marker existed wrote their state file there.
    entries.includes('sandbox.json')
  if (!ours && !requested)
    throw new SandboxRefused(
      `没有设置 BOT_TOKEN，但数据目录 ${dataDir} 中已有不是沙盒建立的数据，沙盒拒绝在此启动（如确需在此运行沙盒，请用 duban start --sandbox）。` +
        ` / BOT_TOKEN is not set, and DATA_DIR ${dataDir} holds data the sandbox did not create: the sandbox will not start there (add --sandbox if you really mean it).`,
    )
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (!entries?.includes(SANDBOX_MARKER))
    await writeFile(
      path.join(dataDir, SANDBOX_MARKER),
      'Created by the duban sandbox. Delete this directory to start the sandbox afresh.\n',
    )
}

/** Refuses a database that holds data the sandbox did not seed (see the module comment). */
export async function checkSandboxDatabase(db: Db, where: string): Promise<void> {
  const [first] = await query<{ real: boolean }>(
    db,
    sql`select (exists (select 1 from units) or exists (select 1 from plans) or exists (select 1 from people))
       and not exists (select 1 from settings where key in ('sandbox', 'sandbox_seeded_at')) as real`,
  )
  if (first?.real)
    throw new SandboxRefused(
      `没有设置 BOT_TOKEN，而 ${where} 中已有正式数据（单位、方案或人员），沙盒拒绝在其上运行。` +
        ` / BOT_TOKEN is not set, and ${where} holds real data (units, a plan or people): the sandbox will not run on it.`,
    )
}
