/**
 * What surrounds a plan in the files bureaus have, taken away before the plan is read:
 * - page numbers (`— 2 —`, `-2-`, `- 2 -`, `第2页 共8页`, `2/8`), on their own line or set between
 *   spaces inside one;
 * - running headers: a short line without punctuation repeated three times or more;
 * - a cover notice before the title (`…现将《…》印发给你们，请认真贯彻执行。` with its addressees,
 *   document number and sign-off): the plan starts at its own title;
 * - the issuing office and date at the end of the notice or of the plan, `（此件公开发布）`, `抄送：…`;
 * and the plan's title found: the 《…》 of the cover notice, else the first heading-like line that
 * names a plan (方案/计划/要点/台账/清单…), not a breadcrumb or a file name.
 *
 * Then lines are joined into paragraphs where a page break or a hard line break split them.
 * Every step is one pass over the lines (linear in the document's size).
 */
import { TIME_LABEL_START } from '../../domain/deadline-phrase.ts'
import { LABEL_HEAD } from './responsibility.ts'
import type { SourcePlace } from '../../domain/plan-draft.ts'
import type { Block, LineBlock } from './blocks.ts'

const PAGE_NUMBER_LINE =
  /^(?:[-—–－~～]\s*\d{1,4}\s*[-—–－~～]?|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*\/\s*\d{1,4}|\d{1,3}|Page\s*\d+(?:\s*of\s*\d+)?)$/i
/**
 * `— 5 —`, `-2-` or `第2页 共8页` set in the middle of a line by a copy from PDF, with spaces around
 * it (Chinese prose has none, so a number between dashes and spaces is a page number).
 */
const PAGE_NUMBER_INLINE =
  /(?:^|\s)[—–－]\s+\d{1,4}\s+[—–－](?=\s|$)|(?:^|\s)[-—–－]\s?\d{1,4}\s?[-—–－](?=\s|$)|(?:^|\s)第\s*\d{1,4}\s*页\s*[,，]?\s*共\s*\d{1,4}\s*页(?=\s|$)/g

/** Words of a plan's title (`…工作方案`, `…任务分工表`): a line or merged row with one may be the title. */
export const PLAN_WORDS = /方案|计划|要点|台账|清单|分解表|分工表|任务表|工作安排|实施意见/
const BREADCRUMB = /[>›»]|首页|当前位置|您的位置|发布时间|来源[:：]|浏览次数|字号/
const FILE_NAME = /\.(?:docx?|pdf|txt|xlsx?|wps|et|md|csv)$/i
/** `现将《…》印发给你们`, `《…》已经市政府同意，现印发给你们`: a cover notice naming the plan. */
const NOTICE =
  /(?:(?:现将|现把|特将|将)《([^》]{4,120})》(?:[^。]{0,30})?(?:印发|转发)|^《([^》]{4,120})》[^。]{0,40}(?:现|特)(?:印发|转发)给)/
/** The notice's own title, its issuer first or not: `（台山市人民政府办公室）关于印发…的通知`. */
const NOTICE_TITLE = /^(?:[\p{Script=Han}（）()]{2,30}?)?关于(?:印发|转发)《?(.{4,120}?)》?的通知$/u
const DOC_NUMBER = /^[\p{Script=Han}]{1,10}[〔[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号$/u
const DATE_LINE =
  /^(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日$/
const OFFICE_LINE =
  /^[\p{Script=Han}（）()]{2,30}(?:局|政府|办公室|委员会|委|办|院|室|厅|中心|领导小组|司法局|组)$/u
const CLOSING_NOTE =
  /^(?:[（(]\s*此件[^）)]{0,10}[）)]|抄送[:：].*|.{0,40}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发|公开方式[:：].*|[（(]\s*联系人[:：][^）)]*[）)])$/

/** After an item's `2.`: not a digit (`1.5` is a number), unless a year begins (`2.2026年6月底前…`). */
export const AFTER_ITEM_NUMBER = '(?:(?=\\d{4}\\s*年)|(?!\\d))'

/** Numbering that starts a heading or an item. */
export const MARKER = new RegExp(
  `^(?:[一二三四五六七八九十]{1,3}\\s*[、．.]|[（(]\\s*[一二三四五六七八九十\\d]{1,3}\\s*[）)]|\\d{1,2}\\s*[.．、]${AFTER_ITEM_NUMBER}|[①-⑳⑴-⒇])`,
)

/** Numbering of a heading (`二、`, `（三）`), which stands on its own line unless it runs on. */
const HEADING_MARKER =
  /^(?:[一二三四五六七八九十]{1,3}\s*[、．.]|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)])/

/** A line of labelled units after a task: `责任单位：…`, `（牵头单位：…`, `配合部门：…`. */
export const LABEL_LINE = new RegExp(`^[（(【[]?\\s*${LABEL_HEAD}`)

