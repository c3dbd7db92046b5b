/**
 * The structured form of a plan (YAML or JSON), for whatever no document reader reads:
 *
 * ```yaml
 * title: 江门市 2024 年度行政执法监督工作要点
 * year: 2024                      # optional when the title carries it; --year overrides it
 * trainingHoursPerYear: 60        # optional
 * tasks:
 *   - ref: 一（一）1               # unique within the plan; re-imports match tasks by it
 *     section: 制度建设             # optional
 *     title: 完善制度
 *     body: 各单位要完善制度。       # optional
 *     units:                       # a string (`市司法局牵头，各镇（街）配合`), a list of names,
 *       - 市司法局                  # or of {name, role} with role lead / responsible / support
 *       - { name: 各县（市、区）政府, role: support }
 *     dueText: 每季度末             # optional: any deadline phrase (recurring and ongoing too)
 *     due: 2024-08-20             # optional: an exact date; with dueText it overrides the rule
 * ```
 * Validated with zod; a problem is a UserError naming the file and line.
 */
import path from 'node:path'
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import * as z from 'zod'
import { UserError } from '../../errors.ts'
import { isValidDate, lastDayOfMonth, toDateString } from '../../domain/dates.ts'
import { readDeadlinePhrase } from '../../domain/deadline-phrase.ts'
import { yamlToValues } from '../../domain/yaml-values.ts'
import type {
  DeadlineDraft,
  Doubt,
  PlanDraft,
  ResponsibilityEntry,
  TaskDraft,
} from '../../domain/plan-draft.ts'
import { responsibilityRoles } from '../../domain/plan-draft.ts'
import { messages } from '../../i18n/index.ts'
import { parseResponsibility } from './responsibility.ts'
import { planYear, titleYear } from './title-year.ts'

type PlanTexts = ReturnType<typeof messages>['plan']
function bilingual(pick: (m: PlanTexts) => string): string {
  return `${pick(messages('zh-CN').plan)} / ${pick(messages('en').plan)}`
}

const dateString = z.string().refine(isValidDate, { message: 'expected a date YYYY-MM-DD' })
const unitSchema = z.union([
  z.string().trim().min(1),
  z.object({ name: z.string().trim().min(1), role: z.enum(responsibilityRoles).optional() }),
])

const taskSchema = z.object({
  ref: z.coerce.string().trim().min(1).max(50),
  section: z.string().trim().max(500).optional(),
  title: z.string().trim().min(1).max(500),
  body: z.string().max(20_000).optional(),
  units: z.union([z.string().trim().min(1), z.array(unitSchema).min(1)]).optional(),
  unitsText: z.string().trim().min(1).optional(),
  due: z
    .union([dateString, z.date().transform((d) => d.toISOString().slice(0, 10))])
    .nullable()
    .optional(),
  dueText: z.string().trim().min(1).nullable().optional(),
})

const planSchema = z.object({
  title: z.string().trim().min(1).max(500),
  year: z.number().int().min(2000).max(2100).optional(),
  trainingHoursPerYear: z.number().int().min(1).max(1000).optional(),
  tasks: z.array(taskSchema),
})

function shiftYear(date: string, year: number): string {
  const month = Number(date.slice(5, 7))
  const day = Number(date.slice(8, 10))
  const shifted = toDateString(year, month, day)
  return isValidDate(shifted) ? shifted : lastDayOfMonth(year, month)
}

/** Parses YAML or JSON text (YAML 1.2 reads JSON too) into a PlanDraft. */
export function readStructured(
  text: string,
  fileName: string,
  format: 'yaml' | 'json',
  opts: { year?: number; thisYear?: number },
): PlanDraft {
  const name = path.basename(fileName)
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  const [firstError] = doc.errors
  if (firstError) {
    const line = firstError.linePos?.[0].line
    const where = line ? `${name}:${line}` : name
    const detail = firstError.message.split(/ at line \d|\n/)[0] ?? ''
    throw new UserError(
      bilingual((m) => (format === 'json' ? m.badJson(where, detail) : m.badYaml(where, detail))),
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
  // A "billion laughs" file is refused by name, not expanded.
  const parsed = planSchema.safeParse(yamlToValues(doc, name))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const p = issue?.path ?? []
    const detail = `${p.map(String).join('.') || 'plan'}: ${issue?.message ?? 'invalid'}`
    throw new UserError(bilingual((m) => m.structuredInvalid(locate(p), detail)))
  }
  const plan = parsed.data
  const { year, doubt } = planYear(plan.title, {
    given: opts.year,
    stated: plan.year ?? null,
    thisYear: opts.thisYear,
  })
  // The year the document's own dates are written in, for `--year` to shift them from.
  const docYear = plan.year ?? titleYear(plan.title)?.year ?? null
  const doubts: Doubt[] = doubt ? [doubt] : []
  const tasks = plan.tasks.map((t, i): TaskDraft => {
    const source = {
      line: Number(locate(['tasks', i]).split(':')[1]) || undefined,
      text: t.title.slice(0, 60),
    }
    const due = t.due
      ? opts.year !== undefined && docYear !== null
        ? shiftYear(t.due, opts.year)
        : t.due
      : null
    let deadline: DeadlineDraft | null = null
    if (t.dueText) {
      const reading = readDeadlinePhrase(t.dueText, year)
      if (!reading.deadline && !due && year !== null) {
        const where = locate(['tasks', i, 'dueText'])
        throw new UserError(
          bilingual((m) =>
            m.structuredInvalid(where, `tasks.${i}.dueText: not a deadline phrase: ${t.dueText}`),
          ),
        )
      }
      if (due) deadline = { kind: 'date', text: t.dueText, date: due, explicitYear: false }
      else if (reading.deadline) deadline = reading.deadline
      else doubts.push({ kind: 'unread_phrase', taskRef: t.ref, quote: t.dueText, source })
    } else if (due) {
      deadline = {
        kind: 'date',
        text: `${Number(due.slice(5, 7))}月${Number(due.slice(8, 10))}日前`,
        date: due,
        explicitYear: false,
      }
    }
    const responsibility: ResponsibilityEntry[] = []
    const names: string[] = []
    if (typeof t.units === 'string') {
      responsibility.push(...parseResponsibility(t.units).entries)
      names.push(t.units)
    } else {
      for (const u of t.units ?? []) {
        if (typeof u === 'string') {
          responsibility.push(...parseResponsibility(u).entries)
          names.push(u)
        } else {
          responsibility.push({ phrase: u.name, role: u.role ?? 'responsible' })
          names.push(u.name)
        }
      }
    }
    if (responsibility.length === 0 && t.unitsText)
      responsibility.push(...parseResponsibility(t.unitsText).entries)
    if (responsibility.length === 0) doubts.push({ kind: 'no_units', taskRef: t.ref, quote: t.title, source })
    return {
      ref: t.ref,
      section: t.section ?? '',
      title: t.title.replace(/[。]+$/, ''),
      body: (t.body ?? '').trim(),
      responsibility,
      unitsText: t.unitsText ?? (names.length > 0 ? names.join('、') : null),
      deadline,
      source,
    }
  })
  const hours = /不少于\s*(\d{1,4})\s*个?学时/.exec(plan.tasks.map((t) => t.body ?? '').join('\n'))
  return {
    title: plan.title,
    year,
    trainingHoursPerYear: plan.trainingHoursPerYear ?? (hours ? Number(hours[1]) : null),
    tasks,
    doubts,
    format,
  }
}
