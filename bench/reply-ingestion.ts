/**
 * Benchmark: reply ingestion (performance.md).
 *
 * Status replies arrive as Telegram updates (from the local Bot API emulator, fetched by the
 * runner exactly as in production), are parsed, committed to PostgreSQL and confirmed with a
 * message back. Measured in the same run, on the same database, emulator and update stream:
 *   - the ceiling: the same transport (runner, per-chat ordering) with a handler that does
 *     nothing but one bare INSERT into status_reports and a fixed confirmation, sent with the
 *     same options as duban's (HTML parse mode, reply to the message);
 *   - duban: the real bot (createBot: person, chat and prompt lookups, parseStatusReply,
 *     recordStatus, the HTML confirmation line);
 *   - for reference, the same bot with nothing remembered (the worst case of lookups.ts).
 * Goal: duban's replies per second ≥ 50% of the ceiling's, as the median over rounds of the
 * ratio within a round (the pipelines of one round run back to back, under the same load).
 * Writes its section of bench/RESULTS.md.
 *
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- reply-ingestion
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/reply-ingestion.ts [--replies 2000] [--rounds 5]
 *
 * Needs a PostgreSQL URL (BENCH_DATABASE_URL, else TEST_DATABASE_URL); it creates and uses its
 * own database `duban_bench_replies` on that server. The per-user rate limit is off (one
 * liaison sends dozens of replies here) and the emulator counts but does not enforce Telegram's
 * send limits: this measures ingestion, not Telegram's budget.
 */
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import { Bot } from 'grammy'
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner'
import { loadConfig } from '../src/config.ts'
import * as schema from '../src/db/schema.ts'
import { migrationsFolder, type Db } from '../src/db/client.ts'
import { silentLogger } from '../src/log.ts'
import { root } from '../bin/root.ts'
import { allowedUpdates, createBot } from '../src/telegram/bot.ts'
import { updateChatKey } from '../src/telegram/webhook.ts'
import { BotApiEmulator, DEFAULT_EMULATOR_BOT } from '../src/sandbox/emulator/index.ts'
import { benchDatabaseUrl, needsDatabase, machineLine, writeSection, runIfMain } from './results.ts'

const DB_NAME = 'duban_bench_replies'
const TOKEN = '123456789:AAH5ex-ample_TokenForTheBenchmark0'
const UNITS = 50
const TASKS = 5
const GOAL_RATIO = 0.5
const NOW = new Date('2024-10-15T02:00:00Z')
const REPLIES = ['进行中 60%', '已完成', '有困难：缺少执法记录仪', 'in progress 40', '完成了', '未开始']

export interface ReplyIngestionResult {
  replies: number
  rounds: number
  ceilingPerSecond: number
  dubanPerSecond: number
  ceilingQueries: number
  dubanQueries: number
  /** The same bot with nothing remembered (every update reads person, chat, prompt, tasks). */
  coldPerSecond: number
  coldQueries: number
  /** Median over rounds of duban's rate ÷ the ceiling's rate in the same round (adjacent in time). */
  ratio: number
  ratioMin: number
  ratioMax: number
  pass: boolean
  server: string
  /** 1-minute load average before and after the run (the machine may be shared). */
  load: [number, number]
}

interface World {
  /** Telegram ids per unit index. */
  liaisonIds: number[]
  groupIds: number[]
  /** unit index → task index → [taskId, unitId, prompt message id]. */
  prompts: { taskId: number; unitId: number; messageId: number }[][]
}

