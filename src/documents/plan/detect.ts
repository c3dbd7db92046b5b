/**
 * What kind of file a plan is, told by its content (magic bytes), the extension only as a hint;
 * and text decoding: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM, else GB18030 (which
 * covers GBK and GB2312, the default of a Chinese Windows .txt).
 */
import path from 'node:path'
import { UserError } from '../../errors.ts'
import { messages } from '../../i18n/index.ts'
import type { PlanFormat } from './blocks.ts'

type DocTexts = ReturnType<typeof messages>['planDocuments']

/** `zh / en`, one line: how file errors are printed. */
export function bilingualDoc(pick: (m: DocTexts) => string): string {
  return `${pick(messages('zh-CN').planDocuments)} / ${pick(messages('en').planDocuments)}`
}

const ZIP = [0x50, 0x4b, 0x03, 0x04]
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b)
}

/** Names of the entries of a zip, from its central directory (no decompression). */
export function zipEntryNames(bytes: Uint8Array): string[] {
  // End of central directory: signature 0x06054b50, within the last 64 KB + 22 bytes.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const from = Math.max(0, bytes.length - 22 - 0xffff)
  for (let i = bytes.length - 22; i >= from; i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue
    const count = view.getUint16(i + 10, true)
    let at = view.getUint32(i + 16, true)
    const names: string[] = []
    for (let n = 0; n < count && at + 46 <= bytes.length; n++) {
      if (view.getUint32(at, true) !== 0x02014b50) break
      const nameLength = view.getUint16(at + 28, true)
      const extra = view.getUint16(at + 30, true)
      const comment = view.getUint16(at + 32, true)
      names.push(Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8'))
      at += 46 + nameLength + extra + comment
    }
    return names
  }
  return []
}

/**
 * The file's format. Zip → docx (`word/document.xml`) or xlsx (`xl/workbook.xml`); `%PDF-` → pdf;
 * an OLE container (.doc/.xls) → a clear refusal; text → by extension (`.csv`, `.yaml`, `.json`) or
 * by its first character (`{`/`[` → json); other binary → refusal.
 */
export function detectFormat(bytes: Uint8Array, fileName: string, text: () => string | null): PlanFormat {
  const name = path.basename(fileName)
  const ext = path.extname(fileName).slice(1).toLowerCase()
  if (startsWith(bytes, ZIP)) {
    const entries = zipEntryNames(bytes)
    if (entries.includes('word/document.xml')) return 'docx'
    if (entries.includes('xl/workbook.xml')) return 'xlsx'
    throw new UserError(bilingualDoc((m) => m.zipNotOffice(name)))
  }
  if (startsWith(bytes, OLE)) throw new UserError(bilingualDoc((m) => m.legacyOffice(name)))
  // %PDF- may follow a few bytes of junk; readers accept it within the first KB.
  const head = Buffer.from(bytes.subarray(0, 1024))
  if (startsWith(bytes, PDF) || head.includes('%PDF-')) return 'pdf'
  const decoded = text()
  if (decoded === null) {
    throw new UserError(bilingualDoc((m) => m.unknownFormat(name, m.accepted)))
  }
  if (ext === 'csv' || ext === 'tsv') return 'csv'
  if (ext === 'yaml' || ext === 'yml') return 'yaml'
  if (ext === 'json') return 'json'
  if (/^\s*[{[]/.test(decoded.slice(0, 200)) && /[}\]]\s*$/.test(decoded.slice(-200))) return 'json'
  return 'text'
}

/**
 * Decodes text bytes; null when they are not text (NUL bytes outside UTF-16, undecodable). Order:
 * a BOM decides (UTF-8, UTF-16 LE/BE); valid UTF-8 is UTF-8; else GB18030 when the bytes decode
 * without replacement characters.
 */
export async function decodeText(bytes: Uint8Array): Promise<string | null> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return utf8(buf.subarray(3))
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const iconv = (await import('iconv-lite')).default
    // iconv-lite's utf16 reads the BOM and strips it.
    const text = iconv.decode(buf, 'utf16')
    return text.includes('\0') || text.includes('\uFFFD') ? null : text
  }
  if (buf.includes(0)) return null
  const asUtf8 = utf8(buf)
  if (asUtf8 !== null) return asUtf8
  const iconv = (await import('iconv-lite')).default
  const text = iconv.decode(buf, 'gb18030')
  if (text.includes('\uFFFD')) return null
  // Control characters other than tab and line ends mean binary, not a Windows text file.
  // eslint-disable-next-line no-control-regex
  return /[\x01-\x08\x0e-\x1f]/.test(text) ? null : text
}

function utf8(buf: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf)
  } catch {
    return null
  }
}
