/**
 * The roster of units: lookup by what people type, the plan's group phrases, and import.
 *
 * Lookup never guesses: a query resolves to one unit only when a single unit matches best;
 * otherwise the caller gets candidates (ambiguous) or the nearest names (unknown).
 */
import { asc, inArray } from 'drizzle-orm'
import { createRequire } from 'node:module'
import { parseCsv } from './csv.ts'
import { yamlToValues } from './yaml-values.ts'
import * as z from 'zod'
import type { Db } from '../db/client.ts'
import { unitGroups as unitGroupsTable, units as unitsTable, unitKinds, type UnitKind } from '../db/schema.ts'
import { bilingual, UserError } from '../errors.ts'

export type { UnitKind }

export interface Unit {
  id: number
  name: string
  shortName: string
  kind: UnitKind
  tags: string[]
  aliases: string[]
}

export type UnitMatch =
  | { kind: 'found'; unit: Unit }
  | { kind: 'ambiguous'; candidates: Unit[] } // ≤ 8, best first
  | { kind: 'unknown'; suggestions: Unit[] } // ≤ 5 nearest, possibly empty

/** Tag of departments that `市直各行政执法部门` addresses in the Taishan roster (and `--create-units` gives). */
export const LAW_ENFORCEMENT_TAG = '执法部门'

/**
 * A roster's group phrase (`各镇（街）`, `各县（市、区）政府`) and the units it means: those carrying
 * any of `tags`, of any of `kinds`, or named in `unitNames`. Roster data (`units import`, table
 * unit_groups): each bureau teaches the importer its own phrases.
 */
export interface UnitGroup {
  phrase: string
  /** Other spellings of the phrase (`各镇街`, `各镇（街道）`). */
  aliases: string[]
  tags: string[]
  kinds: UnitKind[]
  unitNames: string[]
}

const kindOrder: Record<UnitKind, number> = { subdistrict: 0, town: 1, county: 2, department: 3 }
const collator = new Intl.Collator('zh-CN')

/** Roster order: the subdistrict, the towns, the counties, then departments, each by name (pinyin order). */
export function compareUnits(a: Unit, b: Unit): number {
  return kindOrder[a.kind] - kindOrder[b.kind] || collator.compare(a.name, b.name)
}

/** Case-, width- and space-insensitive form of a name or query. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s·•・]/g, '')
}

const hasHan = (s: string) => /\p{Script=Han}/u.test(s)

/** The name without the city prefix and the kind suffix: 台城街道 → 台城, 市公安局 → 公安. */
function core(normalized: string): string {
  const stripped = normalized
    .replace(/^(台山市|市)/, '')
    .replace(/(街道办事处|街道办|街道|镇人民政府|镇政府|镇|局)$/, '')
  return stripped
}

interface UnitKeys {
  /** Normalized names, short name and aliases. */
  exact: string[]
  /** The same without prefix/suffix. */
  cores: string[]
  /** Full pinyin and initials of every Chinese key (spelled on first use: only Latin queries need them). */
  readonly pinyin: string[]
}