function databaseUrl(base: string, name: string): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** 50 units with one liaison and one bound group each, 5 tasks assigned to all, one prompt per (unit, task). */
async function generate(sql: postgres.Sql): Promise<World> {
  const [plan] = await sql<{ id: number }[]>`
    insert into plans (key, title, year, active) values ('bench-replies', '基准 2024 年度方案', 2024, true) returning id`
  const unitRows = await sql<{ id: number }[]>`
    insert into units (name, short_name, kind)
    select '单位' || g, '单位' || g, 'town' from generate_series(1, ${UNITS}) g order by g returning id`
  const taskRows = await sql<{ id: number }[]>`
    insert into tasks (plan_id, ref, title, due_date, position)
    select ${plan!.id}, '一（一）' || g, '基准任务 ' || g, '2024-10-20', g from generate_series(1, ${TASKS}) g order by g returning id`
  const world: World = { liaisonIds: [], groupIds: [], prompts: [] }
  for (const [u, unit] of unitRows.entries()) {
    const liaisonId = 8_000_000 + u
    const groupId = -1_009_000_000_000 - u
    world.liaisonIds.push(liaisonId)
    world.groupIds.push(groupId)
    await sql`insert into people (name, role, unit_id, telegram_user_id) values (${`联络员${u}`}, 'liaison', ${unit.id}, ${liaisonId})`
    await sql`insert into chats (telegram_chat_id, purpose, unit_id) values (${groupId}, 'unit', ${unit.id})`
    const row: World['prompts'][number] = []
    for (const [k, task] of taskRows.entries()) {
      await sql`insert into assignments (task_id, unit_id) values (${task.id}, ${unit.id})`
      await sql`
        insert into prompts (unit_id, task_ids, kind, telegram_chat_id, telegram_message_id)
        values (${unit.id}, ${JSON.stringify([task.id])}::jsonb, 'status_prompt', ${groupId}, ${k + 1})`
      row.push({ taskId: task.id, unitId: unit.id, messageId: k + 1 })
    }
    world.prompts.push(row)
  }
  return world
}

/** The n-th reply of a round: round-robin over the units, each a reply to one of its prompts. */
function replyUpdate(world: World, round: number, n: number): Record<string, unknown> {
  const u = n % UNITS
  const k = Math.floor(n / UNITS) % TASKS
  const chat = { id: world.groupIds[u]!, type: 'supergroup', title: `单位${u + 1}群` }
  const date = Math.floor(NOW.getTime() / 1000)
  return {
    message: {
      message_id: 1_000 + round * 1_000_000 + n,
      date,
      chat,
      from: { id: world.liaisonIds[u]!, is_bot: false, first_name: `联络员${u}` },
      text: REPLIES[n % REPLIES.length],
      reply_to_message: {
        message_id: world.prompts[u]![k]!.messageId,
        date,
        chat,
        from: {
          id: DEFAULT_EMULATOR_BOT.id,
          is_bot: true,
          first_name: DEFAULT_EMULATOR_BOT.first_name,
          username: DEFAULT_EMULATOR_BOT.username,
        },
        text: '【督办提醒】请直接回复本消息',
      },
    },
  }
}

/** The ceiling: same transport, a handler that only INSERTs and confirms. */
function ceilingBot(db: Db, apiRoot: string, world: World): Bot {
  const bot = new Bot(TOKEN, { client: { apiRoot } })
  const promptOf = new Map(
    world.prompts.flat().map((p, i) => [`${world.groupIds[Math.floor(i / TASKS)]}:${p.messageId}`, p]),
  )
  bot.use(sequentialize((ctx) => updateChatKey(ctx.update)))
  bot.on('message', async (ctx) => {
    const p = promptOf.get(`${ctx.chat.id}:${ctx.message.reply_to_message?.message_id}`)!
    await db.insert(schema.statusReports).values({
      taskId: p.taskId,
      unitId: p.unitId,
      state: 'in_progress',
      progress: 60,
      source: 'telegram',
      reportedAt: NOW,
    })
    // The same call as duban's confirmation (HTML, same length), so both pay the same transport.
    await ctx.reply('已记录：单位 · 基准任务 → 进行中 60%', {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
    })
  })
  return bot
}

