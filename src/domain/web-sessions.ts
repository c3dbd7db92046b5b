/**
 * Password-free sign-in to the web desk: a person asks the bot (`/web`) or an admin asks the CLI
 * (`duban web link NAME`) for a one-time link, valid 10 minutes; opening it starts a session of
 * 12 hours. Tokens are random (32 bytes); the database keeps only their SHA-256, so every
 * replica knows a session and a dump of the database reveals none.
 *
 * A session of a person who is no longer active ends on its next use; `revokeWebAccess` ends a
 * person's sessions and unused links at once.
 */
import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { webLinks, webSessions } from '../db/schema.ts'
import { findPersonById, type Person } from './people.ts'

export const SIGNIN_LINK_TTL_MS = 10 * 60_000
export const SESSION_TTL_MS = 12 * 3_600_000

/** A new random token (base64url, 43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What the database keeps of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Issues a one-time sign-in link token for an active person; the caller builds the URL. */
export async function createSignInToken(
  db: Db,
  personId: number,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken()
  const expiresAt = new Date(now.getTime() + SIGNIN_LINK_TTL_MS)
  await db.insert(webLinks).values({
    tokenHash: tokenHash(token),
    kind: 'signin',
    personId,
    expiresAt,
    createdAt: now,
  })
  return { token, expiresAt }
}

export type SignInOutcome =
  | { ok: true; sessionToken: string; person: Person; expiresAt: Date }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'inactive' }

/**
 * Uses a sign-in link: marks it used (one statement, so two opens race to one winner) and starts
 * a session. Unknown, expired, used or revoked links, and inactive people, start nothing.
 */
export async function redeemSignInToken(db: Db, token: string, now: Date): Promise<SignInOutcome> {
  const hash = tokenHash(token)
  return db.transaction(async (tx) => {
    const [used] = await tx
      .update(webLinks)
      .set({ usedAt: now })
      .where(
        and(
          eq(webLinks.tokenHash, hash),
          eq(webLinks.kind, 'signin'),
          isNull(webLinks.usedAt),
          isNull(webLinks.revokedAt),
          gt(webLinks.expiresAt, now),
        ),
      )
      .returning({ personId: webLinks.personId })
    if (!used) {
      const [row] = await tx.select().from(webLinks).where(eq(webLinks.tokenHash, hash))
      if (!row || row.kind !== 'signin') return { ok: false, reason: 'unknown' } as const
      if (row.usedAt || row.revokedAt) return { ok: false, reason: 'used' } as const
      return { ok: false, reason: 'expired' } as const
    }
    const person = await findPersonById(tx, used.personId)
    if (!person?.active) return { ok: false, reason: 'inactive' } as const
    const sessionToken = newToken()
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS)
    await tx
      .insert(webSessions)
      .values({ tokenHash: tokenHash(sessionToken), personId: person.id, expiresAt, createdAt: now })
    return { ok: true, sessionToken, person, expiresAt } as const
  })
}

/**
 * The person behind a session token, or null when the session is unknown, expired or revoked.
 * A session of a person no longer active is revoked here (signed out on this request).
 */
export async function sessionPerson(db: Db, sessionToken: string, now: Date): Promise<Person | null> {
  const hash = tokenHash(sessionToken)
  const [row] = await db
    .select({ personId: webSessions.personId })
    .from(webSessions)
    .where(
      and(eq(webSessions.tokenHash, hash), isNull(webSessions.revokedAt), gt(webSessions.expiresAt, now)),
    )
  if (!row) return null
  const person = await findPersonById(db, row.personId)
  if (!person?.active) {
    await db.update(webSessions).set({ revokedAt: now }).where(eq(webSessions.tokenHash, hash))
    return null
  }
  return person
}

/** Ends one session (sign out). */
export async function endSession(db: Db, sessionToken: string, now: Date): Promise<void> {
  await db
    .update(webSessions)
    .set({ revokedAt: now })
    .where(and(eq(webSessions.tokenHash, tokenHash(sessionToken)), isNull(webSessions.revokedAt)))
}

/** Ends every session and unused sign-in link of a person; returns how many sessions ended. */
export async function revokeWebAccess(db: Db, personId: number, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(webSessions)
      .set({ revokedAt: now })
      .where(
        and(
          eq(webSessions.personId, personId),
          isNull(webSessions.revokedAt),
          gt(webSessions.expiresAt, now),
        ),
      )
      .returning({ hash: webSessions.tokenHash })
    await tx
      .update(webLinks)
      .set({ revokedAt: now })
      .where(and(eq(webLinks.personId, personId), isNull(webLinks.usedAt), isNull(webLinks.revokedAt)))
    return ended.length
  })
}

/** Deletes sessions and sign-in links that ended more than a day ago (housekeeping). */
export async function pruneWebAccess(db: Db, now: Date): Promise<void> {
  const before = new Date(now.getTime() - 86_400_000)
  await db.delete(webSessions).where(sql`${webSessions.expiresAt} < ${before.toISOString()}::timestamptz`)
  await db
    .delete(webLinks)
    .where(
      and(eq(webLinks.kind, 'signin'), sql`${webLinks.expiresAt} < ${before.toISOString()}::timestamptz`),
    )
}
