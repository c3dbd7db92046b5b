/**
 * Fan-out (performance.md): 2,000 reminders to 2,000 distinct private chats plus one to each of
 * 50 groups, through the local Bot API emulator enforcing Telegram's limits (30 msg/s per token,
 * 1 msg/s per chat, 20 msg/min per group), sent by delivery workers running as their own
 * processes on one PostgreSQL: once with one worker, once with three sharing the budget.
 *
 *   npm run bench -- fanout          (BENCH_DATABASE_URL or TEST_DATABASE_URL: a PostgreSQL server)
 *   npx tsx bench/fanout.ts --verbose   (adds the per-second send profile)
 */
import postgres from 'postgres'
import { openDatabase } from '../src/db/client.ts'
import { enqueue } from '../src/delivery/outbox.ts'
import { BotApiEmulator } from '../src/sandbox/emulator/index.ts'
import { countByKey, knownChats, notice, spawnWorkerProcess, TOKEN } from '../test/delivery/harness.ts'
import { withDatabase } from '../test/helpers/global-setup.ts'
import { benchDatabaseUrl, needsDatabase, machineLine, writeSection, runIfMain } from './results.ts'

const PRIVATE = 2000
const GROUPS = 50
const BUDGET = 30

interface Run {
  processes: number
  messages: number
  /** First to last message as the emulator saw them. */
  spanMs: number
  /** Enqueue to last message. */
  completionMs: number
  rate: number
  violations: number
  tooManyRequests: number
  duplicates: number
  lost: number
  busiestSecond: number
  profile: number[]
}

async function fanout(url: string, processes: number): Promise<Run> {
  const name = `duban_bench_fanout_${process.pid}_${processes}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const dbUrl = withDatabase(url, name)
  const database = await openDatabase({ databaseUrl: dbUrl, dataDir: '/tmp' })
  await database.migrate()
  const emulator = await BotApiEmulator.start({
    limits: { perSecond: BUDGET, perChatPerSecond: 1, perGroupPerMinute: 20, enforce: true },
  })
  const workers = Array.from({ length: processes }, (_, i) =>
    spawnWorkerProcess({
      databaseUrl: dbUrl,
      apiRoot: emulator.apiRoot,
      token: TOKEN,
      workerId: `w${i + 1}`,
    }),
  )
  try {
    await Promise.all(workers.map((w) => w.ready))
    const privateIds = Array.from({ length: PRIVATE }, (_, i) => 100_001 + i)
    const groupIds = Array.from({ length: GROUPS }, (_, i) => -100_001 - i)
    knownChats(emulator, [...privateIds, ...groupIds])
    const items = [...privateIds, ...groupIds].map((id) => notice(`reminder:t7:${id}:2026-10-13`, id))
    const t0 = Date.now()
    await database.db.transaction((tx) => enqueue(tx, items))
    const deadline = Date.now() + 300_000
    while (new Set(emulator.sentMessages().map((m) => m.chat_id)).size < items.length) {
      if (Date.now() > deadline)
        throw new Error(`fan-out incomplete after 300 s: ${emulator.sentMessages().length} sent`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const sent = emulator.sentMessages()
    const times = sent.map((m) => m.sentAt).sort((a, b) => a - b)
    const first = times[0]!
    const last = times.at(-1)!
    let busiest = 0
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++
      busiest = Math.max(busiest, i - j + 1)
    }
    const profile: number[] = []
    for (const t of times) {
      const k = Math.floor((t - first) / 1000)
      profile[k] = (profile[k] ?? 0) + 1
    }
    const counts = countByKey(emulator)
    if (process.argv.includes('--verbose'))
      for (const v of emulator.rateViolations()) {
        const near = times.filter((t) => t > v.at - 1000 && t <= v.at).length
        console.log(
          `  violation at +${v.at - first} ms, chat ${v.chatId}, ${v.kinds.join('+')}; ${near} sends in the second before it`,
        )
      }
    return {
      processes,
      messages: items.length,
      spanMs: last - first,
      completionMs: last - t0,
      rate: ((times.length - 1) * 1000) / (last - first),
      violations: emulator.violations,
      tooManyRequests: emulator.calls('sendMessage').filter((c) => c.code === 429).length,
      duplicates: [...counts.values()].reduce((s, n) => s + n - 1, 0),
      lost: items.length - counts.size,
      busiestSecond: busiest,
      profile: Array.from(profile, (n) => n ?? 0),
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exited))
    await emulator.stop()
    await database.close()
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

export async function main(argv: string[]): Promise<number> {
  const url = benchDatabaseUrl()
  if (!url) return needsDatabase('fanout')
  const verbose = argv.includes('--verbose')
  const runs: Run[] = []
  for (const processes of [1, 3]) {
    const run = await fanout(url, processes)
    runs.push(run)
    console.log(
      `${processes} process(es): ${run.messages} messages in ${(run.spanMs / 1000).toFixed(1)} s = ${run.rate.toFixed(1)} msg/s, ` +
        `${run.violations} violations, ${run.tooManyRequests} × 429, ${run.duplicates} duplicates, ${run.lost} lost`,
    )
    if (verbose) console.log(`  per second: ${run.profile.join(' ')}`)
  }
  const [one, three] = runs as [Run, Run]
  const share = (r: Run) => r.rate / BUDGET
  const timeRatio = three.spanMs / one.spanMs
  const pass = (r: Run) =>
    share(r) >= 0.95 && r.violations === 0 && r.tooManyRequests === 0 && r.lost === 0 && r.duplicates === 0
  const ok = pass(one) && pass(three) && three.rate <= BUDGET && Math.abs(timeRatio - 1) <= 0.1
  const row = (label: string, r: Run) =>
    `| ${label} | ${r.messages} | ${(r.spanMs / 1000).toFixed(1)} s | ${r.rate.toFixed(1)} msg/s | **${(share(r) * 100).toFixed(1)}%** | ${r.busiestSecond} | ${r.violations} | ${r.tooManyRequests} | ${r.duplicates} / ${r.lost} |`
  const body = `## fan-out

${machineLine(`PostgreSQL at ${new URL(url).host}`)}

Workload: ${PRIVATE} reminders to ${PRIVATE} distinct private chats and one to each of ${GROUPS} groups, enqueued in one transaction; delivery workers as separate processes on one PostgreSQL; the local Bot API emulator enforcing ${BUDGET} msg/s per token, 1 msg/s per chat, 20 msg/min per group (a send over a limit is answered 429). Rate = messages between the first and the last arrival, over that time, as the emulator clocked them; the budget is the emulator's ${BUDGET} msg/s. The workers pace at 97.5% of it.

| workers | messages | first → last | rate | share of ${BUDGET} msg/s (goal ≥ 95%) | busiest second | violations | 429s | duplicated / lost |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row('1 process', one)}
${row('3 processes', three)}

Three processes against one: completion time ${(timeRatio * 100).toFixed(0)}% of the single worker's (goal 90–110%); combined rate ${three.rate.toFixed(1)} msg/s (goal ≤ ${BUDGET}). "Busiest second" counts arrivals in the fullest 1,000 ms window; the emulator judges violations over 950 ms windows (50 ms of slack for timer jitter), as Telegram's limits are approximate. Enqueue to last message: ${(one.completionMs / 1000).toFixed(1)} s and ${(three.completionMs / 1000).toFixed(1)} s.

Result: ${ok ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- fanout\` with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`
  writeSection('fanout', body)
  console.log(body)
  return ok ? 0 : 1
}

runIfMain(import.meta.url, () => main(process.argv.slice(2)))
