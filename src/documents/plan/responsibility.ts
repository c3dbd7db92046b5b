/**
 * The responsibility grammar: how a plan says who answers for a task, read into names with roles.
 * Pure, no roster: names stay as written (group phrases such as `各县（市、区）政府` are expanded
 * later, against the roster).
 *
 * - Clauses are separated by `，,；;。` and line breaks; names inside a clause by `、/` and by
 *   `和 及 与 以及` when the name before them is complete (ends like a unit: `市司法局和市公安局`,
 *   but not `市住房和城乡建设局`). Separators inside brackets do not count: `各县（市、区）政府` and
 *   `各镇（街）` are one name each.
 * - A role word may end a name (`市司法局牵头`, `各县（市、区）政府落实`, `…按职责分工负责`), stand in
 *   brackets after it (`市公安局（配合）`), or label a clause (`牵头单位：…；配合单位：…`,
 *   `责任单位：…`). A name without its own role takes the role of the next name in its clause that
 *   has one (`市司法局、市直各行政执法部门按职责分工负责`), else its clause's label, else the default
 *   (responsible, or the table column's role).
 * - Roles: 牵头/主办/统筹 → lead; 负责/落实/承办/实施/参照执行/按职责分工负责 → responsible;
 *   配合/协助/参与/协同/协办 → support. `A会同B` reads as A leading, B responsible; `A等部门` is A.
 */
import type { ResponsibilityEntry, ResponsibilityRole } from '../../domain/plan-draft.ts'

export interface ResponsibilityReading {
  entries: ResponsibilityEntry[]
  /** How many names or labels carried a role word of their own. */
  roleWords: number
  /** Pieces that are no names (a sentence, a label without names): the clause was not fully read. */
  problems: string[]
}

const OPENERS = '（(【[〔［《“‘'
const CLOSERS = '）)】]〕］》”’'

/** Role words, longest first, as they end a name; each with its role. */
const ROLE_WORDS: [string, ResponsibilityRole][] = [
  ['按照职责分工负责', 'responsible'],
  ['按职责分工负责', 'responsible'],
  ['按职责分工落实', 'responsible'],
  ['按职能分工负责', 'responsible'],
  ['按职责负责', 'responsible'],
  ['分工负责', 'responsible'],
  ['共同负责', 'responsible'],
  ['具体负责', 'responsible'],
  ['具体落实', 'responsible'],
  ['具体实施', 'responsible'],
  ['统筹推进', 'lead'],
  ['负责落实', 'responsible'],
  ['抓好落实', 'responsible'],
  ['组织实施', 'responsible'],
  ['共同推进', 'responsible'],
  ['参照执行', 'responsible'],
  ['牵头负责', 'lead'],
  ['牵头落实', 'lead'],
  ['牵头抓总', 'lead'],
  ['负责牵头', 'lead'],
  ['协助配合', 'support'],
  ['配合落实', 'support'],
  ['共同参与', 'support'],
  ['按职责分工', 'responsible'],
  ['按职责', 'responsible'],
  ['牵头', 'lead'],
  ['统筹', 'lead'],
  ['主办', 'lead'],
  ['负责', 'responsible'],
  ['落实', 'responsible'],
  ['承办', 'responsible'],
  ['实施', 'responsible'],
  ['配合', 'support'],
  ['协助', 'support'],
  ['参与', 'support'],
  ['协同', 'support'],
  ['协办', 'support'],
]
const ROLE_OF = new Map(ROLE_WORDS)
/**
 * The nouns after a role word in a label (`牵头单位`, `责任部门`, `责任科室`: a bureau's plan for
 * its own offices), as a regex source.
 */
export const UNIT_NOUN = '(?:单位|部门|科室|股室|处室|机构)'
/** The head of a unit label, `牵头单位：`, `责任部门:`, `配合科室：`, as a regex source. */
export const LABEL_HEAD = `(?:牵头|主办|责任|负责|承办|配合|协办|协助|参与)${UNIT_NOUN}\\s*[:：]`

