/**
 * Deadlines written in words, the way Chinese government documents write them (`今年10月中旬前`,
 * `11月底前`, `第三季度`), resolved to a due date by the rule in product.md:
 * X月Y日 → that day; 上旬 → 10th; 中旬 → 20th; 下旬/底/末 → last day of the month;
 * 上半年 → 30 June; 下半年/年底/年内 → 31 December; a quarter → its last day.
 */
import { formatMonthDay, isValidDate, lastDayOfMonth, toDateString } from './dates.ts'
import { messages } from '../i18n/index.ts'
import type { DeadlineDraft } from './plan-draft.ts'

export type DeadlineRule = 'day' | 'early' | 'mid' | 'late' | 'half' | 'year' | 'quarter' | 'start' | 'month'

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
/** A part of a month: `中下旬` (its later part, read as the end) and `上中旬` before their halves. */
const PART = '上中旬|中下旬|上旬|中旬|下旬|底|末'

const MONTH_DAY = `(?<m>${MONTH})${SP}月${SP}(?:(?<d>${DAY})${SP}[日号]|(?<part>${PART}))`
// `10月1日至15日`, `9月1日至10月31日`: the end of the range is the deadline.
const RANGE_END =
  `(?:${SP}(?:至|到|——|[-—–~～])${SP}(?:(?<m2>${MONTH})${SP}月${SP})?` +
  `(?:(?<d2>${DAY})${SP}[日号]|(?<part2>${PART})))?`
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
/** After a date, these make it a start (`10月1日起施行`), not a deadline. Sticky: tested at the match's end, no copy of the rest. */
const STARTS_FROM = /[ \t]*(?:起|开始|以来|以后|之后|后)/y

function startsFrom(text: string, at: number): boolean {
  STARTS_FROM.lastIndex = at
  return STARTS_FROM.test(text)
}

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
  初: 'start',
  上旬: 'early',
  上中旬: 'mid',
  中旬: 'mid',
  中下旬: 'late',
  下旬: 'late',
  底: 'late',
  末: 'late',
} as const satisfies Record<string, DeadlineRule>

