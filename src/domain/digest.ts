/**
 * The weekly digest as data: per-unit progress of the active plan, units ranked by overdue items,
 * blocked items with their reasons, silent and unreachable units, deadlines coming up, what
 * changed since last week, and training-hours pace. Rendered by the `weekly-digest` template
 * (src/templates/weekly-digest.ts) for Telegram and email, and by `/digest` on demand.
 *
 * It must stay fast at province scale (1,600 units × 50 tasks × a year of weekly replies): the
 * latest report of every (task, unit) pair is found ONCE, by an index probe per assignment on
 * status_reports_latest_idx, and every section about tasks is aggregated from that one set in
 * the same statement; the other reads (roster, reach, training, the week's report count) are
 * independent and run side by side with it. Definitions match /status and /overdue (overviewStatus): a pair is overdue when its
 * task's due date is before today (in the plan's timezone) and its latest state is not done; a
 * pair without any report is "no reply".
 *
 * The probe reads the latest TWO reports of each pair (the second is the next entry of the same
 * index range, nearly free), so "newly done / newly blocked" needs no second probe: the latest
 * report is within the window, done (blocked), and the report before it was not (or none).
 *
 * Every "latest report" probe orders by `reported_at DESC NULLS LAST, id DESC NULLS LAST`, exactly
 * as status_reports_latest_idx is defined: a plain `DESC` means NULLS FIRST, which PostgreSQL does
 * not serve from that index (the columns being NOT NULL does not matter to the planner), and
 * the probe then reads and sorts all of the pair's reports instead of one (7× slower at scale).
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'
import {
  dueOfAliased,
  type AssignmentRole,
  type DeadlineKind,
  type LoopState,
  type ReportState,
} from '../db/schema.ts'
import { colorSql } from './colors.ts'
import { addDays, localDate } from './dates.ts'
import { chinaCalendar, type WorkingCalendar } from './working-days.ts'
import { unitRecipients, type UnreachableReason } from './recipients.ts'
import { isoWeek } from './reminder-ladder.ts'
import { activePlans } from './plans.ts'
import { trainingPace } from './training.ts'
import { listUnits } from './units.ts'

export interface DigestOptions {
  /** Deadlines due within this many calendar days from today are listed. */
  upcomingDays: number
  /** A unit with open tasks and no report for this many days is silent. */
  silentDays: number
  /** "What changed": reports within this many days. */
  changesDays: number
  /** At most this many entries per list (blocked, silent, upcoming, changes); the rest are counted. */
  listLimit: number
}

export const DEFAULT_DIGEST_OPTIONS: DigestOptions = {
  upcomingDays: 14,
  silentDays: 14,
  changesDays: 7,
  listLimit: 200,
}

export interface DigestCounts {
  items: number
  done: number
  inProgress: number
  blocked: number
  notStarted: number
  noReply: number
  overdue: number
}

/** The 督办 loop's counts (colors.ts rules, as /status colours them): 三色 and 未签收. */
export interface DigestLoop {
  green: number
  yellow: number
  red: number
  /** Assignments the unit has not signed for (未签收). */
  unacknowledged: number
}

export interface DigestUnit extends DigestCounts {
  unitId: number
  name: string
  /** The unit's latest report on the plan's tasks (ISO), or null. */
  lastReplyAt: string | null
  unreachable: UnreachableReason | null
  loop?: DigestLoop
}

export interface DigestTaskRef {
  ref: string
  title: string
}