/** The role a role word names on its own (`牵头`, `配合`, `按职责分工负责`), or null. */
export function roleOfWord(word: string): ResponsibilityRole | null {
  return ROLE_OF.get(word.trim()) ?? LABEL_ROLES[word.trim()] ?? null
}
/** Any role word, anywhere (a cheap test before a full reading). */
export const ROLE_WORD = new RegExp(ROLE_WORDS.map(([w]) => w).join('|'))
const ROLE_TAIL = new RegExp(`(?:${ROLE_WORD.source})$`)
/** `（牵头）`, `(配合单位)` after a name. */
const ROLE_IN_BRACKETS = new RegExp(`[（(]\\s*(${ROLE_WORD.source})${UNIT_NOUN}?\\s*[）)]$`)
/** `牵头单位：`, `责任单位:`, `配合部门：`, `牵头：` at the start of a clause. */
const LABEL = new RegExp(
  `^(牵头|主办|责任|负责|承办|落实|实施|主责|配合|协办|协助|参与|协同|具体负责)${UNIT_NOUN}?\\s*[:：]\\s*`,
)
/** A space before a second label (`牵头单位：A 配合单位：B`): a clause separator. */
const SPACE_BEFORE_LABEL = new RegExp(
  `[ \\t\\u3000]+(?=(?:牵头|主办|责任|配合|协办|协助|参与)${UNIT_NOUN}\\s*[:：])`,
  'g',
)
const LABEL_ROLES: Record<string, ResponsibilityRole> = {
  牵头: 'lead',
  主办: 'lead',
  责任: 'responsible',
  负责: 'responsible',
  承办: 'responsible',
  落实: 'responsible',
  实施: 'responsible',
  主责: 'responsible',
  具体负责: 'responsible',
  配合: 'support',
  协办: 'support',
  协助: 'support',
  参与: 'support',
  协同: 'support',
}

/** How a unit's name ends: after such a name `和`/`及`/`与` separates two names. */
const UNIT_END =
  /(?:局|办|委|院|队|政府|镇|街道|街|区|县|部门|单位|中心|所|站|会|厅|处|科|室|组|部|公司|集团|机构|[）)])$/

/** `市司法局会同市公安局`: the first leads, the others are responsible with it. */
const JOINTLY_WITH = new RegExp(`(?<=${UNIT_END.source.replace(/\$$/, '')})会同`, 'g')

/** Splits at top-level separators (outside brackets). Linear: no copies while scanning. */
function splitTopLevel(
  text: string,
  separatorAt: (text: string, i: number, start: number) => number,
): string[] {
  const pieces: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i)
    if (OPENERS.includes(ch)) depth++
    else if (CLOSERS.includes(ch)) depth = Math.max(0, depth - 1)
    else if (depth === 0) {
      const width = separatorAt(text, i, start)
      if (width > 0) {
        pieces.push(text.slice(start, i))
        start = i + width
        i += width - 1
      }
    }
  }
  pieces.push(text.slice(start))
  return pieces.map((p) => p.trim()).filter((p) => p !== '')
}

const isClauseSeparator = (text: string, i: number) => ('，,；;。\n'.includes(text.charAt(i)) ? 1 : 0)

/** Whether the name before position i (from start) is complete, as a unit's name ends. */
function nameEnds(text: string, i: number, start: number): boolean {
  return i > start && UNIT_END.test(text.slice(Math.max(start, i - 4), i))
}

function isNameSeparator(text: string, i: number, start: number): number {
  const c = text.charAt(i)
  if (c === '、' || c === '/' || c === '／') return 1
  if (c === '以' && text.charAt(i + 1) === '及' && nameEnds(text, i, start)) return 2
  if ((c === '和' || c === '及' || c === '与') && nameEnds(text, i, start)) return 1
  return 0
}

function normalizeName(name: string): string {
  return (
    name
      .replace(/\s+/g, '')
      .replace(/\(/g, '（')
      .replace(/\)/g, '）')
      .replace(/^(?:由|请|要求)/, '')
      // `市公安局等相关部门`: the name is 市公安局.
      .replace(/等(?:相关|有关|其他)?(?:部门|单位)?$/, '')
  )
}

/** One name with the role words around it taken off. */
function readPiece(raw: string): { name: string; role: ResponsibilityRole | null } {
  let name = raw.replace(/\s+/g, '')
  let role: ResponsibilityRole | null = null
  const bracketed = ROLE_IN_BRACKETS.exec(name)
  if (bracketed) {
    role = ROLE_OF.get(bracketed[1] ?? '') ?? null
    name = name.slice(0, bracketed.index)
  }
  // `市司法局牵头负责`: strip role words from the end, the first (outermost) decides.
  for (let guard = 0; guard < 3; guard++) {
    const tail = ROLE_TAIL.exec(name)
    if (!tail) break
    role ??= ROLE_OF.get(tail[0]) ?? null
    name = name.slice(0, tail.index)
  }
  return { name: normalizeName(name), role }
}

function isName(name: string): boolean {
  return name.length >= 2 && name.length <= 40 && !/[。：:“”《》!?！？]/.test(name) && !/^\d+$/.test(name)
}

