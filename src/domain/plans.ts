/**
 * Reading the plan back: the active plan and its tasks with the units that answer for them.
 * What jobs, /status and the digest start from.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { assignments, plans, tasks, units as unitsTable } from '../db/schema.ts'
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
}

export interface PlanTask {
  id: number
  planId: number
  /** e.g. `二（五）2` */
  ref: string
  section: string | null
  title: string
  body: string
  /** YYYY-MM-DD in the plan's timezone, or null when the task has no deadline. */
  dueDate: string | null
  /** The deadline as written, e.g. `今年10月中旬前`. */
  dueText: string | null
  /** The responsibility bracket as written. */
  unitsText: string | null
  position: number
  /** Responsible units in roster order. */
  units: Unit[]
}

/**
 * The identity of a plan across re-imports and years: its title without the year, spaces and
 * width differences. `台山市 2024 年度行政执法监督工作方案` → `台山市行政执法监督工作方案`.
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
  }
}

/**
 * The plan that jobs, /status, the digest and training pace work on: the most recently created
 * active plan, or null when none was imported. The one reader of "the active plan".
 */
export async function getActivePlan(db: Db): Promise<Plan | null> {
  const [row] = await db.select().from(plans).where(eq(plans.active, true)).orderBy(desc(plans.id)).limit(1)
  return row ? toPlan(row) : null
}

/**
 * A plan's tasks in document order, each with its responsible units; with `unitId`, only the
 * tasks assigned to that unit (each still listing all its units).
 */
export async function listPlanTasks(
  db: Db,
  planId: number,
  opts: { unitId?: number } = {},
): Promise<PlanTask[]> {
  let taskRows = await db
    .select()
    .from(tasks)
    .where(eq(tasks.planId, planId))
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
  const links = ids.length
    ? await db
        .select({ taskId: assignments.taskId, unit: unitsTable })
        .from(assignments)
        .innerJoin(unitsTable, eq(unitsTable.id, assignments.unitId))
        .where(inArray(assignments.taskId, ids))
    : []
  const byTask = new Map<number, Unit[]>()
  for (const l of links) {
    const list = byTask.get(l.taskId) ?? []
    list.push({
      id: l.unit.id,
      name: l.unit.name,
      shortName: l.unit.shortName,
      kind: l.unit.kind,
      tags: l.unit.tags,
      aliases: l.unit.aliases,
    })
    byTask.set(l.taskId, list)
  }
  return taskRows.map((t) => ({
    id: t.id,
    planId: t.planId,
    ref: t.ref,
    section: t.section,
    title: t.title,
    body: t.body,
    dueDate: t.dueDate,
    dueText: t.dueText,
    unitsText: t.unitsText,
    position: t.position,
    units: (byTask.get(t.id) ?? []).sort(compareUnits),
  }))
}

/** The active plan's tasks (with units), or null when no plan was imported. */
export async function activePlanTasks(
  db: Db,
  opts: { unitId?: number } = {},
): Promise<{ plan: Plan; tasks: PlanTask[] } | null> {
  const plan = await getActivePlan(db)
  if (!plan) return null
  return { plan, tasks: await listPlanTasks(db, plan.id, opts) }
}
