/**
 * Tasks written as prose: numbered headings and items (`一、`, `（一）`, `1.`/`1、`/`1．`, `（1）`/`①`),
 * an item being a task when it carries a responsibility note:
 * - a square bracket (`[…]`, `【…】`, `〔…〕`, `［…］`, in any mix) at the end of the item or of its
 *   lead sentence, holding unit words;
 * - a round bracket (`（…）`) in the same places, when `looksLikeResponsibility` accepts its content
 *   (units, group phrases and role words only: `（以下简称…）`, `（市、区）`, `（试行）` are notes);
 * - a labelled clause ending the item (`责任单位：…`, `牵头单位：…；配合单位：…`), or such lines
 *   after it (`责任单位：…` then `配合单位：…`, each on its own line, read together); a line
 *   `完成时限：…` (时间节点, 完成时间) stays a line of its own, read for the deadline.
 * A heading with a note of its own is a task, and numbered items under it without notes are part
 * of its text. A numbered item without a note, under no task, is no task: a doubt when its major
 * section has tasks (for a （一）-level item, when its sibling items are tasks).
 */
import type { Doubt, ResponsibilityEntry, SourcePlace, TaskDraft } from '../../domain/plan-draft.ts'
import { readDeadlineInText, readDeadlinePhrase, TIME_LABEL_START } from '../../domain/deadline-phrase.ts'
import { AFTER_ITEM_NUMBER, LABEL_LINE, type Paragraph } from './clean.ts'
import {
  looksLikeResponsibility,
  parseResponsibility,
  ROLE_WORD,
  LABEL_HEAD,
  unwrap,
} from './responsibility.ts'

const ZH = '一二三四五六七八九十'
const MAJOR = new RegExp(`^([${ZH}]{1,3})\\s*[、．.]\\s*`)
const SUB = new RegExp(`^[（(]\\s*([${ZH}]{1,3})\\s*[）)]\\s*`)
const ITEM = new RegExp(`^(\\d{1,2})\\s*[.．、]${AFTER_ITEM_NUMBER}\\s*`)
const SUBITEM = /^(?:[（(]\s*(\d{1,2})\s*[）)]|([①-⑳])|([⑴-⒇]))\s*/

const SQUARE_OPEN = '[［〔【'
const SQUARE_CLOSE = ']］〕】'
const ROUND_OPEN = '（('
const ROUND_CLOSE = '）)'
const PAIRS: Record<string, string> = { '[': ']', '［': '］', '〔': '〕', '【': '】', '（': '）', '(': ')' }
/** Words a square responsibility bracket contains; `〔2023〕` (a document number) has none. */
const UNIT_WORDS = /负责|牵头|配合|落实|局|镇|街|部门|单位|办|队|委|院|中心|政府/
const LABELLED = new RegExp(
  `(?:^|[。；;\\n])\\s*[（(【[]?\\s*(${LABEL_HEAD}[^。\\n]{1,400}?)\\s*[）)】\\]]?\\s*[。.;；]?\\s*$`,
)

interface Note {
  /** The note's content as written (without its brackets). */
  content: string
  /** The text with the note taken out. */
  rest: string
  open: string
  close: string | null
}

