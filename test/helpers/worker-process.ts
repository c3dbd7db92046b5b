/**
 * A delivery worker as its own process, for multi-process tests and benchmarks:
 *
 *   node --import tsx test/helpers/worker-process.ts   (configuration in DUBAN_WORKER, JSON)
 *
 * Prints one JSON line per event on stdout: `{"event":"ready"}` once claiming, and
 * `{"event":"stopped"}` after SIGTERM once the worker has stopped and the database is closed;
 * then exits 0. SIGKILL, of course, prints nothing.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../src/db/client.ts'
import { createLogger } from '../../src/log.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import type { TelegramLimits } from '../../src/delivery/rate-budget.ts'

export interface WorkerProcessConfig {
  databaseUrl: string
  apiRoot: string
  token: string
  workerId: string
  limits?: TelegramLimits
  concurrency?: number
  leaseMs?: number
  maxSlotWaitMs?: number
  timeoutSeconds?: number
  stopDeadlineMs?: number
  logLevel?: string
}

const config = JSON.parse(process.env.DUBAN_WORKER ?? '{}') as WorkerProcessConfig
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`)

const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: mkdtempSync(path.join(tmpdir(), 'duban-worker-')),
  max: 8,
})
const worker = createDeliveryWorker({
  db: database.db,
  config: {
    timezone: 'Asia/Shanghai',
    botToken: undefined,
    telegramApiRoot: config.apiRoot,
    smtpUrl: undefined,
    mailFrom: 'duban@localhost',
    dataDir: tmpdir(),
  },
  logger: createLogger(config.logLevel ?? 'warn'),
  telegram: createTelegramSender({
    token: config.token,
    apiRoot: config.apiRoot,
    timeoutSeconds: config.timeoutSeconds ?? 5,
  }),
  email: null,
  workerId: config.workerId,
  ...(config.limits ? { limits: config.limits } : {}),
  ...(config.concurrency ? { concurrency: config.concurrency } : {}),
  ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
  ...(config.maxSlotWaitMs ? { maxSlotWaitMs: config.maxSlotWaitMs } : {}),
  ...(config.stopDeadlineMs ? { stopDeadlineMs: config.stopDeadlineMs } : {}),
  backoff: { baseMs: 100, capMs: 1000 },
  idlePollMs: 100,
})

let stopping = false
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  void (async () => {
    await worker.stop()
    await database.close()
    emit({ event: 'stopped' })
    process.exit(0)
  })()
})

worker.start()
emit({ event: 'ready' })
