/**
 * Officers' training hours against the plan's yearly minimum (60 hours per officer by default).
 *
 * Two sources feed an officer's yearly total: the bureau's spreadsheet, imported as each
 * officer's total so far (one record per officer and year, replaced by the next import), and
 * single entries logged with /hours (added on top). Officers are added only by an import: an
 * entry for an unknown name is refused with suggestions, never creates one.
 */
import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { officers, plans, trainingRecords, units, type Locale } from '../db/schema.ts'
import { isValidDate, localDate } from './dates.ts'
import { checkName, readCsvTable, resolveUnit, throwLineProblems } from './people.ts'
import { localized, LocalizedUserError, userError } from '../errors.ts'

export const DEFAULT_TRAINING_HOURS_PER_YEAR = 60
/** One /hours entry: half an hour to a full day. */
export const MIN_ENTRY_HOURS = 0.5
export const MAX_ENTRY_HOURS = 24
/** An imported yearly total above this is a typo. */
const MAX_TOTAL_HOURS = 2000

const round1 = (n: number) => Math.round(n * 10) / 10

export interface Officer {
  id: number
  unitId: number
  name: string
  active: boolean
}

/** Hours a year the active plan requires (the plan's quantitative rule), 60 without a plan. */
export async function requiredHoursPerYear(db: Db): Promise<number> {
  const [plan] = await db
    .select({ hours: plans.trainingHoursPerYear })
    .from(plans)
    .where(eq(plans.active, true))
    .orderBy(desc(plans.id))
    .limit(1)
  return plan?.hours ?? DEFAULT_TRAINING_HOURS_PER_YEAR
}

/**
 * The hours an officer should have by `date`: `requiredPerYear` × (day of the year, counting
 * `date` itself) ÷ (days in that year), to one decimal. 60 h: 2026-01-01 → 0.2,
 * 2026-07-02 (day 183 of 365) → 30.1, 2026-12-31 → 60.0.
 */
export function trainingPace(requiredPerYear: number, date: string): number {
  if (!isValidDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`)
  const year = Number(date.slice(0, 4))
  const start = Date.UTC(year, 0, 1)
  const day = Math.round((Date.parse(`${date}T00:00:00Z`) - start) / 86_400_000) + 1
  const daysInYear = Math.round((Date.UTC(year + 1, 0, 1) - start) / 86_400_000)
  return round1((requiredPerYear * day) / daysInYear)
}

function parseHours(raw: string): number | null {
  const s = raw.trim().replace(/[h时]$|学时$|小时$/u, '')
  if (!/^\d{1,4}(\.\d+)?$/.test(s)) return null
  return round1(Number(s))
}

/**
 * Imports officers and their training hours from CSV with the header `unit,name,hours`, where
 * hours are the year's total so far (the bureau's spreadsheet). Creates missing officers, and per
 * officer and year keeps one imported record (import key `import:<year>:<officer id>`), replaced
 * when the total changes: importing the same file again changes nothing. All or nothing; bad lines
 * are reported by number. Returns the officers in the file and the records created or changed.
 */
export async function importOfficers(
  db: Db,
  csvText: string,
  now: Date,
  tz: string,
): Promise<{ officers: number; records: number }> {
  const table = readCsvTable(csvText, ['unit', 'name', 'hours'] as const)
  const today = localDate(now, tz)
  const year = Number(today.slice(0, 4))
  return db.transaction(async (tx) => {
    const problems: { line: number; texts: Record<Locale, string> }[] = []
    const unitCache = new Map<string, number | Record<Locale, string>>()
    const seen = new Map<string, number>()
    const rows: { unitId: number; name: string; hours: number }[] = []
    for (const { line, row } of table) {
      let unit = unitCache.get(row.unit)
      if (unit === undefined) {
        try {
          unit = (await resolveUnit(tx, row.unit)).id
        } catch (err) {
          if (!(err instanceof LocalizedUserError)) throw err
          unit = err.texts
        }
        unitCache.set(row.unit, unit)
      }
      if (typeof unit !== 'number') {
        problems.push({ line, texts: unit })
        continue
      }
      const name = checkName(row.name)
      if ('problem' in name) {
        problems.push({ line, texts: name.problem })
        continue
      }
      const hours = parseHours(row.hours)
      if (hours === null || hours > MAX_TOTAL_HOURS) {
        problems.push({ line, texts: localized('statusView', (t) => t.training.totalInvalid(row.hours)) })
        continue
      }
      const key = `${unit}\u0000${name.name}`
      const earlier = seen.get(key)
      if (earlier !== undefined) {
        problems.push({ line, texts: localized('statusView', (t) => t.csv.duplicate(earlier)) })
        continue
      }
      seen.set(key, line)
      rows.push({ unitId: unit, name: name.name, hours })
    }
    throwLineProblems(problems)
    let records = 0
    for (const r of rows) {
      await tx.insert(officers).values({ unitId: r.unitId, name: r.name }).onConflictDoNothing()
      const [officer] = await tx
        .update(officers)
        .set({ active: true })
        .where(and(eq(officers.unitId, r.unitId), eq(officers.name, r.name)))
        .returning({ id: officers.id })
      const importKey = `import:${year}:${officer!.id}`
      const [existing] = await tx
        .select({ id: trainingRecords.id, hours: trainingRecords.hours })
        .from(trainingRecords)
        .where(eq(trainingRecords.importKey, importKey))
      if (existing && existing.hours === r.hours) continue
      if (existing)
        await tx
          .update(trainingRecords)
          .set({ hours: r.hours, takenOn: today })
          .where(eq(trainingRecords.id, existing.id))
      else
        await tx
          .insert(trainingRecords)
          .values({ officerId: officer!.id, hours: r.hours, takenOn: today, source: 'import', importKey })
      records++
    }
    return { officers: rows.length, records }
  })
}

const squash = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase()

/** Names of the unit's officers that look like `name` (shared characters), best first, at most 5. */
function similarNames(candidates: string[], name: string): string[] {
  const q = [...new Set(squash(name))]
  return candidates
    .map((c) => ({ c, score: q.filter((ch) => squash(c).includes(ch)).length / Math.max(q.length, 1) }))
    .filter((s) => s.score >= 0.5)
    .sort((a, b) => b.score - a.score || a.c.localeCompare(b.c, 'zh-CN'))
    .slice(0, 5)
    .map((s) => s.c)
}

/** Total hours of an officer in a calendar year. */
async function yearTotal(db: Db, officerId: number, year: number): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${trainingRecords.hours}), 0)`.mapWith(Number) })
    .from(trainingRecords)
    .where(
      and(
        eq(trainingRecords.officerId, officerId),
        gte(trainingRecords.takenOn, `${year}-01-01`),
        lte(trainingRecords.takenOn, `${year}-12-31`),
      ),
    )
  return round1(row?.total ?? 0)
}

