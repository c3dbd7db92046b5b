/**
 * Benchmark: the bot's interactive commands at province scale (performance.md, issue 13 item 7).
 *
 * 1,600 units × 50 tasks (80,000 assignments, 8 weekly replies each) on PostgreSQL, the data set
 * of bench/province.ts. The real bot (createBot with the composition root's features, as the
 * service builds it) answers through a local Bot API emulator over HTTP. Measured per command:
 * SERVER TIME, from the update entering the bot (`bot.handleUpdate`, what the runner and the
 * webhook call) until the bot's last answer call has returned from the emulator:
 *   - `/status` (the overview of every unit), asked by the supervisor in private;
 *   - `/status 基准单位0006` (one unit's card), by the supervisor;
 *   - `/tasks` by the unit's liaison in the unit's group (the list is a prompt there);
 *   - `/overdue` (every unit) by the supervisor.
 * Every run's answer is checked (the unit's name, the overview's title, 逾期), so an error reply
 * cannot be measured. Median and p95 of ≥ 30 runs each, the commands interleaved round by round;
 * the bare queries over the read model (assignments.latest_*) are timed in the same rounds.
 * Goal: p95 ≤ 200 ms for each command. Writes its section of bench/RESULTS.md.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/interactive.ts [--reuse] [--runs 30]
 *
 * Creates and uses its own database `duban_bench_interactive` on that server. A second variant,
 * `npm run bench -- interactive-recurring` (bench/interactive-recurring.ts), makes every tenth task
 * monthly, which the views read at the occurrence that is due, from each unit's report history. The per-user rate
 * limit is off (one supervisor sends 90 commands in a minute here) and lookups are never
 * remembered (ttlMs 0), so each run pays for the person and chat lookups as a first command does.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import {
  BotApiEmulator,
  type EmulatorChat,
  type EmulatorUser,
  type SentMessage,
} from '../src/sandbox/emulator/index.ts'
import { createBot } from '../src/telegram/bot.ts'
import { root } from '../bin/root.ts'
import { machineLine, runIfMain } from './results.ts'
import {
  interleavedSamples,
  median,
  PROVINCE,
  provinceDatabase,
  provinceMain,
  quantile,
  type ProvinceScale,
} from './province.ts'

/** Which data set the commands run against, and where its results go. */
export interface InteractiveVariant {
  /** The benchmark's name and its section of bench/RESULTS.md. */
  name: string
  dbName: string
  scale: ProvinceScale
  title: string
}

export const PLAIN: InteractiveVariant = {
  name: 'interactive',
  dbName: 'duban_bench_interactive',
  scale: PROVINCE,
  title: 'bot commands at province scale',
}
const TZ = 'Asia/Shanghai'
const TODAY = '2026-03-02'
const NOW = zonedInstant(TODAY, '09:00', TZ)
const GOAL_MS = 200
const TOKEN = '123456789:AAH5ex-ample_TokenForTheBenchmarks0'
/** The liaison's unit: an even id (it has a group) divisible by 3 (its liaison is on Telegram). */
const UNIT_ID = 6
const UNIT_NAME = '基准单位0006'
const SUPERVISOR_TG = 690_000_001
const TELEGRAM_LIMIT = 4096

type Command = 'overview' | 'unit' | 'tasks' | 'overdue'

