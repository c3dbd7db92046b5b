/**
 * Sandbox mode: with no BOT_TOKEN the real service runs against the bundled Bot API emulator on
 * 127.0.0.1, on whatever database is configured (embedded PGlite by default). The first start
 * loads the Taishan roster, the bundled plan as this year's plan, one liaison per unit, the
 * supervisors, bound groups and some officers; every start tells the emulator about the chats the
 * database knows (the emulator keeps nothing across restarts) and writes DATA_DIR/sandbox.json so
 * that `duban sandbox say` in another process can talk to it. Nothing here reaches the internet.
 */
import path from 'node:path'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { eq, isNotNull } from 'drizzle-orm'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import { chats, people, settings } from '../db/schema.ts'
import type { Logger } from '../log.ts'
import { BotApiEmulator, DEFAULT_EMULATOR_BOT, type EmulatorChat } from './emulator/index.ts'
import { importRoster, listUnits, parseRosterFile } from '../domain/units.ts'
import { importPlan } from '../domain/plan-import.ts'
import { readPlanFile } from '../documents/plan/index.ts'
import { importPeople, listPeople } from '../domain/people.ts'
import { importOfficers } from '../domain/training.ts'
import { createInvite, redeemInvite } from '../domain/invites.ts'
import { bindChat } from '../domain/chats.ts'
import { localDate } from '../domain/dates.ts'
import { packageRoot } from '../package-root.ts'

/** Not a secret: the emulator accepts only this token, and it never leaves 127.0.0.1. */
export const SANDBOX_TOKEN = `${DEFAULT_EMULATOR_BOT.id}:sandbox-token-not-a-secret-0000`
export const SUPERVISORS_GROUP_ID = -100_000
const samplesDir = path.join(packageRoot, 'samples')

/** Sandbox Telegram ids, derived from database ids so they are stable across restarts. */
export const sandboxUserId = (personId: number) => 10_000_000 + personId
export const sandboxGroupId = (unitId: number) => -(100_000 + unitId)

export interface SandboxState {
  apiRoot: string
  pid: number
}

export const sandboxStateFile = (dataDir: string) => path.join(dataDir, 'sandbox.json')

export interface Sandbox {
  /** The configuration the service runs with: the emulator's API root and the sandbox token. */
  config: Config
  emulator: BotApiEmulator
  /** What to print on start: where things are and three things to try. */
  welcome: string
  stop(): Promise<void>
}

/** Loads the sample roster, plan, people, officers, invites and groups into an empty database. */
export async function seedSandbox(db: Db, now: Date, tz: string): Promise<boolean> {
  // One transaction: a start that fails half-way leaves nothing, and the next start seeds again.
  return db.transaction(async (tx) => {
    if ((await listUnits(tx)).length > 0) return false
    const year = Number(localDate(now, tz).slice(0, 4))
    const read = (name: string) => readFile(path.join(samplesDir, name), 'utf8')
    await importRoster(tx, parseRosterFile(await read('taishan-units.yaml'), 'taishan-units.yaml'))
    const plan = await readPlanFile(path.join(samplesDir, 'taishan-2024.txt'), { year })
    await importPlan(tx, plan, { now, sourceName: 'taishan-2024.txt' })
    await importPeople(tx, await read('taishan-people.csv'))
    await importOfficers(tx, await read('taishan-officers.csv'), now, tz)
    // Everyone registers through the real invite flow, as if they had opened their link.
    for (const person of await listPeople(tx)) {
      const invite = await createInvite(tx, person.id, now)
      await redeemInvite(tx, invite.code, sandboxUserId(person.id), now)
    }
    for (const unit of await listUnits(tx)) {
      await bindChat(tx, sandboxGroupId(unit.id), unit.name, { title: `${unit.shortName}督办工作群` })
    }
    await bindChat(tx, SUPERVISORS_GROUP_ID, 'supervisors', { title: '市司法局督办组' })
    await tx
      .insert(settings)
      .values([
        { key: 'sandbox_seeded_at', value: now.toISOString() },
        // The marker that tells the guard (guard.ts) this database holds sample data only.
        { key: 'sandbox', value: true },
      ])
      .onConflictDoNothing()
    return true
  })
}

/** The chats the emulator must know so the bot can write to them. */
async function knownChats(db: Db): Promise<EmulatorChat[]> {
  const groups = await db.select().from(chats)
  const persons = await db.select().from(people).where(isNotNull(people.telegramUserId))
  return [
    ...groups.map((g) => ({
      id: g.telegramChatId,
      type: 'group' as const,
      title: g.title ?? `群 ${g.telegramChatId}`,
    })),
    ...persons.map((p) => ({ id: p.telegramUserId!, type: 'private' as const, first_name: p.name })),
  ]
}

export async function startSandbox(deps: {
  db: Db
  config: Config
  logger: Logger
  now?: Date
}): Promise<Sandbox> {
  const { db, config, logger } = deps
  const now = deps.now ?? new Date()
  const seeded = await seedSandbox(db, now, config.timezone)
  const emulator = await BotApiEmulator.start({ token: SANDBOX_TOKEN, control: true })
  emulator.addChats(...(await knownChats(db)))
  // With DATABASE_URL nothing else has created DATA_DIR yet.
  await mkdir(config.dataDir, { recursive: true })
  const stateFile = sandboxStateFile(config.dataDir)
  const state: SandboxState = { apiRoot: emulator.apiRoot, pid: process.pid }
  await writeFile(stateFile, JSON.stringify(state))
  logger.info({ apiRoot: emulator.apiRoot, seeded }, 'sandbox: Bot API emulator running')

  const [supervisor] = await db.select().from(people).where(eq(people.role, 'supervisor')).limit(1)
  const [liaison] = await db.select().from(people).where(eq(people.role, 'liaison')).limit(1)
  const liaisonUnit = liaison?.unitId
    ? (await listUnits(db)).find((u) => u.id === liaison.unitId)?.shortName
    : undefined
  const welcome = [
    '',
    `督办助手沙盒已启动 / duban sandbox is running (Telegram emulator at ${emulator.apiRoot}, data in ${config.dataDir}).`,
    seeded ? '已载入示例：台山市行政执法监督工作方案、单位名册、联络员、督办人员和工作群。' : '',
    '在另一个终端试试 / In another terminal, try:',
    `  npx duban sandbox say --as ${supervisor?.name ?? '陈建国'} "/status ${liaisonUnit ?? '台城'}"`,
    `  npx duban sandbox say --as ${liaison?.name ?? '李明'} "/tasks"`,
    `  npx duban sandbox say --as ${liaison?.name ?? '李明'} --reply last "1 已完成；2 进行中 60%"`,
    '然后 / then: npx duban status ' + (liaisonUnit ?? '台城') + '   ·   Ctrl+C 停止 / to stop',
    '',
  ]
    .filter((l, i, all) => l !== '' || i === 0 || i === all.length - 1)
    .join('\n')

  return {
    config: { ...config, botToken: SANDBOX_TOKEN, telegramApiRoot: emulator.apiRoot, sandbox: true },
    emulator,
    welcome,
    async stop() {
      await emulator.stop()
      await rm(stateFile, { force: true })
    },
  }
}