/** Pushes `count` replies and waits until the bot confirmed every one; returns replies per second. */
async function round(
  emulator: BotApiEmulator,
  runner: RunnerHandle,
  world: World,
  roundNo: number,
  count: number,
): Promise<number> {
  emulator.reset()
  const t0 = performance.now()
  for (let n = 0; n < count; n++) emulator.pushUpdate(replyUpdate(world, roundNo, n))
  await emulator.waitFor((sent) => (sent.length >= count ? true : undefined), 300_000)
  const seconds = (performance.now() - t0) / 1000
  // Wait for the runner to be idle so the next round starts clean.
  while (runner.size() > 0) await new Promise((r) => setTimeout(r, 5))
  return count / seconds
}

/** Runs the benchmark against a PostgreSQL server; creates its own database there. */
export async function runReplyIngestion(opts: {
  url: string
  replies?: number
  rounds?: number
}): Promise<ReplyIngestionResult> {
  const loadBefore = os.loadavg()[0]!
  const replies = opts.replies ?? 2000
  const rounds = opts.rounds ?? 5
  const admin = postgres(opts.url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`)
  await admin.unsafe(`create database ${DB_NAME}`)
  const [{ version }] = (await admin`select version()`) as unknown as [{ version: string }]
  await admin.end()
  const url = databaseUrl(opts.url, DB_NAME)
  let queries = 0
  const sql = postgres(url, { max: 10, onnotice: () => {}, debug: () => void queries++ })
  const emulator = await BotApiEmulator.start({ limits: { enforce: false } })
  try {
    await migrate(drizzle(sql), { migrationsFolder })
    const world = await generate(sql)
    emulator.addChats(...world.groupIds.map((id) => ({ id, type: 'supergroup' as const, title: 'g' })))
    const db = drizzle(sql, { schema }) as unknown as Db

    const config = loadConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot, LOG_LEVEL: 'silent' })
    // As deployed, except the per-user rate limit (one liaison sends dozens of replies here).
    const duban = createBot({
      db,
      config,
      logger: silentLogger,
      now: () => NOW,
      rateLimit: false,
      features: await root.botFeatures(),
    })
    const cold = createBot({
      db,
      config,
      logger: silentLogger,
      now: () => NOW,
      rateLimit: false,
      lookups: { ttlMs: 0 },
      features: await root.botFeatures(),
    })
    const ceiling = ceilingBot(db, emulator.apiRoot, world)
    await duban.init()
    await cold.init()
    await ceiling.init()
    const options = { runner: { fetch: { allowed_updates: [...allowedUpdates] } } }

    const rates = { ceiling: [] as number[], duban: [] as number[], cold: [] as number[] }
    const queryCounts = { ceiling: [] as number[], duban: [] as number[], cold: [] as number[] }
    // Alternate, warm-up round first (not counted), so neither side gets the cold start or a warmer cache.
    for (let r = 0; r <= rounds; r++) {
      for (const [name, bot] of [
        ['ceiling', ceiling],
        ['duban', duban],
        ['cold', cold],
      ] as const) {
        await sql`truncate status_reports`
        const q0 = queries
        const runner = run(bot as Bot, options)
        const rate = await round(
          emulator,
          runner,
          world,
          r * 3 + (name === 'ceiling' ? 0 : name === 'duban' ? 1 : 2),
          r === 0 ? Math.min(200, replies) : replies,
        )
        await runner.stop()
        const [{ n }] = (await sql`select count(*)::int as n from status_reports`) as unknown as [
          { n: number },
        ]
        const expected = r === 0 ? Math.min(200, replies) : replies
        if (n !== expected) throw new Error(`${name}: ${n} status reports for ${expected} replies`)
        if (name !== 'ceiling') {
          const wrong = emulator.sentMessages().filter((m) => !/^(已记录|Recorded)/.test(m.visibleText))
          if (wrong.length > 0) throw new Error(`${name} answered something else: ${wrong[0]!.visibleText}`)
        }
        const perReply = (queries - q0 - 1) / expected
        if (r > 0) {
          rates[name].push(rate)
          queryCounts[name].push(perReply)
        }
        console.error(
          `${name} round ${r}: ${rate.toFixed(0)} replies/s, ${perReply.toFixed(1)} queries/reply${r === 0 ? ' (warm-up)' : ''}`,
        )
      }
    }
    const ceilingPerSecond = median(rates.ceiling)
    const dubanPerSecond = median(rates.duban)
    // Per-round ratios: the two pipelines of one round ran back to back, under the same machine load.
    const ratios = rates.duban.map((d, i) => d / rates.ceiling[i]!)
    const ratio = median(ratios)
    return {
      replies,
      rounds,
      ceilingPerSecond,
      dubanPerSecond,
      ceilingQueries: median(queryCounts.ceiling),
      dubanQueries: median(queryCounts.duban),
      coldPerSecond: median(rates.cold),
      coldQueries: median(queryCounts.cold),
      ratio,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      pass: ratio >= GOAL_RATIO,
      server: version.split(' ').slice(0, 2).join(' '),
      load: [loadBefore, os.loadavg()[0]!],
    }
  } finally {
    await emulator.stop()
    await sql.end()
  }
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`

/** The section of bench/RESULTS.md for this benchmark. */
export function resultsSection(r: ReplyIngestionResult): string {
  return [
    '## reply ingestion',
    '',
    machineLine(r.server),
    '',
    `Workload: ${r.replies} status replies per round (${UNITS} unit groups × ${TASKS} single-task prompts, round-robin; ` +
      `mixed forms such as \`进行中 60%\`, \`已完成\`, \`有困难：…\`), pushed as updates into the local Bot API emulator and ` +
      `fetched by the runner; a round ends when every confirmation reached the emulator. Rates are medians of ${r.rounds} rounds after a warm-up; in each round the three pipelines ran back to back.`,
    '',
    '| pipeline | replies/s | queries/reply |',
    '| --- | ---: | ---: |',
    `| ceiling: runner + per-chat ordering, bare INSERT, a fixed confirmation sent the same way | ${r.ceilingPerSecond.toFixed(0)} | ${r.ceilingQueries.toFixed(1)} |`,
    `| **duban**: createBot as deployed (person, chat and prompt lookups remembered 10 s / 60 s), parseStatusReply, recordStatus, HTML confirmation line | **${r.dubanPerSecond.toFixed(0)}** | ${r.dubanQueries.toFixed(1)} |`,
    `| ratio duban / ceiling, median of the rounds' ratios (range) | **${pct(r.ratio)}** (${pct(r.ratioMin)}–${pct(r.ratioMax)}; goal ≥ ${pct(GOAL_RATIO)}) | |`,
    `| for reference: duban with nothing remembered | ${r.coldPerSecond.toFixed(0)} (${((r.coldPerSecond / r.ceilingPerSecond) * 100).toFixed(0)}% of the ceiling) | ${r.coldQueries.toFixed(1)} |`,
    '',
    `Each unit's liaison sends ${r.replies / UNITS} replies per round, so the remembered lookups are mostly hits; the last row is the ` +
      'worst case, every reply from someone the bot has not seen for 10 s. With warm lookups a reply costs one statement, ' +
      "recordStatus's insert that checks the assignment in the same statement. " +
      `Load average ${r.load[0].toFixed(1)} before and ${r.load[1].toFixed(1)} after the run on ${os.cpus().length} cores: ` +
      'on a busy machine the rounds vary, hence the range.',
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- reply-ingestion\` with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

/** Runs the benchmark with the URL from the environment and writes the results; exit code 1 on FAIL. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const url = benchDatabaseUrl()
  if (!url) return needsDatabase('reply-ingestion')
  const arg = (name: string) => {
    const i = argv.indexOf(name)
    return i >= 0 ? Number(argv[i + 1]) : undefined
  }
  const result = await runReplyIngestion({ url, replies: arg('--replies'), rounds: arg('--rounds') })
  const section = resultsSection(result)
  writeSection('reply-ingestion', section)
  console.log(section)
  return result.pass ? 0 : 1
}

runIfMain(import.meta.url, main)
