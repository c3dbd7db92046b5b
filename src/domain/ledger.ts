/**
 * The 工作台账 as data, the ONE read model of the ledger: one plain row per assignment (task ×
 * unit) of a plan with the unit's latest report. The xlsx/csv export, the 通报 draft, the digest
 * chart's trend and the web desk's 台账, task and answer pages all read through this module, so
 * they agree with each other and with /status.
 *
 * Where the rows come from:
 * - today (live): each assignment's latest-status record (assignments.latest_*, kept by every
 *   writer of status_reports, see latest-status.ts): one indexed pass over the assignments, no
 *   probe into the history. `ledgerPage` filters, sorts and pages it in SQL (the web page);
 *   `ledgerRows` returns it whole (the export).
 * - a past day: the `ledger_snapshots` row set of (plan, day) when the snapshot job wrote one
 *   (each Sunday and each month's last day); otherwise the report history as of the end of that
 *   day (status reports are append-only, so the latest report at or before an instant is what
 *   the ledger said then).
 *
 * Loop fields: today's rows carry the 三色 colour (colors.ts's rule, as SQL: `colorSql`), the
 * receipt (签收) and the count of stored evidence files; history rows have none (null), snapshot
 * rows what the snapshot kept.
 */
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { num, query } from '../db/sql.ts'
import { dueOfAliased, ledgerSnapshots, plans, type Locale, type LoopState } from '../db/schema.ts'
import { activePlan } from './plans.ts'
import { messages } from '../i18n/index.ts'
import { addDays, isValidDate, localDate, weekday, zonedInstant } from './dates.ts'
import { assignmentStates } from './digest.ts'
import { colorSql, type Color } from './colors.ts'
import { chinaCalendar, type WorkingCalendar } from './working-days.ts'
import { userError, type LocalizedUserError } from '../errors.ts'
import { emptyCounts, overdueDays, type StatusCounts } from './status-view.ts'
import { taskStates, type TaskState } from './reports.ts'
import { trainingPace } from './training.ts'
import { compareUnits, listUnits, type Unit } from './units.ts'

type PaperworkTexts = ReturnType<typeof messages>['paperwork']

/** A user error in every locale, from the paperwork catalog. */
export function paperworkError(pick: (t: PaperworkTexts, locale: Locale) => string): LocalizedUserError {
  return userError('paperwork', pick)
}

export type LedgerRole = 'lead' | 'responsible' | 'support'
export type LedgerColor = Color

/** One assignment as the ledger shows it. */
export interface LedgerRow {
  taskId: number
  unitId: number
  ref: string
  title: string
  unit: string
  role: LedgerRole | null
  /** YYYY-MM-DD or null (ongoing). */
  due: string | null
  dueText: string | null
  /** The states of /status (`no_reply` when the unit never reported). */
  state: TaskState
  /** Where the assignment stands in the 督办 loop today (null in a snapshot, which keeps none). */
  loopState: LoopState | null
  progress: number | null
  /** The latest report's note (blocked reason or what else the liaison wrote). */
  note: string | null
  color: LedgerColor | null
  acknowledgedAt: Date | null
  evidenceCount: number | null
  lastReportAt: Date | null
  lastReportBy: string | null
  /** Calendar days past due at the ledger's date when not done; else 0. */
  overdueDays: number
}

export interface LedgerPlan {
  id: number
  title: string
  year: number
  trainingHoursPerYear: number
}

export interface Ledger {
  plan: LedgerPlan
  /** The day whose end the ledger describes (plan timezone). */
  asOf: string
  /** The instant the rows describe: the end of `asOf`, or `now` for today. */
  instant: Date
  source: 'live' | 'snapshot' | 'history'
  rows: LedgerRow[]
  /** The units with rows, in roster order. */
  unitIds: number[]
}

/** States that count as finished in completion rates (`closed` arrives with the loop). */
export const finishedStates: ReadonlySet<string> = new Set(['done', 'closed'])

/**
 * The plan a paper is about: `query` matched against id, title and key (whole, then contained),
 * or the active plan without a query. A user error naming the plans there are when none matches.
 */
