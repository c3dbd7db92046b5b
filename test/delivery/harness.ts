/** What the delivery tests share: a bot token, config, outbox items, workers on a real emulator. */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BotApiEmulator, type EmulatorLimits } from '../../src/sandbox/emulator/index.ts'
import { silentLogger } from '../../src/log.ts'
import type { Db } from '../../src/db/client.ts'
import { createDeliveryWorker, type DeliveryWorkerOptions } from '../../src/delivery/worker.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import type { OutboxItem } from '../../src/delivery/outbox.ts'
import type { EmailSender } from '../../src/delivery/email.ts'
import type { WorkerProcessConfig } from '../helpers/worker-process.ts'

export const TOKEN = '7000000001:AAdelivery-test_token_0123456789'
export const MAIL_FROM = '督办助手 <duban@sfj.example.gov.cn>'

export function testConfig(dataDir = mkdtempSync(path.join(tmpdir(), 'duban-delivery-'))) {
  return {
    timezone: 'Asia/Shanghai',
    botToken: undefined,
    telegramApiRoot: 'http://127.0.0.1:1',
    smtpUrl: undefined,
    mailFrom: MAIL_FROM,
    dataDir,
  }
}

/** A `notice` to a Telegram chat whose text carries the key, so the emulator's log can be counted per key. */
export function notice(key: string, recipient: string | number, extra: Partial<OutboxItem> = {}): OutboxItem {
  return {
    key,
    channel: 'telegram',
    recipient: String(recipient),
    payload: { template: 'notice', params: { title: `通知 ${key}`, lines: [`key=${key}`] } },
    ...extra,
  }
}

export function emailNotice(key: string, to: string, extra: Partial<OutboxItem> = {}): OutboxItem {
  return {
    key,
    channel: 'email',
    recipient: to,
    payload: { template: 'notice', params: { title: `通知 ${key}`, lines: [`key=${key}`] } },
    ...extra,
  }
}

/** The key a sent message carries (see notice()). */
export function keyOf(text: string): string | undefined {
  return /key=(\S+)/.exec(text)?.[1]
}

/** How many times each key reached Telegram. */
export function countByKey(emulator: BotApiEmulator): Map<string, number> {
  const counts = new Map<string, number>()
  for (const m of emulator.sentMessages()) {
    const k = keyOf(m.text)
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

export async function startEmulator(limits: EmulatorLimits = {}): Promise<BotApiEmulator> {
  return BotApiEmulator.start({ limits })
}

/** Registers private chats (people who started the bot) and groups the bot is in. */
export function knownChats(emulator: BotApiEmulator, ids: number[]): void {
  emulator.addChats(...ids.map((id) => (id < 0 ? { id, type: 'group' as const, title: `群 ${id}` } : { id })))
}

/** A worker on the emulator with quick retries, for tests. */
export function testWorker(
  db: Db,
  emulator: BotApiEmulator | null,
  options: Partial<DeliveryWorkerOptions> & { email?: EmailSender | null } = {},
) {
  return createDeliveryWorker({
    db,
    config: testConfig(),
    logger: silentLogger,
    telegram: emulator
      ? createTelegramSender({ token: TOKEN, apiRoot: emulator.apiRoot, timeoutSeconds: 5 })
      : null,
    email: null,
    backoff: { baseMs: 20, capMs: 200 },
    idlePollMs: 50,
    ...options,
  })
}

export interface WorkerChild {
  readonly pid: number
  /** Resolves when the child printed `ready`. */
  ready: Promise<void>
  /** Resolves with the exit code (null when killed by a signal) and what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
  kill(signal: NodeJS.Signals): void
}

/** Starts test/helpers/worker-process.ts in its own process (see there for the configuration). */
export function spawnWorkerProcess(config: WorkerProcessConfig): WorkerChild {
  const entry = path.resolve(import.meta.dirname, '../helpers/worker-process.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, DUBAN_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let onReady: () => void = () => {}
  let onFail: (err: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve
    onFail = reject
  })
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (stdout.includes('"event":"ready"')) onReady()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>((resolve) => {
    child.on('exit', (code, signal) => {
      onFail(new Error(`worker process exited before it was ready (${code ?? signal}): ${stderr}`))
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { pid: child.pid!, ready, exited, kill: (signal) => child.kill(signal) }
}