// pinyin-pro's dictionaries take a tenth of a second to load: they load with the first Latin
// query (taicheng, tc), so a command or reply that names a unit in Chinese never pays for them.
let pinyinModule: typeof import('pinyin-pro') | undefined
const loadPinyin = () =>
  (pinyinModule ??= createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro'))

// Lookup keys depend only on a unit's names; rosters are re-read per request, so cache by content.
const keyCache = new Map<string, UnitKeys>()

function spell(text: string): string[] {
  const options = { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true } as const
  const { pinyin } = loadPinyin()
  const full = pinyin(text, options).join('')
  const initials = pinyin(text, { ...options, pattern: 'first' }).join('')
  return [normalize(full), normalize(initials)]
}

function keysOf(unit: Unit): UnitKeys {
  const cacheKey = [unit.name, unit.shortName, ...unit.aliases].join('\u0000')
  const cached = keyCache.get(cacheKey)
  if (cached) return cached
  const exact = [...new Set([unit.name, unit.shortName, ...unit.aliases].map(normalize).filter(Boolean))]
  const cores = [...new Set(exact.map(core).filter(Boolean))]
  let spelled: string[] | undefined
  const keys: UnitKeys = {
    exact,
    cores,
    get pinyin() {
      if (!spelled) {
        const pinyinKeys = new Set<string>()
        for (const k of [...exact, ...cores]) {
          if (hasHan(k)) for (const p of spell(k)) pinyinKeys.add(p)
          else pinyinKeys.add(k) // a Latin alias such as `duhu`
        }
        spelled = [...pinyinKeys]
      }
      return spelled
    },
  }
  if (keyCache.size > 50_000) keyCache.clear()
  keyCache.set(cacheKey, keys)
  return keys
}

/** How well a unit matches a query: lower is better; null when it does not match at all. */
function matchLevel(unit: Unit, q: string, qCore: string): { level: number; keyLength: number } | null {
  const keys = keysOf(unit)
  const best = (level: number, hits: string[]) =>
    hits.length ? { level, keyLength: Math.min(...hits.map((h) => h.length)) } : null
  const latin = !hasHan(q)
  return (
    best(
      0,
      keys.exact.filter((k) => k === q),
    ) ??
    best(1, qCore ? keys.cores.filter((k) => k === qCore) : []) ??
    best(2, latin ? keys.pinyin.filter((k) => k === q) : []) ??
    best(
      3,
      [...keys.exact, ...keys.cores, ...(latin ? keys.pinyin : [])].filter((k) => k.startsWith(q)),
    ) ??
    best(4, hasHan(q) ? [...keys.exact].filter((k) => k.includes(q)) : [])
  )
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length] ?? 0
}

/** Similarity in [0, 1] for "did you mean": shared characters for Chinese, edit distance for pinyin. */
function similarity(unit: Unit, q: string): number {
  const keys = keysOf(unit)
  if (hasHan(q)) {
    const qChars = [...new Set(core(q) || q)]
    let best = 0
    for (const k of keys.exact) {
      const shared = qChars.filter((c) => k.includes(c)).length
      best = Math.max(best, shared / qChars.length - Math.abs(k.length - q.length) * 0.01)
    }
    return best
  }
  let best = 0
  for (const k of keys.pinyin) {
    const d = levenshtein(q, k)
    best = Math.max(best, 1 - d / Math.max(q.length, k.length))
  }
  return best
}

/**
 * Pure: resolves what a person typed to one unit by full name, short name, alias, pinyin
 * (taicheng), initials (tc), or a unique prefix/substring; never guesses between several.
 * Matching ignores case, spaces, full/half width, and the 市 prefix and 镇/街道/局 suffix.
 */
export function matchUnit(units: Unit[], query: string): UnitMatch {
  const q = normalize(query)
  if (!q) return { kind: 'unknown', suggestions: [] }
  const qCore = hasHan(q) ? core(q) : ''
  let bestLevel = Infinity
  let hits: { unit: Unit; keyLength: number }[] = []
  for (const unit of units) {
    const m = matchLevel(unit, q, qCore)
    if (!m) continue
    if (m.level < bestLevel) {
      bestLevel = m.level
      hits = []
    }
    if (m.level === bestLevel) hits.push({ unit, keyLength: m.keyLength })
  }
  if (hits.length === 1 && hits[0]) return { kind: 'found', unit: hits[0].unit }
  if (hits.length > 1) {
    hits.sort((a, b) => a.keyLength - b.keyLength || compareUnits(a.unit, b.unit))
    return { kind: 'ambiguous', candidates: hits.slice(0, 8).map((h) => h.unit) }
  }
  const threshold = hasHan(q) ? 0.5 : 0.6
  const suggestions = units
    .map((unit) => ({ unit, score: similarity(unit, q) }))
    .filter((s) => s.score >= threshold)
    .sort((a, b) => b.score - a.score || compareUnits(a.unit, b.unit))
    .slice(0, 5)
    .map((s) => s.unit)
  return { kind: 'unknown', suggestions }
}

