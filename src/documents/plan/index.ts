/**
 * Reading a plan from the files bureaus have: one pipeline for every format.
 *
 *   bytes → format (by content: zip with word/ or xl/, %PDF-, else text in UTF-8/UTF-16/GB18030)
 *         → blocks (lines and table rows, each with its place)            text.ts docx.ts xlsx.ts csv.ts pdf.ts
 *         → cleaned (page numbers, running headers, cover notice, sign-off) and titled   clean.ts
 *         → paragraphs (broken lines rejoined)                                          clean.ts
 *         → tasks from prose and from tables (attachments too)                          prose.ts table.ts
 *         → responsibility (names with roles) and deadlines                             responsibility.ts, domain/deadline-phrase.ts
 *         → PlanDraft, with doubts quoting the document.
 *
 * YAML and JSON are read as the structured form (structured.ts). Each format library loads only
 * when a file of its kind is read.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { UserError } from '../../errors.ts'
import type { Doubt, PlanDraft, TaskDraft } from '../../domain/plan-draft.ts'
import { messages } from '../../i18n/index.ts'
import type { Block, PlanFormat, RowBlock } from './blocks.ts'
import { cleanBlocks, joinParagraphs, PLAN_WORDS, type Paragraph } from './clean.ts'
import { decodeText, detectFormat } from './detect.ts'
import { readProse } from './prose.ts'
import { readStructured } from './structured.ts'
import { readTable } from './table.ts'
import { textBlocks } from './text.ts'
import { planYear } from './title-year.ts'

export { parseResponsibility, looksLikeResponsibility } from './responsibility.ts'

/** Plan files larger than this are refused before they are read (as for every import). */
export const PLAN_FILE_LIMIT_BYTES = 5 * 1024 * 1024

type PlanTexts = ReturnType<typeof messages>['plan']
function bilingual(pick: (m: PlanTexts) => string): string {
  return `${pick(messages('zh-CN').plan)} / ${pick(messages('en').plan)}`
}

export interface ReadPlanOptions {
  /** Run the plan as this year (deadlines without their own year resolve in it). */
  year?: number
  /** The current year, to choose the year of a multi-year plan (`2025—2027年`) without `year`. */
  thisYear?: number
}

/**
 * Reads a plan document of any supported kind into a PlanDraft. Throws a UserError (bilingual,
 * naming the file) for an empty, oversized, unknown, damaged or scanned file, and for an invalid
 * structured file; never for a document that merely has no tasks (the draft has none).
 */
export async function readPlanDocument(
  bytes: Buffer | Uint8Array,
  fileName: string,
  opts: ReadPlanOptions = {},
): Promise<PlanDraft> {
  const name = path.basename(fileName)
  const limitMb = Math.round((PLAN_FILE_LIMIT_BYTES / 1024 / 1024) * 10) / 10
  if (bytes.length > PLAN_FILE_LIMIT_BYTES)
    throw new UserError(bilingual((m) => m.fileTooLarge(fileName, limitMb)))
  if (bytes.length === 0) throw new UserError(bilingual((m) => m.fileEmpty(fileName)))
  let decoded: string | null | undefined
  const isText =
    bytes.length > 0 && !(bytes[0] === 0x50 && bytes[1] === 0x4b) && !(bytes[0] === 0x25 && bytes[1] === 0x50)
  if (isText) decoded = await decodeText(bytes)
  const format = detectFormat(bytes, fileName, () => decoded ?? null)
  const text = decoded ?? ''
  if (
    (format === 'text' || format === 'csv' || format === 'yaml' || format === 'json') &&
    text.trim() === ''
  ) {
    throw new UserError(bilingual((m) => m.fileEmpty(fileName)))
  }
  switch (format) {
    case 'yaml':
    case 'json':
      return readStructured(text, fileName, format, opts)
    case 'text':
      return assemble(textBlocks(text), format, name, opts)
    case 'csv': {
      const { csvBlocks } = await import('./csv.ts')
      return assemble(await csvBlocks(text, path.parse(name).name), format, name, opts)
    }
    case 'docx': {
      const { docxBlocks } = await import('./docx.ts')
      return assemble(await docxBlocks(bytes, name), format, name, opts)
    }
    case 'xlsx': {
      const { xlsxBlocks } = await import('./xlsx.ts')
      return assemble(await xlsxBlocks(bytes), format, name, opts)
    }
    case 'pdf': {
      const { pdfBlocks } = await import('./pdf.ts')
      return assemble(await pdfBlocks(bytes, name), format, name, opts)
    }
  }
}

/** Reads a plan file from disk: refuses a missing file, a directory or one over the limit before reading it. */
export async function readPlanFile(file: string, opts: ReadPlanOptions = {}): Promise<PlanDraft> {
  let size: number
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new UserError(bilingual((m) => m.fileNotAFile(file)))
    size = s.size
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(bilingual((m) => m.fileMissing(file)))
  }
  const limitMb = Math.round((PLAN_FILE_LIMIT_BYTES / 1024 / 1024) * 10) / 10
  if (size > PLAN_FILE_LIMIT_BYTES) throw new UserError(bilingual((m) => m.fileTooLarge(file, limitMb)))
  return readPlanDocument(await readFile(file), file, opts)
}

