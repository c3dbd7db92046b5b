/**
 * Importing a plan: the PlanDraft a document reader produced (src/documents/plan), resolved against the roster
 * (units and group phrases, roles, deadlines, doubts) and writing plan, tasks and assignments in
 * one transaction. A plan is (title without the year, year): re-importing it updates it in place
 * (tasks matched by ref; a task gone from the document is withdrawn, its history kept; status
 * reports are never touched); next year's plan is a new plan.
 */
import { readFile, stat } from 'node:fs/promises'
import { and, eq, inArray, isNotNull, isNull, lt, ne } from 'drizzle-orm'
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
import { messages } from '../i18n/index.ts'
import { localDate } from './dates.ts'
import { restoreLatestStatus } from './latest-status.ts'
import type { Doubt, PlanDraft, SourcePlace, TaskDraft } from './plan-draft.ts'
import { activePlans, planKey, roleRank } from './plans.ts'
import {
  defaultShortName,
  expandPhrase,
  LAW_ENFORCEMENT_TAG,
  listUnitGroups,
  listUnits,
  looksLikeGroup,
  matchUnit,
  type Unit,
  type UnitGroup,
} from './units.ts'

/** Plan and roster files larger than this are refused before they are read. */
export const FILE_LIMIT_BYTES = 5 * 1024 * 1024

/**
 * Reads a UTF-8 text file for import. Refuses (UserError) a missing file, a directory, a file over
 * the size limit, an empty file, and anything that is not UTF-8 text (NUL bytes, invalid bytes).
 */
export async function readTextFile(file: string, limitBytes = FILE_LIMIT_BYTES): Promise<string> {
  let size: number
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new UserError(bilingual('plan', (m) => m.fileNotAFile(file)))
    size = s.size
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(bilingual('plan', (m) => m.fileMissing(file)))
  }
  const limitMb = Math.round((limitBytes / 1024 / 1024) * 10) / 10
  if (size > limitBytes) throw new UserError(bilingual('plan', (m) => m.fileTooLarge(file, limitMb)))
  const bytes = await readFile(file)
  // The file may have grown since stat().
  if (bytes.length > limitBytes) throw new UserError(bilingual('plan', (m) => m.fileTooLarge(file, limitMb)))
  if (bytes.includes(0)) throw new UserError(bilingual('plan', (m) => m.fileBinary(file)))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new UserError(bilingual('plan', (m) => m.fileBinary(file)))
  }
  text = text.replace(/^\uFEFF/, '')
  if (text.trim() === '') throw new UserError(bilingual('plan', (m) => m.fileEmpty(file)))
  return text
}

export type TaskChange = 'created' | 'updated' | 'unchanged'

/** What a plan import would write, as `plan import --dry-run --json` prints it (and the import too). */
export interface PlanPreview {
  plan: { title: string; year: number }
  tasks: {
    ref: string
    title: string
    units: { name: string; role: AssignmentRole }[]
    dueText: string | null
    due: string | null
    dates?: string[]
    deadlineKind: DeadlineKind
    source: SourcePlace
  }[]
  doubts: { kind: Doubt['kind']; taskRef: string | null; quote: string; source: SourcePlace | null }[]
}

export interface PlanImportResult {
  plan: {
    id: number
    key: string
    title: string
    year: number
    trainingHoursPerYear: number
    created: boolean
  }
  tasks: {
    ref: string
    title: string
    due: string | null
    dueText: string | null
    unitCount: number
    units: { name: string; role: AssignmentRole }[]
    change: TaskChange
  }[]
  /** `deleted` stays 0: a task gone from the document is withdrawn, never deleted. */
  counts: { created: number; updated: number; unchanged: number; deleted: number; withdrawn: number }
  /** Refs of tasks withdrawn by this import (no longer in the document). */
  withdrawn: string[]
  /** Kept for the JSON shape; always empty now that tasks are withdrawn rather than deleted. */
  kept: string[]
  /** Names of units created for `--create-units`. */
  createdUnits: string[]
  warnings: string[]
  /** Every task and doubt, as the dry run shows them. */
  preview: PlanPreview
}

export interface PlanImportOptions {
  /** Create units named in brackets but missing from the roster (as law-enforcement departments). */
  createUnits?: boolean
  /** The file name, kept on the plan and used in messages. */
  sourceName?: string
  now: Date
  /** The plan's timezone, for "a date already past at import" (default Asia/Shanghai). */
  tz?: string
}

