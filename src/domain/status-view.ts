/**
 * The status view: a unit's tasks with their latest reports, counts and overdue days, and the
 * overview of every unit, as /status, the CLI and the digest show them.
 */
import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignmentDue, assignments, people, tasks } from '../db/schema.ts'
import { daysBetween, localDate } from './dates.ts'
import { liaisonsOf } from './people.ts'
import { userError } from '../errors.ts'
import { trainingSummary } from './training.ts'
import type { TaskLoop, UnitLoop } from './loop-types.ts'
import { listUnits, type Unit } from './units.ts'
import { activePlan, activePlans, isChased, type Plan } from './plans.ts'
import type { AssignmentRole } from '../db/schema.ts'
import type { TaskState } from './reports.ts'
import { pairsInView, reportDetails, seriesInView, type SeriesInView } from './series.ts'

/** The moment a view is taken: now, read in the plan's timezone for "today". */
export interface ViewMoment {
  now: Date
  tz: string
}

/** One task of a unit as the status view shows it. */
export interface OpenTask {
  taskId: number
  ref: string
  title: string
  /** Resolved due date (YYYY-MM-DD) or null. */
  due: string | null
  /** The deadline as the plan wrote it. */
  dueText: string | null
  state: TaskState
  progress: number | null
  note: string | null
  lastReplyAt: Date | null
  lastReplyBy: string | null
  /** How the unit answers for the task: lead and responsible units are chased, support units informed. */
  role?: AssignmentRole
  /** The plan's title when more than one plan is active (null otherwise). */
  plan?: string | null
}

export interface TaskStatusLine extends OpenTask {
  /** Calendar days past the due date (in the plan's timezone) when not done; else 0. */
  overdueDays: number
  /** Where the assignment stands in the 督办 loop (state, colour, receipt, evidence). */
  loop?: TaskLoop
}

export type StatusCounts = Record<TaskState | 'overdue', number>

export interface LiaisonReach {
  name: string
  /** Telegram bound and not marked unreachable, or an email address to fall back on. */
  reachable: boolean
  telegramBound: boolean
  /** Telegram refused delivery to them (403, chat not found). */
  telegramUnreachable: boolean
}

export interface UnitStatus {
  unit: Unit
  liaisons: LiaisonReach[]
  tasks: TaskStatusLine[]
  counts: StatusCounts
  training: { officers: number; averageHours: number; belowPace: number }
  /** Colour counts and unsigned tasks (the 督办 loop). */
  loop?: UnitLoop
}

export function emptyCounts(): StatusCounts {
  return { not_started: 0, in_progress: 0, done: 0, blocked: 0, no_reply: 0, overdue: 0 }
}

/**
 * Tasks of the given plans assigned to the unit (withdrawn tasks left out), plan by plan in plan
 * order, each with the unit's role and latest report; a recurring task at its occurrence in view
 * (series.ts), with that occurrence's date and report.
 */
