/**
 * The 工作台账 as an Excel workbook: 总表 (one row per task and unit), 单位汇总 (per unit) and
 * 培训学时 (per officer). Printed A4 landscape with the header row repeated on every page,
 * frozen headers, filters, widths that fit Chinese text. Also the 总表 alone as CSV.
 *
 * exceljs is loaded only when a ledger is written, and its streaming writer is used, so a
 * province-scale ledger (80,000 rows) never sits in memory as a workbook model.
 *
 * Cells made from user text (task titles, notes, names) are always written as strings: exceljs
 * writes a JS string as a string cell (never a formula), and the CSV prefixes any such cell
 * that a spreadsheet would read as a formula with `'`.
 */
import { PassThrough, type Writable } from 'node:stream'
import type { Locale } from '../db/schema.ts'
import type { Db } from '../db/client.ts'
import {
  ledgerRows,
  trainingLedger,
  unitSummaries,
  type Ledger,
  type LedgerQuery,
  type LedgerRow,
  type OfficerTraining,
  type UnitLedgerSummary,
} from '../domain/ledger.ts'
import { messages } from '../i18n/index.ts'
import { instantFormatter } from '../domain/dates.ts'

export interface LedgerWorkbookData {
  ledger: Ledger
  units: UnitLedgerSummary[]
  training: { required: number; pace: number; officers: OfficerTraining[] }
  tz: string
  locale?: Locale
}

/** Everything the workbook shows, read from the ledger (user errors for a bad plan or date). */
export async function ledgerWorkbookData(
  db: Db,
  q: LedgerQuery,
  locale: Locale = 'zh-CN',
): Promise<LedgerWorkbookData> {
  return workbookDataOf(db, await ledgerRows(db, q), q.tz, locale)
}

/**
 * The workbook of a ledger already read (the web desk's filtered view): its per-unit summary,
 * and training for its units only when `onlyItsUnits` (a view of one unit shows that unit's officers).
 */
export async function workbookDataOf(
  db: Db,
  ledger: Ledger,
  tz: string,
  locale: Locale = 'zh-CN',
  onlyItsUnits = false,
): Promise<LedgerWorkbookData> {
  const training = await trainingLedger(db, ledger)
  if (onlyItsUnits) {
    const names = new Set(ledger.rows.map((r) => r.unit))
    training.officers = training.officers.filter((o) => names.has(o.unit))
  }
  return { ledger, units: unitSummaries(ledger), training, tz, locale }
}

/** Cell fills of the 三色 (Excel's own light green / yellow / red). */
export const colorFills: Record<string, string> = {
  green: 'FFC6EFCE',
  yellow: 'FFFFEB9C',
  red: 'FFFFC7CE',
}

const HEADER_FILL = 'FFD9E1F2'

/** Display width of text in Excel's character units: CJK and full-width count double. */
export function textWidth(text: string): number {
  let width = 0
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    width +=
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      cp >= 0x20000
        ? 2
        : 1
  }
  return width
}

/** A value a spreadsheet would read as a formula or a command (`=`, `+`, `-`, `@`, tab, CR). */
export function looksLikeFormula(text: string): boolean {
  return /^[=+\-@\t\r]/.test(text)
}

/** What the 总表's cells need besides the row: texts of the locale, the time formatter. */
interface CellContext {
  locale: Locale
  texts: ReturnType<typeof messages>
  /** `YYYY-MM-DD HH:mm` in the plan's timezone. */
  time: (instant: Date) => string
}

function cellContext(tz: string, locale: Locale): CellContext {
  return { locale, texts: messages(locale), time: instantFormatter(tz) }
}

/**
 * A row's 三色 and 签收 in the 台账's words: the colour, and 已签收 with its time or 未签收 (only
 * where the row carries the loop: a snapshot keeps none, and says nothing). The web desk's CSV
 * uses the same words.
 */
export function loopCells(
  row: Pick<LedgerRow, 'color' | 'acknowledgedAt' | 'loopState'>,
  locale: Locale,
  time: (instant: Date) => string,
): { color: string | null; acknowledged: string | null } {
  const p = messages(locale).paperwork.ledger
  return {
    color: row.color ? (p.colors[row.color] ?? row.color) : null,
    acknowledged: row.acknowledgedAt
      ? `${p.acknowledgedYes} ${time(row.acknowledgedAt)}`
      : row.loopState !== null
        ? p.acknowledgedNo
        : null,
  }
}

