/**
 * Outbox claim (performance.md): 10,000 pending deliveries claimed with `FOR UPDATE SKIP LOCKED`,
 * rendered and marked sent by one delivery worker process, with a channel that answers at once
 * (no network), so the figure is the outbox's own cost. Compared with the Telegram budget
 * (30 msg/s): the goal is ≥ 500 claims/s per process (≥ 15× the budget).
 *
 *   npm run bench -- outbox-claim     (BENCH_DATABASE_URL or TEST_DATABASE_URL for PostgreSQL;
 *                                      embedded PGlite is measured too)
 */
import postgres from 'postgres'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { openDatabase, migrationsFolder, type Db } from '../src/db/client.ts'
import * as schema from '../src/db/schema.ts'
import { enqueue, countDeliveries, type OutboxItem } from '../src/delivery/outbox.ts'
import { createDeliveryWorker } from '../src/delivery/worker.ts'
import type { EmailSender } from '../src/delivery/email.ts'
import { silentLogger } from '../src/log.ts'
import { withDatabase } from '../test/helpers/global-setup.ts'
import { benchDatabaseUrl, machineLine, writeSection, runIfMain } from './results.ts'

const ROWS = 10_000
const BUDGET = 30
const TARGET = 500

/** A channel with no network: every email is accepted at once. */
const instantEmail: EmailSender = {
  mode: 'smtp',
  timeoutMs: 1000,
  send: (mail) => Promise.resolve(`<bench.${mail.deliveryId}@localhost>`),
  close() {},
}

function items(): OutboxItem[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    key: `reminder:task${i % 50}:unit${Math.floor(i / 50)}:2026-10-13`,
    channel: 'email' as const,
    recipient: `liaison${i}@example.gov.cn`,
    payload: { template: 'notice', params: { title: '截止提醒', lines: [`第 ${i} 条`, '请按时报送进展。'] } },
  }))
}

interface Measure {
  driver: string
  concurrency: number
  seconds: number
  claimsPerSecond: number
}

async function measure(db: Db, driver: string, concurrency: number): Promise<Measure> {
  await enqueue(db, items())
  const worker = createDeliveryWorker({
    db,
    config: {
      timezone: 'Asia/Shanghai',
      botToken: undefined,
      telegramApiRoot: 'http://127.0.0.1:1',
      smtpUrl: undefined,
      mailFrom: 'duban@localhost',
      dataDir: '/tmp',
    },
    logger: silentLogger,
    telegram: null,
    email: instantEmail,
    emailConcurrency: concurrency,
    idlePollMs: 20,
  })
  const t0 = performance.now()
  await worker.runUntilIdle({ stallMs: 600_000 })
  const seconds = (performance.now() - t0) / 1000
  const counts = await countDeliveries(db)
  if (counts.sent !== ROWS) throw new Error(`expected ${ROWS} sent, got ${JSON.stringify(counts)}`)
  return { driver, concurrency, seconds, claimsPerSecond: ROWS / seconds }
}

async function onPostgres(url: string, concurrency: number): Promise<Measure> {
  const name = `duban_bench_claim_${process.pid}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const database = await openDatabase({
    databaseUrl: withDatabase(url, name),
    dataDir: '/tmp',
    max: concurrency + 4,
  })
  try {
    await database.migrate()
    return await measure(database.db, 'PostgreSQL', concurrency)
  } finally {
    await database.close()
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

async function onPglite(concurrency: number): Promise<Measure> {
  const client = await PGlite.create()
  try {
    const db = drizzlePglite(client, { schema })
    await migratePglite(db, { migrationsFolder })
    return await measure(db, 'PGlite (in-process)', concurrency)
  } finally {
    await client.close()
  }
}

export async function main(_argv: string[]): Promise<number> {
  const url = benchDatabaseUrl()
  const results: Measure[] = []
  if (url) for (const c of [8, 32]) results.push(await onPostgres(url, c))
  results.push(await onPglite(8))
  for (const r of results)
    console.log(
      `${r.driver}, ${r.concurrency} in flight: ${ROWS} in ${r.seconds.toFixed(1)} s = ${r.claimsPerSecond.toFixed(0)}/s`,
    )
  const primary = url ? results.filter((r) => r.driver === 'PostgreSQL') : results
  const best = Math.max(...primary.map((r) => r.claimsPerSecond))
  const ok = best >= TARGET
  const body = `## outbox claim

${machineLine(url ? `PostgreSQL at ${new URL(url).host}` : 'no PostgreSQL configured')}

Workload: ${ROWS.toLocaleString('en')} pending email deliveries (notice template) in one outbox; one worker process claims them with \`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)\`, renders each, hands it to a channel that accepts at once (no network), and marks it sent, with the given number of deliveries in flight. Claims/s = rows ÷ time until the outbox is empty.

| database | in flight | time | claims/s | × Telegram budget (${BUDGET}/s) | goal |
| --- | ---: | ---: | ---: | ---: | --- |
${results
  .map(
    (r) =>
      `| ${r.driver} | ${r.concurrency} | ${r.seconds.toFixed(1)} s | **${r.claimsPerSecond.toFixed(0)}** | ${(r.claimsPerSecond / BUDGET).toFixed(1)}× | ${r.driver === 'PostgreSQL' || !url ? `≥ ${TARGET}/s (≥ 15×)` : 'context'} |`,
  )
  .join('\n')}

Result: ${ok ? 'PASS' : 'FAIL'} (best ${best.toFixed(0)} claims/s = ${(best / TARGET).toFixed(1)}× the ${TARGET}/s target). Regenerate: \`npm run bench -- outbox-claim\`.`
  writeSection('outbox-claim', body)
  console.log(body)
  return ok ? 0 : 1
}

runIfMain(import.meta.url, () => main(process.argv.slice(2)))