export interface Digest {
  /** ISO week of `date`, e.g. `2026-W41`. */
  week: string
  /** Today in the plan's timezone (YYYY-MM-DD). */
  date: string
  generatedAt: string
  /** The most recently imported active plan (see `plans` for all of them). */
  plan: { title: string; year: number } | null
  /** Every active plan the digest covers. */
  plans: { title: string; year: number }[]
  options: Omit<DigestOptions, 'listLimit'>
  totals: DigestCounts & { units: number; loop?: DigestLoop }
  /** Units with tasks, most overdue first (then blocked, then no reply, then roster order). */
  units: DigestUnit[]
  blocked: { items: (DigestTaskRef & { unit: string; reason: string | null; since: string })[]; more: number }
  silent: { items: { unit: string; open: number; lastReplyAt: string | null }[]; more: number }
  unreachable: { unit: string; reason: UnreachableReason }[]
  /** Liaisons whose Telegram refused delivery (blocked the bot, left): email is their only way. */
  unreachableLiaisons: { unit: string; name: string; hasEmail: boolean }[]
  upcoming: {
    items: (DigestTaskRef & {
      due: string
      dueText: string | null
      open: number
      total: number
      /** The plan's title when more than one plan is active. */
      plan?: string
    })[]
    more: number
  }
  changes: {
    reports: number
    units: number
    newlyDone: { items: (DigestTaskRef & { unit: string; at: string })[]; more: number }
    newlyBlocked: {
      items: (DigestTaskRef & { unit: string; reason: string | null; at: string })[]
      more: number
    }
  }
  training: {
    officers: number
    belowPace: number
    averageHours: number
    pace: number
    required: number
    /** Units with officers below pace, most below first. */
    units: { unit: string; officers: number; belowPace: number }[]
  }
  /**
   * Completion rate (0–1) at each recent week's end, from the ledger snapshots, oldest first, the
   * last point being today's; set by the weekly-digest job for the picture (absent: no trend).
   */
  trend?: { asOf: string; rate: number }[]
}

interface UnitRow {
  unit_id: number
  green: number
  yellow: number
  red: number
  unacknowledged: number
  items: number
  done: number
  in_progress: number
  blocked: number
  not_started: number
  no_reply: number
  overdue: number
  last_reply: string | null
}
interface PairRow {
  unit_id: number
  task_id: number
  note: string | null
  at: string
}
interface UpcomingRow {
  task_id: number
  total: number
  open: number
}
interface NotableRow extends PairRow {
  state: ReportState
}
interface DigestRow {
  units: UnitRow[] | null
  blocked: PairRow[] | null
  upcoming: UpcomingRow[] | null
  notable: NotableRow[] | null
}

const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString())
const round1 = (n: number) => Math.round(n * 10) / 10

function limited<T>(list: T[], limit: number): { items: T[]; more: number } {
  return { items: list.slice(0, limit), more: Math.max(0, list.length - limit) }
}

/**
 * Builds the digest of the active plan as of `now` (reports after `now` are ignored), with "today"
 * read in `tz`. Without a plan, a digest with no units and `plan: null`.
 */