export async function resolveLedgerPlan(db: Db, planQuery?: string): Promise<LedgerPlan> {
  const all = await db
    .select({
      id: plans.id,
      key: plans.key,
      title: plans.title,
      year: plans.year,
      active: plans.active,
      trainingHoursPerYear: plans.trainingHoursPerYear,
    })
    .from(plans)
    .orderBy(desc(plans.active), desc(plans.id))
  const pick = (p: (typeof all)[number]): LedgerPlan => ({
    id: p.id,
    title: p.title,
    year: p.year,
    trainingHoursPerYear: p.trainingHoursPerYear,
  })
  const q = planQuery?.trim()
  if (!q) {
    const active = all.find((p) => p.active)
    if (!active) throw paperworkError((t) => t.errors.noPlan)
    return pick(active)
  }
  const squash = (s: string) => s.normalize('NFKC').replace(/\s+/g, '')
  const sq = squash(q)
  const found =
    all.find((p) => String(p.id) === sq || squash(p.title) === sq || p.key === sq) ??
    all.find((p) => squash(p.title).includes(sq))
  if (!found)
    throw paperworkError((t, l) =>
      t.errors.planUnknown(q, all.map((p) => `${p.title}（${p.year}）`).join(l === 'en' ? ', ' : '、')),
    )
  return pick(found)
}

/**
 * Checks an `--as-of` date: a real YYYY-MM-DD, not before the plan's year begins, not after
 * today. Returns the date, or today when none was given.
 */
export function checkAsOf(plan: LedgerPlan, asOf: string | undefined, today: string): string {
  if (asOf === undefined) return today
  const date = asOf.trim()
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !isValidDate(date))
    throw paperworkError((t) => t.errors.asOfInvalid(asOf))
  if (date < `${plan.year}-01-01`)
    throw paperworkError((t) => t.errors.asOfBeforePlan(date, plan.title, plan.year))
  if (date > today) throw paperworkError((t) => t.errors.asOfFuture(date, today))
  return date
}

/** The instant a day ends in `tz` (the next day's midnight, minus a millisecond). */
export function endOfDay(date: string, tz: string): Date {
  return new Date(zonedInstant(addDays(date, 1), '00:00', tz).getTime() - 1)
}

export interface LedgerQuery {
  /** A plan query (id, title); default: the active plan. */
  plan?: string
  /** YYYY-MM-DD; default: today (live, as of `now`). */
  asOf?: string
  now: Date
  tz: string
}

/**
 * Every assignment of the plan as the ledger stood at the end of `asOf` (or now), one row each,
 * in plan order then roster order. Throws a user error for an unknown plan or a bad date.
 */
export async function ledgerRows(db: Db, q: LedgerQuery): Promise<Ledger> {
  const plan = await resolveLedgerPlan(db, q.plan)
  const today = localDate(q.now, q.tz)
  const asOf = checkAsOf(plan, q.asOf, today)
  return ledgerAt(db, plan, asOf, q.now, q.tz)
}

/** The ledger of a resolved plan at the end of `asOf` (already checked); see `ledgerRows`. */
export async function ledgerAt(
  db: Db,
  plan: LedgerPlan,
  asOf: string,
  now: Date,
  tz: string,
  cal: WorkingCalendar = chinaCalendar,
): Promise<Ledger> {
  const today = localDate(now, tz)
  const roster = await listUnits(db)
  const unitIds = (rows: LedgerRow[]) => {
    const present = new Set(rows.map((r) => r.unitId))
    return [...roster].sort(compareUnits).flatMap((u) => (present.has(u.id) ? [u.id] : []))
  }
  if (asOf < today) {
    const snap = await snapshotRows(db, plan.id, asOf, roster)
    if (snap)
      return {
        plan,
        asOf,
        instant: endOfDay(asOf, tz),
        source: 'snapshot',
        rows: snap,
        unitIds: unitIds(snap),
      }
  }
  if (asOf < today) {
    const instant = endOfDay(asOf, tz)
    const rows = await historyRows(db, plan.id, instant, asOf, roster)
    return { plan, asOf, instant, source: 'history', rows, unitIds: unitIds(rows) }
  }
  // Plan order from SQL, then roster order (the collator's, as snapshots and history) within a task.
  const rows = await liveRows(
    db,
    { planId: plan.id },
    { today, tz, cal },
    { order: sql`t.position, a.task_id` },
  )
  const taskOrder = new Map<number, number>()
  for (const r of rows) if (!taskOrder.has(r.taskId)) taskOrder.set(r.taskId, taskOrder.size)
  const byUnit = unitOrder(roster)
  rows.sort((a, b) => taskOrder.get(a.taskId)! - taskOrder.get(b.taskId)! || byUnit(a.unitId, b.unitId))
  return { plan, asOf, instant: now, source: 'live', rows, unitIds: unitIds(rows) }
}