/** The day a part of a month stands for, by its rule: the 5th, 10th, 20th, or the last day. */
function monthPartDate(year: number, month: number, part: keyof typeof PART_RULES): string {
  switch (PART_RULES[part]) {
    case 'start':
      return toDateString(year, month, 5)
    case 'early':
      return toDateString(year, month, 10)
    case 'mid':
      return toDateString(year, month, 20)
    default:
      return lastDayOfMonth(year, month)
  }
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
  if (g.ym1 !== undefined || g.ym2 !== undefined) return { date: toDateString(year, 6, 30), rule: 'half' }
  const monthOnly = g.rm2 ?? g.mo
  if (monthOnly !== undefined) {
    const month = numeral(monthOnly)
    return month >= 1 && month <= 12 ? { date: lastDayOfMonth(year, month), rule: 'month' } : null
  }
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
  source: RegExp = DEADLINE_RE,
): Generator<ResolvedDeadline & { index: number; end: number; explicitYear: boolean }> {
  const normalized = halfWidth(text)
  // One compiled regex per rule, reused (a generator is consumed before the next call starts).
  const re = source
  re.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(normalized)) !== null) {
    const g = (m.groups ?? {}) as Groups
    const end = m.index + m[0].length
    if (m[0].length === 0) {
      re.lastIndex = m.index + 1
      continue
    }
    const resolved = resolveMatch(g, year)
    const isStart = group(g, 'before') === undefined && startsFrom(normalized, end)
    if (resolved && !isStart) {
      const explicitYear = group(g, 'abs') !== undefined || g.iy !== undefined
      yield { ...resolved, phrase: text.slice(m.index, end), index: m.index, end, explicitYear }
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

// ---------------------------------------------------------------------------------------------
// Deadline drafts: what a plan reader keeps (one date, a recurring series, or ongoing work).
//
// These read more phrases than findDeadline/resolveDeadline, which keep their narrower rule for
// their callers: `X月初` (the 5th), `年中` (30 June), `X月份` and `X月前`/`X月完成` (last day of the
// month), month ranges `3月至6月`, `3—6月` (end of the range), recurring phrases (`每月10日前`,
// `每季度末`, `每半年`, `每年11月30日前`) and ongoing work (`长期坚持`, `持续推进`, `常态化`).

const MONTH_RANGE =
  `(?<rm1>${MONTH})${SP}(?:月${SP}(?:份${SP})?)?(?:至|到|——|[-—–~～])${SP}` +
  `(?<rm2>1[0-2]|0?[1-9]|十[一二]|十|[一二三四五六七八九])${SP}月(?:${SP}(?:份|底|末))?`
const MONTH_DAY_X = `(?<m>${MONTH})${SP}月${SP}(?:(?<d>${DAY})${SP}[日号]|(?<part>${PART}|初))`
// `6月份` anywhere; a bare `6月` only where it is plainly a deadline (`6月前`, `6月完成`, or alone).
const MONTH_ALONE = `(?<mo>${MONTH})${SP}月(?:${SP}份|(?=${SP}(?:以前|之前|前|内完成|完成)|${SP}$))`
const MID_YEAR_BARE = `(?<![\\d${ZH_NUM}两几半数多近每全当今本]${SP})(?<ym2>年中)(?![秋旬期])`

const DRAFT_SOURCE =
  `(?:${YEAR_PREFIX}${SP})?(?:${MONTH_RANGE}|${MONTH_DAY_X}${RANGE_END}|${MONTH_ALONE}|${HALF}|${QUARTER})${BEFORE}` +
  `|(?:${YEAR_PREFIX})${SP}(?<ym1>年中)${BEFORE}` +
  `|(?:${YEAR_PREFIX})${SP}${YEAR_END_AFTER_PREFIX}${BEFORE}` +
  `|${YEAR_END_BARE}${BEFORE}` +
  `|${MID_YEAR_BARE}${BEFORE}` +
  `|${ISO}${BEFORE}`
const DRAFT_RE = new RegExp(numberGroups(DRAFT_SOURCE), 'g')

const SERIES_SOURCE =
  `每${SP}(?:个${SP})?月(?:${SP}的)?${SP}(?<md>${DAY})${SP}[日号]` +
  `|每${SP}(?:个${SP})?月(?:${SP}月)?${SP}(?<mend>底|末)` +
  `|每${SP}(?:个${SP})?季度${SP}(?:第一个月|首月)${SP}(?<qd>${DAY})${SP}[日号]` +
  `|每${SP}(?:个${SP})?季度${SP}结束后${SP}(?<qa>${DAY})${SP}日内` +
  `|每${SP}(?:个${SP})?季度(?<qend>${SP}(?:末|结束前|最后一个月底?))?` +
  `|每${SP}半年(?<hend>${SP}(?:末|结束前))?` +
  `|每${SP}年(?:${SP}度)?${SP}(?<ym>${MONTH})${SP}月${SP}(?:(?<yd>${DAY})${SP}[日号]|(?<ypart>${PART}|初))` +
  `|每${SP}年(?:${SP}度)?${SP}(?<yend>年底|年末|底|末)` +
  `|每${SP}(?:个${SP})?月`
const SERIES_RE = new RegExp(SERIES_SOURCE, 'g')

/** Words of work that never ends; read as a whole clause in prose, anywhere in a deadline cell. */
const ONGOING_WORDS =
  '长期坚持|长期推进|长期执行|长期开展|持续推进|持续开展|持续实施|常态化推进|常态化开展|常态化|长期|持续'
const ONGOING_CLAUSE = new RegExp(`^(?:并|且|要|需|须)?(?:${ONGOING_WORDS})(?:下去|抓好落实|进行)?$`)
const ONGOING_IN_CELL = new RegExp(ONGOING_WORDS)
/** `…年底前完成并长期推进`: a first date, then the work goes on. */
const THEN_ONGOING = new RegExp(`(?:完成|前|后)(?:后)?(?:并|且)(?:${ONGOING_WORDS})(?:下去|抓好落实|进行)?$`)
const TIME_LABEL_WORDS = '完成时限|完成期限|时间节点|完成时间|时限要求|办结时限|截止时间|时间安排|时限'
/** A labelled time slot in prose: `完成时限：…`, `时间节点：…`. */
const TIME_LABEL = new RegExp(`(?:${TIME_LABEL_WORDS})\\s*[:：]\\s*([^。；;\\n]{1,40})`)
/** A time label starting a line or a clause (`完成时限：`), with the space after it. */
export const TIME_LABEL_START = new RegExp(`^\\s*(?:${TIME_LABEL_WORDS})\\s*[:：]\\s*`)
/** Looks like a deadline, whether or not it resolves: to catch `2月30日前`, `13月底前`. */
const LOOKS_LIKE_DEADLINE =
  /(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?:(?:\d{1,2}|[一二三四五六七八九十廿]{1,3})\s*[日号]|[上中下]旬|底|末)\s*(?:前|以前|之前)/

/** What a reader makes of the time words of a task: a deadline, or the words it could not read. */
export interface DeadlineReading {
  deadline: DeadlineDraft | null
  /** Words that look like a deadline but give no date (a doubt for the clerk), else null. */
  unread: string | null
}

type DeadlineDraftDate = Extract<DeadlineDraft, { kind: 'date' }>
type SeriesEvery = Extract<DeadlineDraft, { kind: 'series' }>['every']

function seriesDates(g: Groups, year: number): { dates: string[]; every: SeriesEvery } | null {
  const months = Array.from({ length: 12 }, (_, i) => i + 1)
  const dayIn = (m: number, d: number) => {
    const last = lastDayOfMonth(year, m)
    return Number(last.slice(8)) < d ? last : toDateString(year, m, d)
  }
  if (g.md !== undefined) {
    const d = numeral(g.md)
    return d >= 1 && d <= 31 ? { dates: months.map((m) => dayIn(m, d)), every: 'month' } : null
  }
  if (g.qd !== undefined) {
    const d = numeral(g.qd)
    return d >= 1 && d <= 31 ? { dates: [1, 4, 7, 10].map((m) => dayIn(m, d)), every: 'quarter' } : null
  }
  if (g.qa !== undefined) {
    // N days after each quarter: the first months of the next quarters, the last in the next year.
    const d = numeral(g.qa)
    if (!(d >= 1 && d <= 31)) return null
    return {
      dates: [...[4, 7, 10].map((m) => dayIn(m, d)), toDateString(year + 1, 1, Math.min(d, 31))],
      every: 'quarter',
    }
  }
  if (g.ym !== undefined) {
    const m = numeral(g.ym)
    if (!(m >= 1 && m <= 12)) return null
    let date: string
    if (g.yd !== undefined) date = toDateString(year, m, numeral(g.yd))
    else date = monthPartDate(year, m, g.ypart as keyof typeof PART_RULES)
    return isValidDate(date) ? { dates: [date], every: 'year' } : null
  }
  if (g.yend !== undefined) return { dates: [toDateString(year, 12, 31)], every: 'year' }
  if (g.hend !== undefined || /半年/.test(g.all ?? ''))
    return { dates: [toDateString(year, 6, 30), toDateString(year, 12, 31)], every: 'half' }
  if (/季度/.test(g.all ?? ''))
    return { dates: [3, 6, 9, 12].map((m) => lastDayOfMonth(year, m)), every: 'quarter' }
  // 每月, 每月底
  return { dates: months.map((m) => lastDayOfMonth(year, m)), every: 'month' }
}

/** The first recurring phrase in the text, with where it stands. */
function findSeries(text: string, year: number): { draft: DeadlineDraft; index: number; end: number } | null {
  if (!text.includes('每')) return null
  const normalized = halfWidth(text)
  const re = SERIES_RE
  re.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(normalized)) !== null) {
    // Keep what follows 每月10日 as part of the phrase (前/以前), for display.
    const before = /^[ \t]*(?:以前|之前|前)/.exec(
      normalized.slice(m.index + m[0].length, m.index + m[0].length + 8),
    )
    const end = m.index + m[0].length + (before?.[0].length ?? 0)
    const series = seriesDates({ ...(m.groups as Groups), all: m[0] }, year)
    if (!series) continue
    // `从7月起每月10日前报送`: the series starts there; its earlier dates are not this task's.
    const start = seriesStart(normalized.slice(0, m.index), year)
    const dates = start ? series.dates.filter((d) => d >= start.date) : series.dates
    if (start && dates.length > 0) {
      const from = text.slice(start.index, start.end)
      const phrase = text.slice(m.index, end)
      const shown = m.index - start.end <= 2 ? text.slice(start.index, end) : `${from}…${phrase}`
      return { draft: { kind: 'series', text: shown, ...series, dates }, index: m.index, end }
    }
    return { draft: { kind: 'series', text: text.slice(m.index, end), ...series }, index: m.index, end }
  }
  return null
}

