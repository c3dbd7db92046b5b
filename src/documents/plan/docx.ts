/**
 * A Word document (.docx) as blocks in document order: body paragraphs as lines (a manual line
 * break `w:br` splits a paragraph into lines), table rows as rows with horizontally merged cells
 * (`w:gridSpan`) repeated in each grid column they span and vertically merged cells (`w:vMerge`)
 * filled from the cell above. Word's automatic list numbering (`w:numPr`) is rendered from
 * numbering.xml (`%1、` in chineseCounting → `一、`), so numbered headings read as typed ones.
 *
 * Read with fflate (unzip, synchronous, small) and saxes (a streaming XML parser, in order): the
 * document is walked once, and merges are resolved on the grid, which mammoth's HTML does not give.
 */
import { UserError } from '../../errors.ts'
import type { Block } from './blocks.ts'
import { bilingualDoc } from './detect.ts'

interface Cell {
  text: string[]
  span: number
  vMerge: 'restart' | 'continue' | null
}

interface Level {
  format: string
  text: string
  start: number
}

const ZH_DIGITS = '〇一二三四五六七八九'

function chineseCounting(n: number): string {
  if (n <= 10) return n === 10 ? '十' : (ZH_DIGITS[n] ?? String(n))
  if (n < 20) return `十${ZH_DIGITS[n - 10] ?? ''}`
  if (n < 100) return `${ZH_DIGITS[Math.floor(n / 10)] ?? ''}十${n % 10 ? (ZH_DIGITS[n % 10] ?? '') : ''}`
  return String(n)
}

function formatNumber(n: number, format: string): string {
  switch (format) {
    case 'chineseCounting':
    case 'chineseCountingThousand':
    case 'ideographTraditional':
    case 'chineseLegalSimplified':
      return chineseCounting(n)
    case 'decimalEnclosedCircle':
    case 'decimalEnclosedCircleChinese':
      return n >= 1 && n <= 20 ? String.fromCharCode(0x2460 + n - 1) : String(n)
    case 'decimalEnclosedParen':
      return `(${n})`
    case 'lowerLetter':
      return String.fromCharCode(96 + n)
    case 'upperLetter':
      return String.fromCharCode(64 + n)
    case 'bullet':
    case 'none':
      return ''
    default:
      return String(n)
  }
}

async function readNumbering(xml: string | null): Promise<Map<string, Level[]>> {
  const numbering = new Map<string, Level[]>()
  if (!xml) return numbering
  const { SaxesParser } = await import('saxes')
  const abstract = new Map<string, Level[]>()
  const numToAbstract = new Map<string, string>()
  let currentAbstract: Level[] | null = null
  let level: Level | null = null
  let num: string | null = null
  const parser = new SaxesParser()
  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>
    switch (tag.name) {
      case 'w:abstractNum':
        currentAbstract = []
        abstract.set(a['w:abstractNumId'] ?? '', currentAbstract)
        break
      case 'w:lvl':
        level = { format: 'decimal', text: '%1.', start: 1 }
        if (currentAbstract) currentAbstract[Number(a['w:ilvl'] ?? 0)] = level
        break
      case 'w:start':
        if (level) level.start = Number(a['w:val'] ?? 1)
        break
      case 'w:numFmt':
        if (level) level.format = a['w:val'] ?? 'decimal'
        break
      case 'w:lvlText':
        if (level) level.text = a['w:val'] ?? ''
        break
      case 'w:num':
        num = a['w:numId'] ?? null
        break
      case 'w:abstractNumId':
        if (num !== null) numToAbstract.set(num, a['w:val'] ?? '')
        break
    }
  })
  parser.on('closetag', (tag) => {
    if (tag.name === 'w:lvl') level = null
    if (tag.name === 'w:abstractNum') currentAbstract = null
    if (tag.name === 'w:num') num = null
  })
  parser.write(xml).close()
  for (const [n, a] of numToAbstract) numbering.set(n, abstract.get(a) ?? [])
  return numbering
}

