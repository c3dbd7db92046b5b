/**
 * A liaison's reply about task status, as people really type it: `已完成`, `进行中 60%`,
 * `有困难：缺经费`, `blocked: no budget`, `60%`, and numbered replies to a prompt about several
 * tasks: `1 已完成；3 进行中 60%；5 有困难：缺经费`. Anything else is `unknown`, never a guess.
 */
import type { Locale, ReportState } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'

export interface ParsedStatus {
  state: ReportState
  /** 0-100 for in progress when the liaison gave a percentage; null otherwise. */
  progress: number | null
  /** What else the liaison wrote; for blocked, the reason. At most 500 characters. */
  note: string | null
}

export type ReplyParse =
  | { kind: 'single'; status: ParsedStatus }
  | { kind: 'numbered'; items: { n: number; status: ParsedStatus }[] }
  | { kind: 'unknown' }

export const MAX_NOTE_CHARS = 500
/** Longer replies are not status replies; parsing stops looking after this many characters. */
const MAX_REPLY_CHARS = 20_000

/**
 * Two views of the reply with the same length, so an offset in one is an offset in the other:
 * `match` has all full-width ASCII folded (for the grammar), `note` only full-width letters, digits
 * and ％ (so a note keeps the liaison's Chinese punctuation).
 */
function views(text: string): { match: string; note: string } {
  const clean = text
    .slice(0, MAX_REPLY_CHARS)
    .replace(/\r\n?/g, '\n')
    // Zero-width characters and the byte-order mark vanish; other control characters become spaces.
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
  const fold = (keep: RegExp) => (c: string) =>
    c === '\u3000' ? ' ' : keep.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c
  return {
    match: clean.replace(/[\uff01-\uff5e\u3000]/g, fold(/./)).replace(/\ufe6a/g, '%'),
    note: clean.replace(/[\uff01-\uff5e\u3000]/g, fold(/[０-９Ａ-Ｚａ-ｚ％]/)).replace(/\ufe6a/g, '%'),
  }
}

// State words, longest first. Matching is anchored at the start of an item.
const NOT_STARTED =
  '尚未开始|还未开始|还没有开始|还没开始|没有开始|没开始|未开始|尚未启动|未启动|not\\s+yet\\s+started|not\\s+started|not_started|todo|to\\s+do'
const NOT_DONE =
  '尚未完成|还未完成|还没有完成|还没完成|没有完成|没完成|未完成|未办结|not\\s+done|not\\s+finished|not\\s+completed?'
const DONE = '已经完成|已全部完成|全部完成|已完成|完成了|已办结|办结了?|已落实|完成|done|finished|completed?'
const IN_PROGRESS =
  '正在推进|正在进行|正在办理|正在落实|正在整改|进行中|推进中|办理中|处理中|整改中|落实中|实施中|开展中|在办|进度|in\\s+progress|in-progress|ongoing|on\\s+going|underway|wip|progress'
const BLOCKED = '遇到困难|存在困难|有困难|有问题|存在问题|受阻|困难|blocked|stuck|problem'

/** A percentage (or a bare number right after a state word): `60%`, `60 %`, `62.5%`, `60`. */
const PERCENT = /^[([（]?\s*(\d{1,4}(?:\.\d+)?)\s*(%|％|percent\b|pct\b)?\s*[)\]）]?/i
const FILLER =
  /^(?:[✅☑✔🔄⏳⚠❗❌]\ufe0f?\s*)*(?:(?:目前|现在|当前|状态|status)\s*[:：]?\s*)?(?:现已|已经(?=完成))?/iu
const SEPARATORS = /^[\s,，;；:：。.、!！\-—~～|/]+/
const TRAILING = /[\s,，;；:：。.、!！\-—~～|/]+$/

