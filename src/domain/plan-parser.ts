/**
 * Reading the bureau's plan document into tasks. Pure: no database.
 *
 * The text form is the document as issued (see ../shared/plans/taishan-2024.txt): major sections
 * `一、`, subsections `（一）`, numbered items `1.`/`1．`/`1、`. An item (or a subsection paragraph)
 * that ends with a responsibility bracket (`[…]`, `〔…]`, `【…】`, `［…］` in any mix) is a task.
 * Page breaks that split a sentence or a bracket are rejoined; oddities become warnings.
 *
 * The structured form (YAML or JSON) says the same thing explicitly:
 *
 * ```yaml
 * title: 台山市 2024 年度行政执法监督工作方案
 * year: 2024                      # optional when the title carries it; --year overrides it
 * trainingHoursPerYear: 60        # optional
 * tasks:
 *   - ref: 二（二）1               # unique within the plan; re-imports match tasks by it
 *     section: 督促指导开展提升行政执法质量三年行动   # optional
 *     title: 督促落实各项分工任务
 *     body: 督促落实……今年8月中旬前完成中期评估。   # optional
 *     units: [市司法局, 市直各行政执法部门, 各镇（街）]   # or one string: 市司法局、各镇（街）
 *     dueText: 今年8月中旬前       # optional: the phrase, resolved by the rule (8月中旬 → 20th)
 *     due: 2024-08-20             # optional: an exact date; with dueText it overrides the rule
 * ```
 *
 * A task with neither `due` nor `dueText` has no deadline (the body is not searched). When the
 * plan is run as another year (`--year`), phrases are resolved in that year and an explicit `due`
 * keeps its month and day.
 */
import { z } from 'zod'
import { bilingual, UserError } from '../errors.ts'
import { findDeadline, resolveDeadline, type ResolvedDeadline } from './deadline-phrase.ts'
import { isValidDate, lastDayOfMonth, toDateString } from './dates.ts'

export type { ResolvedDeadline }

export interface ParsedTask {
  /** The plan's numbering, e.g. `二（五）2`. */
  ref: string
  /** The subsection heading, e.g. `开展行政执法领域突出问题专项整治`. */
  section: string
  /** The lead sentence, without its 。 and without markdown bold. */
  title: string
  /** The rest of the item, without the responsibility bracket. */
  body: string
  /** The responsibility bracket's content, as written. */
  unitsText: string | null
  deadline: ResolvedDeadline | null
}

export interface ParsedPlan {
  title: string
  /** From the title (`2024 年度`), or the year asked for. */
  year: number | null
  /** From `每人每年接受不少于60学时`. */
  trainingHoursPerYear: number | null
  tasks: ParsedTask[]
  warnings: string[]
}

const ZH_NUMERALS = '一二三四五六七八九十'
const MAJOR = new RegExp(`^([${ZH_NUMERALS}]{1,3})\\s*、\\s*`)
const SUB = new RegExp(`^[（(]\\s*([${ZH_NUMERALS}]{1,3})\\s*[）)]\\s*`)
const ITEM = /^(\d{1,2})\s*[.．、](?!\d)\s*/

const OPEN_SQUARE = '[［〔【'
const CLOSE_SQUARE = ']］〕】'
/** The same, escaped for a regex character class. */
const OPEN_CLASS = '\\[［〔【'
const CLOSE_CLASS = '\\]］〕】'
const PAIRS: Record<string, string> = { '[': ']', '［': '］', '〔': '〕', '【': '】' }

/** Characters that never start a paragraph: a fragment starting with one continues the last. */
const CONTINUATION_START = /^[，。、；：:;,.!?！？）)》」』”’\]］〕】]/
/** A fragment ending with one of these is complete (a page break after it is a real paragraph end). */
const COMPLETE_END = /[。！？!?；;：:]$/

function isMarker(text: string): boolean {
  return MAJOR.test(text) || SUB.test(text) || ITEM.test(text)
}

/** Whether a bracket class opened in the text is still open at its end. */
function unbalanced(text: string): boolean {
  const count = (chars: string) => [...text].filter((c) => chars.includes(c)).length
  return (
    count(OPEN_SQUARE) > count(CLOSE_SQUARE) ||
    count('（(') > count('）)') ||
    count('《') > count('》') ||
    count('“') > count('”')
  )
}

/** A heading alone on its line: `二、工作重点`, `（二）督促指导…` (no sentence in it). */
function isPureHeading(text: string): boolean {
  return (MAJOR.test(text) || SUB.test(text)) && !/[。！？]/.test(text)
}