function unitOrder(roster: Unit[]): (a: number, b: number) => number {
  const sorted = [...roster].sort(compareUnits)
  const index = new Map(sorted.map((u, i) => [u.id, i]))
  return (a, b) => (index.get(a) ?? Number.MAX_SAFE_INTEGER) - (index.get(b) ?? Number.MAX_SAFE_INTEGER)
}

async function historyRows(
  db: Db,
  planId: number,
  instant: Date,
  asOf: string,
  roster: Unit[],
): Promise<LedgerRow[]> {
  const states = await assignmentStates(db, planId, instant)
  const names = new Map(roster.map((u) => [u.id, u.name]))
  const byUnit = unitOrder(roster)
  return states
    .sort((a, b) => a.position - b.position || a.taskId - b.taskId || byUnit(a.unitId, b.unitId))
    .map((s) => ({
      taskId: s.taskId,
      unitId: s.unitId,
      ref: s.ref,
      title: s.title,
      unit: names.get(s.unitId) ?? `#${s.unitId}`,
      role: null,
      due: s.due,
      dueText: s.dueText,
      state: s.state,
      loopState: s.loopState,
      progress: s.progress,
      note: s.note,
      color: null,
      acknowledgedAt: null,
      evidenceCount: null,
      lastReportAt: s.reportedAt,
      lastReportBy: s.by,
      overdueDays: overdueDays(s.due, finishedStates.has(s.state) ? 'done' : s.state, asOf),
    }))
}

async function snapshotRows(
  db: Db,
  planId: number,
  asOf: string,
  roster: Unit[],
): Promise<LedgerRow[] | null> {
  const rows = await query<{
    task_id: number
    unit_id: number
    ref: string
    title: string
    position: number
    due: string | null
    due_text: string | null
    state: string
    progress: number | null
    note: string | null
    last_report_ms: number | string | null
    last_report_by: string | null
    role: string | null
    color: string | null
    acknowledged_ms: number | string | null
    evidence_count: number | null
  }>(
    db,
    sql`select s.task_id, s.unit_id, t.ref, t.title, t.position, t.due_date::text as due, t.due_text,
          s.state, s.progress, s.note, (extract(epoch from s.last_report_at) * 1000)::float8 as last_report_ms,
          s.last_report_by, s.role, s.color, (extract(epoch from s.acknowledged_at) * 1000)::float8 as acknowledged_ms,
          s.evidence_count
        from ledger_snapshots s join tasks t on t.id = s.task_id
        where s.plan_id = ${planId} and s.as_of = ${asOf}::date`,
  )
  if (rows.length === 0) return null
  const names = new Map(roster.map((u) => [u.id, u.name]))
  const byUnit = unitOrder(roster)
  const ms = (v: number | string | null) => (v === null ? null : new Date(Number(v)))
  return rows
    .map((r) => ({
      ...r,
      task_id: Number(r.task_id),
      unit_id: Number(r.unit_id),
      position: Number(r.position),
    }))
    .sort((a, b) => a.position - b.position || a.task_id - b.task_id || byUnit(a.unit_id, b.unit_id))
    .map((r) => ({
      taskId: r.task_id,
      unitId: r.unit_id,
      ref: r.ref,
      title: r.title,
      unit: names.get(r.unit_id) ?? `#${r.unit_id}`,
      role: (r.role as LedgerRole | null) ?? null,
      due: r.due,
      dueText: r.due_text,
      state: r.state as TaskState,
      loopState: null,
      progress: r.progress === null ? null : Number(r.progress),
      note: r.note,
      color: (r.color as LedgerColor | null) ?? null,
      acknowledgedAt: ms(r.acknowledged_ms),
      evidenceCount: r.evidence_count === null ? null : Number(r.evidence_count),
      lastReportAt: ms(r.last_report_ms),
      lastReportBy: r.last_report_by,
      overdueDays: overdueDays(r.due, finishedStates.has(r.state) ? 'done' : (r.state as TaskState), asOf),
    }))
}