/** The bare queries over the read model, what a person would hand-write for each answer. */
function bareQueries(sql: postgres.Sql): Record<Command, () => Promise<unknown>> {
  return {
    overview: () => sql`
      select a.unit_id, count(*) as tasks,
        count(*) filter (where a.latest_state = 'done') as done,
        count(*) filter (where a.latest_state = 'in_progress') as in_progress,
        count(*) filter (where a.latest_state = 'blocked') as blocked,
        count(*) filter (where a.latest_state = 'not_started') as not_started,
        count(*) filter (where a.latest_state is null) as no_reply,
        count(*) filter (where t.due_date < ${TODAY}::date and a.latest_state is distinct from 'done') as overdue,
        max(a.latest_reported_at) as last_reply
      from assignments a
      join tasks t on t.id = a.task_id
      join plans p on p.id = t.plan_id and p.active
      group by a.unit_id`,
    unit: () => sql`
      select t.id, t.ref, t.title, t.due_date, a.latest_state, a.latest_progress, a.latest_note,
        a.latest_reported_at, pe.name
      from assignments a
      join tasks t on t.id = a.task_id
      join plans p on p.id = t.plan_id and p.active
      left join people pe on pe.id = a.latest_person_id
      where a.unit_id = ${UNIT_ID}
      order by t.position`,
    tasks: () => sql`
      select t.id, t.ref, t.title, t.due_date, a.latest_state, a.latest_progress
      from assignments a
      join tasks t on t.id = a.task_id
      join plans p on p.id = t.plan_id and p.active
      where a.unit_id = ${UNIT_ID} and a.latest_state is distinct from 'done'
      order by t.due_date nulls last, t.position`,
    overdue: () => sql`
      select u.name, t.ref, t.title, ${TODAY}::date - t.due_date as days, a.latest_state
      from assignments a
      join tasks t on t.id = a.task_id
      join plans p on p.id = t.plan_id and p.active
      join units u on u.id = a.unit_id
      where t.due_date < ${TODAY}::date and a.latest_state is distinct from 'done'
      order by days desc, u.id`,
  }
}

export interface CommandFigures {
  medianMs: number
  p95Ms: number
  maxMs: number
  /** Messages the answer took and their total visible length (characters). */
  messages: number
  chars: number
  longest: number
  bareMedianMs: number
  pass: boolean
}

export interface InteractiveBenchResult {
  variant: InteractiveVariant
  runs: number
  statusRows: number
  overdueAssignments: number
  generateMs: number
  commands: Record<Command, CommandFigures>
  pass: boolean
  server: string
}

