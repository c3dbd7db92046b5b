/**
 * A PDF's text layer as lines in reading order, read with unpdf (PDF.js built for servers, no
 * worker, no canvas). Items are grouped into lines by their baseline (within half the font size),
 * lines sorted top to bottom and items left to right; a gap wider than a character between two
 * Latin items becomes a space. A PDF without any text (a scan) is refused with a clear message.
 */
import { UserError } from '../../errors.ts'
import type { Block } from './blocks.ts'
import { bilingualDoc } from './detect.ts'

interface Item {
  str: string
  x: number
  y: number
  width: number
  fontSize: number
}

export async function pdfBlocks(bytes: Uint8Array, fileName: string): Promise<Block[]> {
  const { extractTextItems, getDocumentProxy } = await import('unpdf')
  let pages: Item[][]
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 })
    pages = (await extractTextItems(pdf)).items
    await pdf.cleanup()
  } catch (err) {
    const message = (err as Error).message ?? String(err)
    if (/password|encrypt/i.test(message)) throw new UserError(bilingualDoc((m) => m.pdfEncrypted(fileName)))
    throw new UserError(bilingualDoc((m) => m.damaged(fileName, message.split('\n')[0] ?? '')))
  }
  const blocks: Block[] = []
  let lineNo = 0
  for (const items of pages) {
    const sorted = items.filter((i) => i.str.trim() !== '').sort((a, b) => b.y - a.y || a.x - b.x)
    const lines: Item[][] = []
    for (const item of sorted) {
      const line = lines[lines.length - 1]
      const head = line?.[0]
      if (
        line &&
        head &&
        Math.abs(head.y - item.y) <= Math.max(2, Math.min(head.fontSize, item.fontSize) / 2)
      )
        line.push(item)
      else lines.push([item])
    }
    for (const line of lines) {
      line.sort((a, b) => a.x - b.x)
      let text = ''
      let end = -Infinity
      for (const item of line) {
        const gap = item.x - end
        if (
          text !== '' &&
          gap > item.fontSize * 0.8 &&
          /[A-Za-z0-9]$/.test(text) &&
          /^[A-Za-z0-9]/.test(item.str)
        )
          text += ' '
        text += item.str
        end = item.x + item.width
      }
      const t = text.trim()
      lineNo++
      if (t !== '') blocks.push({ kind: 'line', text: t, place: { line: lineNo, text: t.slice(0, 80) } })
    }
  }
  if (blocks.length === 0) throw new UserError(bilingualDoc((m) => m.pdfNoText(fileName)))
  return blocks
}