const ATTACHMENT = /^附件\s*([\d一二三四五六七八九十]{0,3})\s*[:：]?/
/** The year a sheet's title says the plan runs as: `（2026 年）`, `（按2026年执行）` at its end. */
const RUN_YEAR = /\s*[（(]\s*(?:按\s*)?((?:19|20)\d{2})\s*年(?:执行)?\s*[）)]\s*$/

/** A table's own title: a first row that is one text across the table (a merged title row). */
function tableTitle(rows: RowBlock[]): string | null {
  for (const row of rows.slice(0, 3)) {
    const values = [...new Set(row.cells.map((c) => c.trim()).filter((c) => c !== ''))]
    if (values.length === 1 && PLAN_WORDS.test(values[0] ?? '') && (values[0] ?? '').length <= 80)
      return values[0] ?? null
  }
  return null
}

function trainingHours(paragraphs: Paragraph[]): number | null {
  for (const p of paragraphs) {
    const m = /每人每年[^。；]{0,30}?不少于\s*(\d{1,4})\s*个?学时/.exec(p.text)
    if (m) return Number(m[1])
  }
  for (const p of paragraphs) {
    const m = /不少于\s*(\d{1,4})\s*个?学时/.exec(p.text)
    if (m) return Number(m[1])
  }
  return null
}

/** Blocks → PlanDraft: clean, title, paragraphs, prose and table tasks, doubts. */
function assemble(blocks: Block[], format: PlanFormat, fileName: string, opts: ReadPlanOptions): PlanDraft {
  const clean = cleanBlocks(blocks)
  const flow = joinParagraphs(clean.blocks)

  // Prose by attachment (the plan itself is ''), tables by name, in document order.
  const prose = new Map<string, Paragraph[]>([['', []]])
  const tables = new Map<string, { rows: RowBlock[]; attachment: string }>()
  let attachment = ''
  for (const f of flow) {
    if (f.kind === 'row') {
      const t = tables.get(f.row.table) ?? { rows: [], attachment }
      t.rows.push(f.row)
      tables.set(f.row.table, t)
      continue
    }
    const a = ATTACHMENT.exec(f.paragraph.text)
    if (a && f.paragraph.text.length <= 60) {
      attachment = `附件${a[1] ?? ''}`
      if (!prose.has(attachment)) prose.set(attachment, [])
      continue
    }
    prose.get(attachment)?.push(f.paragraph)
  }

  let title = clean.title
  let runYear: number | null = null
  if (title === null) {
    const fromTable = [...tables.values()].map((t) => tableTitle(t.rows)).find((t) => t !== null) ?? null
    // `…工作方案（2026 年）` above an exported 任务分解表: the plan's title, run as that year.
    const run = fromTable ? RUN_YEAR.exec(fromTable) : null
    if (fromTable && run && run.index > 0) {
      title = fromTable.slice(0, run.index).trim()
      runYear = Number(run[1])
    } else title = fromTable
  }
  title ??= path.parse(fileName).name
  const { year, doubt } = planYear(title, { given: opts.year, stated: runYear, thisYear: opts.thisYear })

  const tasks: TaskDraft[] = []
  const doubts: Doubt[] = doubt ? [doubt] : []
  for (const [label, paragraphs] of prose) {
    const result = readProse(paragraphs, year, label ? `${label}-` : '')
    tasks.push(...result.tasks)
    doubts.push(...result.doubts)
  }
  const read = [...tables.entries()].map(([name, t]) => ({
    name,
    attachment: t.attachment,
    result: readTable(t.rows, year),
  }))
  const taskTables = read.filter((r) => r.result.tasks.length > 0)
  const needPrefix = taskTables.length + (tasks.length > 0 ? 1 : 0) > 1
  const usedLabels = new Set<string>()
  for (const r of taskTables) {
    let label = ''
    if (needPrefix) {
      label = r.attachment && !usedLabels.has(r.attachment) ? r.attachment : r.name
      usedLabels.add(label)
    }
    const prefix = label ? `${label}-` : ''
    tasks.push(...r.result.tasks.map((t) => ({ ...t, ref: prefix + t.ref })))
    doubts.push(
      ...r.result.doubts.map((d) => ({ ...d, taskRef: d.taskRef === null ? null : prefix + d.taskRef })),
    )
  }

  const seen = new Set<string>()
  for (const t of tasks) {
    if (seen.has(t.ref))
      doubts.push({ kind: 'duplicate_ref', taskRef: t.ref, quote: t.title.slice(0, 40), source: t.source })
    seen.add(t.ref)
  }
  const paragraphs = [...prose.values()].flat()
  return {
    title,
    year,
    trainingHoursPerYear: trainingHours(paragraphs),
    tasks,
    doubts,
    format,
  }
}
