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
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import * as schema from '../src/db/schema.ts'
import { migrationsFolder, type Db } from '../src/db/client.ts'
import { buildDigest } from '../src/domain/digest.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import { benchDatabaseUrl, needsDatabase, machineLine, writeSection } from './results.ts'

const DB_NAME = 'duban_bench_digest'
const TZ = 'Asia/Shanghai'
const SCALE = { units: 1600, tasks: 50, weeks: 52, officersPerUnit: 10, recordsPerOfficer: 12 }
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

function databaseUrl(base: string, name: string): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/**
 * Medians of `runs` warm runs of each contender, interleaved round by round, so that load from
 * other processes on a shared machine falls on all of them alike.
 */
async function interleaved<K extends string>(
  runs: number,
  fns: Record<K, () => Promise<unknown>>,
): Promise<Record<K, number>> {
  const names = Object.keys(fns) as K[]
  for (const k of names) await fns[k]() // warm: plans cached, pages in shared buffers
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>
  for (let i = 0; i < runs; i++)
    for (const k of i % 2 ? [...names].reverse() : names) {
      const t0 = performance.now()
      await fns[k]()
      times[k].push(performance.now() - t0)
    }
  return Object.fromEntries(names.map((k) => [k, median(times[k])])) as Record<K, number>
}

/** Fills a freshly migrated database with the province-scale data set. */
async function generate(sql: postgres.Sql): Promise<void> {
  const { units, tasks, weeks, officersPerUnit, recordsPerOfficer } = SCALE
  await sql`insert into plans (key, title, year, active) values ('bench', '省级基准 2026 年度行政执法监督工作方案', 2026, true)`
  await sql`
    insert into units (name, short_name, kind, tags)
    select '基准单位' || lpad(g::text, 4, '0'), 'B' || g,
      case when g % 10 = 0 then 'department' else 'town' end, '[]'::jsonb
    from generate_series(1, ${units}::int) g`
  // Every fifth task has no deadline; the others fall weekly through the year (a few in the next 14 days).
  await sql`
    insert into tasks (plan_id, ref, title, due_date, due_text, position)
    select p.id, 'T' || g, '基准任务' || g,
      case when g % 5 = 0 then null else date '2026-02-07' + (g - 1) * 7 end, null, g
    from plans p, generate_series(1, ${tasks}::int) g where p.key = 'bench'`
  await sql`insert into assignments (task_id, unit_id) select t.id, u.id from tasks t cross join units u`
  // 52 Friday replies per (task, unit): not started, then in progress with rising percentages,
  // done from a week that varies by pair (some never); a few pairs blocked late in the year.
  await sql`
    insert into status_reports (task_id, unit_id, state, progress, note, reported_at, source)
    select a.task_id, a.unit_id, s.state,
      case when s.state = 'in_progress' then least(95, w * 2) end,
      case when s.state = 'blocked' then '缺少执法记录仪' end,
      timestamptz '2026-01-02 10:00+08' + (w - 1) * interval '7 days'
        + ((a.unit_id * 7 + a.task_id) % 480) * interval '1 minute',
      'telegram'
    from assignments a
    cross join generate_series(1, ${weeks}::int) w
    cross join lateral (
      select case
        when w >= 20 + ((a.unit_id * 31 + a.task_id * 17) % 50) then 'done'
        when (a.unit_id + a.task_id) % 17 = 0 and w >= 46 + (a.unit_id % 7) then 'blocked'
        when w < 3 then 'not_started'
        else 'in_progress'
      end as state
    ) s`
  await sql`
    insert into people (name, role, unit_id, email, telegram_user_id)
    select '联络员' || u.id, 'liaison', u.id,
      case when u.id % 10 <> 0 then 'liaison' || u.id || '@bench.example' end,
      case when u.id % 3 = 0 then 700000000 + u.id end
    from units u`
  await sql`
    insert into chats (telegram_chat_id, purpose, unit_id, title)
    select -1000000000000 - u.id, 'unit', u.id, u.name || '督办群' from units u where u.id % 2 = 0`
  await sql`insert into chats (telegram_chat_id, purpose, title) values (-999000000001, 'supervisors', '督办组')`
  await sql`insert into people (name, role, email) values ('督办一', 'supervisor', 'sup1@bench.example')`
  await sql`
    insert into officers (unit_id, name)
    select u.id, '执法人员' || g from units u cross join generate_series(1, ${officersPerUnit}::int) g`
  await sql`
    insert into training_records (officer_id, hours, taken_on, source)
    select o.id, ((o.id + m) % 9) + 1, make_date(2026, m, 15), 'import'
    from officers o cross join generate_series(1, ${recordsPerOfficer}::int) m`
  await sql`vacuum analyze`
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
      log(`generating ${SCALE.units} units × ${SCALE.tasks} tasks × ${SCALE.weeks} weekly replies …`)
      const t0 = performance.now()
      await generate(migrator)
      generateMs = performance.now() - t0
      await migrator.end()
    }
  } finally {
    await admin.end()
  }

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
  const url = benchDatabaseUrl()
  if (!url) return needsDatabase('digest-scale')
  const runsAt = argv.indexOf('--runs')
  const result = await runDigestScale({
    url,
    reuse: argv.includes('--reuse'),
    runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : undefined,
  })
  const section = resultsSection(result)
  writeSection('digest-scale', section)
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
