/**
 * Deadlines written in words, the way Chinese government documents write them (`今年10月中旬前`,
 * `11月底前`, `第三季度`), resolved to a due date by the rule in product.md:
 * X月Y日 → that day; 上旬 → 10th; 中旬 → 20th; 下旬/底/末 → last day of the month;
 * 上半年 → 30 June; 下半年/年底/年内 → 31 December; a quarter → its last day.
 */
import { formatMonthDay, isValidDate, lastDayOfMonth, toDateString } from './dates.ts'
import { messages } from '../i18n/index.ts'

export type DeadlineRule = 'day' | 'early' | 'mid' | 'late' | 'half' | 'year' | 'quarter'

export interface ResolvedDeadline {
  /** YYYY-MM-DD */
  date: string
  /** The matched text as written, e.g. '今年10月中旬前'. */
  phrase: string
  rule: DeadlineRule
}

/** Full-width ASCII (０-９, Ａ-Ｚ, ％, －…) and the ideographic space to ASCII, one char for one. */
function halfWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  )
}

const ZH_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}

/** Arabic or Chinese numeral up to 99 (十, 十一, 二十, 廿三, 三十一). */
function numeral(text: string): number {
  if (/^\d+$/.test(text)) return Number(text)
  const t = text.replace(/^廿/, '二十')
  const ten = t.indexOf('十')
  if (ten < 0) return ZH_DIGITS[t] ?? NaN
  const tens = ten === 0 ? 1 : (ZH_DIGITS[t.slice(0, ten)] ?? NaN)
  const ones = ten === t.length - 1 ? 0 : (ZH_DIGITS[t.slice(ten + 1)] ?? NaN)
  return tens * 10 + ones
}

/** A year written as 2025 or 二〇二五. */
function yearNumber(text: string): number {
  return /^\d{4}$/.test(text) ? Number(text) : Number([...text].map((c) => ZH_DIGITS[c] ?? 'x').join(''))
}

// Building blocks. The text is matched after halfWidth(), which keeps every offset.
// Bounded, so a long run of spaces cannot make matching quadratic.
const SP = '[ \\t]{0,4}'
const ZH_NUM = '〇零一二三四五六七八九十'
const YEAR_DIGITS = `(?:\\d{4}|[〇零一二三四五六七八九]{4})`
// A year in a range such as `2023—2025 年` is a period, not this deadline's year.
const NOT_IN_RANGE = `(?<!(?:\\d|[〇零一二三四五六七八九])${SP}(?:[-—–~～至到]|——)${SP})`
/** 今年 / 本年度 / 年度 / 明年 / 2025年 / 2025 年度 / 二〇二五年. */
const YEAR_PREFIX =
  `(?:(?<rel>今年|本年度|本年|明年)|(?<![\\d${ZH_NUM}两几半数多近每])(?<fy>年度)` +
  `|(?=${YEAR_DIGITS})${NOT_IN_RANGE}(?<![\\d〇零一二三四五六七八九])(?<abs>${YEAR_DIGITS})${SP}年(?:${SP}度)?)`
const MONTH = `(?:(?<![\\d.\\-/])(?:1[0-2]|0?[1-9])|(?<![${ZH_NUM}百])(?:十[一二]|十|[一二三四五六七八九]))`
const DAY = `(?:3[01]|[12]\\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|廿[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])`
const BEFORE = `(?:${SP}(?<before>以前|之前|前))?`

const MONTH_DAY = `(?<m>${MONTH})${SP}月${SP}(?:(?<d>${DAY})${SP}[日号]|(?<part>上旬|中旬|下旬|底|末))`
// `10月1日至15日`, `9月1日至10月31日`: the end of the range is the deadline.
const RANGE_END =
  `(?:${SP}(?:至|到|——|[-—–~～])${SP}(?:(?<m2>${MONTH})${SP}月${SP})?` +
  `(?:(?<d2>${DAY})${SP}[日号]|(?<part2>上旬|中旬|下旬|底|末)))?`
const HALF = `(?<half>上|下)半年(?:度)?`
const QUARTER =
  `(?:第${SP}(?<q1>[一二三四1-4])|(?<![\\d${ZH_NUM}])(?<q2>[一二三四1-4]))${SP}季度` +
  `|(?<![A-Za-z0-9])[Qq](?<q3>[1-4])(?![0-9])`
const YEAR_END_AFTER_PREFIX = `(?<ye1>年底|年末|年内|底|末|内)`
// Bare `年内` but not `三年内` (within three years) or `半年内`.
const YEAR_END_BARE = `(?=年[底末内])(?<![\\d${ZH_NUM}两几半数多近每]${SP})(?<ye2>年底|年末|年内)`
const ISO = `(?<![\\d.\\-/])(?<iy>\\d{4})[-/.](?<im>\\d{1,2})[-/.](?<id>\\d{1,2})(?![\\d.\\-/])`

const DEADLINE_SOURCE =
  `(?:${YEAR_PREFIX}${SP})?(?:${MONTH_DAY}${RANGE_END}|${HALF}|${QUARTER})${BEFORE}` +
  `|(?:${YEAR_PREFIX})${SP}${YEAR_END_AFTER_PREFIX}${BEFORE}` +
  `|${YEAR_END_BARE}${BEFORE}` +
  `|${ISO}${BEFORE}`

