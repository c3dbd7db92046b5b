/**
 * Benchmark: the web desk's 台账 page at province scale (performance.md).
 *
 * 1,600 units × 50 tasks (80,000 assignments) with 8 weekly replies each (640,000 status reports),
 * generated on PostgreSQL with INSERT … SELECT generate_series. Measured in the same run:
 *   - the bare query: what a person would hand-write for the first page, one LATERAL probe per
 *     assignment for its latest report, plus the counts by state over the whole plan;
 *   - the page served: GET /ledger over HTTP from the real web server (session lookup, the
 *     ledger query, rendering, the response), first page and a filtered, sorted later page.
 * Goal: the served page's median ≤ 200 ms. Each figure is the median of several warm runs, the
 * contenders interleaved. Writes its section of bench/RESULTS.md.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/web.ts [--reuse] [--runs 9]
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import * as schema from '../src/db/schema.ts'
import { migrationsFolder, type Db } from '../src/db/client.ts'
import { loadConfig } from '../src/config.ts'
import { silentLogger } from '../src/log.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import { createSignInToken, redeemSignInToken } from '../src/domain/web-sessions.ts'
import { startWebServer } from '../src/web/server.ts'
import { benchDatabaseUrl, machineLine, needsDatabase, writeSection } from './results.ts'

const DB_NAME = 'duban_bench_web'
const TZ = 'Asia/Shanghai'
const SCALE = { units: 1600, tasks: 50, weeks: 8 }
const NOW = zonedInstant('2026-03-02', '09:00', TZ)
const TODAY = '2026-03-02'
const GOAL_MS = 200
const PAGE = 50

function databaseUrl(base: string, name: string): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function interleaved<K extends string>(runs: number, fns: Record<K, () => Promise<unknown>>) {
  const names = Object.keys(fns) as K[]
  for (const k of names) await fns[k]()
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>
  for (let i = 0; i < runs; i++)
    for (const k of i % 2 ? [...names].reverse() : names) {
      const t0 = performance.now()
      await fns[k]()
      times[k].push(performance.now() - t0)
    }
  return Object.fromEntries(names.map((k) => [k, median(times[k])])) as Record<K, number>
}

async function generate(sql: postgres.Sql): Promise<void> {
  const { units, tasks, weeks } = SCALE
  await sql`insert into plans (key, title, year, active) values ('bench', '省级基准 2026 年度行政执法监督工作方案', 2026, true)`
  await sql`
    insert into units (name, short_name, kind, tags)
    select '基准单位' || lpad(g::text, 4, '0'), 'B' || g,
      case when g % 10 = 0 then 'department' else 'town' end, '[]'::jsonb
    from generate_series(1, ${units}::int) g`
  await sql`
    insert into tasks (plan_id, ref, title, due_date, due_text, position)
    select p.id, 'T' || g, '基准任务' || g,
      case when g % 5 = 0 then null else date '2026-01-10' + (g - 1) * 7 end, null, g
    from plans p, generate_series(1, ${tasks}::int) g where p.key = 'bench'`
  await sql`insert into assignments (task_id, unit_id) select t.id, u.id from tasks t cross join units u`
  await sql`
    insert into people (name, role, unit_id, email)
    select '联络员' || u.id, 'liaison', u.id, 'liaison' || u.id || '@bench.example' from units u`
  await sql`insert into people (name, role) values ('督办一', 'supervisor')`
  await sql`
    insert into status_reports (task_id, unit_id, state, progress, note, reported_at, source, person_id)
    select a.task_id, a.unit_id, s.state,
      case when s.state = 'in_progress' then least(95, w * 10) end,
      case when s.state = 'blocked' then '缺少执法记录仪' end,
      timestamptz '2026-01-02 10:00+08' + (w - 1) * interval '7 days'
        + ((a.unit_id * 7 + a.task_id) % 480) * interval '1 minute',
      'telegram', a.unit_id
    from assignments a
    cross join generate_series(1, ${weeks}::int) w
    cross join lateral (
      select case
        when (a.unit_id * 13 + a.task_id) % 9 = 0 then null
        when w >= 4 + ((a.unit_id * 31 + a.task_id * 17) % 9) then 'done'
        when (a.unit_id + a.task_id) % 17 = 0 and w >= 6 then 'blocked'
        when w < 2 then 'not_started'
        else 'in_progress'
      end as state
    ) s
    where s.state is not null`
  await sql`vacuum analyze`
}

/** The bare query: the first page in plan order with each pair's latest report, and the counts. */
async function bare(sql: postgres.Sql) {
  await sql`
    select a.task_id, a.unit_id, t.ref, t.title, t.due_date, u.name, l.state, l.progress, l.note, l.reported_at
    from assignments a
    join tasks t on t.id = a.task_id
    join plans p on p.id = t.plan_id and p.active
    join units u on u.id = a.unit_id
    left join lateral (
      select s.state, s.progress, s.note, s.reported_at from status_reports s
      where s.unit_id = a.unit_id and s.task_id = a.task_id
      order by s.reported_at desc nulls last, s.id desc nulls last limit 1
    ) l on true
    order by t.position, u.id limit ${PAGE}`
  await sql`
    select count(*) as total,
      count(*) filter (where l.state = 'done') as done,
      count(*) filter (where l.state = 'in_progress') as in_progress,
      count(*) filter (where l.state = 'blocked') as blocked,
      count(*) filter (where l.state = 'not_started') as not_started,
      count(*) filter (where l.state is null) as no_reply,
      count(*) filter (where t.due_date < ${TODAY}::date and l.state is distinct from 'done') as overdue
    from assignments a
    join tasks t on t.id = a.task_id
    join plans p on p.id = t.plan_id and p.active
    left join lateral (
      select s.state from status_reports s
      where s.unit_id = a.unit_id and s.task_id = a.task_id
      order by s.reported_at desc nulls last, s.id desc nulls last limit 1
    ) l on true`
}