type UnitRow = typeof unitsTable.$inferSelect

function toUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    name: row.name,
    shortName: row.shortName,
    kind: row.kind,
    tags: row.tags,
    aliases: row.aliases,
  }
}

/** The roster, ordered: subdistrict, towns, departments, each by name. */
export async function listUnits(db: Db): Promise<Unit[]> {
  const rows = await db.select().from(unitsTable)
  return rows.map(toUnit).sort(compareUnits)
}

/** `matchUnit` over the stored roster. */
export async function findUnit(db: Db, query: string): Promise<UnitMatch> {
  return matchUnit(await listUnits(db), query)
}

/** Units a group phrase means, in roster order. */
export function selectUnits(units: Unit[], group: UnitGroup): Unit[] {
  return units.filter(
    (u) =>
      group.kinds.includes(u.kind) ||
      u.tags.some((t) => group.tags.includes(t)) ||
      group.unitNames.includes(u.name),
  )
}

/** The group a phrase such as `各镇（街）` names (by its phrase or an alias), if it is one. */
export function findGroup(groups: readonly UnitGroup[], phrase: string): UnitGroup | undefined {
  const key = normalize(phrase)
  return groups.find((g) => normalize(g.phrase) === key || g.aliases.some((a) => normalize(a) === key))
}

/** The roster's group phrases (table unit_groups). */
export async function listUnitGroups(db: Db): Promise<UnitGroup[]> {
  const rows = await db.select().from(unitGroupsTable).orderBy(asc(unitGroupsTable.phrase))
  return rows.map((r) => ({
    phrase: r.phrase,
    aliases: r.aliases,
    tags: r.tags,
    kinds: r.kinds,
    unitNames: r.unitNames,
  }))
}

/** Words around the names in a bracket that are not names: `…按职责分工负责`, `…牵头`. */
const bracketTail = /(按照?职责分工|按职责|分别|共同)?(牵头)?(负责|落实|配合|参与|实施)$/
const itemTail = /(牵头|配合|参与|等)$/

/** Splits a responsibility bracket into the names and phrases it lists, as written. */
export function splitBracket(bracket: string): string[] {
  let text = bracket
    .trim()
    .replace(/^[[［〔【]/, '')
    .replace(/[\]］〕】]$/, '')
    .trim()
  text = text.replace(/\s+/g, '')
  for (let i = 0; i < 2; i++) text = text.replace(bracketTail, '')
  return text
    .split(/[、，,；;]/)
    .map((s) => s.replace(itemTail, '').trim())
    .filter(Boolean)
}

/**
 * Units a plan bracket names: explicit names (exact full name, short name or alias; no fuzzy
 * matching) and group phrases expanded; names not in the roster are returned in `unknown`.
 * Units come back in the order of `units`, each once.
 */
export function expandResponsibleUnits(
  units: Unit[],
  bracket: string,
  groups: readonly UnitGroup[],
): { units: Unit[]; unknown: string[] } {
  const chosen = new Set<Unit>()
  const unknown: string[] = []
  for (const item of splitBracket(bracket)) {
    const hits = expandPhrase(units, groups, item)
    if (hits === null) {
      if (!unknown.includes(item)) unknown.push(item)
    } else for (const u of hits) chosen.add(u)
  }
  return { units: units.filter((u) => chosen.has(u)), unknown }
}

/**
 * The units one name or group phrase of a responsibility clause means: a group's units, or the
 * one unit whose full name, short name or alias it is exactly (no fuzzy matching); null when the
 * roster does not know it.
 */
export function expandPhrase(units: Unit[], groups: readonly UnitGroup[], phrase: string): Unit[] | null {
  const group = findGroup(groups, phrase)
  if (group) return selectUnits(units, group)
  const key = normalize(phrase).replace(/^台山市/, '市')
  const hits = units.filter((u) =>
    keysOf(u).exact.some((k) => k === key || k.replace(/^台山市/, '市') === key),
  )
  return hits.length === 1 ? hits : null
}