/** A task of the draft resolved against the roster. */
interface ResolvedTask {
  draft: TaskDraft
  /** Unit id → strongest role. */
  roles: Map<number, AssignmentRole>
  unknown: string[]
  dueDate: string | null
  dates: string[]
  deadlineKind: DeadlineKind
}

/** The name the roster probably means by an unknown one, or null. */
function likelyUnit(roster: Unit[], name: string): Unit | null {
  const m = matchUnit(roster, name)
  return (m.kind === 'found' ? m.unit : m.kind === 'unknown' ? m.suggestions[0] : m.candidates[0]) ?? null
}

/** Names not in the roster, each with the unit it probably means: `市城管执法局（市城市管理和综合执法局？）`. */
function describeUnknown(roster: Unit[], names: string[]): string {
  return names
    .map((name) => {
      const guess = likelyUnit(roster, name)
      return guess ? `${name}（${guess.name}？）` : name
    })
    .join('、')
}

function resolveTasks(draft: PlanDraft, roster: Unit[], groups: UnitGroup[]): ResolvedTask[] {
  return draft.tasks.map((t) => {
    const roles = new Map<number, AssignmentRole>()
    const unknown: string[] = []
    for (const entry of t.responsibility) {
      const hits = expandPhrase(roster, groups, entry.phrase)
      if (hits === null) {
        if (!unknown.includes(entry.phrase)) unknown.push(entry.phrase)
        continue
      }
      for (const u of hits) {
        const had = roles.get(u.id)
        // A unit named twice (牵头 and again in a group that 配合) keeps its strongest role.
        if (had === undefined || roleRank[entry.role] < roleRank[had]) roles.set(u.id, entry.role)
      }
    }
    const d = t.deadline
    const deadlineKind: DeadlineKind = d?.kind ?? 'date'
    return {
      draft: t,
      roles,
      unknown,
      deadlineKind,
      // An ongoing task has no ladder and is never overdue: its first date (if any) stays in the text.
      dueDate: d?.kind === 'date' ? d.date : null,
      dates: d?.kind === 'series' ? [...new Set(d.dates)].sort() : [],
    }
  })
}

/**
 * The doubts a clerk should see, the reader's first: unknown units (with the likely one), and
 * deadlines already past at import or naming another year than the plan's.
 */
function importDoubts(
  draft: PlanDraft,
  resolved: ResolvedTask[],
  roster: Unit[],
  year: number,
  today: string,
): PlanPreview['doubts'] {
  const zh = messages('zh-CN').planLedger
  const doubts: PlanPreview['doubts'] = draft.doubts.map((d) => ({
    kind: d.kind,
    taskRef: d.taskRef,
    quote: d.quote,
    source: d.source ?? null,
  }))
  for (const r of resolved) {
    const t = r.draft
    for (const name of r.unknown)
      doubts.push({
        kind: 'unknown_unit',
        taskRef: t.ref,
        quote: zh.unknownUnitQuote(name, likelyUnit(roster, name)?.name ?? ''),
        source: t.source,
      })
    if (
      t.responsibility.length === 0 &&
      !draft.doubts.some((d) => d.kind === 'no_units' && d.taskRef === t.ref)
    )
      doubts.push({ kind: 'no_units', taskRef: t.ref, quote: t.unitsText ?? t.title, source: t.source })
    const d = t.deadline
    const dates = d?.kind === 'date' ? [d.date] : d?.kind === 'ongoing' && d.date ? [d.date] : []
    for (const date of dates) {
      if (date < today)
        doubts.push({
          kind: 'past_date',
          taskRef: t.ref,
          quote: zh.pastDateQuote(d!.text, date),
          source: t.source,
        })
      else if (d?.kind === 'date' && d.explicitYear && Number(date.slice(0, 4)) !== year)
        doubts.push({
          kind: 'other',
          taskRef: t.ref,
          quote: zh.explicitYearQuote(d.text, date),
          source: t.source,
        })
    }
    if (d?.kind === 'series') {
      const past = d.dates.filter((x) => x < today)
      if (past.length)
        doubts.push({
          kind: 'past_date',
          taskRef: t.ref,
          quote: zh.pastDateQuote(d.text, past.join('、')),
          source: t.source,
        })
    }
  }
  return doubts
}