/** The 总表's cells of one row, as plain values (strings, numbers, dates), in column order. */
function mainSheetCells(row: LedgerRow, seq: number, cx: CellContext): (string | number | Date | null)[] {
  const t = cx.texts
  const p = t.paperwork.ledger
  const states = t.common.states as Record<string, string>
  const state = states[row.state] ?? row.state
  const role = row.role ? p.roles[row.role] : undefined
  const loop = loopCells(row, cx.locale, cx.time)
  return [
    seq,
    row.ref,
    row.title,
    role ? `${row.unit}（${role}）` : row.unit,
    row.due ? new Date(`${row.due}T00:00:00Z`) : null,
    row.dueText ?? (row.due ? null : p.noDue),
    row.progress !== null && row.state === 'in_progress' ? `${state} ${row.progress}%` : state,
    row.overdueDays > 0 ? p.overdueDays(row.overdueDays) : null,
    row.note,
    loop.color,
    loop.acknowledged,
    row.evidenceCount,
    row.lastReportAt ? `${cx.time(row.lastReportAt)}${row.lastReportBy ? ` ${row.lastReportBy}` : ''}` : null,
  ]
}

function mainHeader(locale: Locale): string[] {
  const h = messages(locale).paperwork.ledger.main
  return [
    h.seq,
    h.ref,
    h.task,
    h.unit,
    h.due,
    h.dueText,
    h.state,
    locale === 'en' ? 'Overdue' : '逾期',
    h.progress,
    h.color,
    h.acknowledged,
    h.evidence,
    h.lastReport,
  ]
}

/** Column widths that fit the header and the content, within bounds (long text wraps). */
function widths(
  header: string[],
  rows: Iterable<(string | number | Date | null)[]>,
  max: number[],
): number[] {
  const w = header.map((h) => textWidth(h) + 2)
  let n = 0
  for (const r of rows) {
    // A sample is enough to size columns; scanning 80,000 rows for widths is wasted work.
    if (++n > 2000) break
    r.forEach((c, i) => {
      const s = c instanceof Date ? '2026-10-20' : c === null ? '' : String(c)
      w[i] = Math.max(w[i] ?? 0, textWidth(s) + 2)
    })
  }
  return w.map((x, i) => Math.min(x, max[i] ?? 40))
}

/**
 * Writes the workbook to `out` (a stream) and resolves when it is complete. Sheets: 总表,
 * 单位汇总, 培训学时.
 */
