/**
 * Who receives what the rhythm sends: the one place this is decided.
 *
 * A unit's reminders and prompts go to each of its bound groups (Telegram, as a prompt the
 * liaison can reply to) and to each active liaison's email. When the unit has no usable group,
 * they go to each liaison's private chat instead (if the liaison bound Telegram). A unit with
 * neither is `unreachable`: callers count and report it, never skip it silently.
 *
 * Supervisors: the supervisors' group(s) and each active supervisor's email; when no supervisors'
 * group is bound, each supervisor's private chat instead.
 *
 * Groups and people that Telegram refused (403, chat not found: `unreachableAt` set) are not
 * used for Telegram; a person's email is still used. When Telegram refuses a chat for good, the
 * message goes by email instead (`telegramFallback`): to the group's liaisons (the supervisors,
 * for the supervisors' group), or to the person whose private chat it was.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { chats, people, type Channel, type Locale } from '../db/schema.ts'
import { chatByTelegramId, isGroupChat } from './chats.ts'
import { findPersonById, findPersonByTelegramId, liaisonsOf, supervisors, type Person } from './people.ts'
import { withDeputies } from './leaves.ts'

export interface Recipient {
  channel: Channel
  /** Telegram chat id as text, or an email address. */
  recipient: string
  /** The person, for a private chat or an email (their locale is used); null for a group. */
  personId: number | null
  locale: Locale | null
  /** What the recipient is, for counting and wording. */
  kind: 'group' | 'private' | 'email'
}

export type UnreachableReason = 'no_liaison' | 'no_channel'

export interface UnitReach {
  unitId: number
  /** Telegram targets: the unit's groups, or its liaisons' private chats when it has no group. */
  telegram: Recipient[]
  email: Recipient[]
  liaisons: number
  /** Set when nobody of the unit can be reached by any channel. */
  unreachable: UnreachableReason | null
}

/** Every target of a unit, Telegram first. */
export function allRecipients(reach: UnitReach): Recipient[] {
  return [...reach.telegram, ...reach.email]
}