// ---------------------------------------------------------------------------------------------
// Today's ledger from the latest-status records: whole (the export) or filtered and paged (web)

export const ledgerSorts = ['task', 'unit', 'due', 'state', 'last'] as const
export type LedgerSort = (typeof ledgerSorts)[number]

/** Which rows of today's ledger, in what order, which page. */
export interface LedgerFilter {
  /** Default: the active plan. */
  planId?: number
  unitId?: number
  taskId?: number
  state?: TaskState
  /** Only rows past their due date and not done. */
  overdue?: boolean
  /** Only rows of this 三色 colour (today's). */
  color?: Color
  sort?: LedgerSort
  dir?: 'asc' | 'desc'
  /** 1-based. */
  page?: number
  /** Rows per page (1–500, default 50); 0: every row (downloads). */
  pageSize?: number
}

/** One page of today's ledger, with the total and the counts by state of the same scope. */
export interface LedgerPage {
  plan: { id: number; title: string; year: number } | null
  rows: LedgerRow[]
  /** Rows matching every filter (all pages). */
  total: number
  page: number
  pageSize: number
  /** By state and overdue, over the plan and unit/task scope (before the state and overdue filters). */
  counts: StatusCounts
}

interface LiveRaw {
  task_id: number | string
  unit_id: number | string
  ref: string
  title: string
  unit_name: string
  role: LedgerRole
  loop_state: LoopState
  due: string | null
  due_text: string | null
  state: TaskState | null
  progress: number | null
  note: string | null
  reported_ms: number | string | null
  by_name: string | null
  color: Color
  acknowledged_ms: number | string | null
  evidence_count: number | string | null
}

/** What today's colours are computed against. */
interface LiveDay {
  today: string
  tz: string
  cal: WorkingCalendar
}

/** Today's colour of the row `a` (assignments) joined with `t` (tasks). */
const liveColorSql = (d: LiveDay) =>
  colorSql(
    {
      loopState: sql`a.loop_state`,
      state: sql`a.latest_state`,
      due: dueOfAliased,
      returnedCount: sql`a.returned_count`,
      lastActivity: sql`coalesce(a.latest_reported_at, a.created_at)`,
    },
    d.today,
    d.tz,
    d.cal,
  )

/** The assignments in scope (plan, unit, task), withdrawn tasks left out. */
function scopeOf(f: { planId: number; unitId?: number; taskId?: number }): SQL {
  const scope: SQL[] = [sql`t.plan_id = ${f.planId}`, sql`t.withdrawn_at is null`]
  if (f.unitId !== undefined) scope.push(sql`a.unit_id = ${f.unitId}`)
  if (f.taskId !== undefined) scope.push(sql`a.task_id = ${f.taskId}`)
  return sql.join(scope, sql` and `)
}

/** Past its (the unit's own) due date, not done, and chased (support units are informed, never overdue). */
const overdueSql = (today: string) =>
  sql`${dueOfAliased} < ${today}::date and a.latest_state is distinct from 'done' and a.role <> 'support'`

function filterOf(f: LedgerFilter, d: LiveDay): SQL {
  const today = d.today
  const where: SQL[] = [sql`true`]
  if (f.state && taskStates.includes(f.state))
    where.push(f.state === 'no_reply' ? sql`a.latest_state is null` : sql`a.latest_state = ${f.state}`)
  if (f.overdue) where.push(overdueSql(today))
  if (f.color) where.push(sql`${liveColorSql(d)} = ${f.color}`)
  return sql.join(where, sql` and `)
}