async function unitTasks(
  db: Db,
  planList: Plan[],
  unitId: number,
  moment: ViewMoment,
): Promise<(OpenTask & { position: number })[]> {
  if (planList.length === 0) return []
  const titles = new Map(planList.map((p) => [p.id, p.title]))
  // The latest report is the assignment's latest-status record (assignments.latest_*, written with
  // every report), not a probe of the history: one statement through assignments_unit_idx.
  const rows = await db
    .select({
      taskId: tasks.id,
      planId: tasks.planId,
      ref: tasks.ref,
      title: tasks.title,
      due: assignmentDue,
      dueText: tasks.dueText,
      position: tasks.position,
      deadlineKind: tasks.deadlineKind,
      role: assignments.role,
      state: assignments.latestState,
      progress: assignments.latestProgress,
      note: assignments.latestNote,
      lastReplyAt: assignments.latestReportedAt,
      lastReplyBy: people.name,
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .leftJoin(people, eq(people.id, assignments.latestPersonId))
    .where(
      and(
        eq(assignments.unitId, unitId),
        inArray(tasks.planId, [...titles.keys()]),
        isNull(tasks.withdrawnAt),
      ),
    )
    .orderBy(asc(tasks.planId), asc(tasks.position), asc(tasks.id))
  const inView = await pairsInView(
    db,
    rows.filter((r) => r.deadlineKind === 'series').map((r) => ({ taskId: r.taskId, unitId, role: r.role })),
    moment,
  )
  const series = new Map(inView.map((v) => [v.taskId, v]))
  const details = await reportDetails(
    db,
    inView.flatMap((v) => (v.answer ? [v.answer.id] : [])),
  )
  return rows.map(
    ({ planId, deadlineKind: _kind, state, progress, note, lastReplyAt, lastReplyBy, ...r }) => {
      const plan = planList.length > 1 ? (titles.get(planId) ?? null) : null
      const occurrence = series.get(r.taskId)
      if (occurrence) {
        const d = occurrence.answer ? details.get(occurrence.answer.id) : undefined
        return {
          ...r,
          plan,
          due: occurrence.due,
          ...answerOf(occurrence),
          note: d?.note ?? null,
          lastReplyAt: d?.reportedAt ?? null,
          lastReplyBy: d?.by ?? null,
        }
      }
      return {
        ...r,
        plan,
        state: state ?? 'no_reply',
        progress: state ? progress : null,
        note: state ? note : null,
        lastReplyAt: state ? lastReplyAt : null,
        lastReplyBy: state ? (lastReplyBy ?? null) : null,
      }
    },
  )
}

/** A recurring task's state as of its occurrence in view: that occurrence's report, or no reply. */
function answerOf(v: SeriesInView): Pick<OpenTask, 'state' | 'progress'> {
  return v.answer
    ? { state: v.answer.state, progress: v.answer.progress }
    : { state: 'no_reply', progress: null }
}

/** Calendar days `today` is past `due` for a task not done; 0 otherwise, and 0 for a support unit (not chased). */
export function overdueDays(
  due: string | null,
  state: TaskState,
  today: string,
  role: AssignmentRole = 'responsible',
): number {
  if (!due || state === 'done' || !isChased(role)) return 0
  return Math.max(0, daysBetween(due, today))
}

/** Whether a liaison can be reached: Telegram bound and deliverable, or an email to fall back on. */
function reach(p: {
  name: string
  telegramUserId: number | null
  unreachableAt: Date | null
  email: string | null
}): LiaisonReach {
  const telegramBound = p.telegramUserId !== null
  const telegramUnreachable = telegramBound && p.unreachableAt !== null
  return {
    name: p.name,
    telegramBound,
    telegramUnreachable,
    reachable: (telegramBound && !telegramUnreachable) || p.email !== null,
  }
}

async function unitById(db: Db, unitId: number): Promise<Unit> {
  const unit = (await listUnits(db)).find((u) => u.id === unitId)
  if (!unit) throw userError('statusView', (t) => t.people.unitUnknown(`#${unitId}`, ''))
  return unit
}

/**
 * The status card of one unit: its liaisons and how reachable they are, the tasks of the ACTIVE
 * plan assigned to it with their latest state and days overdue, counts by state, and training.
 * `now` is read in the plan's timezone `tz` for "today".
 */
export async function unitStatus(db: Db, unitId: number, now: Date, tz: string): Promise<UnitStatus> {
  const unit = await unitById(db, unitId)
  const today = localDate(now, tz)
  const plan = await activePlan(db)
  const lines: TaskStatusLine[] = (await unitTasks(db, await activePlans(db), unitId, { now, tz })).map(
    ({ position: _position, ...t }) => ({
      ...t,
      overdueDays: overdueDays(t.due, t.state, today, t.role),
    }),
  )
  const counts = emptyCounts()
  for (const line of lines) {
    counts[line.state]++
    if (line.overdueDays > 0) counts.overdue++
  }
  const liaisons = (await liaisonsOf(db, unitId)).map(reach)
  const summary = await trainingSummary(
    db,
    unitId,
    Number(today.slice(0, 4)),
    today,
    plan?.trainingHoursPerYear,
  )
  return {
    unit,
    liaisons,
    tasks: lines,
    counts,
    training: {
      officers: summary.officers.length,
      averageHours: summary.averageHours,
      belowPace: summary.belowPace,
    },
  }
}

export interface UnitOverview {
  unit: Unit
  /** Tasks of the active plan assigned to the unit. */
  tasks: number
  counts: StatusCounts
  liaisons: number
  liaisonsReachable: number
  lastReplyAt: Date | null
}

/**
 * One line per unit with assignments in the active plan (roster order), for /status without a
 * unit and the digest: counts by latest state, overdue (due before today in `tz`, not done),
 * reachable liaisons, and the time of the unit's latest reply. Aggregated in SQL: one pass over
 * the assignments and their latest-status records (assignments.latest_*).
 */
export async function overviewStatus(db: Db, now: Date, tz: string): Promise<UnitOverview[]> {
  const planIds = (await activePlans(db)).map((p) => p.id)
  if (planIds.length === 0) return []
  const today = localDate(now, tz)
  // Each assignment's latest-status record (assignments.latest_*), not a probe of the history.
  const latest = { state: assignments.latestState, reportedAt: assignments.latestReportedAt }
  // Recurring tasks are counted below, at their occurrence in view (series.ts).
  const count = (condition: ReturnType<typeof sql>) =>
    sql<number>`(count(*) filter (where ${tasks.deadlineKind} <> 'series' and ${condition}))::int`.mapWith(
      Number,
    )
  const rows = await db
    .select({
      unitId: assignments.unitId,
      tasks: sql<number>`count(*)::int`.mapWith(Number),
      not_started: count(sql`${latest.state} = 'not_started'`),
      in_progress: count(sql`${latest.state} = 'in_progress'`),
      done: count(sql`${latest.state} = 'done'`),
      blocked: count(sql`${latest.state} = 'blocked'`),
      no_reply: count(sql`${latest.state} is null`),
      // Support units are informed, not chased: never counted overdue.
      overdue: count(
        sql`${assignmentDue} < ${today} and ${latest.state} is distinct from 'done' and ${assignments.role} <> 'support'`,
      ),
      lastReplyAt: sql<Date | null>`max(${latest.reportedAt})`.mapWith(assignments.latestReportedAt),
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(and(inArray(tasks.planId, planIds), isNull(tasks.withdrawnAt)))
    .groupBy(assignments.unitId)
  const reachRows = await db
    .select({
      unitId: people.unitId,
      liaisons: sql<number>`count(*)::int`.mapWith(Number),
      reachable: sql<number>`(count(*) filter (where ${or(
        and(isNotNull(people.telegramUserId), isNull(people.unreachableAt)),
        isNotNull(people.email),
      )}))::int`.mapWith(Number),
    })
    .from(people)
    .where(and(eq(people.role, 'liaison'), eq(people.active, true), isNotNull(people.unitId)))
    .groupBy(people.unitId)
  const reachByUnit = new Map(reachRows.map((r) => [r.unitId, r]))
  const byUnit = new Map(rows.map((r) => [r.unitId, r]))
  for (const v of await seriesInView(db, planIds, { now, tz })) {
    const r = byUnit.get(v.unitId)
    if (!r) continue
    const state = answerOf(v).state
    r[state]++
    if (overdueDays(v.due, state, today, v.role) > 0) r.overdue++
  }
  return (await listUnits(db)).flatMap((unit) => {
    const r = byUnit.get(unit.id)
    if (!r) return []
    const reachOf = reachByUnit.get(unit.id)
    return [
      {
        unit,
        tasks: r.tasks,
        counts: {
          not_started: r.not_started,
          in_progress: r.in_progress,
          done: r.done,
          blocked: r.blocked,
          no_reply: r.no_reply,
          overdue: r.overdue,
        },
        liaisons: reachOf?.liaisons ?? 0,
        liaisonsReachable: reachOf?.reachable ?? 0,
        lastReplyAt: r.lastReplyAt,
      },
    ]
  })
}

/**
 * The unit's tasks in the active plans that are not done (a recurring one: its occurrence in view),
 * by due date (none last), then plan order.
 */
export async function openTasksOfUnit(db: Db, unitId: number, moment: ViewMoment): Promise<OpenTask[]> {
  return (await unitTasks(db, await activePlans(db), unitId, moment))
    .filter((t) => t.state !== 'done')
    .sort((a, b) => {
      if (a.due !== b.due) {
        if (a.due === null) return 1
        if (b.due === null) return -1
        return a.due < b.due ? -1 : 1
      }
      return a.position - b.position
    })
    .map(({ position: _position, ...t }) => t)
}

/** One overdue assignment of the active plans, as /overdue lists it for every unit. */
export interface OverdueTask {
  unit: { id: number; name: string }
  taskId: number
  ref: string
  title: string
  due: string
  state: TaskState
  progress: number | null
  overdueDays: number
}

/**
 * Every assignment of the active plans past its due date (in `tz`) and not done, support units
 * left out (informed, not chased), as overviewStatus counts them: one statement over the
 * latest-status records, most days overdue first, then roster order, then plan order.
 */
export async function overdueTasks(db: Db, now: Date, tz: string): Promise<OverdueTask[]> {
  const planIds = (await activePlans(db)).map((p) => p.id)
  if (planIds.length === 0) return []
  const today = localDate(now, tz)
  const rows = await db
    .select({
      unitId: assignments.unitId,
      taskId: tasks.id,
      ref: tasks.ref,
      title: tasks.title,
      due: assignmentDue,
      position: tasks.position,
      planId: tasks.planId,
      state: assignments.latestState,
      progress: assignments.latestProgress,
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(
      and(
        inArray(tasks.planId, planIds),
        isNull(tasks.withdrawnAt),
        sql`${assignmentDue} < ${today}`,
        sql`${assignments.latestState} is distinct from 'done'`,
        sql`${assignments.role} <> 'support'`,
      ),
    )
  // Recurring tasks: at their occurrence in view, overdue while the one just missed is not done.
  const series = (await seriesInView(db, planIds, { now, tz })).filter(
    (v) => overdueDays(v.due, answerOf(v).state, today, v.role) > 0,
  )
  if (series.length > 0) {
    const info = new Map(
      (
        await db
          .select({
            id: tasks.id,
            ref: tasks.ref,
            title: tasks.title,
            position: tasks.position,
            planId: tasks.planId,
          })
          .from(tasks)
          .where(inArray(tasks.id, [...new Set(series.map((v) => v.taskId))]))
      ).map((t) => [t.id, t]),
    )
    for (const v of series) {
      const t = info.get(v.taskId)!
      const { state, progress } = answerOf(v)
      rows.push({
        unitId: v.unitId,
        taskId: v.taskId,
        ref: t.ref,
        title: t.title,
        due: v.due,
        position: t.position,
        planId: t.planId,
        state: state === 'no_reply' ? null : state,
        progress,
      })
    }
  }
  if (rows.length === 0) return []
  const roster = await listUnits(db)
  const rank = new Map(roster.map((u, i) => [u.id, i]))
  const names = new Map(roster.map((u) => [u.id, u.name]))
  return rows
    .map((r) => ({
      unit: { id: r.unitId, name: names.get(r.unitId) ?? `#${r.unitId}` },
      taskId: r.taskId,
      ref: r.ref,
      title: r.title,
      due: r.due!,
      state: r.state ?? ('no_reply' as const),
      progress: r.state ? r.progress : null,
      overdueDays: daysBetween(r.due!, today),
      order: [rank.get(r.unitId) ?? 0, r.planId, r.position, r.taskId] as const,
    }))
    .sort(
      (a, b) =>
        b.overdueDays - a.overdueDays ||
        a.order[0] - b.order[0] ||
        a.order[1] - b.order[1] ||
        a.order[2] - b.order[2] ||
        a.order[3] - b.order[3],
    )
    .map(({ order: _order, ...t }) => t)
}
