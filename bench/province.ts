/**
 * The province-scale data set the scale benchmarks share (digest-scale, ledger-export, web):
 * 1,600 units × 50 tasks = 80,000 assignments with weekly replies, liaisons and groups, a
 * supervisor, officers and their training records, generated on PostgreSQL with
 * INSERT … SELECT generate_series in a database of its own, and the helpers they measure with.
 */
import { performance } from 'node:perf_hooks'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import { migrationsFolder } from '../src/db/client.ts'
import { REBUILD_SQL } from '../src/domain/latest-status.ts'
import { benchDatabaseUrl, needsDatabase, writeSection } from './results.ts'

export interface ProvinceScale {
  units: number
  tasks: number
  /** Friday replies per assignment, one a week from 2 January 2026. */
  weeks: number
  officersPerUnit: number
  /** Training records per officer, one a month from January. */
  recordsPerOfficer: number
  /** The first task's due date; the others fall weekly after it (every fifth task has none). */
  firstDue: string
  /** Every n-th assignment (by a hash of the pair) never replied: `no_reply` rows. 0: none. */
  silentEvery: number
  /** Every n-th task (by position) is monthly, `每月10日前` (10 January to 10 December). 0: none. */
  seriesEvery: number
}

export const PROVINCE: ProvinceScale = {
  units: 1600,
  tasks: 50,
  weeks: 8,
  officersPerUnit: 10,
  recordsPerOfficer: 2,
  firstDue: '2026-01-10',
  silentEvery: 9,
  seriesEvery: 0,
}

/** `base` with its database name replaced. */
export function databaseUrl(base: string, name: string): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Medians of `runs` warm runs of each contender, interleaved round by round, so that load from
 * other processes on a shared machine falls on all of them alike.
 */
export async function interleaved<K extends string>(
  runs: number,
  fns: Record<K, () => Promise<unknown>>,
): Promise<Record<K, number>> {
  const times = await interleavedSamples(runs, fns)
  return Object.fromEntries(Object.entries<number[]>(times).map(([k, xs]) => [k, median(xs)])) as Record<
    K,
    number
  >
}

/** The `q`-quantile (0..1) of `xs` by the nearest-rank rule: p95 of 30 runs is the 29th fastest. */
export const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!

/**
 * Every run's time (ms) of each contender, after one warm run each, interleaved round by round
 * (alternating order), as `interleaved` measures them; for benchmarks that report tails (p95).
 */
export async function interleavedSamples<K extends string>(
  runs: number,
  fns: Record<K, () => Promise<unknown>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(fns) as K[]
  for (const k of names) await fns[k]() // warm: plans cached, pages in shared buffers
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>
  for (let i = 0; i < runs; i++)
    for (const k of i % 2 ? [...names].reverse() : names) {
      const t0 = performance.now()
      await fns[k]()
      times[k].push(performance.now() - t0)
    }
  return times
}

/**
 * Creates database `name` on the server at `url`, migrates it and fills it with the province
 * (unless `reuse` and it exists). Returns its URL and the generation time (0 when reused).
 */
