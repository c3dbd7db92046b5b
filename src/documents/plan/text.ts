/**
 * A text document as blocks: one line block per non-blank line (markdown heading and quote marks
 * taken off), and row blocks for runs of tab-separated lines (a table pasted from Word or Excel).
 */
import type { Block } from './blocks.ts'

/** A line with at least two tabs is a row of a pasted table. */
const ROW = /\t[^\t]*\t/

export function textBlocks(text: string): Block[] {
  const blocks: Block[] = []
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  let table = 0
  let inTable = false
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? ''
    if (ROW.test(raw)) {
      if (!inTable) table++
      inTable = true
      const cells = raw.split('\t').map((c) => c.trim().replace(/^"(.*)"$/s, '$1'))
      blocks.push({
        kind: 'row',
        cells,
        table: `表${table}`,
        place: { line: i + 1, text: cells.join(' ').slice(0, 80) },
      })
      continue
    }
    const line = raw
      .replace(/^\s*(#{1,6}|>)\s*/, '')
      .replace(/^[\u3000\s]+/, '')
      .replace(/[\u3000\s]+$/, '')
    if (line === '') continue
    inTable = false
    blocks.push({ kind: 'line', text: line, place: { line: i + 1, text: line.slice(0, 80) } })
  }
  return blocks
}