/** Whether an unknown bracket item reads like a group (各…, 有关…) rather than one unit's name. */
export function looksLikeGroup(item: string): boolean {
  return /^(各|有关|相关|涉及|市直|其他|其它)/.test(item) || /各/.test(item)
}

/** Short text for "did you mean" answers: '台城街道、大江镇'. */
export function formatSuggestions(units: Unit[]): string {
  return units.map((u) => u.name).join('、')
}

// ---------------------------------------------------------------------------------------------
// Import

export interface UnitInput {
  name: string
  shortName?: string
  kind: UnitKind
  tags?: string[]
  aliases?: string[]
}

const kindWords: Record<string, UnitKind> = {
  街道: 'subdistrict',
  镇: 'town',
  部门: 'department',
  市直部门: 'department',
  县: 'county',
  区: 'county',
  县级: 'county',
  '县（市、区）': 'county',
}

const textList = z.array(z.string().trim().min(1).max(100)).max(50)

const unitInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  shortName: z.string().trim().min(1).max(50).optional(),
  kind: z.preprocess(
    (v) => (typeof v === 'string' ? (kindWords[v.trim()] ?? v.trim()) : v),
    z.enum(unitKinds),
  ),
  tags: textList.optional(),
  aliases: textList.optional(),
})

/** The short name people use when the roster gives none: 大江镇 → 大江, 市公安局 → 公安局. */
export function defaultShortName(name: string, kind: UnitKind): string {
  if (kind === 'department') return name.replace(/^(台山市|市)/, '') || name
  if (kind === 'county') return name.replace(/(人民政府|政府)$/, '').replace(/(市|县|区)$/, '') || name
  return name.replace(/(街道办事处|街道|镇)$/, '') || name
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'unit'}: ${i.message}`).join('; ')
}

type ValidUnit = { name: string; shortName: string; kind: UnitKind; tags: string[]; aliases: string[] }

function validateUnit(input: unknown, where: string): ValidUnit {
  const parsed = unitInputSchema.safeParse(input)
  if (!parsed.success)
    throw new UserError(bilingual('plan', (m) => m.unitInvalid(where, describeIssues(parsed.error))))
  const u = parsed.data
  return {
    name: u.name,
    shortName: u.shortName ?? defaultShortName(u.name, u.kind),
    kind: u.kind,
    tags: [...new Set(u.tags ?? [])],
    aliases: [...new Set(u.aliases ?? [])],
  }
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * Upserts by name in one transaction; validates with zod (a bad entry changes nothing);
 * returns counts { created, updated } (and `unchanged`). Units missing from the input are kept.
 */
export async function importUnits(
  db: Db,
  input: UnitInput[],
): Promise<{ created: number; updated: number; unchanged: number }> {
  const valid = input.map((u, i) => validateUnit(u, `#${i + 1}`))
  const seen = new Set<string>()
  for (const [i, u] of valid.entries()) {
    if (seen.has(u.name)) throw new UserError(bilingual('plan', (m) => m.unitDuplicate(`#${i + 1}`, u.name)))
    seen.add(u.name)
  }
  return db.transaction(async (tx) => {
    const existing = valid.length
      ? await tx
          .select()
          .from(unitsTable)
          .where(
            inArray(
              unitsTable.name,
              valid.map((u) => u.name),
            ),
          )
      : []
    const byName = new Map(existing.map((r) => [r.name, r]))
    let created = 0
    let updated = 0
    let unchanged = 0
    const toInsert: ValidUnit[] = []
    for (const u of valid) {
      const row = byName.get(u.name)
      if (!row) {
        toInsert.push(u)
        continue
      }
      if (
        row.shortName === u.shortName &&
        row.kind === u.kind &&
        sameList(row.tags, u.tags) &&
        sameList(row.aliases, u.aliases)
      ) {
        unchanged++
        continue
      }
      await tx
        .update(unitsTable)
        .set({ shortName: u.shortName, kind: u.kind, tags: u.tags, aliases: u.aliases })
        .where(inArray(unitsTable.id, [row.id]))
      updated++
    }
    if (toInsert.length) {
      await tx.insert(unitsTable).values(toInsert)
      created = toInsert.length
    }
    return { created, updated, unchanged }
  })
}