export async function buildDigest(
  db: Db,
  now: Date,
  tz: string,
  opts: Partial<DigestOptions> = {},
  cal: WorkingCalendar = chinaCalendar,
): Promise<Digest> {
  const o: DigestOptions = { ...DEFAULT_DIGEST_OPTIONS }
  for (const [k, v] of Object.entries(opts) as [keyof DigestOptions, number | undefined][])
    if (v !== undefined) o[k] = v
  const today = localDate(now, tz)
  const planList = await activePlans(db)
  const plan = planList.at(-1) ?? null
  const planIds = sql.join(
    planList.map((p) => sql`${p.id}`),
    sql`, `,
  )
  const planTitle = new Map(planList.map((p) => [p.id, p.title]))
  const required = plan?.trainingHoursPerYear ?? 60
  const pace = trainingPace(required, today)
  const nowIso = now.toISOString()
  const since = new Date(now.getTime() - o.changesDays * 86_400_000).toISOString()
  const upcomingUntil = addDays(today, o.upcomingDays)

  const latestSql = plan
    ? sql`
      with pairs as materialized (
        select a.unit_id, a.task_id, a.role, ${dueOfAliased} as due_date, l.state, l.prev_state, l.note, l.reported_at,
          a.acknowledged_at is null and a.loop_state = 'assigned' as unacknowledged,
          ${colorSql(
            {
              loopState: sql`a.loop_state`,
              state: sql`l.state`,
              due: dueOfAliased,
              returnedCount: sql`a.returned_count`,
              lastActivity: sql`coalesce(l.reported_at, a.created_at)`,
            },
            today,
            tz,
            cal,
          )} as color
        from assignments a
        join tasks t on t.id = a.task_id
        left join lateral (
          select x.state, x.prev_state, x.note, x.reported_at
          from (
            select r.state, r.note, r.reported_at,
              lead(r.state) over (order by r.reported_at desc nulls last, r.id desc nulls last) as prev_state
            from (
              select s.state, s.note, s.reported_at, s.id
              from status_reports s
              where s.unit_id = a.unit_id and s.task_id = a.task_id and s.reported_at <= ${nowIso}::timestamptz
              order by s.reported_at desc nulls last, s.id desc nulls last
              limit 2
            ) r
          ) x
          limit 1
        ) l on true
        where t.plan_id in (${planIds}) and t.withdrawn_at is null
      )
      select
        (select json_agg(u) from (
          select unit_id,
            count(*)::int as items,
            (count(*) filter (where state = 'done'))::int as done,
            (count(*) filter (where state = 'in_progress'))::int as in_progress,
            (count(*) filter (where state = 'blocked'))::int as blocked,
            (count(*) filter (where state = 'not_started'))::int as not_started,
            (count(*) filter (where state is null))::int as no_reply,
            (count(*) filter (where due_date < ${today}::date and state is distinct from 'done' and role <> 'support'))::int as overdue,
            max(reported_at) as last_reply,
            (count(*) filter (where color = 'green'))::int as green,
            (count(*) filter (where color = 'yellow'))::int as yellow,
            (count(*) filter (where color = 'red'))::int as red,
            (count(*) filter (where unacknowledged))::int as unacknowledged
          from pairs group by unit_id
        ) u) as units,
        (select json_agg(b) from (
          select unit_id, task_id, note, reported_at as at from pairs where state = 'blocked'
        ) b) as blocked,
        (select json_agg(d) from (
          select task_id, count(*)::int as total, (count(*) filter (where state is distinct from 'done'))::int as open
          from pairs where due_date >= ${today}::date and due_date <= ${upcomingUntil}::date
          group by task_id
        ) d) as upcoming,
        (select json_agg(n) from (
          select unit_id, task_id, state, note, reported_at as at from pairs
          where reported_at >= ${since}::timestamptz and state in ('done', 'blocked')
            and prev_state is distinct from state
        ) n) as notable
    `
    : sql``
  const year = Number(today.slice(0, 4))
  // Independent reads, side by side (on a pool they run in parallel; in a transaction, in turn).
  const [[row], [changes], roster, taskRows, reach, refused, trainingRows] = await Promise.all([
    plan ? query<DigestRow>(db, latestSql) : Promise.resolve([] as DigestRow[]),
    plan
      ? query<{ reports: number | string; reporting_units: number | string }>(
          db,
          sql`select count(*) as reports, count(distinct s.unit_id) as reporting_units
            from status_reports s join tasks t on t.id = s.task_id
            where t.plan_id in (${planIds}) and t.withdrawn_at is null and s.reported_at >= ${since}::timestamptz and s.reported_at <= ${nowIso}::timestamptz`,
        )
      : Promise.resolve([]),
    listUnits(db),
    plan
      ? query<{
          id: number
          plan_id: number
          ref: string
          title: string
          due_date: string | null
          due_text: string | null
          position: number
        }>(
          db,
          sql`select id, plan_id, ref, title, due_date::text as due_date, due_text, position from tasks
            where plan_id in (${planIds}) and withdrawn_at is null`,
        )
      : Promise.resolve([]),
    // Every unit's reach at once; a unit with neither a group nor a liaison is absent from it.
    unitRecipients(db),
    query<{ unit_id: number; name: string; email: string | null }>(
      db,
      sql`select unit_id, name, email from people
        where role = 'liaison' and active and unit_id is not null and unreachable_at is not null
        order by id`,
    ),
    query<{ unit_id: number; officers: number; below: number; hours: number | string }>(
      db,
      sql`
        select o.unit_id, count(*)::int as officers,
          (count(*) filter (where coalesce(h.hours, 0) < ${pace}))::int as below,
          coalesce(sum(h.hours), 0) as hours
        from officers o
        left join (
          select officer_id, round(sum(hours), 1) as hours from training_records
          where taken_on >= ${`${year}-01-01`}::date and taken_on <= ${`${year}-12-31`}::date
          group by officer_id
        ) h on h.officer_id = o.id
        where o.active
        group by o.unit_id
      `,
    ),
  ])

  const unitById = new Map(roster.map((u) => [u.id, u]))
  const unitName = (id: number) => unitById.get(id)?.name ?? `#${id}`
  const taskById = new Map(taskRows.map((t) => [Number(t.id), t]))
  const taskRef = (id: number): DigestTaskRef => {
    const t = taskById.get(id)
    return { ref: t?.ref ?? `#${id}`, title: t?.title ?? '' }
  }
  const rosterIndex = new Map(roster.map((u, i) => [u.id, i]))
  const rosterOrder = (id: number) => rosterIndex.get(id) ?? Number.MAX_SAFE_INTEGER

  const unitRows = (row?.units ?? []).map((u) => ({ ...u, unit_id: Number(u.unit_id) }))
  const units: DigestUnit[] = unitRows
    .map((u) => ({
      unitId: u.unit_id,
      name: unitName(u.unit_id),
      items: u.items,
      done: u.done,
      inProgress: u.in_progress,
      blocked: u.blocked,
      notStarted: u.not_started,
      noReply: u.no_reply,
      overdue: u.overdue,
      lastReplyAt: iso(u.last_reply),
      loop: { green: u.green, yellow: u.yellow, red: u.red, unacknowledged: u.unacknowledged },
      // Absent from the reach map: neither a group nor a liaison.
      unreachable: reach.has(u.unit_id) ? reach.get(u.unit_id)!.unreachable : 'no_liaison',
    }))
    .sort(
      (a, b) =>
        b.overdue - a.overdue ||
        b.blocked - a.blocked ||
        b.noReply - a.noReply ||
        rosterOrder(a.unitId) - rosterOrder(b.unitId),
    )
  const rank = new Map(units.map((u, i) => [u.unitId, i]))
  const byRankThenTask = (a: PairRow, b: PairRow) =>
    (rank.get(a.unit_id) ?? 0) - (rank.get(b.unit_id) ?? 0) ||
    (taskById.get(a.task_id)?.position ?? 0) - (taskById.get(b.task_id)?.position ?? 0)

  const totals = {
    units: units.length,
    items: 0,
    done: 0,
    inProgress: 0,
    blocked: 0,
    notStarted: 0,
    noReply: 0,
    overdue: 0,
    loop: { green: 0, yellow: 0, red: 0, unacknowledged: 0 },
  }
  for (const u of units) {
    for (const k of ['green', 'yellow', 'red', 'unacknowledged'] as const) totals.loop[k] += u.loop?.[k] ?? 0
    totals.items += u.items
    totals.done += u.done
    totals.inProgress += u.inProgress
    totals.blocked += u.blocked
    totals.notStarted += u.notStarted
    totals.noReply += u.noReply
    totals.overdue += u.overdue
  }

  const blocked = (row?.blocked ?? [])
    .sort(byRankThenTask)
    .map((b) => ({ unit: unitName(b.unit_id), ...taskRef(b.task_id), reason: b.note, since: iso(b.at)! }))

  const silentSince = now.getTime() - o.silentDays * 86_400_000
  const silent = units
    .filter(
      (u) => u.items - u.done > 0 && (u.lastReplyAt === null || Date.parse(u.lastReplyAt) < silentSince),
    )
    .sort(
      (a, b) =>
        (a.lastReplyAt ?? '').localeCompare(b.lastReplyAt ?? '') ||
        rosterOrder(a.unitId) - rosterOrder(b.unitId),
    )
    .map((u) => ({ unit: u.name, open: u.items - u.done, lastReplyAt: u.lastReplyAt }))

  const unreachable = units
    .filter((u) => u.unreachable !== null)
    .sort((a, b) => rosterOrder(a.unitId) - rosterOrder(b.unitId))
    .map((u) => ({ unit: u.name, reason: u.unreachable! }))

  const unreachableLiaisons = refused
    .filter((p) => rank.has(Number(p.unit_id)))
    .map((p) => ({ unit: unitName(Number(p.unit_id)), name: p.name, hasEmail: p.email !== null }))

  const upcoming = (row?.upcoming ?? [])
    .map((u) => {
      const t = taskById.get(Number(u.task_id))
      return {
        ...taskRef(Number(u.task_id)),
        due: t?.due_date ?? '',
        dueText: t?.due_text ?? null,
        open: u.open,
        total: u.total,
        position: t?.position ?? 0,
        ...(planList.length > 1 && t ? { plan: planTitle.get(Number(t.plan_id)) ?? '' } : {}),
      }
    })
    .sort((a, b) => a.due.localeCompare(b.due) || a.position - b.position)
    .map(({ position: _position, ...u }) => u)

  const notable = (row?.notable ?? []).sort(byRankThenTask)
  const newlyDone = notable
    .filter((n) => n.state === 'done')
    .map((n) => ({ unit: unitName(n.unit_id), ...taskRef(n.task_id), at: iso(n.at)! }))
  const newlyBlocked = notable
    .filter((n) => n.state === 'blocked')
    .map((n) => ({ unit: unitName(n.unit_id), ...taskRef(n.task_id), reason: n.note, at: iso(n.at)! }))

  const officers = trainingRows.reduce((s, r) => s + r.officers, 0)
  const totalHours = trainingRows.reduce((s, r) => s + Number(r.hours), 0)
  const training = {
    officers,
    belowPace: trainingRows.reduce((s, r) => s + r.below, 0),
    averageHours: officers ? round1(totalHours / officers) : 0,
    pace,
    required,
    units: trainingRows
      .filter((r) => r.below > 0)
      .sort((a, b) => b.below - a.below || rosterOrder(Number(a.unit_id)) - rosterOrder(Number(b.unit_id)))
      .map((r) => ({ unit: unitName(Number(r.unit_id)), officers: r.officers, belowPace: r.below })),
  }

  return {
    week: isoWeek(today),
    date: today,
    generatedAt: nowIso,
    plan: plan ? { title: plan.title, year: plan.year } : null,
    plans: planList.map((p) => ({ title: p.title, year: p.year })),
    options: { upcomingDays: o.upcomingDays, silentDays: o.silentDays, changesDays: o.changesDays },
    totals,
    units,
    blocked: limited(blocked, o.listLimit),
    silent: limited(silent, o.listLimit),
    unreachable,
    unreachableLiaisons,
    upcoming: limited(upcoming, o.listLimit),
    changes: {
      reports: Number(changes?.reports ?? 0),
      units: Number(changes?.reporting_units ?? 0),
      newlyDone: limited(newlyDone, o.listLimit),
      newlyBlocked: limited(newlyBlocked, o.listLimit),
    },
    training: { ...training, units: training.units.slice(0, o.listLimit) },
  }
}

