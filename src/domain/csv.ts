/**
 * The one CSV reader for rosters, people and training files: csv-parse (RFC 4180 quoting, a
 * UTF-8 BOM, CRLF, LF or CR line ends), with each record's first line kept so that errors can
 * name it. Blank records are skipped. A quote left open is a user error naming its line.
 */
import { createRequire } from 'node:module'
import { LocalizedUserError, localized } from '../errors.ts'

// csv-parse loads with the first CSV read: the people and units modules that import this one
// are on every `duban status`, which reads no CSV.
let csvParse: typeof import('csv-parse/sync') | undefined
const loadCsvParse = () =>
  (csvParse ??= createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync'))

export interface CsvRecord {
  /** 1-based line number where the record starts (the header is line 1). */
  line: number
  fields: string[]
}

const lineBreaks = /\r\n|\n|\r/g

/** Reads CSV text into records of fields; throws a user error naming the line of an unclosed quote. */
export function parseCsv(text: string): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[]
  try {
    parsed = loadCsvParse().parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof parsed // csv-parse's types do not follow `info: true`
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number }
    if (code === 'CSV_QUOTE_NOT_CLOSED' && typeof lines === 'number') throw unclosedQuote(lines)
    throw error
  }
  const records: CsvRecord[] = []
  for (const { record, info } of parsed) {
    if (record.every((f) => f.trim() === '')) continue
    // csv-parse reports the line a record ends on; a quoted field's own line breaks lie before it.
    const inner = record.reduce((n, f) => n + (f.match(lineBreaks)?.length ?? 0), 0)
    records.push({ line: info.lines - inner, fields: record })
  }
  return records
}

function unclosedQuote(line: number): LocalizedUserError {
  return new LocalizedUserError(localized('statusView', (t) => t.csv.line(line, t.csv.unclosedQuote)))
}
