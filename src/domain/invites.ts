/**
 * Invites bind a Telegram user id to a person, once. A code is 16 characters of crypto-random
 * base64url (96 bits), so it cannot be guessed and fits Telegram's deep-link parameter
 * (`t.me/<bot>?start=<code>`, `[A-Za-z0-9_-]{1,64}`). It expires (7 days by default) and is spent
 * by the first redemption, even when two redemptions race.
 */
import { randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, ne } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { invites, people, settings } from '../db/schema.ts'
import { findPersonById, isUniqueViolation, type Person } from './people.ts'
import { userError } from '../errors.ts'

export const DEFAULT_INVITE_TTL_DAYS = 7
const DAY_MS = 86_400_000
/** Telegram's rule for a /start deep-link parameter. */
export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** A fresh unguessable code (16 URL-safe characters, 96 random bits). */
export function newCode(): string {
  return randomBytes(12).toString('base64url')
}

/**
 * Creates a one-time invite for an active person, valid `ttlDays` (1–90, default 7) from `now`.
 * Earlier unused invites of that person stay valid until they expire or one is used.
 */
export async function createInvite(
  db: Db,
  personId: number,
  now: Date,
  ttlDays: number = DEFAULT_INVITE_TTL_DAYS,
): Promise<{ code: string; expiresAt: Date }> {
  if (!Number.isFinite(ttlDays) || ttlDays < 1 || ttlDays > 90)
    throw userError('statusView', (t) => t.invites.ttlInvalid)
  const person = await findPersonById(db, personId)
  if (!person) throw userError('statusView', (t) => t.people.notFound(`#${personId}`))
  if (!person.active) throw userError('statusView', (t) => t.invites.inactive(person.name))
  const code = newCode()
  const expiresAt = new Date(now.getTime() + ttlDays * DAY_MS)
  await db.insert(invites).values({ code, personId, expiresAt, createdAt: now })
  return { code, expiresAt }
}

export type RedeemResult =
  | { ok: true; person: Person }
  | {
      ok: false
      /** `already_bound`: this Telegram user is already bound to another (active) person. */
      reason: 'unknown' | 'expired' | 'used' | 'already_bound'
    }

/**
 * Spends an invite code and binds `telegramUserId` to its person (replacing an earlier binding of
 * that person, e.g. a new phone). Refusals change nothing. A code is spent at most once even when
 * redeemed concurrently: the spend is a conditional UPDATE that only one transaction can win.
 */
export async function redeemInvite(
  db: Db,
  code: string,
  telegramUserId: number,
  now: Date,
): Promise<RedeemResult> {
  const c = code.trim()
  if (!CODE_PATTERN.test(c)) return { ok: false, reason: 'unknown' }
  try {
    return await db.transaction(async (tx): Promise<RedeemResult> => {
      // Spend first: this conditional UPDATE is the only guard, and only one transaction can win it.
      const [spent] = await tx
        .update(invites)
        .set({ usedAt: now, usedByTelegramUserId: telegramUserId })
        .where(and(eq(invites.code, c), isNull(invites.usedAt), gt(invites.expiresAt, now)))
        .returning({ personId: invites.personId })
      if (!spent) {
        const [invite] = await tx.select().from(invites).where(eq(invites.code, c))
        if (!invite) return { ok: false, reason: 'unknown' }
        return { ok: false, reason: invite.usedAt ? 'used' : 'expired' }
      }
      const [other] = await tx
        .select({ id: people.id, active: people.active })
        .from(people)
        .where(and(eq(people.telegramUserId, telegramUserId), ne(people.id, spent.personId)))
      // Refusals after the spend roll it back, so the code stays usable by its person.
      if (other?.active) throw new Refusal('already_bound')
      // A deactivated person's old binding gives way to the new one.
      if (other) await tx.update(people).set({ telegramUserId: null }).where(eq(people.id, other.id))
      await tx
        .update(people)
        .set({ telegramUserId, unreachableAt: null, unreachableReason: null })
        .where(eq(people.id, spent.personId))
      const person = await findPersonById(tx, spent.personId)
      // The person was deactivated after the invite was made: the code is as good as unknown.
      if (!person?.active) throw new Refusal('unknown')
      return { ok: true, person }
    })
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason }
    // One Telegram user redeeming two people's codes at once: the loser is refused.
    if (isUniqueViolation(err)) return { ok: false, reason: 'already_bound' }
    throw err
  }
}

/** Thrown inside the transaction to roll back a spend and answer with a reason. */
class Refusal extends Error {
  constructor(readonly reason: 'unknown' | 'already_bound') {
    super(reason)
  }
}

/** The deep link that opens the bot with the code: https://t.me/<bot>?start=<code>. */
export function inviteLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername.replace(/^@/, '')}?start=${encodeURIComponent(code)}`
}

export const SANDBOX_BOT_USERNAME = 'duban_sandbox_bot'

/** The bot's username for links: the `bot_username` setting (kept by the bot at start), else the sandbox bot. */
export async function botUsername(db: Db): Promise<string> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, 'bot_username'))
  const value = row?.value
  return typeof value === 'string' && /^@?[A-Za-z0-9_]{3,64}$/.test(value)
    ? value.replace(/^@/, '')
    : SANDBOX_BOT_USERNAME
}
