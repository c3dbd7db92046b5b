/**
 * Telegram groups bound to a unit (where its prompts and reminders go) or to the supervisors.
 * A group is bound by an admin from the command line, or from inside the group with a short-lived
 * one-time code (`/bind <code>`). The bot answers only in groups it knows.
 */
import { and, asc, eq, gt, isNull, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { chatBindCodes, chats, notes, prompts, statusReports, units } from '../db/schema.ts'
import { newCode, CODE_PATTERN } from './invites.ts'
import { resolveUnit } from './people.ts'
import { userError } from '../errors.ts'

export interface BoundChat {
  id: number
  telegramChatId: number
  purpose: 'unit' | 'supervisors'
  unitId: number | null
  unitName: string | null
  title: string | null
  unreachableAt: Date | null
  unreachableReason: string | null
}

/** How long an in-group bind code stays valid. */
export const CHAT_BIND_CODE_TTL_HOURS = 24

const SUPERVISOR_TARGETS = ['supervisors', 'supervisor', '督办', '督办组', '督办人员', '督办群']

type Target = { purpose: 'supervisors'; unitId: null } | { purpose: 'unit'; unitId: number }

/** `supervisors` (or 督办组…) or a unit query; unknown or ambiguous units are user errors with suggestions. */
async function resolveTarget(db: Db, target: string): Promise<Target> {
  const t = target.trim()
  if (SUPERVISOR_TARGETS.includes(t.toLowerCase())) return { purpose: 'supervisors', unitId: null }
  const unit = await resolveUnit(db, t)
  return { purpose: 'unit', unitId: unit.id }
}

/** A Telegram chat id as given on a command line; a user error unless a non-zero safe integer. */
export function parseTelegramChatId(raw: string | number): number {
  const s = String(raw).trim()
  const n = /^-?\d{1,16}$/.test(s) ? Number(s) : NaN
  if (!Number.isSafeInteger(n) || n === 0) throw userError('statusView', (t) => t.chats.chatIdInvalid(s))
  return n
}

const chatColumns = {
  id: chats.id,
  telegramChatId: chats.telegramChatId,
  purpose: chats.purpose,
  unitId: chats.unitId,
  unitName: units.name,
  title: chats.title,
  unreachableAt: chats.unreachableAt,
  unreachableReason: chats.unreachableReason,
}

async function selectChats(db: Db, where: SQL | undefined): Promise<BoundChat[]> {
  return db
    .select(chatColumns)
    .from(chats)
    .leftJoin(units, eq(units.id, chats.unitId))
    .where(where)
    .orderBy(asc(chats.id))
}

async function bindTo(
  db: Db,
  telegramChatId: number,
  target: Target,
  opts: { title?: string | null; byPersonId?: number | null },
): Promise<BoundChat> {
  const id = parseTelegramChatId(telegramChatId)
  const title = opts.title?.trim() ? opts.title.trim().slice(0, 255) : undefined
  const values = {
    purpose: target.purpose,
    unitId: target.unitId,
    boundByPersonId: opts.byPersonId ?? null,
    unreachableAt: null,
    unreachableReason: null,
  }
  await db
    .insert(chats)
    .values({ telegramChatId: id, title: title ?? null, ...values })
    .onConflictDoUpdate({
      target: chats.telegramChatId,
      set: title === undefined ? values : { ...values, title },
    })
  return (await chatByTelegramId(db, id))!
}

/**
 * Binds a Telegram chat to a unit (any unit query) or to `supervisors`. Binding a chat again moves
 * it to the new target and clears any unreachable mark.
 */
export async function bindChat(
  db: Db,
  telegramChatId: number,
  target: string,
  opts: { title?: string | null; byPersonId?: number | null } = {},
): Promise<BoundChat> {
  const chatId = parseTelegramChatId(telegramChatId)
  return bindTo(db, chatId, await resolveTarget(db, target), opts)
}

/** A one-time code, valid 24 hours, that binds the group in which `/bind <code>` is sent. */
export async function createChatBindCode(
  db: Db,
  target: string,
  byPersonId: number,
  now: Date,
): Promise<{ code: string; expiresAt: Date }> {
  const t = await resolveTarget(db, target)
  const code = newCode()
  const expiresAt = new Date(now.getTime() + CHAT_BIND_CODE_TTL_HOURS * 3_600_000)
  await db.insert(chatBindCodes).values({
    code,
    purpose: t.purpose,
    unitId: t.unitId,
    createdByPersonId: byPersonId,
    expiresAt,
    createdAt: now,
  })
  return { code, expiresAt }
}

/** Spends a bind code on the chat it was sent in; spent once even under concurrent use. */
export async function redeemChatBindCode(
  db: Db,
  code: string,
  telegramChatId: number,
  title: string | null,
  now: Date,
): Promise<{ ok: true; chat: BoundChat } | { ok: false; reason: 'unknown' | 'expired' | 'used' }> {
  const c = code.trim()
  if (!CODE_PATTERN.test(c)) return { ok: false, reason: 'unknown' }
  const chatId = parseTelegramChatId(telegramChatId)
  return db.transaction(async (tx) => {
    // Spend first: this conditional UPDATE is the only guard, and only one transaction can win it.
    const [row] = await tx
      .update(chatBindCodes)
      .set({ usedAt: now })
      .where(and(eq(chatBindCodes.code, c), isNull(chatBindCodes.usedAt), gt(chatBindCodes.expiresAt, now)))
      .returning()
    if (!row) {
      const [code] = await tx.select().from(chatBindCodes).where(eq(chatBindCodes.code, c))
      if (!code) return { ok: false as const, reason: 'unknown' as const }
      return { ok: false as const, reason: code.usedAt ? ('used' as const) : ('expired' as const) }
    }
    const target: Target =
      row.purpose === 'unit' && row.unitId !== null
        ? { purpose: 'unit', unitId: row.unitId }
        : { purpose: 'supervisors', unitId: null }
    const chat = await bindTo(tx, chatId, target, { title, byPersonId: row.createdByPersonId })
    return { ok: true as const, chat }
  })
}

/** The binding of a Telegram chat, or null when the bot does not know the chat. */
export async function chatByTelegramId(db: Db, telegramChatId: number): Promise<BoundChat | null> {
  const [c] = await selectChats(db, eq(chats.telegramChatId, telegramChatId))
  return c ?? null
}

/** The groups bound to a unit. */
export async function chatsOfUnit(db: Db, unitId: number): Promise<BoundChat[]> {
  return selectChats(db, and(eq(chats.purpose, 'unit'), eq(chats.unitId, unitId)))
}

/** The supervisors' groups. */
export async function supervisorChats(db: Db): Promise<BoundChat[]> {
  return selectChats(db, eq(chats.purpose, 'supervisors'))
}

/** Every bound chat, in the order bound. */
export async function listChats(db: Db): Promise<BoundChat[]> {
  return selectChats(db, undefined)
}

/**
 * A group became a supergroup (`migrate_to_chat_id`): the binding, the prompts (so replies to them
 * still match), and the status reports and notes recorded from that chat move to the new id.
 * When the new id is already bound, that binding stays and the old one is dropped. Idempotent.
 */
export async function migrateChat(db: Db, oldId: number, newId: number): Promise<void> {
  const from = parseTelegramChatId(oldId)
  const to = parseTelegramChatId(newId)
  if (from === to) return
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: chats.id }).from(chats).where(eq(chats.telegramChatId, to))
    if (existing) await tx.delete(chats).where(eq(chats.telegramChatId, from))
    else
      await tx
        .update(chats)
        .set({ telegramChatId: to, unreachableAt: null, unreachableReason: null })
        .where(eq(chats.telegramChatId, from))
    await tx.update(prompts).set({ telegramChatId: to }).where(eq(prompts.telegramChatId, from))
    await tx.update(statusReports).set({ telegramChatId: to }).where(eq(statusReports.telegramChatId, from))
    await tx.update(notes).set({ telegramChatId: to }).where(eq(notes.telegramChatId, from))
  })
}

/** Records that Telegram refused to deliver into this chat (bot removed, chat not found). */
export async function markChatUnreachable(
  db: Db,
  telegramChatId: number,
  reason: string,
  now: Date,
): Promise<void> {
  await db
    .update(chats)
    .set({ unreachableAt: now, unreachableReason: reason.slice(0, 500) })
    .where(eq(chats.telegramChatId, telegramChatId))
}

/** Clears the unreachable mark of a chat (the bot was added back). */
export async function markChatReachable(db: Db, telegramChatId: number): Promise<void> {
  await db
    .update(chats)
    .set({ unreachableAt: null, unreachableReason: null })
    .where(eq(chats.telegramChatId, telegramChatId))
}

/** Whether a Telegram chat id names a group or supergroup (negative ids), not a private chat. */
export function isGroupChat(chatId: string): boolean {
  return chatId.startsWith('-')
}
