/**
 * A plan as read from a document, before it meets the roster or the database: what every reader
 * (text, docx, xlsx, csv, pdf, yaml/json) produces and what the importer consumes. Pure data.
 *
 * Readers fill in what the document says; the importer adds the doubts that need the roster or
 * the clock (unknown unit, date already past) and decides what to write.
 */

/** How a unit answers for a task: 牵头 (lead), 负责/落实 (responsible), 配合/协助/参与 (support). */
export const responsibilityRoles = ['lead', 'responsible', 'support'] as const
export type ResponsibilityRole = (typeof responsibilityRoles)[number]

/** One name in a responsibility clause, with its role: a unit (`市司法局`) or a group phrase (`各县（市、区）政府`). */
export interface ResponsibilityEntry {
  /** The name or group phrase as written, role words and separators removed, nested brackets kept. */
  phrase: string
  role: ResponsibilityRole
}

/**
 * A deadline as the document wrote it and what it resolves to.
 * - `date`: one due date (`10月中旬前` → the 20th); `explicitYear` when the text named the year.
 * - `series`: a recurring deadline (`每月10日前`, `每季度末`, `每半年`, `每年11月30日前`): one due date per period of the plan's year.
 * - `ongoing`: no ladder (`长期坚持`, `持续推进`, `常态化`); `date` when a first date is also named
 *   (`2025年年底前完成并长期推进` → 2025-12-31, then ongoing).
 */
export type DeadlineDraft =
  | { kind: 'date'; text: string; date: string; explicitYear: boolean }
  | {
      kind: 'series'
      text: string
      dates: string[]
      /** How the dates recur; `listed` when the document names each (`6月30日、12月31日前`). */
      every: 'month' | 'quarter' | 'half' | 'year' | 'listed'
    }
  | { kind: 'ongoing'; text: string; date: string | null }

/** Where in the document something was read, for doubts and the preview. */
export interface SourcePlace {
  /** 1-based line of a text document (or paragraph index of a docx/pdf), when known. */
  line?: number
  /** Sheet and cell of a spreadsheet, or `表1 第3行` of a docx table, when the task came from a table. */
  sheet?: string
  cell?: string
  /** The document's own words at that place (short), quoted in the preview. */
  text: string
}

export const doubtKinds = [
  'unknown_unit',
  'unread_phrase',
  'past_date',
  'numbering_gap',
  'bracket',
  'no_units',
  'duplicate_ref',
  'latin_word',
  'repeated_word',
  'other',
] as const
export type DoubtKind = (typeof doubtKinds)[number]

/** Something a clerk should look at before trusting the import, quoting the document. */
export interface Doubt {
  kind: DoubtKind
  /** The task it concerns, when it concerns one. */
  taskRef: string | null
  /** The document's own words. */
  quote: string
  source?: SourcePlace
}

export interface TaskDraft {
  /** The plan's numbering, e.g. `二（五）2`, or the 序号 of a table row. */
  ref: string
  /** The heading the task stands under (may be empty). */
  section: string
  title: string
  body: string
  /** Every name of the responsibility clause(s), in document order, with roles. */
  responsibility: ResponsibilityEntry[]
  /** The responsibility clause as written, for display (null when none). */
  unitsText: string | null
  deadline: DeadlineDraft | null
  source: SourcePlace
}

export interface PlanDraft {
  title: string
  /** From the title (`2024 年度`), or the year asked for; null when neither says. */
  year: number | null
  /** From `每人每年接受不少于60学时`. */
  trainingHoursPerYear: number | null
  tasks: TaskDraft[]
  doubts: Doubt[]
  /** The format the reader recognised: 'text' | 'docx' | 'xlsx' | 'csv' | 'pdf' | 'yaml' | 'json'. */
  format: string
}