const STATE_PATTERNS: { state: ReportState | 'negated'; re: RegExp }[] = [
  { state: 'not_started', re: new RegExp(`^(?:${NOT_STARTED})(?![a-z])`, 'i') },
  { state: 'negated', re: new RegExp(`^(?:${NOT_DONE})(?![a-z])`, 'i') },
  { state: 'blocked', re: new RegExp(`^(?:${BLOCKED})(?![a-z])`, 'i') },
  { state: 'in_progress', re: new RegExp(`^(?:${IN_PROGRESS})(?![a-z])`, 'i') },
  // `已完成自查` names a step, not the task: a done word must end the phrase or meet punctuation.
  {
    state: 'done',
    re: new RegExp(`^(?:${DONE})(?![a-z])(?=$|[\\s,，;；:：。.!！、(（\\-—~～|/\u2460-\u2473]|\\d)`, 'i'),
  },
]

function capNote(text: string): string | null {
  const t = text.replace(SEPARATORS, '').replace(TRAILING, '').trim()
  if (t === '') return null
  const chars = Array.from(t)
  return chars.length > MAX_NOTE_CHARS ? chars.slice(0, MAX_NOTE_CHARS).join('') : t
}

interface Percent {
  value: number | null
  /** Characters consumed, including a closing bracket. */
  length: number
  /** Written with a percent sign. */
  marked: boolean
}

/** A percentage at the start of `s`; value null when it is out of range (150%). */
function readPercent(s: string, requireMark: boolean): Percent | null {
  const m = PERCENT.exec(s)
  if (!m) return null
  const marked = m[2] !== undefined
  const rest = s.slice(m[0].length)
  // `进行中 3 项已完成`: a bare number followed by more text is not a percentage.
  if (!marked && (requireMark || !(rest === '' || SEPARATORS.test(rest)))) return null
  const n = Number(m[1])
  const value = Number.isFinite(n) && n >= 0 && n <= 100 ? Math.round(n) : null
  return { value, length: m[0].length, marked }
}

