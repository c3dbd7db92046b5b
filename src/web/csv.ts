/**
 * CSV for spreadsheet programs: UTF-8 with a byte-order mark (so Excel reads Chinese correctly),
 * CRLF line ends, every cell quoted when needed, and cells that a spreadsheet would run as a
 * formula (starting with = + - @, or a tab or carriage return) prefixed with ' (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/

/** One cell, neutralized and quoted. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

/** The whole file: BOM, header, rows. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}