/** A start said in the plan's year before a recurring phrase: `从7月起`, `自2026年7月1日起`, `下半年起`. */
const SERIES_START = new RegExp(
  `(?:从|自)?(?:(?<year>\\d{4})${SP}年${SP})?` +
    `(?:(?<month>${MONTH})${SP}月(?:份)?(?:${SP}(?<day>${DAY})${SP}[日号])?|(?<half>下半年)|(?<quarter>[二三四])季度)` +
    `${SP}(?:起|开始)`,
  'g',
)

function seriesStart(before: string, year: number): { date: string; index: number; end: number } | null {
  // The last start in the same sentence as the phrase.
  const sentence = Math.max(before.lastIndexOf('。'), before.lastIndexOf('；'), before.lastIndexOf(';'))
  let found: { date: string; index: number; end: number } | null = null
  SERIES_START.lastIndex = sentence + 1
  for (let m; (m = SERIES_START.exec(before)) !== null;) {
    const g = m.groups as Groups
    if (g.year !== undefined && Number(g.year) !== year) continue
    let date: string
    if (g.half !== undefined) date = toDateString(year, 7, 1)
    else if (g.quarter !== undefined) date = toDateString(year, numeral(g.quarter) * 3 - 2, 1)
    else date = toDateString(year, numeral(g.month!), g.day === undefined ? 1 : numeral(g.day))
    if (isValidDate(date)) found = { date, index: m.index, end: m.index + m[0].length }
  }
  return found
}

