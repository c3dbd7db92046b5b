/**
 * People on the roster: liaisons (one or more per unit), supervisors (bureau staff) and admins.
 * A person is authorized in Telegram only by the numeric user id bound through an invite
 * (invites.ts), never by username or display name.
 *
 * Who gets supervisor copies: `supervisors()` returns people whose role is `supervisor`, and only
 * them. Admins run the command line; a bureau officer who should also receive escalations and the
 * digest is entered with the role `supervisor` (one Telegram account binds to one person).
 */
import { and, asc, eq, isNull, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { locales, people, roles, units, type Locale, type Role } from '../db/schema.ts'
import { localized, LocalizedUserError, userError } from '../errors.ts'
import { messages } from '../i18n/index.ts'
import { parseCsv } from './csv.ts'
import { findUnit, formatSuggestions, type Unit } from './units.ts'

export interface Person {
  id: number
  name: string
  role: Role
  unitId: number | null
  unitName: string | null
  email: string | null
  telegramUserId: number | null
  locale: Locale
  active: boolean
  unreachableAt: Date | null
  unreachableReason: string | null
}

/** True for a Postgres unique violation, however the driver wraps it. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e === 'object' && 'code' in e && e.code === '23505') return true
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Validation shared by add and import

const CONTROL = /\p{Cc}/u

/** Removes control characters except line breaks and tabs (they never belong in stored text). */
export function stripControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (ch) => (ch === '\n' || ch === '\t' ? ch : ''))
}
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

/** A trimmed person or officer name, or the localized problem. */
export function checkName(raw: string | undefined): { name: string } | { problem: Record<Locale, string> } {
  const name = (raw ?? '').trim().replace(/\s+/g, ' ')
  if (!name) return { problem: localized('statusView', (t) => t.people.nameRequired) }
  if ([...name].length > 50 || CONTROL.test(name))
    return { problem: localized('statusView', (t) => t.people.nameInvalid) }
  return { name }
}

function checkRole(raw: string): Role | null {
  const role = raw.trim().toLowerCase()
  return (roles as readonly string[]).includes(role) ? (role as Role) : null
}

/** A valid address (trimmed), null when empty, or false when malformed. */
function checkEmail(raw: string | undefined): string | null | false {
  const email = (raw ?? '').trim()
  if (!email) return null
  return email.length <= 254 && EMAIL.test(email) ? email : false
}