export async function writeLedgerXlsx(data: LedgerWorkbookData, out: Writable): Promise<void> {
  const { default: ExcelJS } = await import('exceljs')
  const locale = data.locale ?? 'zh-CN'
  const t = messages(locale).paperwork.ledger
  const { ledger, tz } = data
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
  wb.creator = messages(locale).common.appName
  wb.created = ledger.instant

  // A4 landscape, as wide as the page, as many pages long as needed, the header row on each.
  const pageSetup = {
    paperSize: 9,
    orientation: 'landscape' as const,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: '2:2',
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
  }
  type Cell = string | number | Date | null
  type Style = import('exceljs').Style
  const alignment = { vertical: 'top', wrapText: true } as const
  const bodyStyle: Partial<Style> = { alignment }
  const withFmt = (numFmt: string): Partial<Style> => ({ alignment, numFmt })
  const withFill = (argb: string): Partial<Style> => ({
    alignment,
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb } },
  })
  const dateStyle = withFmt('yyyy-mm-dd')
  const rateStyle = withFmt('0.0%')
  const fillStyles = Object.fromEntries(Object.entries(colorFills).map(([k, argb]) => [k, withFill(argb)]))

  /** One sheet: a title row, a bold filled header (frozen, filtered, printed on every page), rows. */
  const sheet = (
    name: string,
    title: string,
    header: string[],
    /** Each source item's cells, made as the row is written (not 80,000 arrays held at once). */
    rows: { length: number; cells: (index: number) => Cell[] },
    max: number[],
    styleOf: (cells: Cell[], col: number, index: number) => Partial<Style> = () => bodyStyle,
  ) => {
    const lastCol = String.fromCharCode(64 + header.length)
    const ws = wb.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: 2, xSplit: 0 }],
      pageSetup,
      headerFooter: { oddFooter: locale === 'en' ? 'Page &P of &N' : '第 &P 页，共 &N 页' },
    })
    const sample = Array.from({ length: Math.min(rows.length, 2000) }, (_, i) => rows.cells(i))
    ws.columns = widths(header, sample, max).map((width) => ({ width }))
    ws.autoFilter = `A2:${lastCol}2`
    const titleRow = ws.addRow([title])
    titleRow.font = { bold: true, size: 14 }
    titleRow.height = 24
    ws.mergeCells(`A1:${lastCol}1`)
    titleRow.commit()
    const head = ws.addRow(header)
    head.eachCell((c) => {
      c.font = { bold: true }
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } }
      c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
      c.border = { bottom: { style: 'thin' } }
    })
    head.commit()
    for (let index = 0; index < rows.length; index++) {
      const cells = rows.cells(index)
      const row = ws.addRow(cells)
      // One shared style object per look: exceljs recognizes an object it has seen and skips
      // working out its style again (per-cell copies made that most of the export's time).
      row.eachCell((cell, col) => {
        cell.style = styleOf(cells, col, index)
      })
      row.commit()
    }
    ws.commit()
  }

  // 总表
  const cx = cellContext(tz, locale)
  sheet(
    t.sheets.main,
    t.title(ledger.plan.title, ledger.asOf),
    mainHeader(locale),
    { length: ledger.rows.length, cells: (i) => mainSheetCells(ledger.rows[i]!, i + 1, cx) },
    [6, 12, 46, 24, 12, 20, 14, 12, 40, 6, 18, 8, 24],
    (_cells, col, index) => {
      if (col === 5) return dateStyle
      const color = col === 10 ? ledger.rows[index]?.color : null
      return (color && fillStyles[color]) || bodyStyle
    },
  )

  // 单位汇总
  const u = t.unitsSheet
  sheet(
    t.sheets.units,
    t.title(ledger.plan.title, ledger.asOf),
    [u.unit, u.tasks, u.done, u.inProgress, u.blocked, u.overdue, u.silent, u.rate],
    {
      length: data.units.length,
      cells: (i) => {
        const s = data.units[i]!
        return [s.unit, s.tasks, s.done, s.inProgress, s.blocked, s.overdue, s.silent, s.rate]
      },
    },
    [30, 8, 8, 8, 8, 8, 8, 10],
    (_cells, col) => (col === 8 ? rateStyle : bodyStyle),
  )

  // 培训学时
  const tr = t.trainingSheet
  sheet(
    t.sheets.training,
    t.title(ledger.plan.title, ledger.asOf),
    [tr.unit, tr.officer, tr.hours, tr.pace, tr.gap(data.training.required), tr.behind],
    {
      length: data.training.officers.length,
      cells: (i) => {
        const o = data.training.officers[i]!
        return [o.unit, o.officer, o.hours, o.pace, o.gap, o.behind ? t.yes : null]
      },
    },
    [30, 14, 12, 10, 14, 10],
    (cells, col) => (col === 6 && cells[5] ? fillStyles.yellow! : bodyStyle),
  )
  await wb.commit()
}

/** The workbook as bytes (for sending into a chat). */
export async function ledgerXlsxBuffer(data: LedgerWorkbookData): Promise<Buffer> {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve)
    out.on('error', reject)
  })
  await writeLedgerXlsx(data, out)
  out.end()
  await ended
  return Buffer.concat(chunks)
}

function csvCell(value: string | number | Date | null): string {
  if (value === null) return ''
  let s = value instanceof Date ? value.toISOString().slice(0, 10) : String(value)
  if (typeof value === 'string' && looksLikeFormula(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The 总表 alone as CSV: UTF-8 with a byte-order mark (so Excel opens Chinese correctly), CRLF
 * line ends, and every text cell that starts like a formula prefixed with `'`.
 */
export function ledgerCsv(ledger: Ledger, tz: string, locale: Locale = 'zh-CN'): string {
  const lines = [mainHeader(locale).map(csvCell).join(',')]
  const cx = cellContext(tz, locale)
  ledger.rows.forEach((r, i) =>
    lines.push(
      mainSheetCells(r, i + 1, cx)
        .map(csvCell)
        .join(','),
    ),
  )
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