/** The first one-off date, leaving out one inside a recurring phrase (`每年11月30日前`). */
function firstDate(
  text: string,
  year: number,
  series: { index: number; end: number } | null,
): (DeadlineDraftDate & { index: number }) | null {
  // Every phrase has one of these; most sentences of a plan have none.
  if (!/[月年季度Qq\-/.]/.test(text)) return null
  for (const d of deadlines(text, year, DRAFT_RE)) {
    if (series && d.index < series.end && d.end > series.index) continue
    return { kind: 'date', text: d.phrase, date: d.date, explicitYear: d.explicitYear, index: d.index }
  }
  return null
}

/** Whole clauses of the text that say the work goes on (`，长期坚持。`). */
function ongoingClause(text: string): string | null {
  for (const clause of text.split(/[，,。；;！!\n]/)) {
    const c = clause.trim()
    if (c.length <= 12 && ONGOING_CLAUSE.test(c)) return c
    const then = THEN_ONGOING.exec(c)
    if (then) return then[0].replace(/^(?:完成|前|后)+/, '')
  }
  return null
}

/**
 * Resolves the text with the plan's year, or without one: a phrase that names its own year
 * resolves anyway; one that needs the plan's year is returned as unread.
 */
function withYear(year: number | null, read: (y: number) => DeadlineReading): DeadlineReading {
  if (year !== null) return read(year)
  const probe = read(2000)
  const d = probe.deadline
  if (d === null) return probe
  if (d.kind === 'date' && d.explicitYear) return probe
  if (d.kind === 'ongoing' && d.date === null) return probe
  return { deadline: null, unread: d.text }
}

/**
 * Two or more one-off dates listed one after the other in a time slot (`6月30日、12月31日前`,
 * `3月底和9月底前`), in order: each is a due date of its own. Null for one date or a range.
 */
/** A listed slot's last month with its words (`12月底前`), which go with each month before it. */
const LIST_TAIL = new RegExp(`月(${PART})?(以前|之前|前)?$`)