/** Characters that never start a paragraph: a line starting with one continues the previous. */
const CONTINUATION_START = /^[，。、；：:;,.!?！？）)》」』”’\]］〕】]/
/** A line ending with one of these ends its paragraph. */
const COMPLETE_END = /[。！？!?；;：:\]］〕】]$/

/** The line without page numbers set inside it; the sentence they split closes up again. */
function dropInlinePageNumbers(text: string): string {
  const out = text.replace(PAGE_NUMBER_INLINE, ' ')
  if (out === text) return text
  return out.replace(/(?<=[\p{Script=Han}，。、；：])\s+(?=[\p{Script=Han}，。、；：])/gu, '').trim()
}

function isPageNumber(text: string): boolean {
  return PAGE_NUMBER_LINE.test(text.replace(/\s+/g, ' ').trim())
}

function squash(text: string): string {
  return text.replace(/[\s\u3000*#]+/g, '').replace(/^《|》$/g, '')
}

/** A short line without punctuation, as running headers are. */
function headerLike(text: string): boolean {
  return text.length <= 40 && !MARKER.test(text) && !/[：:，,。；;、【】[\]〔〕]/.test(text)
}

function headingLike(text: string): boolean {
  return text.length <= 70 && !/[。；;]/.test(text) && !BREADCRUMB.test(text) && !FILE_NAME.test(text)
}

export interface CleanDocument {
  title: string | null
  titlePlace: SourcePlace | null
  /** The plan's blocks after the title, without page numbers, headers and sign-offs. */
  blocks: Block[]
}

/** Removes page numbers and running headers; finds the title and drops what stands before it. */
export function cleanBlocks(input: Block[]): CleanDocument {
  // Page numbers, on their own line or inline. A line next to a page number is at a page edge.
  const lines: Block[] = []
  const atPageEdge = new Set<string>()
  let afterPageNumber = false
  for (const b of input) {
    if (b.kind === 'row') {
      lines.push(b)
      afterPageNumber = false
      continue
    }
    if (isPageNumber(b.text)) {
      const prev = lines[lines.length - 1]
      if (prev?.kind === 'line' && headerLike(prev.text)) atPageEdge.add(squash(prev.text))
      afterPageNumber = true
      continue
    }
    if (afterPageNumber && headerLike(b.text)) atPageEdge.add(squash(b.text))
    afterPageNumber = false
    const text = b.text.includes('页') || /[-—–－]/.test(b.text) ? dropInlinePageNumbers(b.text) : b.text
    if (text === '') continue
    lines.push(text === b.text ? b : { ...b, text })
  }

  // Running headers: a short line seen three times, or twice with once at a page edge. Counted
  // first, removed after the title is found (the title may be one).
  const counts = new Map<string, number>()
  for (const b of lines) {
    if (b.kind === 'line' && headerLike(b.text))
      counts.set(squash(b.text), (counts.get(squash(b.text)) ?? 0) + 1)
  }
  const repeated = (b: LineBlock) => {
    if (!headerLike(b.text)) return false
    const key = squash(b.text)
    const n = counts.get(key) ?? 0
    return n >= 3 || (n >= 2 && atPageEdge.has(key))
  }

  const { title, start, place } = findTitle(lines)
  const out: Block[] = []
  for (let i = start; i < lines.length; i++) {
    const b = lines[i]
    if (!b) continue
    if (b.kind === 'line' && repeated(b)) continue
    out.push(b)
  }
  return { title, titlePlace: place, blocks: dropSignOffs(out) }
}

const TITLE_SCAN = 40

/** The title and where the plan starts (the index after the title line). */
function findTitle(blocks: Block[]): { title: string | null; start: number; place: SourcePlace | null } {
  const limit = Math.min(blocks.length, TITLE_SCAN)
  // A cover notice names the plan in 《…》; the plan itself starts at its own title line.
  for (let i = 0; i < limit; i++) {
    const b = blocks[i]
    if (b?.kind !== 'line') continue
    const notice = NOTICE.exec(b.text) ?? NOTICE_TITLE.exec(squash(b.text))
    if (!notice) continue
    const title = (notice[1] ?? notice[2] ?? '').trim()
    const key = squash(title)
    const end = Math.min(blocks.length, i + 1 + TITLE_SCAN)
    for (let j = i + 1; j < end; j++) {
      const c = blocks[j]
      if (c?.kind === 'line' && squash(c.text) === key)
        return { title: c.text.replace(/\*\*/g, '').trim(), start: j + 1, place: c.place }
    }
    // No title line repeated: the plan starts after the notice and its sign-off.
    let j = i + 1
    while (j < blocks.length) {
      const c = blocks[j]
      if (c?.kind !== 'line') break
      if (!(
        DATE_LINE.test(c.text.replace(/\s+/g, '')) ||
        OFFICE_LINE.test(c.text.replace(/\s+/g, '')) ||
        CLOSING_NOTE.test(c.text) ||
        NOTICE.test(c.text)
      ))
        break
      j++
    }
    return { title, start: j, place: b.place }
  }
  for (let i = 0; i < limit; i++) {
    const b = blocks[i]
    if (b?.kind !== 'line') continue
    const text = b.text.replace(/\*\*/g, '').trim()
    if (!headingLike(text) || !PLAN_WORDS.test(text) || MARKER.test(text) || /^附件/.test(text)) continue
    if (DOC_NUMBER.test(text)) continue
    return { title: text.replace(/^《(.*)》$/, '$1'), start: i + 1, place: b.place }
  }
  // No heading names a plan: the first line that is neither a breadcrumb nor a file name.
  for (let i = 0; i < limit; i++) {
    const b = blocks[i]
    if (b?.kind !== 'line') continue
    const text = b.text.replace(/\*\*/g, '').trim()
    if (!headingLike(text) || MARKER.test(text)) continue
    return { title: text, start: i + 1, place: b.place }
  }
  return { title: null, start: 0, place: null }
}

/** Date lines with the office lines just before them, and closing notes. */
function dropSignOffs(blocks: Block[]): Block[] {
  const drop = new Uint8Array(blocks.length)
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]
    if (b?.kind !== 'line') continue
    const flat = b.text.replace(/\s+/g, '')
    if (CLOSING_NOTE.test(b.text)) drop[i] = 1
    if (!DATE_LINE.test(flat)) continue
    drop[i] = 1
    for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
      const o = blocks[j]
      if (o?.kind !== 'line' || !OFFICE_LINE.test(o.text.replace(/\s+/g, ''))) break
      drop[j] = 1
    }
  }
  return blocks.filter((_, i) => drop[i] === 0)
}

