/**
 * Tasks in a table (任务分解表, 工作台账): a Word table, a spreadsheet sheet, a CSV file or
 * tab-separated text. The header row is found by column names (synonyms) in the first 15 rows;
 * a second header row under a merged `责任单位` is read too. One row is one task, except:
 * - a row whose cells are all one text (a merged row) or whose 序号 is `一`/`二、` with no units is
 *   a section heading for the rows under it;
 * - a row with the same 序号 as the row above (a merged 序号 cell), or with neither 序号 nor task
 *   text, continues the task above (its measures and units are added);
 * - when one 工作任务 cell spans rows with different 序号, each row is a task titled by its measure,
 *   under the 工作任务 as its section.
 * Unit columns give the role (牵头单位 → lead, 责任单位 → responsible, 配合单位 → support); a 角色
 * column (`牵头` / `负责` / `配合`) gives the role of that row's 责任单位; a role word inside a cell
 * wins (`市公安局（牵头）`).
 *
 * The 任务分解表 that `duban plan export` writes reads back the same way: 任务编号 (preferred over
 * the row counter 序号) groups its rows into one task, 角色 gives each unit's role, 完成时限 keeps
 * the phrase and 截止日期 the date(s) a clerk may have edited.
 */
import type {
  DeadlineDraft,
  Doubt,
  ResponsibilityEntry,
  ResponsibilityRole,
  SourcePlace,
  TaskDraft,
} from '../../domain/plan-draft.ts'
import { readDeadlineInText, readDeadlinePhrase } from '../../domain/deadline-phrase.ts'
import { isValidDate, toDateString } from '../../domain/dates.ts'
import type { RowBlock } from './blocks.ts'
import { findNote, readNote, splitLead } from './prose.ts'
import { parseResponsibility, roleOfWord, UNIT_NOUN } from './responsibility.ts'

type Column =
  | 'ref'
  | 'taskNo'
  | 'task'
  | 'measure'
  | 'lead'
  | 'responsible'
  | 'support'
  | 'role'
  | 'deadline'
  | 'dueDate'
  | 'section'

const SYNONYMS: [Column, RegExp][] = [
  ['taskNo', /^(?:任务编号|任务序号|任务号)$/],
  ['ref', /^(?:序号|编号|序|No\.?)$/i],
  ['role', /^(?:角色|责任角色|单位角色|分工角色|责任类型|牵头或配合)$/],
  ['dueDate', /^(?:截止日期|完成日期|到期日期|截止日|到期日)$/],
  ['lead', new RegExp(`^(?:牵头(?:责任)?${UNIT_NOUN}|主办${UNIT_NOUN}|牵头)`)],
  ['support', new RegExp(`^(?:配合|协办|协助|参与|协同)${UNIT_NOUN}`)],
  ['responsible', new RegExp(`^(?:(?:责任|负责|承办|落实|实施)${UNIT_NOUN}|责任主体|责任分工)`)],
  [
    'deadline',
    /^(?:完成时限|完成期限|时间节点|完成时间|时限要求|办结时限|截止时间|时限|时间安排|进度安排|完成节点)/,
  ],
  [
    'measure',
    /^(?:具体措施|工作措施|主要措施|推进措施|具体内容|工作要求|具体任务|措施|具体工作|实施举措|工作举措|具体举措|任务要求|目标要求)/,
  ],
  [
    'task',
    /^(?:工作任务|重点工作|任务内容|工作内容|主要任务|重点任务|工作事项|任务名称|工作项目|任务事项|改革任务|目标任务|任务|事项|工作名称|项目名称)/,
  ],
  ['section', /^(?:类别|领域|板块|工作类别|项目类别|分类)$/],
]

const ROLE_OF: Partial<Record<Column, ResponsibilityRole>> = {
  lead: 'lead',
  responsible: 'responsible',
  support: 'support',
}

function norm(cell: string | undefined): string {
  const c = cell ?? ''
  // Most cells have no spaces: skip the replace (a large table has hundreds of thousands of cells).
  return /[\s\u3000]/.test(c) ? c.replace(/[\s\u3000]+/g, '') : c
}

function columnOf(cell: string): Column | null {
  const c = norm(cell)
  if (c === '' || c.length > 16) return null
  for (const [column, re] of SYNONYMS) if (re.test(c)) return column
  return null
}

type Columns = Partial<Record<Column, number>>