function previewOf(
  draft: PlanDraft,
  year: number,
  resolved: ResolvedTask[],
  roster: Unit[],
  doubts: PlanPreview['doubts'],
): PlanPreview {
  const byId = new Map(roster.map((u) => [u.id, u]))
  return {
    plan: { title: draft.title, year },
    tasks: resolved.map((r) => ({
      ref: r.draft.ref,
      title: r.draft.title,
      units: unitsByRole(r.roles, byId),
      dueText: r.draft.deadline?.text ?? null,
      due:
        r.draft.deadline?.kind === 'date'
          ? r.draft.deadline.date
          : r.draft.deadline?.kind === 'ongoing'
            ? r.draft.deadline.date
            : (r.dates[0] ?? null),
      ...(r.deadlineKind === 'series' ? { dates: r.dates } : {}),
      deadlineKind: r.deadlineKind,
      source: r.draft.source,
    })),
    doubts,
  }
}

/** Units with roles, lead first, then responsible, then support; within each, the roster's order as imported. */
function unitsByRole(
  roles: Map<number, AssignmentRole>,
  byId: Map<number, Unit>,
): { name: string; role: AssignmentRole }[] {
  return [...roles.entries()]
    .sort(([a, ra], [b, rb]) => roleRank[ra] - roleRank[rb] || a - b)
    .map(([id, role]) => ({ name: byId.get(id)?.name ?? `#${id}`, role }))
}

function checkDraft(draft: PlanDraft, source: string): number {
  if (draft.tasks.length === 0) throw new UserError(bilingual('plan', (m) => m.noTasks(source)))
  const year = draft.year
  if (year === null) throw new UserError(bilingual('plan', (m) => m.noYear))
  const refs = draft.tasks.map((t) => t.ref)
  const dupes = [...new Set(refs.filter((r, i) => refs.indexOf(r) !== i))]
  if (dupes.length) throw new UserError(bilingual('plan', (m) => m.duplicateRefs(dupes.join('、'))))
  return year
}

/**
 * What importing `draft` would do, writing nothing: every task with its units by role and its
 * deadline, and every doubt (the reader's, unknown units with the likely one, past dates).
 * Refuses (UserError) what the import refuses before the roster: no tasks, no year, duplicate refs.
 */
export async function previewPlan(
  db: Db,
  draft: PlanDraft,
  opts: Pick<PlanImportOptions, 'sourceName' | 'now' | 'tz'>,
): Promise<PlanPreview> {
  const year = checkDraft(draft, opts.sourceName ?? 'plan')
  const [roster, groups] = await Promise.all([listUnits(db), listUnitGroups(db)])
  if (roster.length === 0) throw new UserError(bilingual('plan', (m) => m.noUnits))
  const resolved = resolveTasks(draft, roster, groups)
  const today = localDate(opts.now, opts.tz ?? 'Asia/Shanghai')
  return previewOf(draft, year, resolved, roster, importDoubts(draft, resolved, roster, year, today))
}

/**
 * Writes a plan draft in ONE transaction (a UserError changes nothing). The plan is found by
 * (key, year) and created when new; it becomes active, and an older year's plan under the same
 * key is retired (inactive, readable), while other plans (a campaign) stay active. Tasks are
 * upserted by ref; a task no longer in the document is withdrawn (kept, not chased); a withdrawn
 * task that comes back is restored. Each task's assignments become the units its responsibility
 * names, each with its strongest role. Refuses units the roster lacks unless `createUnits`, and
 * group phrases the roster does not define.
 */