// ---------------------------------------------------------------------------------------------
// Roster files

/** A group phrase as a roster file writes it (`groups:` section). */
export interface GroupInput {
  phrase: string
  aliases?: string[]
  tags?: string[]
  kinds?: UnitKind[]
  units?: string[]
}

/** A roster file: its units and its group phrases. */
export interface RosterInput {
  units: UnitInput[]
  groups: GroupInput[]
}

/**
 * Reads a roster file: YAML (`.yaml`/`.yml`, also `.json`) as a list of units or `{ units: [...] }`,
 * or CSV (`.csv`) with the header `name,shortName,kind,tags,aliases` (lists separated by `;`, `|`
 * or `、`). Throws a UserError naming the line of the first problem. Units only; see
 * `parseRosterFile` for the group phrases too.
 */
export function parseUnitsFile(text: string, fileName: string): UnitInput[] {
  return parseRosterFile(text, fileName).units
}

/**
 * Reads a roster file with its group phrases: YAML/JSON `{ units: [...], groups: { phrase: {
 * aliases?, tags?, kinds?, units? } } }` (CSV carries units only).
 */
export function parseRosterFile(text: string, fileName: string): RosterInput {
  const ext = fileName.toLowerCase().match(/\.([a-z]+)$/)?.[1] ?? ''
  if (ext === 'csv') return { units: parseUnitsCsv(text, fileName), groups: [] }
  if (ext === 'yaml' || ext === 'yml' || ext === 'json') return parseRosterYaml(text, fileName)
  throw new UserError(bilingual('plan', (m) => m.fileType(fileName, '.yaml .yml .json .csv')))
}

const kindInput = z.preprocess(
  (v) => (typeof v === 'string' ? (kindWords[v.trim()] ?? v.trim()) : v),
  z.enum(unitKinds),
)

const groupInputSchema = z
  .object({
    aliases: textList.optional(),
    tags: textList.optional(),
    kinds: z.array(kindInput).max(10).optional(),
    units: z.array(z.string().trim().min(1).max(100)).max(5000).optional(),
  })
  .strict()
  .refine((g) => (g.tags?.length ?? 0) + (g.kinds?.length ?? 0) + (g.units?.length ?? 0) > 0, {
    message: 'a group names tags, kinds or units',
  })

// yaml loads with the first roster read (units import, the sandbox's seed), not with every
// command that looks a unit up.
let yamlModule: typeof import('yaml') | undefined
const loadYaml = () => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'))

function parseRosterYaml(text: string, fileName: string): RosterInput {
  const { LineCounter, parseDocument, isMap, isNode, isSeq } = loadYaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  const [firstError] = doc.errors
  if (firstError) {
    const line = firstError.linePos?.[0].line
    const where = line ? `${fileName}:${line}` : fileName
    throw new UserError(
      bilingual('plan', (m) => m.badYaml(where, firstError.message.split(/ at line \d|\n/)[0] ?? '')),
    )
  }
  const whereOf = (node: unknown, fallback: string) => {
    const offset = isNode(node) ? node.range?.[0] : undefined
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line
    return line ? `${fileName}:${line}` : `${fileName} ${fallback}`
  }
  const root = doc.contents
  const list: unknown = isMap(root) ? root.get('units', true) : root
  if (!isSeq(list)) throw new UserError(bilingual('plan', (m) => m.unitsFileShape(fileName)))
  const units = list.items.map((node, i) =>
    validateUnit(
      isNode(node) ? yamlToValues(doc, whereOf(node, `#${i + 1}`), node) : node,
      whereOf(node, `#${i + 1}`),
    ),
  )
  const groups: GroupInput[] = []
  const groupMap: unknown = isMap(root) ? root.get('groups', true) : undefined
  if (groupMap !== undefined && groupMap !== null) {
    if (!isMap(groupMap)) throw new UserError(bilingual('plan', (m) => m.unitsFileShape(fileName)))
    for (const pair of groupMap.items) {
      const phrase = String(isNode(pair.key) ? pair.key.toJS(doc) : pair.key).trim()
      const where = whereOf(pair.key, phrase)
      const parsed = groupInputSchema.safeParse(
        isNode(pair.value) ? yamlToValues(doc, where, pair.value) : pair.value,
      )
      if (!phrase || !parsed.success)
        throw new UserError(
          bilingual('plan', (m) =>
            m.unitInvalid(where, parsed.success ? 'phrase' : describeIssues(parsed.error)),
          ),
        )
      groups.push({ phrase, ...parsed.data })
    }
  }
  return { units, groups }
}