const stateRank = sql`case coalesce(a.latest_state, 'no_reply') when 'blocked' then 0 when 'no_reply' then 1
  when 'not_started' then 2 when 'in_progress' then 3 else 4 end`
const unitKind = sql`case u.kind when 'subdistrict' then 0 when 'town' then 1 else 2 end`

function orderOf(sort: LedgerSort, dir: 'asc' | 'desc'): SQL {
  const d = sql.raw(dir === 'desc' ? 'desc' : 'asc')
  const tail = sql`t.position, a.task_id, ${unitKind}, u.name, a.unit_id`
  switch (sort) {
    case 'task':
      return sql`t.position ${d}, a.task_id ${d}, ${unitKind}, u.name, a.unit_id`
    case 'unit':
      return sql`${unitKind} ${d}, u.name ${d}, a.unit_id ${d}, t.position, a.task_id`
    case 'due':
      return sql`${dueOfAliased} ${d} nulls last, ${tail}`
    case 'state':
      return sql`${stateRank} ${d}, ${tail}`
    case 'last':
      return sql`a.latest_reported_at ${d} nulls last, ${tail}`
  }
}

/** Rows of today's ledger in scope matching `where`, in `order`, optionally one page of them. */
async function liveRows(
  db: Db,
  scope: { planId: number; unitId?: number; taskId?: number },
  day: LiveDay,
  opts: { where?: SQL; order: SQL; limit?: { size: number; offset: number } },
): Promise<LedgerRow[]> {
  const where = sql`${scopeOf(scope)} and ${opts.where ?? sql`true`}`
  // A page picks its keys from narrow rows first (the sort touches every row in scope), then
  // reads the columns it shows for those rows only.
  const keys = opts.limit
    ? sql`join (
        select a.task_id, a.unit_id from assignments a
        join tasks t on t.id = a.task_id
        join units u on u.id = a.unit_id
        where ${where}
        order by ${opts.order}
        limit ${opts.limit.size} offset ${opts.limit.offset}
      ) k on k.task_id = a.task_id and k.unit_id = a.unit_id`
    : sql``
  // 佐证材料 (stored files): a page probes evidence_pair_idx for its rows only; the whole ledger
  // joins one grouped count instead of probing 80,000 times.
  const evidenceCount = opts.limit
    ? sql`(select count(*) from evidence e
          where e.unit_id = a.unit_id and e.task_id = a.task_id and e.status = 'stored')`
    : sql`coalesce(ev.n, 0)`
  const evidenceJoin = opts.limit
    ? sql``
    : sql`left join (
        select e.unit_id, e.task_id, count(*) as n from evidence e
        where e.status = 'stored' and e.task_id is not null group by e.unit_id, e.task_id
      ) ev on ev.unit_id = a.unit_id and ev.task_id = a.task_id`
  const rows = await query<LiveRaw>(
    db,
    sql`select a.task_id, a.unit_id, t.ref, t.title, u.name as unit_name, a.role, a.loop_state,
          ${dueOfAliased}::text as due, t.due_text,
          a.latest_state as state, a.latest_progress as progress, a.latest_note as note,
          (extract(epoch from a.latest_reported_at) * 1000)::float8 as reported_ms, pe.name as by_name,
          ${liveColorSql(day)} as color,
          (extract(epoch from a.acknowledged_at) * 1000)::float8 as acknowledged_ms,
          ${evidenceCount} as evidence_count
        from assignments a
        ${keys}
        join tasks t on t.id = a.task_id
        join units u on u.id = a.unit_id
        left join people pe on pe.id = a.latest_person_id
        ${evidenceJoin}
        where ${where}
        order by ${opts.order}`,
  )
  return rows.map((r) => {
    const state: TaskState = r.state ?? 'no_reply'
    return {
      taskId: num(r.task_id),
      unitId: num(r.unit_id),
      ref: r.ref,
      title: r.title,
      unit: r.unit_name,
      role: null,
      due: r.due,
      dueText: r.due_text,
      state,
      loopState: r.loop_state,
      progress: r.progress === null ? null : num(r.progress),
      note: r.note,
      color: r.color,
      acknowledgedAt: r.acknowledged_ms === null ? null : new Date(num(r.acknowledged_ms)),
      evidenceCount: r.evidence_count === null ? 0 : num(r.evidence_count),
      lastReportAt: r.reported_ms === null ? null : new Date(num(r.reported_ms)),
      lastReportBy: r.by_name,
      overdueDays: overdueDays(r.due, state, day.today, r.role),
    }
  })
}