export async function provinceDatabase(opts: {
  url: string
  name: string
  scale: ProvinceScale
  reuse?: boolean
  log?: (s: string) => void
}): Promise<{ url: string; generateMs: number }> {
  const admin = postgres(opts.url, { max: 1, onnotice: () => {} })
  const url = databaseUrl(opts.url, opts.name)
  let generateMs = 0
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${opts.name}`
    if (!exists || !opts.reuse) {
      await admin.unsafe(`drop database if exists ${opts.name} with (force)`)
      await admin.unsafe(`create database ${opts.name}`)
      const migrator = postgres(url, { max: 1, onnotice: () => {} })
      try {
        await migrate(drizzle(migrator), { migrationsFolder })
        const s = opts.scale
        ;(opts.log ?? console.log)(
          `generating ${s.units} units × ${s.tasks} tasks × ${s.weeks} weekly replies …`,
        )
        const t0 = performance.now()
        await generateProvince(migrator, s)
        generateMs = performance.now() - t0
      } finally {
        await migrator.end()
      }
    }
  } finally {
    await admin.end()
  }
  return { url, generateMs }
}

/** Fills a freshly migrated database with the province. */
export async function generateProvince(sql: postgres.Sql, scale: ProvinceScale): Promise<void> {
  const { units, tasks, weeks, officersPerUnit, recordsPerOfficer, firstDue, silentEvery, seriesEvery } =
    scale
  // Done from a week that varies by pair (some never), blocked late for a few pairs.
  const doneFrom = Math.round(weeks * 0.4)
  const doneSpread = Math.max(2, Math.round(weeks * 0.96))
  const startedFrom = Math.max(2, Math.round(weeks / 20))
  await sql`insert into plans (key, title, year, active) values ('bench', '省级基准 2026 年度行政执法监督工作方案', 2026, true)`
  await sql`
    insert into units (name, short_name, kind, tags)
    select '基准单位' || lpad(g::text, 4, '0'), 'B' || g,
      case when g % 10 = 0 then 'department' else 'town' end, '[]'::jsonb
    from generate_series(1, ${units}::int) g`
  await sql`
    insert into tasks (plan_id, ref, title, due_date, due_text, position)
    select p.id, '二（' || (g % 7 + 1) || '）' || g, '开展行政执法领域突出问题专项整治基准任务' || g,
      case when g % 5 = 0 then null else ${firstDue}::date + (g - 1) * 7 end,
      case when g % 5 = 0 then '长期坚持' else '今年' || (g % 12 + 1) || '月底前' end, g
    from plans p, generate_series(1, ${tasks}::int) g where p.key = 'bench'`
  if (seriesEvery > 0) {
    await sql`
      update tasks set deadline_kind = 'series', due_date = null, due_text = '每月10日前'
      where position % ${seriesEvery} = 3`
    await sql`
      insert into task_deadlines (task_id, due_date)
      select t.id, make_date(2026, m, 10) from tasks t cross join generate_series(1, 12) m
      where t.deadline_kind = 'series'`
  }
  await sql`insert into assignments (task_id, unit_id) select t.id, u.id from tasks t cross join units u`
  // One liaison per unit (person id = unit id), most with email, a third on Telegram.
  await sql`
    insert into people (name, role, unit_id, email, telegram_user_id)
    select '联络员' || u.id, 'liaison', u.id,
      case when u.id % 10 <> 0 then 'liaison' || u.id || '@bench.example' end,
      case when u.id % 3 = 0 then 700000000 + u.id end
    from units u order by u.id`
  await sql`
    insert into chats (telegram_chat_id, purpose, unit_id, title)
    select -1000000000000 - u.id, 'unit', u.id, u.name || '督办群' from units u where u.id % 2 = 0`
  await sql`insert into chats (telegram_chat_id, purpose, title) values (-999000000001, 'supervisors', '督办组')`
  await sql`insert into people (name, role, email) values ('督办一', 'supervisor', 'sup1@bench.example')`
  await sql`
    insert into status_reports (task_id, unit_id, state, progress, note, reported_at, source, person_id)
    select a.task_id, a.unit_id, s.state,
      case when s.state = 'in_progress' then least(95, w * ${Math.max(2, Math.floor(100 / weeks))}) end,
      case when s.state = 'blocked' then '缺少执法记录仪，已向财政申请经费' when s.state = 'in_progress' then '已完成自查，正在整改' end,
      timestamptz '2026-01-02 10:00+08' + (w - 1) * interval '7 days'
        + ((a.unit_id * 7 + a.task_id) % 480) * interval '1 minute',
      'telegram', a.unit_id
    from assignments a
    cross join generate_series(1, ${weeks}::int) w
    cross join lateral (
      select case
        when w >= ${doneFrom} + ((a.unit_id * 31 + a.task_id * 17) % ${doneSpread}) then 'done'
        when (a.unit_id + a.task_id) % 17 = 0 and w >= ${weeks - 6} + (a.unit_id % 7) then 'blocked'
        when w < ${startedFrom} then 'not_started'
        else 'in_progress'
      end as state
    ) s
    where ${silentEvery} = 0 or (a.unit_id * 13 + a.task_id) % ${silentEvery} <> 0`
  await sql`
    insert into officers (unit_id, name)
    select u.id, '执法人员' || g from units u cross join generate_series(1, ${officersPerUnit}::int) g`
  await sql`
    insert into training_records (officer_id, hours, taken_on, source)
    select o.id, ((o.id + m) % 9) + 1, make_date(2026, m, 15), 'import'
    from officers o cross join generate_series(1, ${recordsPerOfficer}::int) m`
  // Bulk-loaded past the writers: the read model is rebuilt as the migration does.
  await sql.unsafe(REBUILD_SQL)
  await sql`vacuum analyze`
}

/**
 * A province benchmark's command line, the same for each: the server from the environment,
 * `--reuse` (keep the generated database) and `--runs N`; writes the RESULTS.md section and
 * prints it; exit code 1 on FAIL.
 */
export async function provinceMain<R extends { pass: boolean }>(
  name: string,
  argv: string[],
  run: (opts: { url: string; reuse: boolean; runs?: number }) => Promise<R>,
  section: (r: R) => string,
): Promise<number> {
  const url = benchDatabaseUrl()
  if (!url) return needsDatabase(name)
  const runsAt = argv.indexOf('--runs')
  const result = await run({
    url,
    reuse: argv.includes('--reuse'),
    ...(runsAt >= 0 ? { runs: Number(argv[runsAt + 1]) } : {}),
  })
  const text = section(result)
  writeSection(name, text)
  console.log(text)
  return result.pass ? 0 : 1
}