/** A paragraph: lines joined where a break split a sentence, with the place of its first line. */
export interface Paragraph {
  text: string
  place: SourcePlace
}

export type Flow =
  { kind: 'paragraph'; paragraph: Paragraph } | { kind: 'row'; row: Extract<Block, { kind: 'row' }> }

const OPEN_ALL = '[［〔【（(《“'
const CLOSE_ALL = ']］〕】）)》”'

/**
 * Joins lines into paragraphs. A line continues the paragraph before it when it starts with
 * closing punctuation; or when it does not start a numbered item or a labelled field (outside an
 * open bracket) and the paragraph is not finished
 * (a bracket still open, or no closing punctuation) and is not a short standalone line (a heading,
 * the title, a line of the sign-off). Bracket depth is counted as lines are added, never by
 * re-reading the paragraph, so joining stays linear.
 */
export function joinParagraphs(blocks: Block[]): Flow[] {
  const out: Flow[] = []
  // A line shorter than most is a line of its own (a heading, a signature) only when it is
  // clearly shorter than the document's usual line: PDF lines are all short.
  const lengths = blocks.flatMap((b) => (b.kind === 'line' ? [b.text.length] : [])).sort((a, b) => a - b)
  const median = lengths[Math.floor(lengths.length / 2)] ?? 0
  const shortLine = median >= 54 ? 40 : Math.floor(median * 0.7)
  let pieces: string[] = []
  let place: SourcePlace | null = null
  let depth = 0
  let last = ''
  let standalone = false
  const flush = () => {
    if (place && pieces.length > 0)
      out.push({ kind: 'paragraph', paragraph: { text: pieces.join(''), place } })
    pieces = []
    place = null
    depth = 0
    last = ''
  }
  for (const b of blocks) {
    if (b.kind === 'row') {
      flush()
      out.push({ kind: 'row', row: b })
      continue
    }
    const text = b.text
    const bare = text.replace(/^\*\*/, '')
    const continues =
      place !== null &&
      (CONTINUATION_START.test(text) ||
        (!MARKER.test(bare) &&
          (depth > 0 ||
            // A labelled field (`责任单位：…`, `完成时限：…`) starts its own line unless a bracket is open.
            (!LABEL_LINE.test(bare) &&
              !TIME_LABEL_START.test(bare) &&
              !COMPLETE_END.test(last) &&
              !standalone))))
    if (!continues) {
      flush()
      place = b.place
      standalone = HEADING_MARKER.test(bare)
        ? !/[。；;，,、]$/.test(text) && !/[。；;]/.test(text)
        : text.length <= shortLine && !MARKER.test(bare) && !/[。；;，,、]/.test(text)
    } else {
      standalone = false
    }
    const prev = pieces[pieces.length - 1] ?? ''
    // Two Latin words broken apart get their space back; a number split by a hard break does not.
    pieces.push(continues && /[A-Za-z]$/.test(prev) && /^[A-Za-z]/.test(text) ? ` ${text}` : text)
    for (const ch of text) {
      if (OPEN_ALL.includes(ch)) depth++
      else if (CLOSE_ALL.includes(ch)) depth = Math.max(0, depth - 1)
    }
    last = text
  }
  flush()
  return out
}
