/**
 * What every format reader produces: the document as a sequence of blocks in reading order, each
 * with the place it came from. A line is a line of a text file, a Word paragraph or a PDF line; a
 * row is a table row (Word table, spreadsheet sheet, CSV, tab-separated text), merged cells
 * already filled from their master cell.
 */
import type { SourcePlace } from '../../domain/plan-draft.ts'

export interface LineBlock {
  kind: 'line'
  text: string
  place: SourcePlace
}

export interface RowBlock {
  kind: 'row'
  cells: string[]
  /** Which table the row belongs to: `表1` for a Word table, the sheet name for a spreadsheet. */
  table: string
  /** Cell references of the row's cells (`B5`), when the source has them. */
  cellRefs?: string[]
  place: SourcePlace
}

export type Block = LineBlock | RowBlock

export type PlanFormat = 'text' | 'docx' | 'xlsx' | 'csv' | 'pdf' | 'yaml' | 'json'

/** Spreadsheet-style column letters: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1
  let out = ''
  while (n > 0) {
    const r = (n - 1) % 26
    out = String.fromCharCode(65 + r) + out
    n = Math.floor((n - 1) / 26)
  }
  return out
}
