/**
 * The 台账 (ledger): one row per assignment (task × unit) of a plan with the unit's latest report,
 * filtered, sorted and paged in SQL, with counts by state for the same scope. The web desk's
 * ledger page, its CSV download and the task page read it; the counts agree with
 * `overviewStatus` (the same latest-report rule and the same overdue rule).
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { num, query } from '../db/sql.ts'
import { plans } from '../db/schema.ts'
import { localDate } from './dates.ts'
import {
  activePlan,
  emptyCounts,
  overdueDays,
  taskStates,
  type StatusCounts,
  type TaskState,
} from './status.ts'
import { desc } from 'drizzle-orm'

export const ledgerSorts = ['task', 'unit', 'due', 'state', 'last'] as const
export type LedgerSort = (typeof ledgerSorts)[number]

export interface LedgerFilter {
  /** Default: the active plan. */
  planId?: number
  unitId?: number
  taskId?: number
  state?: TaskState
  /** Only rows past their due date and not done. */
  overdue?: boolean
  sort?: LedgerSort
  dir?: 'asc' | 'desc'
  /** 1-based. */
  page?: number
  /** Rows per page (1–500, default 50); 0: every row (the download). */
  pageSize?: number
}

export interface LedgerRow {
  taskId: number
  ref: string
  title: string
  unitId: number
  unitName: string
  due: string | null
  dueText: string | null
  state: TaskState
  progress: number | null
  note: string | null
  lastReplyAt: Date | null
  lastReplyBy: string | null
  /** Calendar days past due when not done; 0 otherwise. */
  overdueDays: number
}

export interface Ledger {
  plan: { id: number; title: string; year: number } | null
  rows: LedgerRow[]
  /** Rows matching every filter (all pages). */
  total: number
  page: number
  pageSize: number
  /** By state and overdue, over the plan and unit/task scope (before the state and overdue filters). */
  counts: StatusCounts
}

const stateRank = sql`case coalesce(r.state, 'no_reply') when 'blocked' then 0 when 'no_reply' then 1
  when 'not_started' then 2 when 'in_progress' then 3 else 4 end`

function orderBy(sort: LedgerSort, dir: 'asc' | 'desc'): SQL {
  const d = sql.raw(dir === 'desc' ? 'desc' : 'asc')
  const tail = sql`r.position, r.task_id, r.unit_kind, r.unit_name, r.unit_id`
  switch (sort) {
    case 'task':
      return sql`r.position ${d}, r.task_id ${d}, r.unit_kind, r.unit_name, r.unit_id`
    case 'unit':
      return sql`r.unit_kind ${d}, r.unit_name ${d}, r.unit_id ${d}, r.position, r.task_id`
    case 'due':
      return sql`r.due_date ${d} nulls last, ${tail}`
    case 'state':
      return sql`${stateRank} ${d}, ${tail}`
    case 'last':
      return sql`r.reported_at ${d} nulls last, ${tail}`
  }
}

interface Raw {
  task_id: number | string
  ref: string
  title: string
  unit_id: number | string
  unit_name: string
  due_date: string | Date | null
  due_text: string | null
  state: TaskState | null
  progress: number | null
  note: string | null
  reported_at: string | Date | null
  by_name: string | null
  total: number | string
  c_not_started: number | string
  c_in_progress: number | string
  c_done: number | string
  c_blocked: number | string
  c_no_reply: number | string
  c_overdue: number | string
}

const isoDate = (v: string | Date | null): string | null =>
  v === null ? null : typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10)

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
 * One page of the ledger as of `now` (today in `tz` decides overdue). One statement: the
 * assignments in scope with their latest report (through status_reports_latest_idx), the counts
 * over that scope, and the filtered, sorted page.
 */