export async function importPlan(
  db: Db,
  draft: PlanDraft,
  opts: PlanImportOptions,
): Promise<PlanImportResult> {
  const source = opts.sourceName ?? 'plan'
  const year = checkDraft(draft, source)
  const key = planKey(draft.title)
  const warnings: string[] = []
  const today = localDate(opts.now, opts.tz ?? 'Asia/Shanghai')

  return db.transaction(async (tx) => {
    let roster = await listUnits(tx)
    if (roster.length === 0) throw new UserError(bilingual('plan', (m) => m.noUnits))
    const groups = await listUnitGroups(tx)
    let resolved = resolveTasks(draft, roster, groups)
    const unknown = [...new Set(resolved.flatMap((r) => r.unknown))]
    const createdUnits: string[] = []
    if (unknown.length) {
      const groupLike = unknown.filter(looksLikeGroup)
      if (groupLike.length)
        throw new UserError(bilingual('plan', (m) => m.unknownGroups(groupLike.join('、'))))
      if (!opts.createUnits)
        throw new UserError(bilingual('plan', (m) => m.unknownUnits(describeUnknown(roster, unknown))))
      await tx.insert(unitsTable).values(
        unknown.map((name) => ({
          name,
          shortName: defaultShortName(name, 'department'),
          kind: 'department' as const,
          tags: [LAW_ENFORCEMENT_TAG],
        })),
      )
      createdUnits.push(...unknown)
      warnings.push(bilingual('plan', (m) => m.createdUnits(unknown.join('、'))))
      roster = await listUnits(tx)
      resolved = resolveTasks(draft, roster, groups)
    }
    const doubts = importDoubts(draft, resolved, roster, year, today)

    const values = {
      title: draft.title,
      year,
      trainingHoursPerYear: draft.trainingHoursPerYear ?? 60,
      active: true,
      archivedAt: null,
      sourceName: opts.sourceName ?? null,
      importedAt: opts.now,
    }
    const [existingPlan] = await tx
      .select()
      .from(plans)
      .where(and(eq(plans.key, key), eq(plans.year, year)))
    let planId: number
    if (existingPlan) {
      planId = existingPlan.id
      await tx.update(plans).set(values).where(eq(plans.id, planId))
    } else {
      const [row] = await tx
        .insert(plans)
        .values({ key, ...values })
        .returning({ id: plans.id })
      if (!row) throw new Error('plan insert returned no row')
      planId = row.id
    }
    // Next year's annual plan retires last year's (readable, no longer chased); other plans stay.
    await tx
      .update(plans)
      .set({ active: false })
      .where(and(eq(plans.key, key), lt(plans.year, year), ne(plans.id, planId), eq(plans.active, true)))

    const existingTasks = await tx.select().from(tasks).where(eq(tasks.planId, planId))
    const byRef = new Map(existingTasks.map((t) => [t.ref, t]))
    const existingIds = existingTasks.map((t) => t.id)
    const [existingLinks, existingDates] = existingIds.length
      ? await Promise.all([
          tx.select().from(assignments).where(inArray(assignments.taskId, existingIds)),
          tx.select().from(taskDeadlines).where(inArray(taskDeadlines.taskId, existingIds)),
        ])
      : [[], []]
    const linksByTask = new Map<number, Map<number, AssignmentRole>>()
    for (const l of existingLinks) {
      const map = linksByTask.get(l.taskId) ?? new Map<number, AssignmentRole>()
      map.set(l.unitId, l.role)
      linksByTask.set(l.taskId, map)
    }
    const datesByTask = new Map<number, string[]>()
    for (const d of existingDates)
      datesByTask.set(d.taskId, [...(datesByTask.get(d.taskId) ?? []), d.dueDate])

    const byId = new Map(roster.map((u) => [u.id, u]))
    const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0, withdrawn: 0 }
    const rows: PlanImportResult['tasks'] = []
    for (const [i, r] of resolved.entries()) {
      const t = r.draft
      if (r.roles.size === 0) warnings.push(bilingual('plan', (m) => m.warnNoUnits(t.ref)))
      const fields = {
        section: t.section || null,
        title: t.title,
        body: t.body,
        dueDate: r.dueDate,
        dueText: t.deadline?.text ?? null,
        unitsText: t.unitsText,
        position: i + 1,
        deadlineKind: r.deadlineKind,
      }
      const found = byRef.get(t.ref)
      let taskId: number
      let change: TaskChange
      const current: Map<number, AssignmentRole> =
        (found ? linksByTask.get(found.id) : undefined) ?? new Map<number, AssignmentRole>()
      if (!found) {
        const [row] = await tx
          .insert(tasks)
          .values({ planId, ref: t.ref, ...fields, createdAt: opts.now, updatedAt: opts.now })
          .returning({ id: tasks.id })
        if (!row) throw new Error('task insert returned no row')
        taskId = row.id
        change = 'created'
      } else {
        taskId = found.id
        const fieldsChanged = (Object.keys(fields) as (keyof typeof fields)[]).some(
          (k) => found[k] !== fields[k],
        )
        const linksChanged =
          current.size !== r.roles.size || [...r.roles].some(([id, role]) => current.get(id) !== role)
        const oldDates = [...(datesByTask.get(taskId) ?? [])].sort()
        const datesChanged = oldDates.join() !== r.dates.join()
        const restored = found.withdrawnAt !== null
        change = fieldsChanged || linksChanged || datesChanged || restored ? 'updated' : 'unchanged'
        if (change === 'updated')
          await tx
            .update(tasks)
            .set({ ...fields, withdrawnAt: null, updatedAt: opts.now })
            .where(eq(tasks.id, taskId))
        if (datesChanged) await tx.delete(taskDeadlines).where(eq(taskDeadlines.taskId, taskId))
        const gone = [...current.keys()].filter((id) => !r.roles.has(id))
        // Status reports reference (task, unit) directly, so dropping an assignment keeps them.
        if (gone.length)
          await tx
            .delete(assignments)
            .where(and(eq(assignments.taskId, taskId), inArray(assignments.unitId, gone)))
        for (const [unitId, role] of r.roles)
          if (current.has(unitId) && current.get(unitId) !== role)
            await tx
              .update(assignments)
              .set({ role })
              .where(and(eq(assignments.taskId, taskId), eq(assignments.unitId, unitId)))
        if (!datesChanged) r.dates.length = 0 // nothing to insert below
      }
      const added = [...r.roles].filter(([id]) => !current.has(id))
      if (added.length)
        await tx
          .insert(assignments)
          .values(added.map(([unitId, role]) => ({ taskId, unitId, role, createdAt: opts.now })))
      // A unit given the task again finds its kept reports.
      if (added.length && found)
        await restoreLatestStatus(
          tx,
          taskId,
          added.map(([unitId]) => unitId),
        )
      if (r.dates.length)
        await tx.insert(taskDeadlines).values(r.dates.map((dueDate) => ({ taskId, dueDate })))
      counts[change]++
      rows.push({
        ref: t.ref,
        title: t.title,
        due: fields.dueDate,
        dueText: fields.dueText,
        unitCount: r.roles.size,
        units: unitsByRole(r.roles, byId),
        change,
      })
    }

    const inDocument = new Set(draft.tasks.map((t) => t.ref))
    const leaving = existingTasks.filter((t) => !inDocument.has(t.ref) && t.withdrawnAt === null)
    if (leaving.length) {
      await tx
        .update(tasks)
        .set({ withdrawnAt: opts.now, updatedAt: opts.now })
        .where(
          inArray(
            tasks.id,
            leaving.map((t) => t.id),
          ),
        )
      counts.withdrawn = leaving.length
      warnings.push(bilingual('planLedger', (m) => m.withdrawnNote(leaving.map((t) => t.ref).join('、'))))
    }

    return {
      plan: {
        id: planId,
        key,
        title: draft.title,
        year,
        trainingHoursPerYear: values.trainingHoursPerYear,
        created: !existingPlan,
      },
      tasks: rows,
      counts,
      withdrawn: leaving.map((t) => t.ref),
      kept: [],
      createdUnits,
      warnings,
      preview: previewOf(draft, year, resolved, roster, doubts),
    }
  })
}

/** How many plans are active now (for "N plans are active" after an import). */
export async function countActivePlans(db: Db): Promise<number> {
  return (await activePlans(db)).length
}

/** Withdrawn tasks of a plan, by ref (kept with their history). */
export async function withdrawnTaskRefs(db: Db, planId: number): Promise<string[]> {
  const rows = await db
    .select({ ref: tasks.ref })
    .from(tasks)
    .where(and(eq(tasks.planId, planId), isNotNull(tasks.withdrawnAt)))
  return rows.map((r) => r.ref)
}

/** Tasks of a plan still chased (not withdrawn), by ref. */
export async function liveTaskRefs(db: Db, planId: number): Promise<string[]> {
  const rows = await db
    .select({ ref: tasks.ref })
    .from(tasks)
    .where(and(eq(tasks.planId, planId), isNull(tasks.withdrawnAt)))
  return rows.map((r) => r.ref)
}
