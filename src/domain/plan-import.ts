/**
 * Importing a plan: reading the file safely, then writing plan, tasks and assignments in one
 * transaction. Re-importing the same plan (same title, any year) updates it in place: tasks are
 * matched by ref, status reports are never touched.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { yamlToValues } from './yaml-values.ts'
import { bilingual, UserError } from '../errors.ts'
import type { Db } from '../db/client.ts'
import { assignments, plans, statusReports, tasks, units as unitsTable } from '../db/schema.ts'
import { parsePlanStructured, parsePlanText, type ParsedPlan } from './plan-parser.ts'
import { planKey } from './plans.ts'
import {
  defaultShortName,
  expandResponsibleUnits,
  LAW_ENFORCEMENT_TAG,
  listUnits,
  looksLikeGroup,
  matchUnit,
  type Unit,
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

const textExtensions = ['txt', 'md', 'markdown', 'text']
const structuredExtensions = ['yaml', 'yml', 'json']

/**
 * Parses a plan file's content by its extension: `.txt`/`.md` as the document's text,
 * `.yaml`/`.yml`/`.json` as the structured form. Errors name the file and line.
 */
export function parsePlanFile(text: string, fileName: string, opts: { year?: number } = {}): ParsedPlan {
  const ext = path.extname(fileName).slice(1).toLowerCase()
  if (textExtensions.includes(ext)) return parsePlanText(text, opts)
  if (!structuredExtensions.includes(ext)) {
    const accepted = [...textExtensions.slice(0, 2), ...structuredExtensions].map((e) => `.${e}`).join(' ')
    throw new UserError(bilingual('plan', (m) => m.fileType(fileName, accepted)))
  }
  const name = path.basename(fileName)
  const lineCounter = new LineCounter()
  // YAML 1.2 reads JSON too, with line numbers for either.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  const [firstError] = doc.errors
  if (firstError) {
    const line = firstError.linePos?.[0].line
    const where = line ? `${name}:${line}` : name
    const detail = firstError.message.split(/ at line \d|\n/)[0] ?? ''
    throw new UserError(
      bilingual('plan', (m) => (ext === 'json' ? m.badJson(where, detail) : m.badYaml(where, detail))),
    )
  }
  const locate = (dataPath: PropertyKey[]) => {
    for (let n = dataPath.length; n >= 0; n--) {
      const node = doc.getIn(
        dataPath.slice(0, n).map((p) => (typeof p === 'symbol' ? String(p) : p)),
        true,
      ) as YamlNode | undefined
      const offset = node?.range?.[0]
      if (offset !== undefined) return `${name}:${lineCounter.linePos(offset).line}`
    }
    return name
  }
  return parsePlanStructured(yamlToValues(doc, name), { ...opts, locate })
}

/** Reads and parses a plan file; see `readTextFile` and `parsePlanFile` for what is refused. */
export async function readPlanFile(file: string, opts: { year?: number } = {}): Promise<ParsedPlan> {
  return parsePlanFile(await readTextFile(file), file, opts)
}

export type TaskChange = 'created' | 'updated' | 'unchanged'

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
    change: TaskChange
  }[]
  counts: { created: number; updated: number; unchanged: number; deleted: number }
  /** Refs of tasks no longer in the document but kept because units reported on them. */
  kept: string[]
  /** Names of units created for `--create-units`. */
  createdUnits: string[]
  warnings: string[]
}

export interface PlanImportOptions {
  /** Create units named in brackets but missing from the roster (as law-enforcement departments). */
  createUnits?: boolean
  /** The file name, kept on the plan and used in messages. */
  sourceName?: string
  now: Date
}

/** Names not in the roster, each with the unit it probably means: `市城管执法局（市城市管理和综合执法局？）`. */
function describeUnknown(roster: Unit[], names: string[]): string {
  return names
    .map((name) => {
      const m = matchUnit(roster, name)
      const guess = m.kind === 'found' ? m.unit : m.kind === 'unknown' ? m.suggestions[0] : m.candidates[0]
      return guess ? `${name}（${guess.name}？）` : name
    })
    .join('、')
}

/**
 * Writes a parsed plan in ONE transaction (a UserError changes nothing): upserts the plan by
 * its key (title without the year) and makes it the only active plan; upserts tasks by ref;
 * deletes tasks that left the document unless units reported on them (those are kept, with a
 * warning); sets each task's assignments to the units its bracket names. Refuses units the
 * roster lacks unless `createUnits`.
 */
