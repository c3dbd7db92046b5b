/**
 * Benchmark: the weekly digest at province scale (performance.md).
 *
 * 1,600 units × 50 tasks × 52 weekly replies (4,160,000 status reports), with liaisons, groups,
 * officers and training records, generated on PostgreSQL with INSERT … SELECT generate_series.
 * Measured in the same run on the same data:
 *   - the bare query: ONE hand-written aggregate SQL, the per-unit counts by latest state that a
 *     person would write (both the LATERAL form and the DISTINCT ON form; the faster one counts);
 *   - the digest: `buildDigest` as the weekly-digest job and /digest call it.
 * Goal: digest ≤ 1 s and ≤ 2× the bare query. Each figure is the median of several warm runs,
 * the contenders interleaved so a noisy neighbour slows them alike.
 * Writes its section of bench/RESULTS.md.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/digest-scale.ts [--reuse] [--runs 7]
 *
 * Needs a PostgreSQL URL (BENCH_DATABASE_URL, else TEST_DATABASE_URL); it creates and uses its
 * own database `duban_bench_digest` on that server.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { buildDigest } from '../src/domain/digest.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import { machineLine, runIfMain } from './results.ts'
import { interleaved, PROVINCE, provinceDatabase, provinceMain } from './province.ts'

const DB_NAME = 'duban_bench_digest'
const TZ = 'Asia/Shanghai'
/** The province with a year of replies; deadlines weekly from February, every pair answering. */
const SCALE = { ...PROVINCE, weeks: 52, recordsPerOfficer: 12, firstDue: '2026-02-07', silentEvery: 0 }
/** Monday 2026-12-28 08:30, the morning after the 52nd weekly reply (Friday 12-25). */
const NOW = zonedInstant('2026-12-28', '08:30', TZ)
const TODAY = '2026-12-28'
const GOAL_MS = 1000
const GOAL_RATIO = 2

export interface DigestScaleResult {
  statusRows: number
  generateMs: number
  bareLateralMs: number
  bareDistinctOnMs: number
  bareMs: number
  digestMs: number
  ratio: number
  digestUnits: number
  pass: boolean
  server: string
}

/** The bare query: per-unit counts by latest state, one statement (LATERAL, one index probe per pair). */
function bareLateral(sql: postgres.Sql) {
  return sql`
    select a.unit_id, count(*) as items,
      count(*) filter (where l.state = 'done') as done,
      count(*) filter (where l.state = 'in_progress') as in_progress,
      count(*) filter (where l.state = 'blocked') as blocked,
      count(*) filter (where l.state = 'not_started') as not_started,
      count(*) filter (where l.state is null) as no_reply,
      count(*) filter (where t.due_date < ${TODAY}::date and l.state is distinct from 'done') as overdue,
      max(l.reported_at) as last_reply
    from assignments a
    join tasks t on t.id = a.task_id
    left join lateral (
      select s.state, s.reported_at from status_reports s
      where s.unit_id = a.unit_id and s.task_id = a.task_id
      order by s.reported_at desc nulls last, s.id desc nulls last limit 1
    ) l on true
    join plans p on p.id = t.plan_id and p.active
    group by a.unit_id`
}

/** The same counts written with DISTINCT ON over the reports. */
function bareDistinctOn(sql: postgres.Sql) {
  return sql`
    select a.unit_id, count(*) as items,
      count(*) filter (where l.state = 'done') as done,
      count(*) filter (where l.state = 'in_progress') as in_progress,
      count(*) filter (where l.state = 'blocked') as blocked,
      count(*) filter (where l.state = 'not_started') as not_started,
      count(*) filter (where l.state is null) as no_reply,
      count(*) filter (where t.due_date < ${TODAY}::date and l.state is distinct from 'done') as overdue,
      max(l.reported_at) as last_reply
    from assignments a
    join tasks t on t.id = a.task_id
    join plans p on p.id = t.plan_id and p.active
    left join (
      select distinct on (s.unit_id, s.task_id) s.unit_id, s.task_id, s.state, s.reported_at
      from status_reports s
      order by s.unit_id, s.task_id, s.reported_at desc nulls last, s.id desc nulls last
    ) l on l.unit_id = a.unit_id and l.task_id = a.task_id
    group by a.unit_id`
}