/** Index of the bracket opening the one that closes at `end`, scanning back; -1 when unmatched. */
function openerOf(text: string, end: number): number {
  let depth = 0
  for (let i = end; i >= 0 && end - i < 2000; i--) {
    const ch = text[i] ?? ''
    if (SQUARE_CLOSE.includes(ch) || ROUND_CLOSE.includes(ch)) depth++
    else if (SQUARE_OPEN.includes(ch) || ROUND_OPEN.includes(ch)) {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** A bracket closing at `end` (the last non-space character before it), if it is a responsibility note. */
function bracketNoteAt(text: string, end: number): Note | null {
  const close = text[end] ?? ''
  if (!SQUARE_CLOSE.includes(close) && !ROUND_CLOSE.includes(close)) return null
  const start = openerOf(text, end)
  if (start < 0) return null
  const open = text[start] ?? ''
  const content = text.slice(start + 1, end).trim()
  const square = SQUARE_OPEN.includes(open) || SQUARE_CLOSE.includes(close)
  const accepted = square
    ? UNIT_WORDS.test(content) && !/^\d{4}$/.test(content)
    : looksLikeResponsibility(content)
  if (!accepted) return null
  return { content, rest: (text.slice(0, start) + text.slice(end + 1)).trim(), open, close }
}

function lastNonSpace(text: string, before: number): number {
  let i = before
  while (i >= 0 && /[\s。.；;]/.test(text[i] ?? '')) i--
  return i
}

/** A clause of a note that is about time (`6月底前完成`, `长期坚持`), not units. */
function isTimeClause(clause: string): boolean {
  return (
    /[月年季旬期长常持每底内]/.test(clause) &&
    !/局|办|委|政府|单位|部门/.test(clause) &&
    readDeadlinePhrase(clause, 2000).deadline !== null
  )
}

/**
 * `…。由区司法局牵头，区直各行政执法部门配合。`, `…。区司法局负责，长期坚持。`: an item's closing
 * sentence (not its first) that names only units with their roles, and perhaps a time.
 */
function closingSentenceNote(text: string): Note | null {
  const trimmed = text.replace(/[。.；;\s]+$/, '')
  const cut = Math.max(trimmed.lastIndexOf('。'), trimmed.lastIndexOf('\n'))
  if (cut < 0) return null
  const sentence = trimmed
    .slice(cut + 1)
    .trim()
    .replace(/^由/, '')
  if (sentence.length > 200 || !ROLE_WORD.test(sentence)) return null
  const units = sentence
    .split(/[，,；;]/)
    .filter((c) => !isTimeClause(c))
    .join('，')
  if (!looksLikeResponsibility(units, { everyNameAUnit: true })) return null
  return { content: sentence, rest: trimmed.slice(0, cut + 1).trim(), open: '', close: '' }
}

/**
 * The responsibility note of an item: at its end, labelled, at the end of its lead sentence, a
 * square bracket left open, or, last, a closing sentence of units and roles.
 */
export function findNote(text: string): Note | null {
  const atEnd = bracketNoteAt(text, lastNonSpace(text, text.length - 1))
  if (atEnd) return atEnd
  const labelled = LABELLED.exec(text)
  if (labelled) {
    const start = labelled.index + (labelled[0].length - labelled[0].trimStart().length)
    const lead = /^[。；;\n]/.test(labelled[0]) ? start + 1 : start
    return { content: (labelled[1] ?? '').trim(), rest: text.slice(0, lead).trim(), open: '', close: '' }
  }
  // `1. 加强学习贯彻（市司法局牵头）。各镇…`: a note closing the lead sentence.
  const stop = text.search(/[。！？]/)
  if (stop > 0) {
    const lead = bracketNoteAt(text, lastNonSpace(text, stop - 1))
    if (lead) return lead
  }
  // A square bracket left open at the very end (`[市司法局负责`).
  const open = Math.max(...[...SQUARE_OPEN].map((c) => text.lastIndexOf(c)))
  if (open >= 0 && text.length - open < 400) {
    const content = text.slice(open + 1).trim()
    if (!/[\]］〕】。]/.test(content) && /负责|牵头|配合|落实/.test(content)) {
      return { content, rest: text.slice(0, open).trim(), open: text[open] ?? '', close: null }
    }
  }
  return closingSentenceNote(text)
}

/** Title (lead sentence, bold or not) and the rest. */
export function splitLead(text: string): { title: string; body: string } {
  const bold = /^\*\*(.+?)\*\*\s*/.exec(text)
  if (bold) {
    const title = (bold[1] ?? '').trim().replace(/[。！？!?；;]+$/, '')
    return { title, body: stripBold(text.slice(bold[0].length)).trim() }
  }
  const plain = stripBold(text)
  const end = plain.search(/[。！？!?]/)
  if (end < 0) return { title: plain.trim(), body: '' }
  return { title: plain.slice(0, end).trim(), body: plain.slice(end + 1).trim() }
}

export function stripBold(text: string): string {
  return text.replace(/\*\*|__/g, '')
}

interface Item {
  ref: string
  level: number // 1 major, 2 sub, 3 item, 4 subitem, 5 a circled item under a （n） subitem
  major: string
  section: string
  pieces: string[]
  place: SourcePlace
  /** Lines of labelled units after the item (`责任单位：…`, `配合单位：…`), read as one note. */
  labelLines: string[]
  parent: Item | null
}

function circled(ch: string, base: number): number {
  return ch.charCodeAt(0) - base + 1
}

/** Splits a responsibility note into names and any time words inside it (`市司法局负责，6月底前完成`). */
export function readNote(
  content: string,
  year: number | null,
): { entries: ResponsibilityEntry[]; problems: string[]; time: string | null } {
  const clauses = content.split(/[，,；;]/)
  const timeClauses = clauses.filter(isTimeClause)
  const units = timeClauses.length > 0 ? clauses.filter((c) => !timeClauses.includes(c)).join('，') : content
  const reading = parseResponsibility(units)
  void year
  return {
    entries: reading.entries,
    problems: reading.problems,
    time: timeClauses.length > 0 ? timeClauses.map((c) => c.replace(TIME_LABEL_START, '')).join('，') : null,
  }
}

export interface ProseResult {
  tasks: TaskDraft[]
  doubts: Doubt[]
}

/** Reads the tasks of the prose paragraphs; `prefix` names an attachment (`附件1-`). */
export function readProse(paragraphs: Paragraph[], year: number | null, prefix = ''): ProseResult {
  const doubts: Doubt[] = []
  const items: Item[] = []
  let major = ''
  let majorTitle = ''
  let sub = ''
  let subTitle = ''
  let item = ''
  let counters = [0, 0, 0, 0, 0]
  const parents: (Item | null)[] = [null, null, null, null, null]
  let current: Item | null = null
  /** The marker of the open level-4 item: `（1）` or `①`/`⑴`. A ① under a （1） is one level deeper. */
  let subitem = ''
  let subitemKind: 'paren' | 'circled' | null = null

  /** The last number seen at each level, never reset: items numbered on across sections (1–2 under 一, 3–4 under 二). */
  const lastSeen = [0, 0, 0, 0, 0]
  const gap = (level: number, n: number, ref: string, text: string, place: SourcePlace) => {
    const expected = (counters[level - 1] ?? 0) + 1
    const runsOn = expected === 1 && level >= 3 && n === (lastSeen[level - 1] ?? 0) + 1
    if (n !== expected && !runsOn)
      doubts.push({ kind: 'numbering_gap', taskRef: ref, quote: text.slice(0, 40), source: place })
    counters[level - 1] = n
    lastSeen[level - 1] = n
    for (let l = level; l < 5; l++) counters[l] = 0
  }
  const open = (level: number, ref: string, section: string, text: string, place: SourcePlace) => {
    const parent =
      parents
        .slice(0, level - 1)
        .reverse()
        .find((p) => p !== null) ?? null
    current = { ref: prefix + ref, level, major, section, pieces: [text], place, labelLines: [], parent }
    parents[level - 1] = current
    for (let l = level; l < 5; l++) parents[l] = null
    if (level < 4) subitemKind = null
    items.push(current)
  }

  for (const p of paragraphs) {
    const para = p.text.replace(/^\*\*(?=[（(一二三四五六七八九十\d①-⑳⑴-⒇])/, '')
    const m1 = MAJOR.exec(para)
    const m2 = m1 ? null : SUB.exec(para)
    const m3 = m1 || m2 ? null : ITEM.exec(para)
    const m4 = m1 || m2 || m3 ? null : SUBITEM.exec(para)
    if (m1) {
      major = m1[1] ?? ''
      const rest = para.slice(m1[0].length)
      majorTitle = splitLead(rest).title
      sub = ''
      item = ''
      subTitle = majorTitle
      gap(1, zhNumber(major), major, para, p.place)
      open(1, major, '', rest, p.place)
    } else if (m2) {
      sub = m2[1] ?? ''
      item = ''
      const rest = para.slice(m2[0].length)
      subTitle = splitLead(rest).title
      gap(2, zhNumber(sub), `${major}（${sub}）`, para, p.place)
      open(2, `${major}（${sub}）`, majorTitle, rest, p.place)
    } else if (m3) {
      item = m3[1] ?? ''
      const ref = `${major}${sub ? `（${sub}）` : ''}${Number(item)}`
      gap(3, Number(item), prefix + ref, para, p.place)
      open(3, ref, subTitle, para.slice(m3[0].length), p.place)
    } else if (m4 && current) {
      const n = m4[1] ? Number(m4[1]) : m4[2] ? circled(m4[2], 0x2460) : circled(m4[3] ?? '⑴', 0x2474)
      const kind = m4[1] ? 'paren' : 'circled'
      const base = `${major}${sub ? `（${sub}）` : ''}${item}`
      if (kind === 'circled' && subitemKind === 'paren') {
        // 1. → （1） → ①: the fifth level of 公文 numbering, named with its own marker.
        const ref = `${base}（${subitem}）${m4[2] ?? m4[3] ?? ''}`
        gap(5, n, prefix + ref, para, p.place)
        open(5, ref, subTitle, para.slice(m4[0].length), p.place)
      } else {
        // The document's own marker: `2（1）`, `4①`.
        const ref = kind === 'paren' ? `${base}（${n}）` : `${base}${m4[2] ?? m4[3] ?? ''}`
        gap(4, n, prefix + ref, para, p.place)
        open(4, ref, subTitle, para.slice(m4[0].length), p.place)
        subitem = String(n)
        subitemKind = kind
      }
    } else if (current !== null) {
      const c: Item = current
      if (LABEL_LINE.test(para)) c.labelLines.push(para)
      else {
        const prev = c.pieces[c.pieces.length - 1] ?? ''
        const newLine = /[。！？!?；;：:\]］〕】）)]$/.test(prev) || TIME_LABEL_START.test(para)
        c.pieces.push(newLine ? `\n${para}` : para)
      }
    }
  }
  counters = [0, 0, 0, 0, 0]

  // Notes first, so that a heading with a note can take in the items under it.
  const noted = items.map((it) => {
    const text = it.pieces.join('')
    const note =
      findNote(text) ??
      (it.labelLines.length > 0
        ? {
            // Each line without its end mark and enclosing bracket (`（责任单位：…）`); 各镇（街道） keeps its own.
            content: it.labelLines.map((l) => unwrap(l.trim().replace(/[。；;]+$/, ''))).join('；'),
            rest: text,
            open: '',
            close: '',
          }
        : null)
    return { it, text, note }
  })
  const taskOf = new Map<Item, { it: Item; text: string; note: Note; extra: string[] }>()
  const hasTaskBelow = new Set<Item>()
  const majorsWithTasks = new Set<string>()
  /** Majors whose （一）-level items are tasks: there, such an item without units is a doubt too. */
  const subsWithTasks = new Set<string>()
  for (const n of noted) {
    if (!n.note) continue
    // An item under a task heading with its own note is still its own task.
    taskOf.set(n.it, { it: n.it, text: n.text, note: n.note, extra: [] })
    majorsWithTasks.add(n.it.major)
    if (n.it.level === 2) subsWithTasks.add(n.it.major)
    for (let p = n.it.parent; p; p = p.parent) hasTaskBelow.add(p)
  }
  const untasked: { it: Item; text: string }[] = []
  for (const n of noted) {
    if (n.note) continue
    let owner: Item | null = n.it.parent
    while (owner && !taskOf.has(owner)) owner = owner.parent
    if (owner) taskOf.get(owner)?.extra.push(n.text)
    else if ((n.it.level >= 3 || subsWithTasks.has(n.it.major)) && !hasTaskBelow.has(n.it)) untasked.push(n)
  }

  const tasks: TaskDraft[] = []
  for (const { it, note, extra } of taskOf.values()) {
    const { title, body: lead } = splitLead(note.rest)
    const body = [lead, ...extra].filter((x) => x !== '').join('\n')
    const { entries, problems, time } = readNote(note.content, year)
    if (note.close === null) {
      doubts.push({
        kind: 'bracket',
        taskRef: it.ref,
        quote: `${note.open}${note.content}`,
        source: it.place,
      })
    } else if (note.open && PAIRS[note.open] !== note.close) {
      doubts.push({ kind: 'bracket', taskRef: it.ref, quote: `${note.open}…${note.close}`, source: it.place })
    }
    for (const problem of problems)
      doubts.push({ kind: 'bracket', taskRef: it.ref, quote: problem, source: it.place })
    const reading = readDeadlineInText(`${title}。${body}`, year)
    let deadline = reading.deadline
    if (!deadline && time) {
      const r = readDeadlinePhrase(time, year)
      deadline = r.deadline
      if (r.unread) doubts.push({ kind: 'unread_phrase', taskRef: it.ref, quote: r.unread, source: it.place })
    }
    if (reading.unread)
      doubts.push({ kind: 'unread_phrase', taskRef: it.ref, quote: reading.unread, source: it.place })
    if (entries.length === 0)
      doubts.push({ kind: 'no_units', taskRef: it.ref, quote: note.content || title, source: it.place })
    tasks.push({
      ref: it.ref,
      section: it.section,
      title,
      body,
      responsibility: entries,
      unitsText: note.content.replace(/\s+/g, ''),
      deadline,
      source: { ...it.place, text: it.place.text.slice(0, 60) },
    })
    doubts.push(...textDoubts(it.ref, `${title}。${body}`, it.place))
  }
  tasks.sort((a, b) => (a.source.line ?? 0) - (b.source.line ?? 0))
  for (const { it, text } of untasked) {
    if (majorsWithTasks.has(it.major)) {
      doubts.push({
        kind: 'no_units',
        taskRef: it.ref,
        quote: stripBold(text).slice(0, 40),
        source: it.place,
      })
    }
  }
  return { tasks, doubts }
}

function zhNumber(text: string): number {
  const d = (c: string) => ZH.indexOf(c) + 1
  if (text.length === 1) return d(text)
  if (text[0] === '十') return 10 + (text.length > 1 ? d(text[1] ?? '') : 0)
  return d(text[0] ?? '') * 10 + (text.length > 2 ? d(text[2] ?? '') : 0)
}

const HAN = /\p{Script=Han}/u

/** The word of 2 to 8 Han characters written twice around the 、 at `at` (the longest), or null. */
function repeatedAt(text: string, at: number): string | null {
  for (let n = 8; n >= 2; n--) {
    if (at - n < 0) continue
    const before = text.slice(at - n, at)
    if (text.slice(at + 1, at + 1 + n) !== before) continue
    if (HAN.test(text.charAt(at + 1 + n))) continue
    if ([...before].every((c) => HAN.test(c))) return before
  }
  return null
}

/** Oddities worth a second look in a task's text: a Latin word amid Chinese, a word repeated. */
function textDoubts(ref: string, text: string, place: SourcePlace): Doubt[] {
  const out: Doubt[] = []
  for (const m of text.matchAll(/(?<=[\p{Script=Han}，。、；：])\s*([a-z]{2,})\s*(?=[\p{Script=Han}])/gu)) {
    out.push({ kind: 'latin_word', taskRef: ref, quote: m[0].trim(), source: place })
  }
  // `培养、培养`: looked for at each 、 only (a regex tried at every Han character was a tenth of
  // the time of a large plan).
  for (let i = text.indexOf('、'); i >= 0; i = text.indexOf('、', i + 1)) {
    const word = repeatedAt(text, i)
    if (word) out.push({ kind: 'repeated_word', taskRef: ref, quote: `${word}、${word}`, source: place })
  }
  return out
}