/** Joins two pieces of one sentence: no space between Chinese, one between Latin words. */
function glue(a: string, b: string): string {
  return /[A-Za-z0-9]$/.test(a) && /^[A-Za-z0-9]/.test(b) ? `${a} ${b}` : a + b
}

/** Lines without markdown decoration (headings, quotes), trimmed, blank ones dropped. */
function fragments(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*(#{1,6}|>)\s*/, '')
        .replace(/[\u3000\s]+$/, '')
        .replace(/^[\u3000\s]+/, ''),
    )
    .filter((l) => l !== '')
}

/**
 * Paragraphs with page breaks undone: a fragment continues the previous one when the previous
 * is not finished (no closing punctuation, or a bracket still open) and the fragment does not
 * start a new heading or item; or when the fragment starts with punctuation.
 */
export function paragraphs(text: string): string[] {
  const out: string[] = []
  for (const frag of fragments(text)) {
    const prev = out[out.length - 1]
    const bare = frag.replace(/^\*\*/, '')
    const continues =
      prev !== undefined &&
      out.length > 1 && // the first paragraph is the title
      (CONTINUATION_START.test(frag) ||
        (!isMarker(bare) &&
          (unbalanced(prev) || (!COMPLETE_END.test(prev) && !isPureHeading(prev.replace(/\*\*/g, ''))))))
    if (continues) out[out.length - 1] = glue(prev, frag)
    else out.push(frag)
  }
  return out
}

interface Bracket {
  content: string
  text: string // the paragraph without the bracket
  open: string
  close: string | null
}

const BRACKET_AT_END = new RegExp(
  `([${OPEN_CLASS}])([^${OPEN_CLASS}${CLOSE_CLASS}]*)([${CLOSE_CLASS}])[\\s。.]*$`,
)
const UNCLOSED_AT_END = new RegExp(`([${OPEN_CLASS}])([^${OPEN_CLASS}${CLOSE_CLASS}。]*)$`)
/** Words a responsibility bracket contains; `〔2023〕` (a document number) has none. */
const RESPONSIBILITY = /负责|牵头|配合|局|镇|街|部门|单位|办|队|委|院|中心|政府/

/** The responsibility bracket at the end of an item, if it has one. */
function trailingBracket(paragraph: string): Bracket | null {
  const closed = BRACKET_AT_END.exec(paragraph)
  if (closed && RESPONSIBILITY.test(closed[2] ?? '')) {
    return {
      content: (closed[2] ?? '').trim(),
      text: paragraph.slice(0, closed.index).trim(),
      open: closed[1] ?? '',
      close: closed[3] ?? '',
    }
  }
  const open = UNCLOSED_AT_END.exec(paragraph)
  if (open && RESPONSIBILITY.test(open[2] ?? '') && /负责|牵头/.test(open[2] ?? '')) {
    return {
      content: (open[2] ?? '').trim(),
      text: paragraph.slice(0, open.index).trim(),
      open: open[1] ?? '',
      close: null,
    }
  }
  return null
}

/** Title (lead sentence, bold or not) and the rest. */
function splitLead(text: string): { title: string; body: string } {
  const bold = /^\*\*(.+?)\*\*\s*/.exec(text)
  if (bold) {
    const title = (bold[1] ?? '').trim().replace(/[。！？!?；;]+$/, '')
    return { title, body: stripBold(text.slice(bold[0].length)).trim() }
  }
  const plain = stripBold(text)
  const end = plain.search(/[。！？!?]/)
  if (end < 0) return { title: plain.trim(), body: '' }
  return { title: plain.slice(0, end).trim(), body: plain.slice(end + 1).trim() }
}

function stripBold(text: string): string {
  return text.replace(/\*\*|__/g, '')
}

function titleYear(title: string): number | null {
  const m = /((?:19|20)\d{2})\s*年/.exec(title)
  return m ? Number(m[1]) : null
}

function trainingHours(text: string): number | null {
  const m =
    /每人每年[^。；]{0,30}?不少于\s*(\d{1,4})\s*个?学时/.exec(text) ??
    /不少于\s*(\d{1,4})\s*个?学时/.exec(text)
  return m ? Number(m[1]) : null
}