export interface WebBenchResult {
  statusRows: number
  generateMs: number
  bareMs: number
  pageMs: number
  filteredMs: number
  pageBytes: number
  ratio: number
  pass: boolean
  server: string
}

export async function runWebBench(opts: {
  url: string
  reuse?: boolean
  runs?: number
}): Promise<WebBenchResult> {
  const runs = opts.runs ?? 9
  const admin = postgres(opts.url, { max: 1, onnotice: () => {} })
  const url = databaseUrl(opts.url, DB_NAME)
  let generateMs = 0
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${DB_NAME}`
    if (!exists || !opts.reuse) {
      await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`)
      await admin.unsafe(`create database ${DB_NAME}`)
      const migrator = postgres(url, { max: 1, onnotice: () => {} })
      await migrate(drizzle(migrator), { migrationsFolder })
      console.log(`generating ${SCALE.units} units × ${SCALE.tasks} tasks × ${SCALE.weeks} weekly replies …`)
      const t0 = performance.now()
      await generate(migrator)
      generateMs = performance.now() - t0
      await migrator.end()
    }
  } finally {
    await admin.end()
  }

  const client = postgres(url, { max: 4, onnotice: () => {} })
  const db = drizzle(client, { schema }) as unknown as Db
  const config = loadConfig({ LOG_LEVEL: 'silent', WEB_PORT: '0', DATABASE_URL: url })
  const web = await startWebServer({
    db,
    config,
    logger: silentLogger,
    now: () => NOW,
    port: 0,
    hostname: '127.0.0.1',
  })
  try {
    const [{ n }] = (await client`select count(*)::int as n from status_reports`) as unknown as [
      { n: number },
    ]
    const [{ version }] = (await client`select current_setting('server_version') as version`) as unknown as [
      { version: string },
    ]
    const [{ id }] = (await client`select id from people where role = 'supervisor' limit 1`) as unknown as [
      { id: number },
    ]
    const { token } = await createSignInToken(db, id, NOW)
    const signIn = await redeemSignInToken(db, token, NOW)
    if (!signIn.ok) throw new Error('could not sign in')
    const cookie = `duban_session=${signIn.sessionToken}`
    let pageBytes = 0
    const get = async (path: string) => {
      const res = await fetch(`${web.localUrl}${path}`, { headers: { cookie } })
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`)
      return res.text()
    }
    console.log(`status rows: ${n}; measuring (median of ${runs} warm runs each, interleaved) …`)
    const m = await interleaved(runs, {
      bare: () => bare(client),
      page: async () => {
        pageBytes = (await get('/ledger')).length
      },
      filtered: () => get('/ledger?state=in_progress&sort=due&dir=desc&page=3'),
    })
    const pageMs = Math.max(m.page, m.filtered)
    return {
      statusRows: n,
      generateMs,
      bareMs: m.bare,
      pageMs: m.page,
      filteredMs: m.filtered,
      pageBytes,
      ratio: m.page / m.bare,
      pass: pageMs <= GOAL_MS,
      server: `PostgreSQL ${version}`,
    }
  } finally {
    await web.stop()
    await client.end()
  }
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`

export function resultsSection(r: WebBenchResult): string {
  return [
    '## web desk: the 台账 page at province scale',
    '',
    machineLine(r.server),
    '',
    `Workload: ${SCALE.units} units × ${SCALE.tasks} tasks = ${(SCALE.units * SCALE.tasks).toLocaleString('en')} assignments, ` +
      `${r.statusRows.toLocaleString('en')} status reports; pages of ${PAGE} rows as of ${TODAY} (${TZ}).` +
      (r.generateMs
        ? ` Generated in ${(r.generateMs / 1000).toFixed(0)} s.`
        : ' Data reused from an earlier run.'),
    '',
    '| measure | median | goal |',
    '| --- | ---: | --- |',
    `| bare query (first page with latest reports + counts by state, two statements) | ${fmt(r.bareMs)} | |`,
    `| **GET /ledger** (session, ledger query, render, HTTP; ${(r.pageBytes / 1024).toFixed(0)} KB) | **${fmt(r.pageMs)}** | ≤ ${GOAL_MS} ms |`,
    `| **GET /ledger?state=in_progress&sort=due&dir=desc&page=3** | **${fmt(r.filteredMs)}** | ≤ ${GOAL_MS} ms |`,
    `| ratio page / bare query | ${r.ratio.toFixed(2)}× | |`,
    '',
    "The page's one statement reads each assignment's latest report once (LATERAL on status_reports_latest_idx), " +
      'materialized for the counts, the filter and the page together.',
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- web\` with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const url = benchDatabaseUrl()
  if (!url) return needsDatabase('web')
  const runsAt = argv.indexOf('--runs')
  const result = await runWebBench({
    url,
    reuse: argv.includes('--reuse'),
    ...(runsAt >= 0 ? { runs: Number(argv[runsAt + 1]) } : {}),
  })
  const section = resultsSection(result)
  writeSection('web', section)
  console.log(section)
  return result.pass ? 0 : 1
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