export async function runInteractiveBench(
  opts: {
    url: string
    reuse?: boolean
    runs?: number
  },
  variant: InteractiveVariant = PLAIN,
): Promise<InteractiveBenchResult> {
  const runs = Math.max(30, opts.runs ?? 30)
  const { url, generateMs } = await provinceDatabase({
    url: opts.url,
    name: variant.dbName,
    scale: variant.scale,
    reuse: opts.reuse,
  })
  const client = postgres(url, { max: 10, onnotice: () => {} })
  const db = drizzle(client, { schema }) as unknown as Db
  const emulator = await BotApiEmulator.start({ limits: { enforce: false } })
  try {
    // The province has a supervisor but not on Telegram: bind them (idempotent, for --reuse).
    await client`update people set telegram_user_id = ${SUPERVISOR_TG}
      where role = 'supervisor' and name = '督办一'`
    const [liaisonRow] = (await client`
      select p.telegram_user_id::bigint as tg, c.telegram_chat_id::bigint as chat
      from people p join chats c on c.unit_id = p.unit_id and c.purpose = 'unit'
      where p.role = 'liaison' and p.unit_id = ${UNIT_ID} and p.telegram_user_id is not null`) as unknown as [
      { tg: string; chat: string } | undefined,
    ]
    if (!liaisonRow) throw new Error(`unit ${UNIT_ID} has no liaison on Telegram with a group`)
    // A reused database keeps the last run's /tasks prompts, whose message ids a new emulator repeats.
    await client`delete from prompts where telegram_chat_id = ${liaisonRow.chat}`
    const [{ n }] = (await client`select count(*)::int as n from status_reports`) as unknown as [
      { n: number },
    ]
    const [{ version }] = (await client`select current_setting('server_version') as version`) as unknown as [
      { version: string },
    ]
    const [{ overdue }] = (await client`
      select count(*)::int as overdue from assignments a join tasks t on t.id = a.task_id
      where t.due_date < ${TODAY}::date and a.latest_state is distinct from 'done'`) as unknown as [
      { overdue: number },
    ]

    const supervisor: EmulatorUser = { id: SUPERVISOR_TG, first_name: '督办一' }
    const liaison: EmulatorUser = { id: Number(liaisonRow.tg), first_name: `联络员${UNIT_ID}` }
    const group: EmulatorChat = {
      id: Number(liaisonRow.chat),
      type: 'supergroup',
      title: `${UNIT_NAME}督办群`,
    }
    emulator.addChats(group)

    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TIMEZONE: TZ,
      LOG_LEVEL: 'silent',
    })
    // Errors are kept, to say why an answer was an apology instead of the real one.
    const errors: string[] = []
    const bot = createBot({
      db,
      config,
      logger: createLogger('error', { write: (line: string) => void errors.push(line) }),
      now: () => NOW,
      rateLimit: false,
      lookups: { ttlMs: 0 },
      // Each answer pays for its rate slot (the shared budget's queries), but with limits no run
      // reaches: 120 commands in a few minutes would exceed a group's 15 answers a minute.
      pacing: {
        limits: { perSecond: 10_000, perChatPerSecond: 1000, groupPerMinute: 1_000_000 },
        chatMarginMs: 0,
      },
      features: await root.botFeatures(),
    })
    if (process.env.BENCH_DEBUG)
      bot.api.config.use(async (prev, method, payload, signal) => {
        try {
          return await prev(method, payload, signal)
        } catch (e) {
          console.error(method, JSON.stringify(payload).length, (e as { error?: unknown }).error)
          throw e
        }
      })
    await bot.init()

    const last: Record<Command, SentMessage[]> = { overview: [], unit: [], tasks: [], overdue: [] }
    /** One command: the person's message enters the bot; resolves when the bot's answer calls returned. */
    const ask =
      (cmd: Command, from: EmulatorUser, chat: EmulatorChat, text: string, check: (t: string) => boolean) =>
      async () => {
        const before = emulator.sentMessages(chat.id).length
        const m = emulator.sendText(from, chat, text)
        if (m.updateId === null || !m.update) throw new Error(`${text}: not delivered to the bot`)
        await bot.handleUpdate({ update_id: m.updateId, ...m.update })
        const answer = emulator.sentMessages(chat.id).slice(before)
        const all = answer.map((s) => s.visibleText).join('\n')
        if (answer.length === 0 || !check(all))
          throw new Error(
            `${text}: unexpected answer: ${all.slice(0, 300)}\n${(errors.at(-1) ?? '').slice(0, 2000)}`,
          )
        last[cmd] = answer
      }
    const inPrivate = { id: supervisor.id, type: 'private' as const }
    const commands: Record<Command, () => Promise<void>> = {
      overview: ask('overview', supervisor, inPrivate, '/status', (t) =>
        t.includes(`各单位督办概况（${variant.scale.units} 个单位）`),
      ),
      unit: ask(
        'unit',
        supervisor,
        inPrivate,
        `/status ${UNIT_NAME}`,
        (t) => t.includes(UNIT_NAME) && /任务|逾期/.test(t),
      ),
      tasks: ask('tasks', liaison, group, '/tasks', (t) => t.includes(`${UNIT_NAME} · 未完成任务`)),
      overdue: ask(
        'overdue',
        supervisor,
        inPrivate,
        '/overdue',
        (t) => t.includes('逾期事项') && /逾期 \d+ 天/.test(t),
      ),
    }
    const bare = bareQueries(client)
    console.log(
      `status rows: ${n}; overdue assignments: ${overdue}; measuring ${runs} runs of each command, interleaved …`,
    )
    const samples = await interleavedSamples(runs, {
      ...commands,
      bareOverview: bare.overview,
      bareUnit: bare.unit,
      bareTasks: bare.tasks,
      bareOverdue: bare.overdue,
    })
    const bareOf: Record<Command, number[]> = {
      overview: samples.bareOverview,
      unit: samples.bareUnit,
      tasks: samples.bareTasks,
      overdue: samples.bareOverdue,
    }
    const figures = (cmd: Command): CommandFigures => {
      const xs = samples[cmd]
      const sent = last[cmd]
      const p95Ms = quantile(xs, 0.95)
      return {
        medianMs: median(xs),
        p95Ms,
        maxMs: Math.max(...xs),
        messages: sent.length,
        chars: sent.reduce((s, m) => s + m.visibleText.length, 0),
        longest: Math.max(...sent.map((m) => m.visibleText.length)),
        bareMedianMs: median(bareOf[cmd]),
        pass: p95Ms <= GOAL_MS,
      }
    }
    const result: Record<Command, CommandFigures> = {
      overview: figures('overview'),
      unit: figures('unit'),
      tasks: figures('tasks'),
      overdue: figures('overdue'),
    }
    return {
      variant,
      runs,
      statusRows: n,
      overdueAssignments: overdue,
      generateMs,
      commands: result,
      pass: Object.values(result).every((f) => f.pass),
      server: `PostgreSQL ${version}`,
    }
  } finally {
    await emulator.stop()
    await client.end()
  }
}