/** `（…）` or `【…】` around the whole text comes off; `各镇（街）` keeps its bracket. */
export function unwrap(text: string): string {
  if (!OPENERS.includes(text[0] ?? '')) return text
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ''
    if (OPENERS.includes(ch)) depth++
    else if (CLOSERS.includes(ch)) depth--
    if (depth === 0) return i === text.length - 1 ? text.slice(1, -1).trim() : text
  }
  return text.slice(1).trim() // never closed
}

/**
 * Reads a responsibility clause (`市司法局牵头，各镇（街）配合`, `牵头单位：市司法局；配合单位：…`)
 * into names with roles, in document order, duplicates (same name and role) removed.
 */
export function parseResponsibility(
  text: string,
  defaultRole: ResponsibilityRole = 'responsible',
): ResponsibilityReading {
  const entries: ResponsibilityEntry[] = []
  const problems: string[] = []
  let roleWords = 0
  // `牵头单位：A 配合单位：B` (a space instead of ；) is two clauses.
  const inner = unwrap(text.trim()).replace(SPACE_BEFORE_LABEL, '；').replace(JOINTLY_WITH, '牵头，')
  for (const clause of splitTopLevel(inner, isClauseSeparator)) {
    const label = LABEL.exec(clause)
    const labelRole = label ? (LABEL_ROLES[label[1] ?? ''] ?? null) : null
    const body = label ? clause.slice(label[0].length) : clause
    const pieces = splitTopLevel(body, isNameSeparator).map(readPiece)
    if (labelRole) roleWords++
    roleWords += pieces.filter((p) => p.role !== null).length
    let following: ResponsibilityRole | null = null
    const roles: (ResponsibilityRole | null)[] = []
    for (let i = pieces.length - 1; i >= 0; i--) {
      const own = pieces[i]?.role ?? null
      if (own) following = own
      roles[i] = own ?? labelRole ?? following
    }
    pieces.forEach((p, i) => {
      if (p.name === '') return // a bare role word (`负责`) after a separator
      if (!isName(p.name)) {
        problems.push(p.name)
        return
      }
      const role = roles[i] ?? defaultRole
      if (!entries.some((e) => e.phrase === p.name && e.role === role)) entries.push({ phrase: p.name, role })
    })
    if (label && pieces.length === 0) problems.push(clause)
  }
  return { entries, roleWords, problems }
}

/** Names that read as units or groups of units without a role word: `市司法局`, `各镇（街）`, `市直有关单位`. */
const UNIT_LIKE =
  /(?:局|办|委|院|队|政府|镇|街道|（街）|区|县|部门|单位|中心|所|站|厅|处|科|办公室|分局|支队|大队|公司|集团|机构|法院|检察院)$/
const GROUP_LIKE = /^各|有关|相关|各[^，、]{0,8}(?:部门|单位)/
/** A round bracket that opens like one of these is a note, not units: `（以下简称…）`, `（试行）`. */
const NOTE_START = /^(?:以下简称|下称|简称|含|包括|即|如|例如|试行|暂行|草案|征求意见稿|第|注|详见|见|附)/

/**
 * Whether a round bracket's content is a responsibility note: names of units or group phrases and
 * role words only. Rule: no note opening (`以下简称`, `试行`, `第…`), no book-title marks, quotes,
 * full stops or years; every piece parses as a name of 2 to 30 characters; and either a name or
 * label carries a role word and some name reads as a unit, or every name reads as a unit (ends in
 * 局/办/委/院/队/政府/镇/街/区/部门/单位…, or is a group such as `各有关单位`) and has at least
 * 3 characters, which keeps `（市、区）`, `（街）` and `（党组）` out. With `everyNameAUnit`, every name
 * must read as a unit even when role words are there (for text outside any bracket).
 */
export function looksLikeResponsibility(content: string, opts: { everyNameAUnit?: boolean } = {}): boolean {
  const text = content.trim()
  if (text === '' || text.length > 300) return false
  if (NOTE_START.test(text) || /[《》“”"。]|\d{4}|[A-Za-z]{3,}/.test(text)) return false
  const reading = parseResponsibility(text)
  if (reading.problems.length > 0 || reading.entries.length === 0) return false
  if (reading.entries.some((e) => e.phrase.length > 30)) return false
  const unitLike = (name: string) => UNIT_LIKE.test(name) || GROUP_LIKE.test(name)
  if (reading.roleWords > 0 && !opts.everyNameAUnit) return reading.entries.some((e) => unitLike(e.phrase))
  return reading.entries.every((e) => e.phrase.length >= 3 && unitLike(e.phrase))
}