/**
 * Logs one training entry for an officer of the unit (`/hours 张三 4 2026-07-02 法律法规`).
 * Hours 0.5–24 (one decimal kept), a real date, and an officer already on the unit's list
 * (name compared ignoring spaces and width); otherwise a user error, with similar names as
 * suggestions, and nothing written. Returns the officer and their total for that year.
 */
export async function recordTrainingHours(
  db: Db,
  input: {
    unitId: number
    officerName: string
    hours: number
    takenOn: string
    course?: string | null
    personId?: number | null
    source: 'telegram' | 'cli'
  },
): Promise<{ officer: Officer; totalHours: number }> {
  if (!Number.isFinite(input.hours) || input.hours < MIN_ENTRY_HOURS || input.hours > MAX_ENTRY_HOURS)
    throw userError('statusView', (t) => t.training.hoursInvalid(String(input.hours)))
  if (!isValidDate(input.takenOn)) throw userError('statusView', (t) => t.training.dateInvalid(input.takenOn))
  const name = checkName(input.officerName)
  if ('problem' in name) throw userError('statusView', (t) => t.training.officerNameRequired)
  const list = await db
    .select({ id: officers.id, unitId: officers.unitId, name: officers.name, active: officers.active })
    .from(officers)
    .where(and(eq(officers.unitId, input.unitId), eq(officers.active, true)))
    .orderBy(asc(officers.id))
  const officer =
    list.find((o) => o.name === name.name) ??
    singleOrNone(list.filter((o) => squash(o.name) === squash(name.name)))
  if (!officer) {
    const unit = await resolveUnitName(db, input.unitId)
    const suggestions = similarNames(
      list.map((o) => o.name),
      name.name,
    )
    throw userError('statusView', (t, locale) =>
      t.training.officerUnknown(name.name, unit, suggestions.join(locale === 'en' ? ', ' : '、')),
    )
  }
  const course = (input.course ?? '').trim()
  await db.insert(trainingRecords).values({
    officerId: officer.id,
    hours: round1(input.hours),
    takenOn: input.takenOn,
    course: course ? [...course].slice(0, 200).join('') : null,
    source: input.source,
    personId: input.personId ?? null,
  })
  return { officer, totalHours: await yearTotal(db, officer.id, Number(input.takenOn.slice(0, 4))) }
}

function singleOrNone<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined
}

async function resolveUnitName(db: Db, unitId: number): Promise<string> {
  const [row] = await db.select({ name: units.name }).from(units).where(eq(units.id, unitId))
  return row?.name ?? `#${unitId}`
}

export interface TrainingSummary {
  officers: { name: string; hours: number; belowPace: boolean }[]
  /** Mean hours per active officer, one decimal (0 without officers). */
  averageHours: number
  belowPace: number
  required: number
  /** Hours expected by `today` (see trainingPace); the full requirement for a past year. */
  pace: number
}

/**
 * The unit's active officers with their hours in `year`, against the pace on `today`
 * (`required` defaults to the active plan's hours per year).
 */
export async function trainingSummary(
  db: Db,
  unitId: number,
  year: number,
  today: string,
  required?: number,
): Promise<TrainingSummary> {
  const perYear = required ?? (await requiredHoursPerYear(db))
  const todayYear = Number(today.slice(0, 4))
  const pace = year < todayYear ? perYear : year > todayYear ? 0 : trainingPace(perYear, today)
  const rows = await db
    .select({
      name: officers.name,
      hours: sql<number>`coalesce(sum(${trainingRecords.hours}), 0)`.mapWith(Number),
    })
    .from(officers)
    .leftJoin(
      trainingRecords,
      and(
        eq(trainingRecords.officerId, officers.id),
        gte(trainingRecords.takenOn, `${year}-01-01`),
        lte(trainingRecords.takenOn, `${year}-12-31`),
      ),
    )
    .where(and(eq(officers.unitId, unitId), eq(officers.active, true)))
    .groupBy(officers.id, officers.name)
    .orderBy(asc(officers.id))
  const list = rows.map((r) => {
    const hours = round1(r.hours)
    return { name: r.name, hours, belowPace: hours < pace }
  })
  const total = list.reduce((s, o) => s + o.hours, 0)
  return {
    officers: list,
    averageHours: list.length ? round1(total / list.length) : 0,
    belowPace: list.filter((o) => o.belowPace).length,
    required: perYear,
    pace,
  }
}