/** Reads word/document.xml (and numbering.xml) into blocks. */
export async function docxBlocks(bytes: Uint8Array, fileName: string): Promise<Block[]> {
  const { unzipSync, strFromU8 } = await import('fflate')
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(bytes, {
      filter: (f) => f.name === 'word/document.xml' || f.name === 'word/numbering.xml',
    })
  } catch (err) {
    throw new UserError(bilingualDoc((m) => m.damaged(fileName, (err as Error).message)))
  }
  const documentXml = files['word/document.xml']
  if (!documentXml) throw new UserError(bilingualDoc((m) => m.zipNotOffice(fileName)))
  const numberingXml = files['word/numbering.xml']
  const numbering = await readNumbering(numberingXml ? strFromU8(numberingXml) : null)
  const counters = new Map<string, number[]>()

  const { SaxesParser } = await import('saxes')
  const blocks: Block[] = []
  let paragraphIndex = 0
  let tableCount = 0
  // Only the outermost table is read as rows; a nested table's text goes into its cell.
  let tableDepth = 0
  let tableName = ''
  let tableRow = 0
  let above: string[] = []
  let row: Cell[] | null = null
  let cell: Cell | null = null
  let paragraphDepth = 0
  let text = ''
  let inText = false
  let inDeleted = 0
  let numId: string | null = null
  let ilvl = 0

  const label = (): string => {
    if (numId === null || numId === '0') return ''
    const levels = numbering.get(numId)
    const lvl = levels?.[ilvl]
    if (!levels || !lvl) return ''
    const count = counters.get(numId) ?? []
    count[ilvl] = (count[ilvl] ?? lvl.start - 1) + 1
    for (let l = ilvl + 1; l < count.length; l++) count[l] = undefined as unknown as number
    counters.set(numId, count)
    return lvl.text.replace(/%(\d)/g, (_, d: string) => {
      const l = Number(d) - 1
      const level = levels[l]
      return level ? formatNumber(count[l] ?? level.start, level.format) : ''
    })
  }

  const parser = new SaxesParser()
  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>
    switch (tag.name) {
      case 'w:tbl':
        tableDepth++
        if (tableDepth === 1) {
          tableCount++
          tableName = `表${tableCount}`
          tableRow = 0
          above = []
        }
        break
      case 'w:tr':
        if (tableDepth === 1) row = []
        break
      case 'w:tc':
        if (tableDepth === 1) cell = { text: [], span: 1, vMerge: null }
        break
      case 'w:gridSpan':
        if (cell && tableDepth === 1) cell.span = Math.max(1, Number(a['w:val'] ?? 1))
        break
      case 'w:vMerge':
        if (cell && tableDepth === 1) cell.vMerge = a['w:val'] === 'restart' ? 'restart' : 'continue'
        break
      case 'w:p':
        paragraphDepth++
        if (paragraphDepth === 1) {
          text = ''
          numId = null
          ilvl = 0
        }
        break
      case 'w:numId':
        numId = a['w:val'] ?? null
        break
      case 'w:ilvl':
        ilvl = Number(a['w:val'] ?? 0)
        break
      case 'w:t':
        inText = inDeleted === 0
        break
      case 'w:tab':
        if (paragraphDepth > 0 && inDeleted === 0) text += ' '
        break
      case 'w:br':
      case 'w:cr':
        if (paragraphDepth > 0 && inDeleted === 0) text += '\n'
        break
      case 'w:del':
        inDeleted++
        break
    }
  })
  parser.on('text', (t) => {
    if (inText) text += t
  })
  parser.on('closetag', (tag) => {
    switch (tag.name) {
      case 'w:t':
        inText = false
        break
      case 'w:del':
        inDeleted--
        break
      case 'w:p': {
        paragraphDepth--
        if (paragraphDepth > 0) break
        const full = (label() + text).trim()
        paragraphIndex++
        if (cell) {
          if (full !== '') cell.text.push(full)
        } else if (tableDepth === 0) {
          for (const line of full.split('\n')) {
            const l = line.trim()
            if (l !== '')
              blocks.push({ kind: 'line', text: l, place: { line: paragraphIndex, text: l.slice(0, 80) } })
          }
        }
        break
      }
      case 'w:tc':
        if (tableDepth === 1 && cell && row) {
          row.push(cell)
          cell = null
        }
        break
      case 'w:tr': {
        if (tableDepth !== 1 || !row) break
        tableRow++
        const cells: string[] = []
        for (const c of row) {
          const col = cells.length
          const value = c.vMerge === 'continue' ? (above[col] ?? '') : c.text.join('\n')
          for (let k = 0; k < c.span; k++) cells.push(value)
        }
        above = cells
        row = null
        if (cells.some((c) => c.trim() !== '')) {
          blocks.push({
            kind: 'row',
            cells,
            table: tableName,
            place: {
              line: paragraphIndex,
              sheet: tableName,
              cell: `第${tableRow}行`,
              text: cells.join(' ').slice(0, 80),
            },
            cellRefs: cells.map(() => `第${tableRow}行`),
          })
        }
        break
      }
      case 'w:tbl':
        tableDepth--
        break
    }
  })
  try {
    parser.write(strFromU8(documentXml)).close()
  } catch (err) {
    throw new UserError(bilingualDoc((m) => m.damaged(fileName, (err as Error).message.split('\n')[0] ?? '')))
  }
  return blocks
}