function dedupe(list: Recipient[]): Recipient[] {
  const seen = new Set<string>()
  return list.filter((r) => {
    const key = `${r.channel}\u0000${r.channel === 'email' ? r.recipient.toLowerCase() : r.recipient}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Who receives each unit's reminders and prompts, for the given units (all units with a group or
 * a liaison when omitted; a unit without either is then absent, so pass the ids you care about).
 * Three queries whatever the number of units.
 */
export async function unitRecipients(
  db: Db,
  unitIds?: number[],
  /** The day (plan timezone) the message goes: liaisons on leave then are replaced by their deputy. */
  onDay?: string,
): Promise<Map<number, UnitReach>> {
  const out = new Map<number, UnitReach>()
  if (unitIds && unitIds.length === 0) return out
  const groupRows = await db
    .select({ unitId: chats.unitId, chatId: chats.telegramChatId })
    .from(chats)
    .where(
      and(
        eq(chats.purpose, 'unit'),
        isNull(chats.unreachableAt),
        unitIds ? inArray(chats.unitId, unitIds) : undefined,
      ),
    )
    .orderBy(asc(chats.id))
  const rosterRows = await db
    .select({
      id: people.id,
      unitId: people.unitId,
      email: people.email,
      telegramUserId: people.telegramUserId,
      unreachableAt: people.unreachableAt,
      locale: people.locale,
    })
    .from(people)
    .where(
      and(
        eq(people.role, 'liaison'),
        eq(people.active, true),
        unitIds ? inArray(people.unitId, unitIds) : undefined,
      ),
    )
    .orderBy(asc(people.id))
  const liaisonRows = onDay ? await withDeputies(db, rosterRows, onDay) : rosterRows

  const entry = (unitId: number): UnitReach => {
    let e = out.get(unitId)
    if (!e) {
      e = { unitId, telegram: [], email: [], liaisons: 0, unreachable: null }
      out.set(unitId, e)
    }
    return e
  }
  for (const id of unitIds ?? []) entry(id)
  for (const g of groupRows) {
    if (g.unitId === null) continue
    entry(g.unitId).telegram.push({
      channel: 'telegram',
      recipient: String(g.chatId),
      personId: null,
      locale: null,
      kind: 'group',
    })
  }
  const privateChats = new Map<number, Recipient[]>()
  for (const p of liaisonRows) {
    if (p.unitId === null) continue
    const e = entry(p.unitId)
    e.liaisons++
    if (p.email)
      e.email.push({ channel: 'email', recipient: p.email, personId: p.id, locale: p.locale, kind: 'email' })
    if (p.telegramUserId !== null && p.unreachableAt === null) {
      const list = privateChats.get(p.unitId) ?? []
      list.push({
        channel: 'telegram',
        recipient: String(p.telegramUserId),
        personId: p.id,
        locale: p.locale,
        kind: 'private',
      })
      privateChats.set(p.unitId, list)
    }
  }
  for (const e of out.values()) {
    if (e.telegram.length === 0) e.telegram = privateChats.get(e.unitId) ?? []
    e.telegram = dedupe(e.telegram)
    e.email = dedupe(e.email)
    if (e.telegram.length === 0 && e.email.length === 0)
      e.unreachable = e.liaisons === 0 ? 'no_liaison' : 'no_channel'
  }
  return out
}

/** The reach of one unit (see unitRecipients). */
export async function unitReach(db: Db, unitId: number, onDay?: string): Promise<UnitReach> {
  return (await unitRecipients(db, [unitId], onDay)).get(unitId)!
}

/** Who receives what goes to the supervisors: their group(s), else their private chats; and their emails. */
export async function supervisorRecipients(db: Db): Promise<Recipient[]> {
  const groups = await db
    .select({ chatId: chats.telegramChatId })
    .from(chats)
    .where(and(eq(chats.purpose, 'supervisors'), isNull(chats.unreachableAt)))
    .orderBy(asc(chats.id))
  const staff = await db
    .select({
      id: people.id,
      email: people.email,
      telegramUserId: people.telegramUserId,
      unreachableAt: people.unreachableAt,
      locale: people.locale,
    })
    .from(people)
    .where(and(eq(people.role, 'supervisor'), eq(people.active, true)))
    .orderBy(asc(people.id))
  const telegram: Recipient[] = groups.length
    ? groups.map((g) => ({
        channel: 'telegram',
        recipient: String(g.chatId),
        personId: null,
        locale: null,
        kind: 'group',
      }))
    : personalRecipients(staff).telegram
  return dedupe([...telegram, ...personalRecipients(staff).email])
}

/** Whose Telegram chat was refused, and who gets the message by email instead. */
export interface TelegramFallback {
  /** The group or the person Telegram refused, to be marked unreachable; null for a stranger. */
  refused: { kind: 'group'; telegramChatId: number } | { kind: 'person'; personId: number } | null
  /** Email recipients of the copy, each with the unit the copy is about. */
  emails: { recipient: string; personId: number; unitId: number | null }[]
}

/**
 * Who gets an email copy of a message Telegram refused for good (403, chat not found) in
 * `chatId`: a group's liaisons (the supervisors, for the supervisors' group), or the person whose
 * private chat it was. Only active people with an email. `sent` is what the outbox row knew: its
 * person and unit (a group row without a unit takes the group's).
 */
export async function telegramFallback(
  db: Db,
  chatId: string,
  sent: { personId: number | null; unitId: number | null },
): Promise<TelegramFallback> {
  let refused: TelegramFallback['refused'] = null
  let fallback: Person[] = []
  if (isGroupChat(chatId)) {
    refused = { kind: 'group', telegramChatId: Number(chatId) }
    const chat = await chatByTelegramId(db, Number(chatId))
    const unitId = sent.unitId ?? chat?.unitId ?? null
    if (chat?.purpose === 'supervisors') fallback = await supervisors(db)
    else if (unitId !== null) fallback = await liaisonsOf(db, unitId)
  } else {
    const person =
      (sent.personId !== null ? await findPersonById(db, sent.personId) : null) ??
      (await findPersonByTelegramId(db, Number(chatId)))
    if (person) {
      refused = { kind: 'person', personId: person.id }
      fallback = [person]
    }
  }
  const emails = fallback
    .filter((p): p is Person & { email: string } => !!p.email)
    .map((p) => ({ recipient: p.email, personId: p.id, unitId: sent.unitId ?? p.unitId }))
  return { refused, emails }
}

/** A unit's leaders (role `leader`, active): each one's private chat (if bound and reachable) and email. */
export async function leaderRecipients(db: Db, unitId: number): Promise<Recipient[]> {
  const rows = await db
    .select({
      id: people.id,
      email: people.email,
      telegramUserId: people.telegramUserId,
      unreachableAt: people.unreachableAt,
      locale: people.locale,
    })
    .from(people)
    .where(and(eq(people.role, 'leader'), eq(people.active, true), eq(people.unitId, unitId)))
    .orderBy(asc(people.id))
  const { telegram, email } = personalRecipients(rows)
  return dedupe([...telegram, ...email])
}

/** A person's own channels: their private chat (when reachable) and their email. */
export function personalRecipients(
  rows: {
    id: number
    telegramUserId: number | null
    unreachableAt: Date | null
    email: string | null
    locale: Recipient['locale']
  }[],
): { telegram: Recipient[]; email: Recipient[] } {
  const telegram: Recipient[] = rows
    .filter((p) => p.telegramUserId !== null && p.unreachableAt === null)
    .map((p) => ({
      channel: 'telegram',
      recipient: String(p.telegramUserId),
      personId: p.id,
      locale: p.locale,
      kind: 'private',
    }))
  const email: Recipient[] = rows
    .filter((p) => p.email)
    .map((p) => ({ channel: 'email', recipient: p.email!, personId: p.id, locale: p.locale, kind: 'email' }))
  return { telegram, email }
}