const ms = (x: number) => `${x.toFixed(0)} ms`

const LABELS: Record<Command, string> = {
  overview: '`/status` (overview of every unit), supervisor in private',
  unit: `\`/status ${UNIT_NAME}\` (one unit's card), supervisor`,
  tasks: "`/tasks`, the unit's liaison in its group",
  overdue: '`/overdue` (every unit), supervisor',
}

export function resultsSection(r: InteractiveBenchResult): string {
  const rows = (Object.keys(LABELS) as Command[]).map((c) => {
    const f = r.commands[c]
    return `| ${LABELS[c]} | ${ms(f.medianMs)} | **${ms(f.p95Ms)}** | ${ms(f.maxMs)} | ${ms(f.bareMedianMs)} | ${f.messages} × ≤ ${f.longest.toLocaleString('en')} (${f.chars.toLocaleString('en')} chars) | ${f.pass ? 'PASS' : 'FAIL'} |`
  })
  return [
    `## ${r.variant.name}: ${r.variant.title}`,
    '',
    machineLine(r.server),
    '',
    workload(r.variant.scale) +
      `${r.statusRows.toLocaleString('en')} status reports; ${r.overdueAssignments.toLocaleString('en')} dated assignments overdue on ${TODAY} (${TZ}).` +
      (r.generateMs
        ? ` Generated in ${(r.generateMs / 1000).toFixed(0)} s.`
        : ' Data reused from an earlier run.'),
    '',
    `Server time: from \`bot.handleUpdate\` (the real bot, every feature of the composition root) until the last answer call ` +
      `returned from the local Bot API emulator over HTTP (same process). ${r.runs} runs of each command, interleaved round by ` +
      `round after one warm run; each answer checked (unit name, title, 逾期). Per-user rate limit off, lookups not cached.`,
    '',
    `| command | median | p95 (goal ≤ ${GOAL_MS} ms) | max | bare query (median) | answer: messages × longest (total) | result |`,
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows,
    '',
    `Telegram allows ${TELEGRAM_LIMIT.toLocaleString('en')} characters per message.`,
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- ${r.variant.name}\` with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

function workload(scale: ProvinceScale): string {
  const assignments = scale.units * scale.tasks
  const recurring = scale.seriesEvery > 0 ? Math.floor(scale.tasks / scale.seriesEvery) * scale.units : 0
  return (
    `Workload: ${scale.units} units × ${scale.tasks} tasks = ${assignments.toLocaleString('en')} assignments` +
    (recurring > 0
      ? ` (every ${scale.seriesEvery}th task monthly, 每月10日前: ${recurring.toLocaleString('en')} recurring assignments), `
      : ', ')
  )
}

/** Runs a variant as its own benchmark (the plain one by default). */
export async function main(
  argv: string[] = process.argv.slice(2),
  variant: InteractiveVariant = PLAIN,
): Promise<number> {
  return provinceMain(variant.name, argv, (opts) => runInteractiveBench(opts, variant), resultsSection)
}

runIfMain(import.meta.url, main)
