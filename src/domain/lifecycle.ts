/**
 * Access that can be taken back: deactivating and reactivating people, ending their open invites,
 * unbinding groups. Each change is one transaction together with its audit entry (audit.ts), and
 * the access stamp it advances makes every bot process see it on the next update.
 *
 * What deactivation ends: the person's Telegram access (the bot refuses them from the next update
 * on; the binding is kept, so reactivation restores it), their unused invites and group bind codes,
 * and their messages still waiting in the outbox. Recipients are chosen among active people only
 * (recipients.ts), so their unit's later messages go to its groups and other liaisons.
 */
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { chatBindCodes, chats, deliveries, invites, people } from '../db/schema.ts'
import { recordAudit, type AuditActor } from './audit.ts'
import { chatByTelegramId, parseTelegramChatId, type BoundChat } from './chats.ts'
import { findPerson, type Person } from './people.ts'
import { userError } from '../errors.ts'

/** `#12 李明` as audit entries name people. */
export function personTarget(p: Pick<Person, 'id' | 'name'>): string {
  return `#${p.id} ${p.name}`
}

function personState(p: Person) {
  return { active: p.active, role: p.role, unit: p.unitName, telegramBound: p.telegramUserId !== null }
}

const ENDED_REASON = 'recipient deactivated'
const UNBOUND_REASON = 'chat unbound'

/**
 * Ends what a deactivated person still holds (in the caller's transaction): unused invites and bind
 * codes expire now, their pending messages are withdrawn (`dead`, with the reason).
 */
export async function endAccess(
  db: Db,
  personIds: number[],
  now: Date,
): Promise<{ invites: number; deliveries: number }> {
  if (personIds.length === 0) return { invites: 0, deliveries: 0 }
  const ended = await db
    .update(invites)
    .set({ expiresAt: now })
    .where(and(inArray(invites.personId, personIds), isNull(invites.usedAt), gt(invites.expiresAt, now)))
    .returning({ code: invites.code })
  await db
    .update(chatBindCodes)
    .set({ expiresAt: now })
    .where(
      and(
        inArray(chatBindCodes.createdByPersonId, personIds),
        isNull(chatBindCodes.usedAt),
        gt(chatBindCodes.expiresAt, now),
      ),
    )
  const withdrawn = await db
    .update(deliveries)
    .set({ status: 'dead', lastError: ENDED_REASON, updatedAt: now })
    .where(and(inArray(deliveries.personId, personIds), inArray(deliveries.status, ['pending', 'failed'])))
    .returning({ id: deliveries.id })
  return { invites: ended.length, deliveries: withdrawn.length }
}

/**
 * Deactivates one person (number, exact name or email; several of one name: a user error listing
 * them, nothing changed). Already inactive: `changed: false`, nothing written.
 */
export async function deactivatePerson(
  db: Db,
  query: string,
  actor: AuditActor,
  now: Date,
): Promise<{ changed: boolean; person: Person; invites: number; deliveries: number }> {
  return db.transaction(async (tx) => {
    const person = await findPerson(tx, query)
    if (!person.active) return { changed: false, person, invites: 0, deliveries: 0 }
    await tx.update(people).set({ active: false }).where(eq(people.id, person.id))
    const ended = await endAccess(tx, [person.id], now)
    const after = { ...person, active: false }
    await recordAudit(
      tx,
      actor,
      {
        action: 'people.deactivate',
        target: personTarget(person),
        before: personState(person),
        after: { ...personState(after), invitesEnded: ended.invites, deliveriesWithdrawn: ended.deliveries },
      },
      now,
    )
    return { changed: true, person: after, ...ended }
  })
}

/** Reactivates one person (among several of one name, the inactive ones are meant). */
export async function reactivatePerson(
  db: Db,
  query: string,
  actor: AuditActor,
  now: Date,
): Promise<{ changed: boolean; person: Person }> {
  return db.transaction(async (tx) => {
    const person = await findPerson(tx, query, (p) => !p.active)
    if (person.active) return { changed: false, person }
    await tx.update(people).set({ active: true }).where(eq(people.id, person.id))
    const after = { ...person, active: true }
    await recordAudit(
      tx,
      actor,
      {
        action: 'people.reactivate',
        target: personTarget(person),
        before: personState(person),
        after: personState(after),
      },
      now,
    )
    return { changed: true, person: after }
  })
}

/** Ends every unused invite of one person; the count (0: nothing written). */
export async function revokeInvites(
  db: Db,
  query: string,
  actor: AuditActor,
  now: Date,
): Promise<{ person: Person; revoked: number }> {
  return db.transaction(async (tx) => {
    const person = await findPerson(tx, query)
    const ended = await tx
      .update(invites)
      .set({ expiresAt: now })
      .where(and(eq(invites.personId, person.id), isNull(invites.usedAt), gt(invites.expiresAt, now)))
      .returning({ code: invites.code })
    if (ended.length > 0)
      await recordAudit(
        tx,
        actor,
        {
          action: 'invites.revoke',
          target: personTarget(person),
          before: { open: ended.length },
          after: { open: 0 },
        },
        now,
      )
    return { person, revoked: ended.length }
  })
}

/** The chat's binding as audit entries and listings show it. */
export function chatState(c: BoundChat) {
  return { telegramChatId: c.telegramChatId, purpose: c.purpose, unit: c.unitName, title: c.title }
}

/**
 * Unbinds a group: the binding goes, and messages still waiting for that chat are withdrawn, so the
 * group receives nothing more. A chat that is not bound is a user error (nothing changed).
 */
export async function unbindChat(
  db: Db,
  telegramChatId: number,
  actor: AuditActor,
  now: Date,
): Promise<{ chat: BoundChat; withdrawn: number }> {
  const id = parseTelegramChatId(telegramChatId)
  return db.transaction(async (tx) => {
    const chat = await chatByTelegramId(tx, id)
    if (!chat) throw userError('access', (t) => t.chatNotBound(id))
    await tx.delete(chats).where(eq(chats.telegramChatId, id))
    const withdrawn = await tx
      .update(deliveries)
      .set({ status: 'dead', lastError: UNBOUND_REASON, updatedAt: now })
      .where(
        and(
          eq(deliveries.channel, 'telegram'),
          eq(deliveries.recipient, String(id)),
          inArray(deliveries.status, ['pending', 'failed']),
        ),
      )
      .returning({ id: deliveries.id })
    await recordAudit(
      tx,
      actor,
      { action: 'chats.unbind', target: `chat ${id}`, before: chatState(chat), after: null },
      now,
    )
    return { chat, withdrawn: withdrawn.length }
  })
}

/** True when this Telegram user is bound to a person who was deactivated. */
export async function isDeactivatedTelegramUser(db: Db, telegramUserId: number): Promise<boolean> {
  const [row] = await db
    .select({ active: people.active })
    .from(people)
    .where(sql`${people.telegramUserId} = ${telegramUserId}`)
  return row !== undefined && !row.active
}