/** Oddities worth a second look in one task's text. */
function textWarnings(ref: string, text: string): string[] {
  const warnings: string[] = []
  for (const m of text.matchAll(/(?<=[\p{Script=Han}，。、；：])\s*([a-z]{2,})\s*(?=[\p{Script=Han}])/gu)) {
    const word = m[1] ?? ''
    warnings.push(bilingual('plan', (t) => t.warnLatinWord(ref, word)))
  }
  for (const m of text.matchAll(/(\p{Script=Han}{2,})、\1(?!\p{Script=Han})/gu)) {
    const word = m[1] ?? ''
    warnings.push(bilingual('plan', (t) => t.warnRepeated(ref, word)))
  }
  return warnings
}

interface Item {
  ref: string
  section: string
  major: string
  text: string
  isNumbered: boolean
}

/**
 * Parses the plan document as text. Deadlines are resolved in `opts.year`, else in the title's
 * year; without either they stay null (with a warning). Never throws on odd input: an empty or
 * unrelated text gives no tasks.
 */
export function parsePlanText(text: string, opts: { year?: number } = {}): ParsedPlan {
  const paras = paragraphs(text)
  const warnings: string[] = []
  const title = stripBold(paras[0] ?? '').trim()
  const docYear = titleYear(title)
  const year = opts.year ?? docYear

  let major = ''
  let majorTitle = ''
  let sub = ''
  let subTitle = ''
  let lastNumber = 0
  let current: Item | null = null
  const items: Item[] = []

  for (const raw of paras.slice(1)) {
    const para = raw.replace(/^\*\*(?=[（(一二三四五六七八九十\d])/, '')
    const majorMatch = MAJOR.exec(para)
    const subMatch = SUB.exec(para)
    const itemMatch = ITEM.exec(para)
    if (majorMatch) {
      major = majorMatch[1] ?? ''
      majorTitle = stripBold(para.slice(majorMatch[0].length)).trim()
      sub = ''
      subTitle = majorTitle
      lastNumber = 0
      current = null
    } else if (subMatch) {
      sub = subMatch[1] ?? ''
      const rest = para.slice(subMatch[0].length)
      subTitle = splitLead(rest).title
      lastNumber = 0
      // A subsection paragraph can itself be a task when it carries a bracket.
      current = { ref: `${major}（${sub}）`, section: majorTitle, major, text: rest, isNumbered: false }
      items.push(current)
    } else if (itemMatch) {
      const n = Number(itemMatch[1])
      const ref = `${major}${sub ? `（${sub}）` : ''}${n}`
      if (n !== lastNumber + 1)
        warnings.push(bilingual('plan', (t) => t.warnNumbering(ref, String(lastNumber + 1))))
      lastNumber = n
      current = { ref, section: subTitle, major, text: para.slice(itemMatch[0].length), isNumbered: true }
      items.push(current)
    } else if (current) {
      // A paragraph of the same item after a real paragraph break.
      current.text = `${current.text}\n${para}`
    }
  }

  const tasks: ParsedTask[] = []
  const majorsWithTasks = new Set<string>()
  const untasked: Item[] = []
  for (const item of items) {
    const bracket = trailingBracket(item.text)
    if (!bracket) {
      if (item.isNumbered) untasked.push(item)
      continue
    }
    majorsWithTasks.add(item.major)
    if (bracket.close === null) warnings.push(bilingual('plan', (t) => t.warnBracketOpen(item.ref)))
    else if (PAIRS[bracket.open] !== bracket.close) {
      const close = bracket.close
      warnings.push(bilingual('plan', (t) => t.warnBracketPair(item.ref, bracket.open, close)))
    }
    const { title, body } = splitLead(bracket.text)
    warnings.push(...textWarnings(item.ref, `${title}。${body}`))
    let deadline: ResolvedDeadline | null = null
    if (year !== null) deadline = findDeadline(`${title}。${body}`, year)
    else if (findDeadline(`${title}。${body}`, 2000))
      warnings.push(bilingual('plan', (t) => t.warnNoYear(item.ref)))
    tasks.push({
      ref: item.ref,
      section: item.section,
      title,
      body,
      unitsText: bracket.content.replace(/\s+/g, ''),
      deadline,
    })
  }
  for (const item of untasked) {
    if (majorsWithTasks.has(item.major)) warnings.push(bilingual('plan', (t) => t.warnNoBracket(item.ref)))
  }
  warnings.push(...duplicateRefWarnings(tasks))

  return { title, year, trainingHoursPerYear: trainingHours(paras.join('\n')), tasks, warnings }
}

function duplicateRefWarnings(tasks: { ref: string }[]): string[] {
  const seen = new Set<string>()
  const warnings: string[] = []
  for (const t of tasks) {
    if (seen.has(t.ref)) warnings.push(bilingual('plan', (m) => m.warnDuplicateRef(t.ref)))
    seen.add(t.ref)
  }
  return warnings
}

// ---------------------------------------------------------------------------------------------
// Structured form

const dateString = z.string().refine(isValidDate, { message: 'expected a date YYYY-MM-DD' })

const structuredTaskSchema = z.object({
  ref: z.coerce.string().trim().min(1).max(50),
  section: z.string().trim().max(500).optional(),
  title: z.string().trim().min(1).max(500),
  body: z.string().max(20_000).optional(),
  units: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]).optional(),
  unitsText: z.string().trim().min(1).optional(),
  due: z
    .union([dateString, z.date().transform((d) => d.toISOString().slice(0, 10))])
    .nullable()
    .optional(),
  dueText: z.string().trim().min(1).nullable().optional(),
})

