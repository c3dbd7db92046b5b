/**
 * Reading plans back: which plans are active, a plan's tasks with the units that answer for them
 * (and how: 牵头/负责/配合), finding a plan by what an admin types, and retiring one.
 *
 * Several plans can be active at once (the annual plan and a 专项整治 campaign): jobs, /status and
 * the digest cover all of them. `activePlans` is the ONE reader of "which plans are active".
 */
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm'
import { bilingual, UserError } from '../errors.ts'
import type { Db } from '../db/client.ts'
import {
  assignments,
  plans,
  taskDeadlines,
  tasks,
  units as unitsTable,
  type AssignmentRole,
  type DeadlineKind,
} from '../db/schema.ts'
import { compareUnits, type Unit } from './units.ts'

export interface Plan {
  id: number
  key: string
  title: string
  year: number
  trainingHoursPerYear: number
  active: boolean
  sourceName: string | null
  importedAt: Date
  archivedAt: Date | null
}

/** A unit answering for a task, with its role. */
export interface TaskAssignment {
  unit: Unit
  role: AssignmentRole
}

export interface PlanTask {
  id: number
  planId: number
  /** e.g. `二（五）2` */
  ref: string
  section: string | null
  title: string
  body: string
  /** YYYY-MM-DD in the plan's timezone, or null when the task has no (single) deadline. */
  dueDate: string | null
  /** The deadline as written, e.g. `今年10月中旬前`. */
  dueText: string | null
  deadlineKind: DeadlineKind
  /** A series deadline's due dates, in order (empty for 'date' and 'ongoing'). */
  dates: string[]
  /** The responsibility bracket as written. */
  unitsText: string | null
  position: number
  /** Set when a re-import no longer found the task. */
  withdrawnAt: Date | null
  /** Responsible units in roster order (every role). */
  units: Unit[]
  /** The same units with their roles: lead first, then responsible, then support; roster order within. */
  assignments: TaskAssignment[]
}

/** How strongly a role answers for a task: a unit named twice keeps its strongest role. */
export const roleRank: Record<AssignmentRole, number> = { lead: 0, responsible: 1, support: 2 }

/** Roles that the rhythm chases (reminders with a prompt, weekly prompts, overdue, nudges). */
export const chasedRoles: readonly AssignmentRole[] = ['lead', 'responsible']

/** Whether the rhythm chases a unit in this role (support units are informed, not chased). */
export function isChased(role: AssignmentRole): boolean {
  return chasedRoles.includes(role)
}

/**
 * The identity of a plan across re-imports: its title without the year, spaces and width
 * differences. `台山市 2024 年度行政执法监督工作方案` → `台山市行政执法监督工作方案`. With the year,
 * (key, year) identifies one plan; next year's plan under the same title is a new plan.
 */
export function planKey(title: string): string {
  return title
    .normalize('NFKC')
    .replace(/\*\*/g, '')
    .replace(/(?:19|20)\d{2}\s*(?:[-—–~～至到]\s*(?:19|20)?\d{2,4}\s*)?年度?/g, '')
    .replace(/[\s\u3000]+/g, '')
}

function toPlan(row: typeof plans.$inferSelect): Plan {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    year: row.year,
    trainingHoursPerYear: row.trainingHoursPerYear,
    active: row.active,
    sourceName: row.sourceName,
    importedAt: row.importedAt,
    archivedAt: row.archivedAt,
  }
}

/** Every active plan, oldest first: what jobs, /status and the digest cover. */
export async function activePlans(db: Db): Promise<Plan[]> {
  const rows = await db.select().from(plans).where(eq(plans.active, true)).orderBy(asc(plans.id))
  return rows.map(toPlan)
}

/**
 * The most recently imported active plan, or null: for what one plan decides (the training-hours
 * rule, a single title). Readers of tasks use `activePlans`.
 */
export async function activePlan(db: Db): Promise<Plan | null> {
  const [row] = await db.select().from(plans).where(eq(plans.active, true)).orderBy(desc(plans.id)).limit(1)
  return row ? toPlan(row) : null
}

/** Every plan, newest year first, then newest import. */
export async function listPlans(db: Db): Promise<Plan[]> {
  const rows = await db.select().from(plans).orderBy(desc(plans.year), desc(plans.id))
  return rows.map(toPlan)
}

/**
 * The plan an admin means by `query`: an id (`3` or `#3`), a title (with or without the year;
 * `台山市行政执法监督工作方案 2024`), or a unique part of one. Without a query, the only active plan,
 * or with `latestWhenSeveral` the most recently imported active one. A UserError lists the
 * candidates when several match, and when none does.
 */