function listedDates(given: string, year: number): string[] | null {
  // `3月、6月、9月、12月底前`: the last month's words go with each month before it.
  const tail = LIST_TAIL.exec(given)
  const text = tail
    ? given.replace(
        /(\d{1,2}|十[一二]|[一二三四五六七八九十])月(?=[、，,和及与])/g,
        `$1月${tail[1] ?? '底'}${tail[2] ?? ''}`,
      )
    : given
  const found = [...deadlines(text, year, DRAFT_RE)]
  if (found.length < 2) return null
  const normalized = halfWidth(text)
  for (let i = 1; i < found.length; i++) {
    const between = normalized.slice(found[i - 1]!.end, found[i]!.index)
    if (!/^[\s、，,和及与以前]*$/.test(between)) return null
    if (found[i]!.date <= found[i - 1]!.date) return null
  }
  return found.map((d) => d.date)
}

/** The date a whole cell of `6.30` or `全年` stands for, or null. */
function cellShorthand(text: string, year: number): string | null {
  const md = /^(\d{1,2})[.．](\d{1,2})(?:以前|之前|前)?$/.exec(text)
  if (md) {
    const date = toDateString(year, Number(md[1]), Number(md[2]))
    return isValidDate(date) ? date : null
  }
  return /^(?:全年|全年度|本年度内|年度内)(?:完成|推进|实施)?$/.test(text) ? toDateString(year, 12, 31) : null
}

function readCellIn(text: string, year: number): DeadlineReading {
  const t = text.trim()
  if (t === '' || /^[—\-–/／无暂无]+$/.test(t)) return { deadline: null, unread: null }
  const series = findSeries(t, year)
  const date = firstDate(t, year, series)
  if (ONGOING_IN_CELL.test(t)) {
    return { deadline: { kind: 'ongoing', text: t, date: date?.date ?? null }, unread: null }
  }
  const listed = series ? null : listedDates(t, year)
  if (listed) return { deadline: { kind: 'series', text: t, dates: listed, every: 'listed' }, unread: null }
  // A cell's shorthand: `6.30` (30 June), `全年` (within the year).
  const short = cellShorthand(t, year)
  if (short) return { deadline: { kind: 'date', text: t, date: short, explicitYear: false }, unread: null }
  if (date)
    return {
      deadline: { kind: 'date', text: date.text, date: date.date, explicitYear: date.explicitYear },
      unread: null,
    }
  if (series) return { deadline: series.draft, unread: null }
  return { deadline: null, unread: t }
}

/**
 * Reads a cell or field that is about time as a whole (a table's 完成时限, a YAML `dueText`):
 * `2024年6月底前`, `每季度末`, `长期坚持`, `2025年年底前完成并长期推进`. A non-empty text that
 * gives nothing is returned as unread (`—`, `/`, `无` are empty).
 */
export function readDeadlinePhrase(text: string, year: number | null): DeadlineReading {
  return withYear(year, (y) => readCellIn(text, y))
}

function readProseIn(text: string, year: number): DeadlineReading {
  const label = TIME_LABEL.exec(text)
  if (label) {
    const reading = readCellIn(label[1] ?? '', year)
    if (reading.deadline || reading.unread) return reading
  }
  const series = findSeries(text, year)
  const date = firstDate(text, year, series)
  const ongoing = ongoingClause(text)
  if (ongoing) {
    return {
      deadline: {
        kind: 'ongoing',
        text: date ? `${date.text}…${ongoing}` : ongoing,
        date: date?.date ?? null,
      },
      unread: null,
    }
  }
  if (date)
    return {
      deadline: { kind: 'date', text: date.text, date: date.date, explicitYear: date.explicitYear },
      unread: null,
    }
  if (series) return { deadline: series.draft, unread: null }
  const loose = LOOKS_LIKE_DEADLINE.exec(text)
  return { deadline: null, unread: loose ? loose[0] : null }
}

/**
 * Reads the deadline of a task written in prose: a labelled slot (`完成时限：…`) first; else the
 * first one-off date (`今年10月中旬前`), made ongoing when a clause says the work goes on
 * (`2025年年底前完成并长期推进`); else a recurring phrase (`每月10日前报送`). Words that look like a
 * deadline but name no real day (`2月30日前`) come back as unread.
 */
export function readDeadlineInText(text: string, year: number | null): DeadlineReading {
  return withYear(year, (y) => readProseIn(text, y))
}