/** One status (no item number). `s` is the match view, `noteView` the same text for the note. */
function parseOne(s: string, noteView: string): ParsedStatus | null {
  const lead = s.length - s.trimStart().length
  const filler = FILLER.exec(s.slice(lead))?.[0].length ?? 0
  let at = lead + filler
  const body = s.slice(at)
  const note = (from: number) => capNote(noteView.slice(from))

  for (const { state, re } of STATE_PATTERNS) {
    const m = re.exec(body)
    if (!m) continue
    if (state === 'negated') return null
    at += m[0].length
    const afterWord = s.slice(at)
    const gap = /^[\s:：,，]*/.exec(afterWord)?.[0].length ?? 0
    const pct = state === 'in_progress' || state === 'done' ? readPercent(afterWord.slice(gap), false) : null
    if (/^[\s:：]*-\s*\d/.test(afterWord) && (state === 'in_progress' || state === 'done')) return null
    if (pct) {
      if (pct.value === null) return null
      const rest = at + gap + pct.length
      // `已完成60%` means 60 per cent done: in progress. `已完成 100%` is done.
      if (pct.value === 100) return { state: 'done', progress: null, note: note(rest) }
      return { state: 'in_progress', progress: pct.value, note: note(rest) }
    }
    if (state === 'in_progress' && /^进度$/.test(m[0])) return null
    return { state, progress: null, note: note(at) }
  }

  // `60%` alone means in progress 60.
  const pct = readPercent(body, true)
  if (pct) {
    if (pct.value === null) return null
    const rest = at + pct.length
    if (pct.value === 100) return { state: 'done', progress: null, note: note(rest) }
    return { state: 'in_progress', progress: pct.value, note: note(rest) }
  }
  return null
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳'
/**
 * An item number at the start: `1 `, `1.`, `1、`, `1:`, `1)`, `(1)`, `第1项`, `①`, `#1`, or a number
 * directly before a state word (`1已完成`). Not `60%` and not `1.5`.
 */
const MARKER = new RegExp(
  `^(?:[(（]\\s*(?<a>\\d{1,3})\\s*[)）]|第\\s*(?<b>\\d{1,3})\\s*[项条个]?|#(?<c>\\d{1,3})|(?<d>[${CIRCLED}])` +
    `|(?<e>\\d{1,3})(?!\\s*[%％\\d])(?:\\s*[项条号])?(?:\\.(?!\\d)|[、:：)）]|\\s+|(?=\\D)))\\s*`,
)

function readMarker(s: string): { n: number; length: number } | null {
  const m = MARKER.exec(s)
  if (!m?.groups) return null
  const g = m.groups
  const n = g.d !== undefined ? CIRCLED.indexOf(g.d) + 1 : Number(g.a ?? g.b ?? g.c ?? g.e)
  return { n, length: m[0].length }
}

/** Does a status begin here (after filler)? Used to tell an item number from a number in a note. */
function startsStatus(s: string): boolean {
  const body = s.slice(FILLER.exec(s)?.[0].length ?? 0)
  return STATE_PATTERNS.some(({ re }) => re.test(body)) || readPercent(body, true) !== null
}

/** Where each numbered item starts: after a separator, an item number (see below). */
function itemStarts(s: string): { at: number; n: number; body: number }[] {
  const first = readMarker(s)
  if (!first || !startsStatus(s.slice(first.length))) return []
  const starts = [{ at: 0, n: first.n, body: first.length }]
  // Separators, or nothing at all before a circled number (`①已完成②进行中`).
  const boundary = new RegExp(`[\\s,，;；、。|/]+|(?=[${CIRCLED}])`, 'g')
  let m: RegExpExecArray | null
  while ((m = boundary.exec(s)) !== null) {
    if (m[0].length === 0) boundary.lastIndex = m.index + 1
    const at = m.index + m[0].length
    if (at >= s.length || at <= starts[starts.length - 1]!.body) continue
    const marker = readMarker(s.slice(at))
    // After `;` or a new line a number starts an item even if what follows is unreadable (then
    // the reply is not understood); after a space or comma only when a status follows.
    const hard = /[;；\n]/.test(m[0])
    if (marker && (hard || startsStatus(s.slice(at + marker.length)))) {
      starts.push({ at, n: marker.n, body: at + marker.length })
    }
  }
  return starts
}

/** Parses a reply; never throws; trims, normalizes full-width characters, caps note length at 500 chars. */
export function parseStatusReply(text: string): ReplyParse {
  try {
    if (typeof text !== 'string') return { kind: 'unknown' }
    const v = views(text)
    const lead = v.match.length - v.match.trimStart().length
    const match = v.match.trim()
    const noteView = v.note.slice(lead, lead + match.length)
    if (match === '') return { kind: 'unknown' }

    const starts = itemStarts(match)
    if (starts.length > 0) {
      const items: { n: number; status: ParsedStatus }[] = []
      for (let i = 0; i < starts.length; i++) {
        const { n, body } = starts[i]!
        const end = starts[i + 1]?.at ?? match.length
        const s = match.slice(body, end).replace(TRAILING, '')
        const status = parseOne(s, noteView.slice(body, body + s.length))
        // One item we cannot read, or the same number twice, and the whole reply is a question back.
        if (!status || n < 1 || items.some((it) => it.n === n)) return { kind: 'unknown' }
        items.push({ n, status })
      }
      return { kind: 'numbered', items }
    }

    const status = parseOne(match, noteView)
    return status ? { kind: 'single', status } : { kind: 'unknown' }
  } catch {
    return { kind: 'unknown' }
  }
}

/** A state as users read it, with the percentage when in progress: '进行中 60%', 'in progress 60%'. */
export function formatState(
  state: ReportState | 'no_reply',
  progress: number | null,
  locale: Locale | null | undefined,
): string {
  const t = messages(locale)
  const word = t.common.states[state]
  return state === 'in_progress' && progress !== null ? t.status.stateWithProgress(word, progress) : word
}

/** A status with its note where the note is the point (the reason for blocked): '有困难：缺经费'. */
export function formatStatus(status: ParsedStatus, locale: Locale | null | undefined): string {
  const head = formatState(status.state, status.progress, locale)
  return status.state === 'blocked' && status.note
    ? messages(locale).status.stateWithNote(head, status.note)
    : head
}