export async function importPlan(
  db: Db,
  plan: ParsedPlan,
  opts: PlanImportOptions,
): Promise<PlanImportResult> {
  const source = opts.sourceName ?? 'plan'
  if (plan.tasks.length === 0) throw new UserError(bilingual('plan', (m) => m.noTasks(source)))
  const year = plan.year
  if (year === null) throw new UserError(bilingual('plan', (m) => m.noYear))
  const refs = plan.tasks.map((t) => t.ref)
  const dupes = [...new Set(refs.filter((r, i) => refs.indexOf(r) !== i))]
  if (dupes.length) throw new UserError(bilingual('plan', (m) => m.duplicateRefs(dupes.join('、'))))
  const key = planKey(plan.title)
  const warnings = [...plan.warnings]

  return db.transaction(async (tx) => {
    let roster = await listUnits(tx)
    if (roster.length === 0) throw new UserError(bilingual('plan', (m) => m.noUnits))
    const expand = () => plan.tasks.map((t) => expandResponsibleUnits(roster, t.unitsText ?? ''))
    let expanded = expand()
    const unknown = [...new Set(expanded.flatMap((e) => e.unknown))]
    const createdUnits: string[] = []
    if (unknown.length) {
      const groups = unknown.filter(looksLikeGroup)
      if (groups.length) throw new UserError(bilingual('plan', (m) => m.unknownGroups(groups.join('、'))))
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
      expanded = expand()
    }

    const values = {
      title: plan.title,
      year,
      trainingHoursPerYear: plan.trainingHoursPerYear ?? 60,
      active: true,
      sourceName: opts.sourceName ?? null,
      importedAt: opts.now,
    }
    const [existingPlan] = await tx.select().from(plans).where(eq(plans.key, key))
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
    await tx
      .update(plans)
      .set({ active: false })
      .where(and(ne(plans.id, planId), eq(plans.active, true)))

    const existingTasks = await tx.select().from(tasks).where(eq(tasks.planId, planId))
    const byRef = new Map(existingTasks.map((t) => [t.ref, t]))
    const existingLinks = existingTasks.length
      ? await tx
          .select()
          .from(assignments)
          .where(
            inArray(
              assignments.taskId,
              existingTasks.map((t) => t.id),
            ),
          )
      : []
    const linksByTask = new Map<number, Set<number>>()
    for (const l of existingLinks) {
      const set = linksByTask.get(l.taskId) ?? new Set<number>()
      set.add(l.unitId)
      linksByTask.set(l.taskId, set)
    }

    const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0 }
    const rows: PlanImportResult['tasks'] = []
    for (const [i, t] of plan.tasks.entries()) {
      const unitIds = new Set((expanded[i]?.units ?? []).map((u) => u.id))
      if (unitIds.size === 0) warnings.push(bilingual('plan', (m) => m.warnNoUnits(t.ref)))
      const fields = {
        section: t.section || null,
        title: t.title,
        body: t.body,
        dueDate: t.deadline?.date ?? null,
        dueText: t.deadline?.phrase ?? null,
        unitsText: t.unitsText,
        position: i + 1,
      }
      const found = byRef.get(t.ref)
      let taskId: number
      let change: TaskChange
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
        const current = linksByTask.get(taskId) ?? new Set<number>()
        const fieldsChanged = (Object.keys(fields) as (keyof typeof fields)[]).some(
          (k) => found[k] !== fields[k],
        )
        const linksChanged = current.size !== unitIds.size || [...unitIds].some((id) => !current.has(id))
        change = fieldsChanged || linksChanged ? 'updated' : 'unchanged'
        if (change === 'updated')
          await tx
            .update(tasks)
            .set({ ...fields, updatedAt: opts.now })
            .where(eq(tasks.id, taskId))
        const gone = [...current].filter((id) => !unitIds.has(id))
        // Status reports reference (task, unit) directly, so dropping an assignment keeps them.
        if (gone.length)
          await tx
            .delete(assignments)
            .where(and(eq(assignments.taskId, taskId), inArray(assignments.unitId, gone)))
      }
      const have = linksByTask.get(taskId) ?? new Set<number>()
      const added = [...unitIds].filter((id) => !have.has(id))
      if (added.length)
        await tx.insert(assignments).values(added.map((unitId) => ({ taskId, unitId, createdAt: opts.now })))
      counts[change]++
      rows.push({
        ref: t.ref,
        title: t.title,
        due: fields.dueDate,
        dueText: fields.dueText,
        unitCount: unitIds.size,
        change,
      })
    }

    const inDocument = new Set(refs)
    const leaving = existingTasks.filter((t) => !inDocument.has(t.ref))
    const kept: string[] = []
    if (leaving.length) {
      const reported = await tx
        .select({ taskId: statusReports.taskId, n: sql<number>`count(*)::int` })
        .from(statusReports)
        .where(
          inArray(
            statusReports.taskId,
            leaving.map((t) => t.id),
          ),
        )
        .groupBy(statusReports.taskId)
      const hasReports = new Set(reported.filter((r) => r.n > 0).map((r) => r.taskId))
      const deletable = leaving.filter((t) => !hasReports.has(t.id)).map((t) => t.id)
      if (deletable.length) await tx.delete(tasks).where(inArray(tasks.id, deletable))
      counts.deleted = deletable.length
      for (const t of leaving.filter((l) => hasReports.has(l.id))) {
        kept.push(t.ref)
        warnings.push(bilingual('plan', (m) => m.warnKept(t.ref)))
      }
    }

    return {
      plan: {
        id: planId,
        key,
        title: plan.title,
        year,
        trainingHoursPerYear: values.trainingHoursPerYear,
        created: !existingPlan,
      },
      tasks: rows,
      counts,
      kept,
      createdUnits,
      warnings,
    }
  })
}
