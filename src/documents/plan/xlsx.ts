/**
 * A spreadsheet as rows, every sheet in order, merged cells filled from their master cell
 * (exceljs returns the master's value for every cell of a merge). Dates become YYYY-MM-DD,
 * rich text and formula results their text.
 */
import type { Block } from './blocks.ts'
import { columnLetter } from './blocks.ts'

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown }
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('')
    if ('result' in v) return cellText(v.result)
    if (typeof v.text === 'string') return v.text
    return ''
  }
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : ''
}

export async function xlsxBlocks(bytes: Uint8Array): Promise<Block[]> {
  const ExcelJS = (await import('exceljs')).default
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer,
  )
  const blocks: Block[] = []
  for (const sheet of workbook.worksheets) {
    const width = sheet.columnCount
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r)
      const cells: string[] = []
      const refs: string[] = []
      for (let c = 1; c <= width; c++) {
        cells.push(cellText(row.getCell(c).value).trim())
        refs.push(`${columnLetter(c - 1)}${r}`)
      }
      if (cells.every((c) => c === '')) continue
      blocks.push({
        kind: 'row',
        cells,
        table: sheet.name,
        cellRefs: refs,
        place: {
          sheet: sheet.name,
          cell: `A${r}`,
          text: cells
            .filter((c) => c !== '')
            .join(' ')
            .slice(0, 80),
        },
      })
    }
  }
  return blocks
}