const structuredPlanSchema = z.object({
  title: z.string().trim().min(1).max(500),
  year: z.number().int().min(2000).max(2100).optional(),
  trainingHoursPerYear: z.number().int().min(1).max(1000).optional(),
  tasks: z.array(structuredTaskSchema),
})

export interface StructuredOptions {
  /** Run the plan as this year. */
  year?: number
  /** Names where a data path sits in the source file (e.g. `plan.yaml:12`), for error messages. */
  locate?: (path: PropertyKey[]) => string
}

/** `due` in another year, same month and day (29 Feb → 28 Feb). */
function shiftYear(date: string, year: number): string {
  const month = Number(date.slice(5, 7))
  const day = Number(date.slice(8, 10))
  const shifted = toDateString(year, month, day)
  return isValidDate(shifted) ? shifted : lastDayOfMonth(year, month)
}

/**
 * Parses the structured (YAML/JSON) form documented at the top of this file; zod-validated.
 * Throws a UserError naming the first problem and where it is.
 */
export function parsePlanStructured(data: unknown, opts: StructuredOptions = {}): ParsedPlan {
  const locate = opts.locate ?? ((path: PropertyKey[]) => (path.length ? path.map(String).join('.') : 'plan'))
  const parsed = structuredPlanSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path ?? []
    const detail = `${path.map(String).join('.') || 'plan'}: ${issue?.message ?? 'invalid'}`
    throw new UserError(bilingual('plan', (m) => m.structuredInvalid(locate(path), detail)))
  }
  const plan = parsed.data
  const docYear = plan.year ?? titleYear(plan.title)
  const year = opts.year ?? docYear
  const warnings: string[] = []
  const tasks = plan.tasks.map((t, i): ParsedTask => {
    let deadline: ResolvedDeadline | null = null
    const due = t.due
      ? opts.year !== undefined && docYear !== null
        ? shiftYear(t.due, opts.year)
        : t.due
      : null
    if (t.dueText) {
      // Checked even without a year, so a phrase that is no deadline is caught early.
      const resolved = resolveDeadline(t.dueText, year ?? 2000)
      if (!resolved && !due) {
        const where = locate(['tasks', i, 'dueText'])
        throw new UserError(
          bilingual('plan', (m) =>
            m.structuredInvalid(where, `tasks.${i}.dueText: not a deadline phrase: ${t.dueText}`),
          ),
        )
      }
      if (due) deadline = { date: due, phrase: t.dueText, rule: resolved?.rule ?? 'day' }
      else if (year === null) warnings.push(bilingual('plan', (m) => m.warnNoYear(t.ref)))
      else if (resolved) deadline = { ...resolved, phrase: t.dueText }
    } else if (due) {
      deadline = {
        date: due,
        phrase: `${Number(due.slice(5, 7))}月${Number(due.slice(8, 10))}日前`,
        rule: 'day',
      }
    }
    const unitsText = t.unitsText ?? (Array.isArray(t.units) ? t.units.join('、') : (t.units ?? null))
    return {
      ref: t.ref,
      section: t.section ?? '',
      title: t.title.replace(/[。]+$/, ''),
      body: (t.body ?? '').trim(),
      unitsText,
      deadline,
    }
  })
  warnings.push(...duplicateRefWarnings(tasks))
  return {
    title: plan.title,
    year,
    trainingHoursPerYear:
      plan.trainingHoursPerYear ?? trainingHours(plan.tasks.map((t) => t.body ?? '').join('\n')),
    tasks,
    warnings,
  }
}
