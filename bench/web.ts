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
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { loadConfig } from '../src/config.ts'
import { silentLogger } from '../src/log.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import { createSignInToken, redeemSignInToken } from '../src/domain/web-sessions.ts'
import { startWebServer } from '../src/web/server.ts'
import { machineLine, runIfMain } from './results.ts'
import { interleaved, PROVINCE, provinceDatabase, provinceMain } from './province.ts'

const DB_NAME = 'duban_bench_web'
const TZ = 'Asia/Shanghai'
const SCALE = PROVINCE
const NOW = zonedInstant('2026-03-02', '09:00', TZ)
const TODAY = '2026-03-02'
const GOAL_MS = 200
const PAGE = 50

/**
 * The bare query over the read model: what a person would hand-write for the first page from
 * each assignment's latest-status record, plus the counts by state over the whole plan.
 */
async function bare(sql: postgres.Sql) {
  await sql`
    select a.task_id, a.unit_id, t.ref, t.title, t.due_date, u.name, a.latest_state, a.latest_progress,
      a.latest_note, a.latest_reported_at
    from assignments a
    join tasks t on t.id = a.task_id
    join plans p on p.id = t.plan_id and p.active
    join units u on u.id = a.unit_id
    order by t.position, u.id limit ${PAGE}`
  await sql`
    select count(*) as total,
      count(*) filter (where a.latest_state = 'done') as done,
      count(*) filter (where a.latest_state = 'in_progress') as in_progress,
      count(*) filter (where a.latest_state = 'blocked') as blocked,
      count(*) filter (where a.latest_state = 'not_started') as not_started,
      count(*) filter (where a.latest_state is null) as no_reply,
      count(*) filter (where t.due_date < ${TODAY}::date and a.latest_state is distinct from 'done') as overdue
    from assignments a
    join tasks t on t.id = a.task_id
    join plans p on p.id = t.plan_id and p.active`
}

/** The same from the history (one LATERAL probe per assignment): what the page did before the read model. */
async function bareHistory(sql: postgres.Sql) {
  await sql`
    select count(*) as total,
      count(*) filter (where l.state = 'done') as done,
      count(*) filter (where l.state is null) as no_reply
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
  historyMs: number
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
  const { url, generateMs } = await provinceDatabase({
    url: opts.url,
    name: DB_NAME,
    scale: SCALE,
    reuse: opts.reuse,
  })

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
      history: () => bareHistory(client),
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
      historyMs: m.history,
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
      `${r.statusRows.toLocaleString('en')} status reports (up to ${SCALE.weeks} weekly replies each); pages of ${PAGE} rows as of ${TODAY} (${TZ}).` +
      (r.generateMs
        ? ` Generated in ${(r.generateMs / 1000).toFixed(0)} s.`
        : ' Data reused from an earlier run.'),
    '',
    '| measure | median | goal |',
    '| --- | ---: | --- |',
    `| bare query (first page from the latest-status records + counts by state, two statements) | ${fmt(r.bareMs)} | |`,
    `| for context: the counts from the history (a LATERAL probe per assignment, as the page did before) | ${fmt(r.historyMs)} | |`,
    `| **GET /ledger** (session, ledger query, render, HTTP; ${(r.pageBytes / 1024).toFixed(0)} KB) | **${fmt(r.pageMs)}** | ≤ ${GOAL_MS} ms |`,
    `| **GET /ledger?state=in_progress&sort=due&dir=desc&page=3** | **${fmt(r.filteredMs)}** | ≤ ${GOAL_MS} ms |`,
    `| ratio page / bare query | ${r.ratio.toFixed(2)}× | |`,
    '',
    "The page reads each assignment's latest-status record (assignments.latest_*, written with every report): " +
      'two statements side by side, the counts over the plan and the sorted, limited page.',
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- web\` with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  return provinceMain('web', argv, runWebBench, resultsSection)
}

runIfMain(import.meta.url, main)