/** The header: the first row among the first 15 naming a task (or measure) column and one more. */
function findHeader(rows: RowBlock[]): { columns: Columns; next: number } | null {
  for (let r = 0; r < Math.min(rows.length, 15); r++) {
    const cells = rows[r]?.cells ?? []
    const columns: Columns = {}
    cells.forEach((cell, i) => {
      const col = columnOf(cell)
      if (col && columns[col] === undefined) columns[col] = i
    })
    const kinds = Object.keys(columns).length
    if ((columns.task === undefined && columns.measure === undefined) || kinds < 2) continue
    // A second header row under a merged `责任单位`: `牵头单位 | 配合单位`.
    let next = r + 1
    const below = rows[next]?.cells ?? []
    const sub: Columns = {}
    below.forEach((cell, i) => {
      const col = columnOf(cell)
      if (col && ROLE_OF[col]) sub[col] = i
    })
    if (Object.keys(sub).length > 0 && !below.some((c) => /^\d+$/.test(norm(c)))) {
      for (const [col, i] of Object.entries(sub) as [Column, number][]) {
        // The merged header cell named the whole group: its columns now have their own names.
        for (const k of ['responsible', 'lead', 'support'] as const)
          if (columns[k] === i && k !== col) delete columns[k]
        columns[col] = i
      }
      next++
    }
    // A task number beside a row counter (序号 1, 2, 3 … per row): the task number names the task.
    if (columns.taskNo !== undefined) columns.ref = columns.taskNo
    return { columns, next }
  }
  return null
}

const SECTION_REF = /^[一二三四五六七八九十]{1,3}[、.．]?$/

interface RowRecord {
  ref: string
  task: string
  measure: string
  units: { text: string; role: ResponsibilityRole; column: Column }[]
  deadline: string
  dueDate: string
  section: string
  row: RowBlock
}

const UNIT_NOUN_END = new RegExp(`${UNIT_NOUN}$`)

/** The role a 角色 cell names (`牵头`, `配合单位`, `负责`), or null. */
function roleOfCell(cell: string): ResponsibilityRole | null {
  const word = norm(cell).replace(UNIT_NOUN_END, '')
  if (word === '') return null
  return roleOfWord(word)
}