/** Plans to choose from (newest first). */
export async function listPlans(
  db: Db,
): Promise<{ id: number; title: string; year: number; active: boolean }[]> {
  return db
    .select({ id: plans.id, title: plans.title, year: plans.year, active: plans.active })
    .from(plans)
    .orderBy(desc(plans.id))
}

/**
 * One page of today's ledger (today in `tz` decides overdue): the rows matching the filter,
 * sorted and paged in SQL, and the counts by state over the plan and unit/task scope. Two
 * statements side by side over the assignments' latest-status records: the counts (one pass
 * over the scope) and the page (ordered, limited).
 */
export async function ledgerPage(
  db: Db,
  filter: LedgerFilter,
  now: Date,
  tz: string,
  cal: WorkingCalendar = chinaCalendar,
): Promise<LedgerPage> {
  const plan = filter.planId
    ? ((await listPlans(db)).find((p) => p.id === filter.planId) ?? null)
    : await activePlan(db)
  const pageSize = Math.min(500, Math.max(0, filter.pageSize ?? 50))
  const page = Math.max(1, Math.floor(filter.page ?? 1))
  if (!plan) return { plan: null, rows: [], total: 0, page, pageSize, counts: emptyCounts() }
  const today = localDate(now, tz)
  const scope = { planId: plan.id, unitId: filter.unitId, taskId: filter.taskId }
  const day: LiveDay = { today, tz, cal }
  const where = filterOf(filter, day)
  const [countRows, rows] = await Promise.all([
    query<Record<'total' | keyof StatusCounts, number | string>>(
      db,
      sql`select count(*) filter (where ${where}) as total,
            count(*) filter (where a.latest_state = 'not_started') as not_started,
            count(*) filter (where a.latest_state = 'in_progress') as in_progress,
            count(*) filter (where a.latest_state = 'done') as done,
            count(*) filter (where a.latest_state = 'blocked') as blocked,
            count(*) filter (where a.latest_state is null) as no_reply,
            count(*) filter (where ${overdueSql(today)}) as overdue
          from assignments a join tasks t on t.id = a.task_id
          where ${scopeOf(scope)}`,
    ),
    liveRows(db, scope, day, {
      where,
      order: orderOf(filter.sort ?? 'task', filter.dir ?? 'asc'),
      ...(pageSize > 0 ? { limit: { size: pageSize, offset: (page - 1) * pageSize } } : {}),
    }),
  ])
  const c = countRows[0]
  const counts = emptyCounts()
  if (c) for (const k of Object.keys(counts) as (keyof StatusCounts)[]) counts[k] = num(c[k])
  return {
    plan: { id: plan.id, title: plan.title, year: plan.year },
    rows,
    total: c ? num(c.total) : 0,
    page,
    pageSize,
    counts,
  }
}

/**
 * Today's ledger narrowed to a filter (every row of every page, in the filter's order), as the
 * paperwork writers take it: the web desk's download of the view on screen. Null without a plan.
 */