export async function runDigestScale(opts: {
  url: string
  reuse?: boolean
  runs?: number
  log?: (s: string) => void
}) {
  const log = opts.log ?? ((s: string) => console.log(s))
  const runs = opts.runs ?? 7
  const { url, generateMs } = await provinceDatabase({
    url: opts.url,
    name: DB_NAME,
    scale: SCALE,
    reuse: opts.reuse,
    log,
  })

  const client = postgres(url, { max: 4, onnotice: () => {} })
  try {
    const db = drizzle(client, { schema }) as unknown as Db
    const [{ n }] = (await client`select count(*)::int as n from status_reports`) as unknown as [
      { n: number },
    ]
    const [{ version }] = (await client`select current_setting('server_version') as version`) as unknown as [
      { version: string },
    ]
    log(`status rows: ${n}; measuring (median of ${runs} warm runs each, interleaved) …`)
    let digestUnits = 0
    const m = await interleaved(runs, {
      bareLateral: () => bareLateral(client),
      bareDistinctOn: () => bareDistinctOn(client),
      digest: async () => {
        digestUnits = (await buildDigest(db, NOW, TZ)).units.length
      },
    })
    const { bareLateral: bareLateralMs, bareDistinctOn: bareDistinctOnMs, digest: digestMs } = m
    const bareMs = Math.min(bareLateralMs, bareDistinctOnMs)
    const ratio = digestMs / bareMs
    const result: DigestScaleResult = {
      statusRows: n,
      generateMs,
      bareLateralMs,
      bareDistinctOnMs,
      bareMs,
      digestMs,
      ratio,
      digestUnits,
      pass: digestMs <= GOAL_MS && ratio <= GOAL_RATIO,
      server: `PostgreSQL ${version}`,
    }
    return result
  } finally {
    await client.end()
  }
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`

/** The section of bench/RESULTS.md for this benchmark. */
export function resultsSection(r: DigestScaleResult): string {
  return [
    '## digest at province scale',
    '',
    machineLine(r.server),
    '',
    `Workload: ${SCALE.units} units × ${SCALE.tasks} tasks × ${SCALE.weeks} weekly replies = ${r.statusRows.toLocaleString('en')} status reports, ` +
      `${SCALE.units * SCALE.officersPerUnit} officers with ${SCALE.units * SCALE.officersPerUnit * SCALE.recordsPerOfficer} training records; ` +
      `digest as of ${TODAY} 08:30 (${TZ}).` +
      (r.generateMs
        ? ` Generated in ${(r.generateMs / 1000).toFixed(0)} s.`
        : ' Data reused from an earlier run.'),
    '',
    '| measure | median | goal |',
    '| --- | ---: | --- |',
    `| bare aggregate, LATERAL (per-unit counts by latest state) | ${fmt(r.bareLateralMs)} | |`,
    `| bare aggregate, DISTINCT ON | ${fmt(r.bareDistinctOnMs)} | |`,
    `| **buildDigest** (every section, ${r.digestUnits} units) | **${fmt(r.digestMs)}** | ≤ ${GOAL_MS} ms |`,
    `| ratio digest / faster bare query | **${r.ratio.toFixed(2)}×** | ≤ ${GOAL_RATIO}× |`,
    '',
    "Each pair's latest report is one probe per assignment on status_reports_latest_idx, ordered `reported_at DESC NULLS LAST, id DESC NULLS LAST` " +
      'as that index is defined (a plain `DESC` means NULLS FIRST and cannot use it: the same bare query then took 6.8 s here). ' +
      'The digest reads the two latest reports per pair (for "newly done / blocked") and runs its other reads side by side.',
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- digest-scale\` (or \`npx tsx bench/digest-scale.ts\`) with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

/** Runs the benchmark with the URL from the environment and writes the results; exit code 1 on FAIL. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  return provinceMain('digest-scale', argv, runDigestScale, resultsSection)
}

runIfMain(import.meta.url, main)