export async function findPlan(
  db: Db,
  query: string | undefined,
  opts: { latestWhenSeveral?: boolean } = {},
): Promise<Plan> {
  const all = await listPlans(db)
  if (all.length === 0) throw new UserError(bilingual('planLedger', (m) => m.noPlans))
  const describe = (list: Plan[]) => list.map((p) => `#${p.id} ${p.title}（${p.year}）`).join('；')
  if (query === undefined || query.trim() === '') {
    const active = all.filter((p) => p.active)
    if (active.length === 1) return active[0]!
    if (active.length === 0) throw new UserError(bilingual('planLedger', (m) => m.noActivePlan))
    if (opts.latestWhenSeveral) return active.reduce((a, b) => (b.id > a.id ? b : a))
    throw new UserError(bilingual('planLedger', (m) => m.whichPlan(describe(active))))
  }
  const q = query.trim()
  const id = /^#?(\d+)$/.exec(q)?.[1]
  if (id !== undefined) {
    const byId = all.find((p) => p.id === Number(id))
    if (byId) return byId
  }
  const year = Number(/(?:19|20)\d{2}/.exec(q)?.[0] ?? NaN)
  const key = planKey(q)
  const candidates = (list: Plan[]) => {
    const exact = list.filter((p) => p.key === key || p.title === q)
    return exact.length ? exact : list.filter((p) => key !== '' && p.key.includes(key))
  }
  let hits = candidates(Number.isNaN(year) ? all : all.filter((p) => p.year === year))
  // Several years under one title and no year given: the active one(s), else the newest.
  if (hits.length > 1 && Number.isNaN(year)) {
    const active = hits.filter((p) => p.active)
    if (active.length === 1) hits = active
    else if (active.length === 0 && new Set(hits.map((p) => p.key)).size === 1) hits = [hits[0]!]
  }
  if (hits.length === 1) return hits[0]!
  if (hits.length === 0)
    throw new UserError(bilingual('planLedger', (m) => m.planUnknown(q, describe(all.slice(0, 8)))))
  throw new UserError(bilingual('planLedger', (m) => m.planAmbiguous(q, describe(hits.slice(0, 8)))))
}

/** Retires a plan: inactive, readable, no longer chased. Returns it as it is now. */
export async function archivePlan(db: Db, planId: number, now: Date): Promise<Plan> {
  const [row] = await db
    .update(plans)
    .set({ active: false, archivedAt: now })
    .where(eq(plans.id, planId))
    .returning()
  if (!row) throw new UserError(bilingual('planLedger', (m) => m.planUnknown(`#${planId}`, '')))
  return toPlan(row)
}

/**
 * A plan's tasks in document order, each with its units and their roles; withdrawn tasks only
 * with `includeWithdrawn`. With `unitId`, only the tasks assigned to that unit (each still
 * listing all its units).
 */
export async function listPlanTasks(
  db: Db,
  planId: number,
  opts: { unitId?: number; includeWithdrawn?: boolean } = {},
): Promise<PlanTask[]> {
  let taskRows = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.planId, planId), opts.includeWithdrawn ? undefined : isNull(tasks.withdrawnAt)))
    .orderBy(asc(tasks.position), asc(tasks.id))
  if (opts.unitId !== undefined) {
    const mine = await db
      .select({ taskId: assignments.taskId })
      .from(assignments)
      .innerJoin(tasks, eq(tasks.id, assignments.taskId))
      .where(and(eq(tasks.planId, planId), eq(assignments.unitId, opts.unitId)))
    const ids = new Set(mine.map((r) => r.taskId))
    taskRows = taskRows.filter((t) => ids.has(t.id))
  }
  const ids = taskRows.map((t) => t.id)
  const [links, dateRows] = ids.length
    ? await Promise.all([
        db
          .select({ taskId: assignments.taskId, role: assignments.role, unit: unitsTable })
          .from(assignments)
          .innerJoin(unitsTable, eq(unitsTable.id, assignments.unitId))
          .where(inArray(assignments.taskId, ids)),
        db
          .select()
          .from(taskDeadlines)
          .where(inArray(taskDeadlines.taskId, ids))
          .orderBy(asc(taskDeadlines.dueDate)),
      ])
    : [[], []]
  const byTask = new Map<number, TaskAssignment[]>()
  for (const l of links) {
    const list = byTask.get(l.taskId) ?? []
    list.push({
      role: l.role,
      unit: {
        id: l.unit.id,
        name: l.unit.name,
        shortName: l.unit.shortName,
        kind: l.unit.kind,
        tags: l.unit.tags,
        aliases: l.unit.aliases,
      },
    })
    byTask.set(l.taskId, list)
  }
  const datesByTask = new Map<number, string[]>()
  for (const d of dateRows) datesByTask.set(d.taskId, [...(datesByTask.get(d.taskId) ?? []), d.dueDate])
  return taskRows.map((t) => {
    const list = byTask.get(t.id) ?? []
    return {
      id: t.id,
      planId: t.planId,
      ref: t.ref,
      section: t.section,
      title: t.title,
      body: t.body,
      dueDate: t.dueDate,
      dueText: t.dueText,
      deadlineKind: t.deadlineKind,
      dates: datesByTask.get(t.id) ?? [],
      unitsText: t.unitsText,
      position: t.position,
      withdrawnAt: t.withdrawnAt,
      units: list.map((a) => a.unit).sort(compareUnits),
      // Lead, then responsible, then support; each in the roster's own order (as imported), so
      // the lead unit is never lost among many others.
      assignments: [...list].sort((a, b) => roleRank[a.role] - roleRank[b.role] || a.unit.id - b.unit.id),
    }
  })
}

/** The tasks of every active plan (with units), or null when no plan is active. */
export async function activePlansTasks(
  db: Db,
  opts: { unitId?: number } = {},
): Promise<{ plan: Plan; tasks: PlanTask[] }[] | null> {
  const list = await activePlans(db)
  if (list.length === 0) return null
  return Promise.all(list.map(async (plan) => ({ plan, tasks: await listPlanTasks(db, plan.id, opts) })))
}

/** The most recent active plan's tasks (with units), or null when no plan was imported. */
export async function activePlanTasks(
  db: Db,
  opts: { unitId?: number } = {},
): Promise<{ plan: Plan; tasks: PlanTask[] } | null> {
  const plan = await activePlan(db)
  if (!plan) return null
  return { plan, tasks: await listPlanTasks(db, plan.id, opts) }
}