export async function filteredLedger(
  db: Db,
  filter: LedgerFilter,
  now: Date,
  tz: string,
): Promise<Ledger | null> {
  const view = await ledgerPage(db, { ...filter, page: 1, pageSize: 0 }, now, tz)
  if (!view.plan) return null
  const plan = await resolveLedgerPlan(db, String(view.plan.id))
  const present = new Set(view.rows.map((r) => r.unitId))
  const unitIds = (await listUnits(db)).sort(compareUnits).flatMap((u) => (present.has(u.id) ? [u.id] : []))
  return { plan, asOf: localDate(now, tz), instant: now, source: 'live', rows: view.rows, unitIds }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/**
 * Writes the ledger of `planId` at the end of `asOf` as a snapshot, unless one exists (a day's
 * snapshot is written once: re-running the job changes nothing). The rows are the report history
 * as of the end of that day, so a late run records the day it names, not the day it ran.
 * Returns the rows written (0 when the snapshot existed).
 */
export async function takeLedgerSnapshot(
  db: Db,
  planId: number,
  asOf: string,
  tz: string,
  now: Date,
): Promise<number> {
  return db.transaction(async (tx) => {
    // One writer per (plan, day): replicas running the same fire wait here, then find the rows.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ledger-snapshot:${planId}:${asOf}`}))`)
    const [existing] = await tx
      .select({ n: sql<number>`1` })
      .from(ledgerSnapshots)
      .where(and(eq(ledgerSnapshots.planId, planId), eq(ledgerSnapshots.asOf, asOf)))
      .limit(1)
    if (existing) return 0
    const instant = new Date(Math.min(endOfDay(asOf, tz).getTime(), now.getTime()))
    const states = await assignmentStates(tx, planId, instant)
    for (let i = 0; i < states.length; i += 2000) {
      await tx.insert(ledgerSnapshots).values(
        states.slice(i, i + 2000).map((s) => ({
          planId,
          asOf,
          taskId: s.taskId,
          unitId: s.unitId,
          state: s.state,
          progress: s.progress,
          note: s.note,
          lastReportAt: s.reportedAt,
          lastReportBy: s.by,
          takenAt: now,
        })),
      )
    }
    return states.length
  })
}

/** Days of the plan that have a snapshot, oldest first. */
export async function snapshotDays(db: Db, planId: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ asOf: ledgerSnapshots.asOf })
    .from(ledgerSnapshots)
    .where(eq(ledgerSnapshots.planId, planId))
    .orderBy(asc(ledgerSnapshots.asOf))
  return rows.map((r) => r.asOf)
}

export interface TrendPoint {
  /** The snapshot's day (a week's Sunday), or today for the live point. */
  asOf: string
  items: number
  done: number
  /** done ÷ items, 0–1. */
  rate: number
}

/**
 * The completion rate at each weekly snapshot (Sundays) of the plan up to `before`, the latest
 * `weeks` of them, oldest first. Read from snapshots only: a week without one is not drawn.
 */
export async function completionTrend(
  db: Db,
  planId: number,
  before: string,
  weeks: number,
): Promise<TrendPoint[]> {
  const rows = await query<{ as_of: string; items: number | string; done: number | string }>(
    db,
    sql`select as_of::text as as_of, count(*) as items,
          count(*) filter (where state in ('done', 'closed')) as done
        from ledger_snapshots
        where plan_id = ${planId} and as_of < ${before}::date and extract(isodow from as_of) = 7
        group by as_of order by as_of desc limit ${weeks}`,
  )
  return rows
    .map((r) => {
      const items = Number(r.items)
      const done = Number(r.done)
      return { asOf: r.as_of, items, done, rate: items ? done / items : 0 }
    })
    .reverse()
}

/** The Sunday before `date` (a Sunday gives the one a week earlier). */
export function previousSunday(date: string): string {
  return addDays(date, -(weekday(date) || 7))
}

/**
 * The digest's trend: the completion rate at the last `weeks` Sundays (from snapshots; last
 * Sunday's is taken now if the snapshot job has not kept it), then today's live rate.
 */
export async function weeklyTrend(
  db: Db,
  planId: number,
  today: string,
  tz: string,
  now: Date,
  live: { items: number; done: number },
  weeks = 8,
): Promise<{ asOf: string; rate: number }[]> {
  await takeLedgerSnapshot(db, planId, previousSunday(today), tz, now)
  const points = (await completionTrend(db, planId, today, weeks - 1)).map((p) => ({
    asOf: p.asOf,
    rate: p.rate,
  }))
  return [...points, { asOf: today, rate: live.items ? live.done / live.items : 0 }]
}