export async function ledger(db: Db, filter: LedgerFilter, now: Date, tz: string): Promise<Ledger> {
  const plan = filter.planId
    ? ((await listPlans(db)).find((p) => p.id === filter.planId) ?? null)
    : await activePlan(db)
  const pageSize = Math.min(500, Math.max(0, filter.pageSize ?? 50))
  const page = Math.max(1, Math.floor(filter.page ?? 1))
  if (!plan) return { plan: null, rows: [], total: 0, page, pageSize, counts: emptyCounts() }
  const today = localDate(now, tz)
  const scope: SQL[] = [sql`t.plan_id = ${plan.id}`]
  if (filter.unitId !== undefined) scope.push(sql`a.unit_id = ${filter.unitId}`)
  if (filter.taskId !== undefined) scope.push(sql`a.task_id = ${filter.taskId}`)
  const where: SQL[] = [sql`true`]
  if (filter.state && (taskStates as readonly string[]).includes(filter.state))
    where.push(filter.state === 'no_reply' ? sql`r.state is null` : sql`r.state = ${filter.state}`)
  if (filter.overdue) where.push(sql`r.due_date < ${today}::date and r.state is distinct from 'done'`)
  const limit = pageSize === 0 ? sql`` : sql`limit ${pageSize} offset ${(page - 1) * pageSize}`
  const order = orderBy(filter.sort ?? 'task', filter.dir ?? 'asc')
  const rows = await query<Raw>(
    db,
    sql`with r as materialized (
          select a.task_id, a.unit_id, t.ref, t.title, t.position, t.due_date, t.due_text,
            u.name as unit_name,
            case u.kind when 'subdistrict' then 0 when 'town' then 1 else 2 end as unit_kind,
            l.state, l.progress, l.note, l.reported_at, l.person_id
          from assignments a
          join tasks t on t.id = a.task_id
          join units u on u.id = a.unit_id
          left join lateral (
            select s.state, s.progress, s.note, s.reported_at, s.person_id from status_reports s
            where s.unit_id = a.unit_id and s.task_id = a.task_id
            order by s.reported_at desc nulls last, s.id desc nulls last limit 1
          ) l on true
          where ${sql.join(scope, sql` and `)}
        ),
        c as (
          select count(*) filter (where r.state = 'not_started') as c_not_started,
            count(*) filter (where r.state = 'in_progress') as c_in_progress,
            count(*) filter (where r.state = 'done') as c_done,
            count(*) filter (where r.state = 'blocked') as c_blocked,
            count(*) filter (where r.state is null) as c_no_reply,
            count(*) filter (where r.due_date < ${today}::date and r.state is distinct from 'done') as c_overdue
          from r
        ),
        f as (select * from r where ${sql.join(where, sql` and `)}),
        n as (select count(*) as total from f),
        p as (select r.*, row_number() over (order by ${order}) as rn from f r order by ${order} ${limit})
        select p.task_id, p.ref, p.title, p.unit_id, p.unit_name, p.due_date, p.due_text, p.state, p.progress,
          p.note, p.reported_at, pe.name as by_name, n.total, c.*
        from c cross join n
        left join p on true
        left join people pe on pe.id = p.person_id
        order by p.rn`,
  )
  const first = rows[0]
  const counts = emptyCounts()
  if (first) {
    counts.not_started = num(first.c_not_started)
    counts.in_progress = num(first.c_in_progress)
    counts.done = num(first.c_done)
    counts.blocked = num(first.c_blocked)
    counts.no_reply = num(first.c_no_reply)
    counts.overdue = num(first.c_overdue)
  }
  const out: LedgerRow[] = rows
    .filter((r) => r.task_id !== null)
    .map((r) => {
      const state: TaskState = r.state ?? 'no_reply'
      const due = isoDate(r.due_date)
      return {
        taskId: num(r.task_id),
        ref: r.ref,
        title: r.title,
        unitId: num(r.unit_id),
        unitName: r.unit_name,
        due,
        dueText: r.due_text,
        state,
        progress: r.progress,
        note: r.note,
        lastReplyAt: r.reported_at === null ? null : new Date(r.reported_at),
        lastReplyBy: r.by_name,
        overdueDays: overdueDays(due, state, today),
      }
    })
  return { plan, rows: out, total: first ? num(first.total) : 0, page, pageSize, counts }
}
