/** A CSV (or TSV) file as rows of one table, read with csv-parse; the delimiter is guessed from the first line. */
import type { Block } from './blocks.ts'
import { columnLetter } from './blocks.ts'

export async function csvBlocks(text: string, name: string): Promise<Block[]> {
  const { parse } = await import('csv-parse/sync')
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0 || text.length)
  const count = (ch: string) => firstLine.split(ch).length - 1
  const delimiter = count('\t') > count(',') ? '\t' : count('，') > count(',') ? '，' : ','
  const rows = parse(text, {
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[]
  return rows.map(({ record, info }) => ({
    kind: 'row' as const,
    cells: record.map((c) => c.trim()),
    table: name,
    cellRefs: record.map((_, i) => `${columnLetter(i)}${info.lines}`),
    place: { line: info.lines, text: record.join(' ').slice(0, 80) },
  }))
}