// Named groups may not repeat inside one regex, so the prefix alternatives get numbered copies.
function numberGroups(source: string): string {
  const seen = new Map<string, number>()
  return source.replace(/\(\?<([a-z]\w*)>/g, (_, name: string) => {
    const n = (seen.get(name) ?? 0) + 1
    seen.set(name, n)
    return n === 1 ? `(?<${name}>` : `(?<${name}_${n}>`
  })
}

const DEADLINE_RE = new RegExp(numberGroups(DEADLINE_SOURCE), 'g')
/** After a date, these make it a start (`10月1日起施行`), not a deadline. */
const STARTS_FROM = /^[ \t]*(?:起|开始|以来|以后|之后|后)/

type Groups = Record<string, string | undefined>

/** A named group, whichever numbered copy of it took part in the match. */
function group(g: Groups, name: string): string | undefined {
  for (let n = 1; n <= 5; n++) {
    const v = g[n === 1 ? name : `${name}_${n}`]
    if (v !== undefined) return v
  }
  return undefined
}

const PART_RULES = {
  上旬: 'early',
  中旬: 'mid',
  下旬: 'late',
  底: 'late',
  末: 'late',
} as const satisfies Record<string, DeadlineRule>

function monthPartDate(year: number, month: number, part: keyof typeof PART_RULES): string {
  if (part === '上旬') return toDateString(year, month, 10)
  if (part === '中旬') return toDateString(year, month, 20)
  return lastDayOfMonth(year, month)
}

/** The due date and rule for one regex match, or null when it names no real day. */
function resolveMatch(g: Groups, planYear: number): { date: string; rule: DeadlineRule } | null {
  if (g.iy !== undefined) {
    const date = toDateString(Number(g.iy), Number(g.im), Number(g.id))
    return isValidDate(date) ? { date, rule: 'day' } : null
  }
  let year = planYear
  const rel = group(g, 'rel')
  const abs = group(g, 'abs')
  if (rel === '明年') year = planYear + 1
  else if (abs !== undefined) year = yearNumber(abs)
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return null

  const ye = g.ye1 ?? g.ye2
  if (ye !== undefined) return { date: toDateString(year, 12, 31), rule: 'year' }
  if (g.half !== undefined)
    return { date: toDateString(year, g.half === '上' ? 6 : 12, g.half === '上' ? 30 : 31), rule: 'half' }
  const q = g.q1 ?? g.q2 ?? g.q3
  if (q !== undefined) {
    const quarter = numeral(q)
    return { date: lastDayOfMonth(year, quarter * 3), rule: 'quarter' }
  }
  if (g.m === undefined) return null
  let month = numeral(g.m)
  let day = g.d
  let part = g.part as keyof typeof PART_RULES | undefined
  if (g.d2 !== undefined || g.part2 !== undefined) {
    if (g.m2 !== undefined) month = numeral(g.m2)
    day = g.d2
    part = g.part2 as keyof typeof PART_RULES | undefined
  }
  if (!(month >= 1 && month <= 12)) return null
  if (day !== undefined) {
    const date = toDateString(year, month, numeral(day))
    return isValidDate(date) ? { date, rule: 'day' } : null
  }
  if (part === undefined) return null
  return { date: monthPartDate(year, month, part), rule: PART_RULES[part] }
}

function* deadlines(
  text: string,
  year: number,
): Generator<ResolvedDeadline & { index: number; end: number }> {
  const normalized = halfWidth(text)
  const re = new RegExp(DEADLINE_RE.source, 'g')
  let m: RegExpExecArray | null
  while ((m = re.exec(normalized)) !== null) {
    const g = (m.groups ?? {}) as Groups
    const end = m.index + m[0].length
    if (m[0].length === 0) {
      re.lastIndex = m.index + 1
      continue
    }
    const resolved = resolveMatch(g, year)
    const isStart = group(g, 'before') === undefined && STARTS_FROM.test(normalized.slice(end))
    if (resolved && !isStart) {
      yield { ...resolved, phrase: text.slice(m.index, end), index: m.index, end }
    } else {
      // Try again one character on: `2025年13月底` must not hide a later real deadline.
      re.lastIndex = m.index + 1
    }
  }
}

/** Finds the first deadline phrase in a sentence or paragraph and resolves it; null when none. */
export function findDeadline(text: string, year: number): ResolvedDeadline | null {
  for (const d of deadlines(text, year)) return { date: d.date, phrase: d.phrase, rule: d.rule }
  return null
}

/**
 * Resolves a phrase on its own (e.g. from a YAML plan's `due: 10月中旬前`); null when not a
 * deadline phrase. Invalid dates (2月30日) → null. Surrounding spaces and a final 。 are ignored.
 */
export function resolveDeadline(phrase: string, year: number): ResolvedDeadline | null {
  const trimmed = phrase
    .trim()
    .replace(/[。．.，,；;]+$/u, '')
    .trim()
  if (trimmed === '') return null
  for (const d of deadlines(trimmed, year)) {
    if (d.index === 0 && d.end === trimmed.length) return { date: d.date, phrase: d.phrase, rule: d.rule }
    break
  }
  return null
}

/**
 * How users see it: zh '10月中旬前（按10月20日计）', en '10月中旬前 (taken as 20 Oct)'; when the
 * phrase names the exact day, just the phrase. With no phrase, just the date.
 */
export function describeDeadline(d: { phrase: string; date: string }, locale: 'zh-CN' | 'en'): string {
  const day = formatMonthDay(d.date, locale)
  const phrase = d.phrase.trim()
  if (phrase === '') return day
  const resolved = resolveDeadline(phrase, Number(d.date.slice(0, 4)))
  if (resolved?.rule === 'day' && resolved.date.slice(5) === d.date.slice(5)) return phrase
  return messages(locale).status.deadlineTakenAs(phrase, day)
}