/** Dates a 截止日期 cell lists (`2026-10-20`, `2026/10/20`, `2026年10月20日`, several with 、), or null if any is none. */
function datesOfCell(cell: string): string[] | null {
  const parts = cell.split(/[、,，;；\s]+/).filter((p) => p !== '')
  if (parts.length === 0) return null
  const dates: string[] = []
  for (const part of parts) {
    const m = /^((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(part)
    if (!m) return null
    const date = toDateString(Number(m[1]), Number(m[2]), Number(m[3]))
    if (!isValidDate(date)) return null
    dates.push(date)
  }
  return [...new Set(dates)].sort()
}

/** How often dates listed by hand recur, judged by their widest gap. */
function everyOf(dates: string[]): Extract<DeadlineDraft, { kind: 'series' }>['every'] {
  let widest = 0
  for (let i = 1; i < dates.length; i++)
    widest = Math.max(widest, (Date.parse(dates[i] ?? '') - Date.parse(dates[i - 1] ?? '')) / 86_400_000)
  return widest <= 31 ? 'month' : widest <= 92 ? 'quarter' : widest <= 184 ? 'half' : 'year'
}

/**
 * A deadline from the 完成时限 phrase and the 截止日期 date(s) of a sheet that has both: the phrase
 * is kept as written, the dates win (a clerk edits the date, not the rule).
 */
function sheetDeadline(
  phrase: string,
  dates: string[],
  year: number | null,
): { deadline: DeadlineDraft | null; unread: string | null } {
  const read = phrase ? readDeadlinePhrase(phrase, year) : { deadline: null, unread: null }
  if (dates.length === 0) return read
  const d = read.deadline
  if (d?.kind === 'series') return { deadline: { ...d, dates }, unread: null }
  if (d?.kind === 'ongoing') return { deadline: { ...d, date: dates[0] ?? null }, unread: null }
  const first = dates[0] ?? ''
  if (dates.length > 1)
    return {
      deadline: { kind: 'series', text: phrase || dates.join('、'), dates, every: everyOf(dates) },
      unread: null,
    }
  const text = phrase || `${Number(first.slice(5, 7))}月${Number(first.slice(8, 10))}日前`
  return {
    deadline: {
      kind: 'date',
      text,
      date: first,
      explicitYear: d?.kind === 'date' ? d.explicitYear : !phrase,
    },
    unread: null,
  }
}

export interface TableResult {
  tasks: TaskDraft[]
  doubts: Doubt[]
  /** False when no header was found: the rows are no task table. */
  isTaskTable: boolean
}

function placeOf(row: RowBlock, column: number | undefined, text: string): SourcePlace {
  const cell = column !== undefined ? row.cellRefs?.[column] : undefined
  return {
    ...(row.place.line !== undefined ? { line: row.place.line } : {}),
    sheet: row.table,
    cell: cell ?? row.place.cell ?? '',
    text: text.slice(0, 60),
  }
}

/** A cell of a table's foot: who filled it in, checked it, or answers for it, and when. */
const SIGNOFF_CELL = /^(?:填表|制表|填报|审核|审批|签发|核稿|联系|负责|分管)[\p{Script=Han}]{0,4}\s*[:：]/u
/** A note under a table: `注：`, `说明：`, `备注：` in the row's first cell. */
const NOTE_ROW = /^(?:注|说明|备注)\s*\d?\s*[:：]/

/** Reads one table's rows (in order) into tasks; `prefix` keeps refs apart (`附件1-`, `Sheet2-`). */
export function readTable(rows: RowBlock[], year: number | null, prefix = ''): TableResult {
  const header = findHeader(rows)
  if (!header) return { tasks: [], doubts: [], isTaskTable: false }
  const { columns } = header
  const cell = (row: RowBlock, col: Column) => {
    const i = columns[col]
    return i === undefined ? '' : (row.cells[i] ?? '').trim()
  }
  const headerKey = rows[header.next - 1]?.cells.map(norm).join('|')
  const records: RowRecord[] = []
  let section = ''
  for (let r = header.next; r < rows.length; r++) {
    const row = rows[r]
    if (!row) continue
    const normalized = row.cells.map(norm)
    const values = normalized.filter((c) => c !== '')
    if (values.length === 0) continue
    if (normalized.join('|') === headerKey) continue // the header repeated on a new page
    // The sheet's foot: 填表人：… 审核人：… 联系电话：…, or a note under the table (注：…).
    if (values.every((v) => SIGNOFF_CELL.test(v)) || NOTE_ROW.test(values[0] ?? '')) continue
    const ref = norm(cell(row, 'ref')).replace(/[.．、]$/, '')
    const rowRole = roleOfCell(cell(row, 'role'))
    const units = (['lead', 'responsible', 'support'] as const).flatMap((k) => {
      const text = cell(row, k)
      const role = k === 'responsible' && rowRole ? rowRole : (ROLE_OF[k] as ResponsibilityRole)
      return text ? [{ text, role, column: k }] : []
    })
    const distinct = new Set(values)
    const deadline = cell(row, 'deadline')
    const dueDate = cell(row, 'dueDate')
    // A row merged across the table (one text in every cell) is a heading.
    if (distinct.size === 1 && values.length >= 2) {
      section = stripNumbering(values[0] ?? '')
      continue
    }
    if (SECTION_REF.test(ref) && units.length === 0 && !deadline && !dueDate) {
      section = stripNumbering(
        cell(row, 'task') || cell(row, 'measure') || values.find((v) => v !== ref) || '',
      )
      continue
    }
    const ownSection = cell(row, 'section')
    records.push({
      ref,
      task: cell(row, 'task'),
      measure: cell(row, 'measure'),
      units,
      deadline,
      dueDate,
      section: ownSection || section,
      row,
    })
  }

  // Rows that continue the task above: same 序号, or neither 序号 nor task of their own.
  const groups: RowRecord[][] = []
  for (const rec of records) {
    const prev = groups[groups.length - 1]?.[0]
    const continues =
      prev !== undefined &&
      ((rec.ref !== '' && rec.ref === prev.ref) ||
        (rec.ref === '' && (rec.task === '' || rec.task === prev.task)))
    if (continues) groups[groups.length - 1]?.push(rec)
    else groups.push([rec])
  }
  // A task cell shared by neighbouring groups with different 序号 (a merged 工作任务 cell) is a
  // heading over them; two tasks far apart that happen to share a title are not.
  const shared = new Set<number>()
  for (let i = 1; i < groups.length; i++) {
    const a = groups[i - 1]?.[0]
    const b = groups[i]?.[0]
    if (a && b && a.task !== '' && a.task === b.task && a.ref !== b.ref) {
      shared.add(i - 1)
      shared.add(i)
    }
  }

  const tasks: TaskDraft[] = []
  const doubts: Doubt[] = []
  let auto = 0
  for (const [gi, g] of groups.entries()) {
    const first = g[0]
    if (!first) continue
    auto++
    const ref = prefix + (first.ref || String(auto))
    const measures = [...new Set(g.map((r) => r.measure).filter((m) => m !== ''))]
    const sharedTask = shared.has(gi) && measures.length > 0
    let titleSource = sharedTask ? (measures[0] ?? '') : first.task || (measures[0] ?? '')
    let bodyParts = sharedTask ? measures.slice(1) : first.task ? measures : measures.slice(1)
    const sectionText = sharedTask ? stripNumbering(first.task) : first.section
    // Units: from unit columns; else from a note inside the task or measure text.
    const entries: ResponsibilityEntry[] = []
    const unitsTexts: string[] = []
    const add = (list: ResponsibilityEntry[]) => {
      for (const e of list)
        if (!entries.some((x) => x.phrase === e.phrase && x.role === e.role)) entries.push(e)
    }
    for (const rec of g) {
      for (const u of rec.units) {
        if (!unitsTexts.includes(u.text)) unitsTexts.push(u.text)
        const reading = parseResponsibility(u.text, u.role)
        add(reading.entries)
        for (const problem of reading.problems)
          doubts.push({
            kind: 'bracket',
            taskRef: ref,
            quote: problem,
            source: placeOf(rec.row, columns[u.column], u.text),
          })
      }
    }
    if (entries.length === 0) {
      const note = findNote(titleSource) ?? findNote(bodyParts.join('\n'))
      if (note) {
        const read = readNote(note.content, year)
        add(read.entries)
        unitsTexts.push(note.content)
        if (titleSource.includes(note.content)) titleSource = note.rest
        else bodyParts = bodyParts.map((b) => (b.includes(note.content) ? (findNote(b)?.rest ?? b) : b))
      }
    }
    const { title, body: lead } = splitLead(titleSource.replace(/\s*\n\s*/g, ''))
    const body = [lead, ...bodyParts].filter((x) => x !== '').join('\n')
    const place = placeOf(first.row, columns.task ?? columns.measure, title)
    // Deadline: the deadline column (first non-empty cell of the group), else the text.
    const deadlineText = g.map((r) => r.deadline).find((d) => d !== '') ?? ''
    const dueDateText = g.map((r) => r.dueDate).find((d) => d !== '') ?? ''
    const dates = dueDateText ? datesOfCell(dueDateText) : []
    let deadline = null
    if (columns.dueDate !== undefined && (dates === null || dates.length > 0 || !deadlineText)) {
      // A sheet with a 截止日期 column (the exported 任务分解表): its cells say it all; an empty
      // pair means no deadline, not one to look for in the text.
      const r = sheetDeadline(deadlineText || (dates === null ? dueDateText : ''), dates ?? [], year)
      deadline = r.deadline
      const unread = r.unread ?? (dates === null && (deadlineText !== '' || !deadline) ? dueDateText : null)
      if (unread)
        doubts.push({
          kind: 'unread_phrase',
          taskRef: ref,
          quote: unread,
          source: placeOf(first.row, columns.dueDate, dueDateText),
        })
    } else if (deadlineText) {
      const r = readDeadlinePhrase(deadlineText, year)
      deadline = r.deadline
      if (r.unread)
        doubts.push({
          kind: 'unread_phrase',
          taskRef: ref,
          quote: r.unread,
          source: placeOf(first.row, columns.deadline, deadlineText),
        })
    } else {
      const r = readDeadlineInText(`${title}。${body}`, year)
      deadline = r.deadline
      if (r.unread) doubts.push({ kind: 'unread_phrase', taskRef: ref, quote: r.unread, source: place })
    }
    if (entries.length === 0)
      doubts.push({ kind: 'no_units', taskRef: ref, quote: title.slice(0, 40), source: place })
    if (title === '') continue
    tasks.push({
      ref,
      section: sectionText,
      title,
      body,
      responsibility: entries,
      unitsText: unitsTexts.length > 0 ? unitsTexts.map((t) => t.replace(/\s+/g, '、')).join('；') : null,
      deadline,
      source: place,
    })
  }
  return { tasks, doubts, isTaskTable: true }
}

function stripNumbering(text: string): string {
  return text
    .replace(/^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])\s*/, '')
    .trim()
}