/**
 * Imports a roster file's units (see `importUnits`) and group phrases in ONE transaction: groups
 * are upserted by phrase (others kept); a group naming a unit the roster lacks, or a phrase or
 * alias used by two groups, changes nothing.
 */
export async function importRoster(
  db: Db,
  roster: RosterInput,
): Promise<{ created: number; updated: number; unchanged: number; groups: number }> {
  const seen = new Map<string, string>()
  for (const g of roster.groups)
    for (const spelling of [g.phrase, ...(g.aliases ?? [])]) {
      const key = normalize(spelling)
      const other = seen.get(key)
      if (other !== undefined && other !== g.phrase)
        throw new UserError(bilingual('plan', (m) => m.unitDuplicate(`groups.${g.phrase}`, spelling)))
      seen.set(key, g.phrase)
    }
  return db.transaction(async (tx) => {
    const counts = await importUnits(tx, roster.units)
    if (roster.groups.length === 0) return { ...counts, groups: 0 }
    const known = await listUnits(tx)
    for (const g of roster.groups) {
      const missing = (g.units ?? []).filter((n) => expandPhrase(known, [], n) === null)
      if (missing.length)
        throw new UserError(bilingual('plan', (m) => m.unitInvalid(`groups.${g.phrase}`, missing.join('、'))))
      // Names as the roster spells them, so a renamed alias does not break the group later.
      const unitNames = (g.units ?? []).map((n) => expandPhrase(known, [], n)![0]!.name)
      const values = {
        aliases: [...new Set(g.aliases ?? [])],
        tags: [...new Set(g.tags ?? [])],
        kinds: [...new Set(g.kinds ?? [])],
        unitNames: [...new Set(unitNames)],
      }
      await tx
        .insert(unitGroupsTable)
        .values({ phrase: g.phrase, ...values })
        .onConflictDoUpdate({ target: unitGroupsTable.phrase, set: values })
    }
    return { ...counts, groups: roster.groups.length }
  })
}

const csvColumns: Record<string, keyof UnitInput> = {
  name: 'name',
  名称: 'name',
  shortname: 'shortName',
  short_name: 'shortName',
  简称: 'shortName',
  kind: 'kind',
  类型: 'kind',
  tags: 'tags',
  标签: 'tags',
  aliases: 'aliases',
  别名: 'aliases',
}

function parseUnitsCsv(text: string, fileName: string): UnitInput[] {
  const [header, ...rows] = parseCsv(text)
  if (!header) return []
  const columns = header.fields.map((h) => csvColumns[h.trim().toLowerCase()])
  const missing = (['name', 'kind'] as const).filter((c) => !columns.includes(c))
  if (missing.length) throw new UserError(bilingual('plan', (m) => m.csvHeader(fileName, missing.join(', '))))
  const list = (s: string) =>
    s
      .split(/[;；|、]/)
      .map((x) => x.trim())
      .filter(Boolean)
  return rows.map((row) => {
    const record: Record<string, unknown> = {}
    columns.forEach((col, i) => {
      const value = (row.fields[i] ?? '').trim()
      if (!col || value === '') return
      record[col] = col === 'tags' || col === 'aliases' ? list(value) : value
    })
    return validateUnit(record, `${fileName}:${row.line}`)
  })
}