// ---------------------------------------------------------------------------------------------
// The latest state of many assignments at once (the jobs' view)

/** One (task, unit) assignment of the plan with the unit's latest report as of `now`. */
export interface AssignmentState {
  taskId: number
  unitId: number
  ref: string
  title: string
  /** This unit's date: an approved extension or a rectification date, else the plan's. */
  due: string | null
  /** The plan's date for the task (stays on record when the unit's moves). */
  planDue: string | null
  /** The unit signed for the task (签收). */
  acknowledged: boolean
  acknowledgedAt: Date | null
  loopState: LoopState
  /** Times a supervisor returned it (退回整改). */
  returnedCount: number
  /** When the unit was given the task. */
  assignedAt: Date
  dueText: string | null
  position: number
  /** How the unit answers for the task: lead and responsible are chased, support informed. */
  role: AssignmentRole
  deadlineKind: DeadlineKind
  planId: number
  /** The plan's title when the states cover more than one plan, else null. */
  plan: string | null
  state: ReportState | 'no_reply'
  progress: number | null
  note: string | null
  reportedAt: Date | null
  /** Who reported, by name. */
  by: string | null
}

const idList = (ids: number[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )

/**
 * Every assignment of the plan(s) (optionally only of some tasks or units) with its latest report
 * at or before `now`: one statement, one index probe per assignment. Withdrawn tasks are left
 * out. Ordered by plan, task (plan order), then unit id.
 */
export async function assignmentStates(
  db: Db,
  plan: number | number[],
  now: Date,
  filter: { taskIds?: number[]; unitIds?: number[] } = {},
): Promise<AssignmentState[]> {
  const planIdList = Array.isArray(plan) ? plan : [plan]
  if (planIdList.length === 0 || filter.taskIds?.length === 0 || filter.unitIds?.length === 0) return []
  const rows = await query<{
    task_id: number
    unit_id: number
    ref: string
    title: string
    due: string | null
    plan_due: string | null
    acknowledged: boolean
    loop_state: LoopState
    returned_count: number
    acknowledged_ms: number | string | null
    assigned_ms: number | string
    due_text: string | null
    position: number
    role: AssignmentRole
    deadline_kind: DeadlineKind
    plan_id: number
    plan_title: string
    state: ReportState | null
    progress: number | null
    note: string | null
    reported_ms: number | string | null
    by: string | null
  }>(
    db,
    sql`
      select a.task_id, a.unit_id, t.ref, t.title, ${dueOfAliased}::text as due,
        t.due_date::text as plan_due, t.due_text, t.position, a.acknowledged_at is not null as acknowledged,
        a.loop_state, a.returned_count,
        (extract(epoch from a.acknowledged_at) * 1000)::float8 as acknowledged_ms,
        (extract(epoch from a.created_at) * 1000)::float8 as assigned_ms,
        a.role, t.deadline_kind, t.plan_id, p.title as plan_title,
        l.state, l.progress, l.note, (extract(epoch from l.reported_at) * 1000)::float8 as reported_ms, l.by
      from assignments a
      join tasks t on t.id = a.task_id
      join plans p on p.id = t.plan_id
      left join lateral (
        select s.state, s.progress, s.note, s.reported_at, pe.name as by
        from status_reports s
        left join people pe on pe.id = s.person_id
        where s.unit_id = a.unit_id and s.task_id = a.task_id and s.reported_at <= ${now.toISOString()}::timestamptz
        order by s.reported_at desc nulls last, s.id desc nulls last
        limit 1
      ) l on true
      where t.plan_id in (${idList(planIdList)}) and t.withdrawn_at is null
        ${filter.taskIds ? sql`and a.task_id in (${idList(filter.taskIds)})` : sql``}
        ${filter.unitIds ? sql`and a.unit_id in (${idList(filter.unitIds)})` : sql``}
      order by t.plan_id, t.position, t.id, a.unit_id
    `,
  )
  return rows.map((r) => ({
    taskId: Number(r.task_id),
    unitId: Number(r.unit_id),
    ref: r.ref,
    title: r.title,
    due: r.due,
    planDue: r.plan_due,
    acknowledged: Boolean(r.acknowledged),
    loopState: r.loop_state,
    returnedCount: Number(r.returned_count),
    acknowledgedAt: r.acknowledged_ms === null ? null : new Date(Number(r.acknowledged_ms)),
    assignedAt: new Date(Number(r.assigned_ms)),
    dueText: r.due_text,
    position: Number(r.position),
    role: r.role,
    deadlineKind: r.deadline_kind,
    planId: Number(r.plan_id),
    plan: planIdList.length > 1 ? r.plan_title : null,
    state: r.state ?? 'no_reply',
    progress: r.progress === null ? null : Number(r.progress),
    note: r.note,
    reportedAt: r.reported_ms === null ? null : new Date(Number(r.reported_ms)),
    by: r.by,
  }))
}

/** A unit's open assignments in the order prompts list them: by due date (none last), then plan order. */
export function byDueThenPlan(a: AssignmentState, b: AssignmentState): number {
  if (a.due !== b.due) {
    if (a.due === null) return 1
    if (b.due === null) return -1
    return a.due < b.due ? -1 : 1
  }
  return a.planId - b.planId || a.position - b.position || a.taskId - b.taskId
}