/** The unit a query names, or a user error listing the suggestions (never a guess). */
export async function resolveUnit(db: Db, query: string): Promise<Unit> {
  const q = query.trim()
  const match = await findUnit(db, q)
  if (match.kind === 'found') return match.unit
  if (match.kind === 'ambiguous')
    throw userError('statusView', (t) => t.people.unitAmbiguous(q, formatSuggestions(match.candidates)))
  throw userError('statusView', (t) =>
    t.people.unitUnknown(q, match.suggestions.length ? formatSuggestions(match.suggestions) : ''),
  )
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * Reads a CSV with the expected header (case-insensitive, any order; extra columns ignored) and
 * returns one object per data row, keyed by header name, with its line number.
 */
export function readCsvTable<K extends string>(
  text: string,
  expected: readonly K[],
): { line: number; row: Record<K, string> }[] {
  const [header, ...rows] = parseCsv(text)
  const names = (header?.fields ?? []).map((f) => f.trim().toLowerCase())
  const index = expected.map((k) => names.indexOf(k))
  if (!header || index.some((i) => i < 0))
    throw userError('statusView', (t) =>
      t.csv.header(expected.join(','), header ? header.fields.join(',') : '—'),
    )
  if (rows.length === 0) throw userError('statusView', (t) => t.csv.empty)
  return rows.map((r) => {
    const row = {} as Record<K, string>
    expected.forEach((k, j) => {
      row[k] = (r.fields[index[j]!] ?? '').trim()
    })
    return { line: r.line, row }
  })
}

/** Throws one user error that lists the problems by line (at most 5, then a count). */
export function throwLineProblems(problems: { line: number; texts: Record<Locale, string> }[]): void {
  if (problems.length === 0) return
  const shown = problems.slice(0, 5)
  const rest = problems.length - shown.length
  throw new LocalizedUserError(
    localized('statusView', (t, locale) => {
      const parts = shown.map((p) => t.csv.line(p.line, p.texts[locale].replace(/[。.]$/, '')))
      if (rest > 0) parts.push(t.csv.more(rest))
      return `${parts.join(locale === 'en' ? '; ' : '；')}${locale === 'en' ? '. ' : '。'}${t.csv.nothingChanged}`
    }),
  )
}

// ---------------------------------------------------------------------------------------------
// Reading

const personColumns = {
  id: people.id,
  name: people.name,
  role: people.role,
  unitId: people.unitId,
  unitName: units.name,
  email: people.email,
  telegramUserId: people.telegramUserId,
  locale: people.locale,
  active: people.active,
  unreachableAt: people.unreachableAt,
  unreachableReason: people.unreachableReason,
}

async function selectPeople(db: Db, where: SQL | undefined): Promise<Person[]> {
  return db
    .select(personColumns)
    .from(people)
    .leftJoin(units, eq(units.id, people.unitId))
    .where(where)
    .orderBy(asc(people.id))
}

/** Everyone on the roster (active or not), optionally of one unit or role, in the order added. */
export async function listPeople(db: Db, filter: { unitId?: number; role?: Role } = {}): Promise<Person[]> {
  const conditions: SQL[] = []
  if (filter.unitId !== undefined) conditions.push(eq(people.unitId, filter.unitId))
  if (filter.role !== undefined) conditions.push(eq(people.role, filter.role))
  return selectPeople(db, conditions.length ? and(...conditions) : undefined)
}

/** The active person bound to this Telegram user id, or null. */
export async function findPersonByTelegramId(db: Db, telegramUserId: number): Promise<Person | null> {
  const [p] = await selectPeople(db, and(eq(people.telegramUserId, telegramUserId), eq(people.active, true)))
  return p ?? null
}

/** The person bound to this Telegram user id, active or not (the bot refuses the inactive clearly). */
export async function findBoundPerson(db: Db, telegramUserId: number): Promise<Person | null> {
  const [p] = await selectPeople(db, eq(people.telegramUserId, telegramUserId))
  return p ?? null
}

/**
 * One person by number (`#12` or `12`), exact name, or email; a user error listing them when none
 * or several. Among several of one name, those that are `prefer`red (default: active) win.
 */
export async function findPerson(
  db: Db,
  query: string,
  prefer: (p: Person) => boolean = (p) => p.active,
): Promise<Person> {
  const q = query.trim()
  const byId = /^#?(\d{1,9})$/.exec(q)
  let found: Person[]
  if (byId) found = await selectPeople(db, eq(people.id, Number(byId[1])))
  else if (q.includes('@')) found = await selectPeople(db, sql`lower(${people.email}) = lower(${q})`)
  else found = await selectPeople(db, eq(people.name, q.replace(/\s+/g, ' ')))
  // Several rows of one name: prefer the active ones (or what the caller prefers) before calling it ambiguous.
  if (found.length > 1) {
    const preferred = found.filter(prefer)
    if (preferred.length > 0) found = preferred
  }
  if (found.length === 1) return found[0]!
  if (found.length === 0) throw userError('statusView', (t) => t.people.notFound(q))
  throw new LocalizedUserError(
    localized('statusView', (t, locale) => {
      const roleNames = messages(locale).common.roles
      const [open, sep, close, join] = locale === 'en' ? [' (', ', ', ')', '; '] : ['（', '，', '）', '、']
      const list = found
        .map(
          (p) =>
            `#${p.id} ${p.name}${open}${[p.unitName, roleNames[p.role]].filter(Boolean).join(sep)}${close}`,
        )
        .join(join)
      return t.people.ambiguous(q, list)
    }),
  )
}

/** The active liaisons of a unit, in the order added. */
export async function liaisonsOf(db: Db, unitId: number): Promise<Person[]> {
  return selectPeople(db, and(eq(people.unitId, unitId), eq(people.role, 'liaison'), eq(people.active, true)))
}

/** The active supervisors (role `supervisor` only; see the module comment about admins). */
export async function supervisors(db: Db): Promise<Person[]> {
  return selectPeople(db, and(eq(people.role, 'supervisor'), eq(people.active, true)))
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface PersonInput {
  name: string
  /** A role as typed (checked): liaison, supervisor or admin. */
  role: string
  /** A unit query resolved by findUnit (full name, short name, pinyin, initials); required for liaisons. */
  unit?: string | null
  email?: string | null
  /** zh-CN (default) or en, as typed (checked). */
  locale?: string | null
}

interface CheckedPerson {
  name: string
  role: Role
  unitId: number | null
  email: string | null
  locale: Locale | null
}

/** Validates one person; returns the problem texts instead of throwing (imports list them all). */
async function checkPerson(
  db: Db,
  input: PersonInput,
): Promise<{ ok: true; person: CheckedPerson } | { ok: false; problem: Record<Locale, string> }> {
  const name = checkName(input.name)
  if ('problem' in name) return { ok: false, problem: name.problem }
  const role = checkRole(String(input.role ?? ''))
  if (!role)
    return {
      ok: false,
      problem: localized('statusView', (t) => t.people.roleInvalid(String(input.role ?? ''))),
    }
  const email = checkEmail(input.email ?? undefined)
  if (email === false)
    return {
      ok: false,
      problem: localized('statusView', (t) => t.people.emailInvalid(String(input.email ?? '').trim())),
    }
  let locale: Locale | null = null
  const rawLocale = (input.locale ?? '').trim()
  if (rawLocale) {
    const l = locales.find((x) => x.toLowerCase() === rawLocale.toLowerCase())
    if (!l) return { ok: false, problem: localized('statusView', (t) => t.people.localeInvalid(rawLocale)) }
    locale = l
  }
  let unitId: number | null = null
  const unitQuery = (input.unit ?? '').trim()
  if (unitQuery) {
    try {
      unitId = (await resolveUnit(db, unitQuery)).id
    } catch (err) {
      if (err instanceof LocalizedUserError) return { ok: false, problem: err.texts }
      throw err
    }
  } else if (role === 'liaison')
    return { ok: false, problem: localized('statusView', (t) => t.people.unitRequired) }
  return { ok: true, person: { name: name.name, role, unitId, email, locale } }
}

async function personByKey(db: Db, p: CheckedPerson) {
  const [row] = await db
    .select({ id: people.id, email: people.email, locale: people.locale, active: people.active })
    .from(people)
    .where(
      and(
        eq(people.name, p.name),
        eq(people.role, p.role),
        p.unitId === null ? isNull(people.unitId) : eq(people.unitId, p.unitId),
      ),
    )
  return row ?? null
}

async function emailOwner(db: Db, email: string): Promise<{ id: number; name: string } | null> {
  const [row] = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(sql`lower(${people.email}) = lower(${email})`)
    .limit(1)
  return row ?? null
}

/** One person by id (active or not), or null. */
export async function findPersonById(db: Db, id: number): Promise<Person | null> {
  const [p] = await selectPeople(db, eq(people.id, id))
  return p ?? null
}

/**
 * Adds one person. Refuses (user error, nothing written) a bad name, role, email or locale, an
 * unknown or ambiguous unit (with suggestions), a liaison without a unit, the same name+role+unit
 * twice, and an email that belongs to someone else.
 */
export async function addPerson(db: Db, input: PersonInput): Promise<Person> {
  const checked = await checkPerson(db, input)
  if (!checked.ok) throw new LocalizedUserError(checked.problem)
  const p = checked.person
  if (await personByKey(db, p)) throw userError('statusView', (t) => t.people.duplicate(p.name))
  if (p.email) {
    const owner = await emailOwner(db, p.email)
    if (owner) throw userError('statusView', (t) => t.people.emailTaken(p.email!, owner.name))
  }
  try {
    const [row] = await db
      .insert(people)
      .values({ name: p.name, role: p.role, unitId: p.unitId, email: p.email, locale: p.locale ?? 'zh-CN' })
      .returning({ id: people.id })
    return (await findPersonById(db, row!.id))!
  } catch (err) {
    if (isUniqueViolation(err)) throw userError('statusView', (t) => t.people.duplicate(p.name))
    throw err
  }
}

/**
 * Imports people from CSV with the header `name,role,unit,email` (an optional `locale` column is
 * read too). A row matching an existing person by name, role and unit updates that person's email
 * (and locale); an inactive person stays inactive (and is reported) unless `reactivate`; other
 * rows create people; `deactivateMissing` deactivates everyone active the file does not list.
 * All or nothing: any bad line is
 * reported by number and nothing is written.
 */
export async function importPeople(
  db: Db,
  csvText: string,
  options: ImportPeopleOptions = {},
): Promise<ImportPeopleResult> {
  const table = readCsvTable(csvText, ['name', 'role', 'unit', 'email'] as const)
  const localeColumn = readOptionalColumn(csvText, 'locale')
  return db.transaction(async (tx) => {
    const problems: { line: number; texts: Record<Locale, string> }[] = []
    const seenKeys = new Map<string, number>()
    const seenEmails = new Map<string, number>()
    const plan: { person: CheckedPerson; existing: Awaited<ReturnType<typeof personByKey>> }[] = []
    for (const { line, row } of table) {
      const checked = await checkPerson(tx, { ...row, locale: localeColumn.get(line) ?? null })
      if (!checked.ok) {
        problems.push({ line, texts: checked.problem })
        continue
      }
      const p = checked.person
      const key = JSON.stringify([p.name, p.role, p.unitId])
      const earlier = seenKeys.get(key)
      if (earlier !== undefined) {
        problems.push({ line, texts: localized('statusView', (t) => t.csv.duplicate(earlier)) })
        continue
      }
      seenKeys.set(key, line)
      const existing = await personByKey(tx, p)
      if (p.email) {
        const lower = p.email.toLowerCase()
        const earlierEmail = seenEmails.get(lower)
        if (earlierEmail !== undefined) {
          problems.push({ line, texts: localized('statusView', (t) => t.csv.duplicate(earlierEmail)) })
          continue
        }
        seenEmails.set(lower, line)
        const owner = await emailOwner(tx, p.email)
        if (owner && owner.id !== existing?.id) {
          problems.push({
            line,
            texts: localized('statusView', (t) => t.people.emailTaken(p.email!, owner.name)),
          })
          continue
        }
      }
      plan.push({ person: p, existing })
    }
    throwLineProblems(problems)
    let created = 0
    let updated = 0
    const keptInactive: string[] = []
    const reactivated: string[] = []
    const listed = new Set<number>()
    for (const { person: p, existing } of plan) {
      if (!existing) {
        const [row] = await tx
          .insert(people)
          .values({
            name: p.name,
            role: p.role,
            unitId: p.unitId,
            email: p.email,
            locale: p.locale ?? 'zh-CN',
          })
          .returning({ id: people.id })
        listed.add(row!.id)
        created++
        continue
      }
      listed.add(existing.id)
      // A deactivated person stays so unless the admin says otherwise: an old file must not
      // quietly give a departed person their access back.
      const active = existing.active || options.reactivate === true
      if (!existing.active) (active ? reactivated : keptInactive).push(p.name)
      const locale = p.locale ?? existing.locale
      if (existing.email === p.email && existing.locale === locale && existing.active === active) continue
      await tx.update(people).set({ email: p.email, locale, active }).where(eq(people.id, existing.id))
      updated++
    }
    let deactivated: { id: number; name: string }[] = []
    if (options.deactivateMissing)
      deactivated = await tx
        .update(people)
        .set({ active: false })
        .where(and(eq(people.active, true), listed.size ? notInArray(people.id, [...listed]) : undefined))
        .returning({ id: people.id, name: people.name })
    const result: ImportPeopleResult = {
      created,
      updated,
      reactivated,
      keptInactive,
      deactivated: deactivated.sort((a, b) => a.id - b.id).map((d) => d.name),
    }
    await options.afterImport?.(
      tx,
      result,
      deactivated.map((d) => d.id),
    )
    return result
  })
}

export interface ImportPeopleOptions {
  /** Deactivate every active person the file does not list. */
  deactivateMissing?: boolean
  /** Reactivate inactive people the file lists (otherwise they stay inactive and are reported). */
  reactivate?: boolean
  /** Runs in the import's transaction after the writes (the audit entry, ending access). */
  afterImport?: (tx: Db, result: ImportPeopleResult, deactivatedIds: number[]) => Promise<void>
}

export interface ImportPeopleResult {
  created: number
  updated: number
  /** Names of inactive people reactivated (with `reactivate`). */
  reactivated: string[]
  /** Names of inactive people the file lists, left inactive. */
  keptInactive: string[]
  /** Names of people deactivated because the file does not list them (with `deactivateMissing`). */
  deactivated: string[]
}

/** Values of an optional column by line number (empty map when the header lacks it). */
function readOptionalColumn(csvText: string, name: string): Map<number, string> {
  const [header, ...rows] = parseCsv(csvText)
  const i = (header?.fields ?? []).findIndex((f) => f.trim().toLowerCase() === name)
  const values = new Map<number, string>()
  if (i >= 0) for (const r of rows) values.set(r.line, (r.fields[i] ?? '').trim())
  return values
}

/** Records that Telegram refused to deliver to this person (403, chat not found). */
export async function markPersonUnreachable(
  db: Db,
  personId: number,
  reason: string,
  now: Date,
): Promise<void> {
  await db
    .update(people)
    .set({ unreachableAt: now, unreachableReason: reason.slice(0, 500) })
    .where(eq(people.id, personId))
}

/** Clears the unreachable mark (the person wrote to the bot again, or was re-bound). */
export async function markPersonReachable(db: Db, personId: number): Promise<void> {
  await db.update(people).set({ unreachableAt: null, unreachableReason: null }).where(eq(people.id, personId))
}