// ---------------------------------------------------------------------------------------------
// Summaries built from the rows

export interface UnitLedgerSummary {
  unitId: number
  unit: string
  tasks: number
  done: number
  inProgress: number
  blocked: number
  notStarted: number
  noReply: number
  overdue: number
  /** Not finished and no report within `silentDays` of the ledger's instant. */
  silent: number
  /** done ÷ tasks, 0–1. */
  rate: number
}

/** Per-unit counts from the rows, in roster order. */
export function unitSummaries(ledger: Ledger, silentDays = 14): UnitLedgerSummary[] {
  const silentBefore = ledger.instant.getTime() - silentDays * 86_400_000
  const byUnit = new Map<number, UnitLedgerSummary>()
  for (const r of ledger.rows) {
    let s = byUnit.get(r.unitId)
    if (!s) {
      s = {
        unitId: r.unitId,
        unit: r.unit,
        tasks: 0,
        done: 0,
        inProgress: 0,
        blocked: 0,
        notStarted: 0,
        noReply: 0,
        overdue: 0,
        silent: 0,
        rate: 0,
      }
      byUnit.set(r.unitId, s)
    }
    s.tasks++
    const finished = finishedStates.has(r.state)
    if (finished) s.done++
    else if (r.state === 'in_progress') s.inProgress++
    else if (r.state === 'blocked') s.blocked++
    else if (r.state === 'not_started') s.notStarted++
    else if (r.state === 'no_reply') s.noReply++
    if (r.overdueDays > 0) s.overdue++
    if (!finished && (r.lastReportAt === null || r.lastReportAt.getTime() < silentBefore)) s.silent++
  }
  const list = ledger.unitIds.flatMap((id) => {
    const s = byUnit.get(id)
    return s ? [s] : []
  })
  for (const s of list) s.rate = s.tasks ? s.done / s.tasks : 0
  return list
}

export interface OfficerTraining {
  unit: string
  officer: string
  hours: number
  /** Hours expected by the ledger's day. */
  pace: number
  /** Hours still short of the yearly requirement (0 when met). */
  gap: number
  behind: boolean
}

/**
 * Every active officer with their hours in the ledger's year up to its day, the pace then, and
 * the gap to the plan's yearly requirement; by unit (roster order), then name.
 */
export async function trainingLedger(
  db: Db,
  ledger: Ledger,
): Promise<{ required: number; pace: number; officers: OfficerTraining[] }> {
  const required = ledger.plan.trainingHoursPerYear
  const pace = trainingPace(required, ledger.asOf)
  const year = ledger.asOf.slice(0, 4)
  const rows = await query<{ unit_id: number; name: string; hours: number | string }>(
    db,
    sql`select o.unit_id, o.name, coalesce(sum(r.hours), 0) as hours
        from officers o
        left join training_records r on r.officer_id = o.id
          and r.taken_on >= ${`${year}-01-01`}::date and r.taken_on <= ${ledger.asOf}::date
        where o.active
        group by o.id, o.unit_id, o.name`,
  )
  const roster = await listUnits(db)
  const names = new Map(roster.map((u) => [u.id, u.name]))
  const byUnit = unitOrder(roster)
  const round1 = (n: number) => Math.round(n * 10) / 10
  const collator = new Intl.Collator('zh-CN')
  return {
    required,
    pace,
    officers: rows
      .map((r) => ({ ...r, unit_id: Number(r.unit_id) }))
      .sort((a, b) => byUnit(a.unit_id, b.unit_id) || collator.compare(a.name, b.name))
      .map((r) => {
        const hours = round1(Number(r.hours))
        return {
          unit: names.get(r.unit_id) ?? `#${r.unit_id}`,
          officer: r.name,
          hours,
          pace,
          gap: round1(Math.max(0, required - hours)),
          behind: hours < pace,
        }
      }),
  }
}
