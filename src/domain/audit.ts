/**
 * The audit log of administrative changes, and the access stamp that tells every bot process at
 * once that who-may-do-what changed.
 *
 * `recordAudit` is called with the transaction that makes the change, so the entry exists exactly
 * when the change does. It also advances the `access_version` setting (under the row's lock, so
 * increments are serial): the bot compares that stamp on each update and forgets its remembered
 * people and chats when it moved (src/telegram/lookups.ts), which is why a deactivation or an
 * unbinding takes effect on the very next update.
 */
import { and, asc, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { auditLog, settings, type AuditSource } from '../db/schema.ts'

/** Who made a change and from where. */
export interface AuditActor {
  source: AuditSource
  /** The OS user on the command line, `tg:<id>` in Telegram, the login on the web desk. */
  actor: string
  /** The roster person, when known (Telegram, web). */
  personId?: number | null
}

export interface AuditEntry {
  /** e.g. `people.deactivate`. */
  action: string
  target?: string | null
  before?: unknown
  after?: unknown
}

export interface AuditRecord {
  id: number
  at: Date
  source: AuditSource
  actor: string
  personId: number | null
  action: string
  target: string | null
  before: unknown
  after: unknown
}

export const ACCESS_VERSION_KEY = 'access_version'

/** Writes one audit entry with `db` (pass the change's transaction) and advances the access stamp. */
export async function recordAudit(db: Db, actor: AuditActor, entry: AuditEntry, now?: Date): Promise<void> {
  await db.insert(auditLog).values({
    ...(now ? { at: now } : {}),
    source: actor.source,
    actor: actor.actor.slice(0, 200),
    personId: actor.personId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
  })
  await bumpAccessVersion(db)
}

/** Advances the access stamp (in the caller's transaction). */
export async function bumpAccessVersion(db: Db): Promise<void> {
  await db
    .insert(settings)
    .values({ key: ACCESS_VERSION_KEY, value: 1 })
    .onConflictDoUpdate({
      target: settings.key,
      set: {
        value: sql`to_jsonb(coalesce((${settings.value} #>> '{}')::bigint, 0) + 1)`,
        updatedAt: sql`now()`,
      },
    })
}

/** The current access stamp (0 before any change). One primary-key read. */
export async function accessVersion(db: Db): Promise<number> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, ACCESS_VERSION_KEY))
  return typeof row?.value === 'number' ? row.value : Number(row?.value ?? 0) || 0
}

/** Audit entries at or after `since` (all when omitted), oldest first. */
export async function listAudit(db: Db, filter: { since?: Date } = {}): Promise<AuditRecord[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(filter.since ? gte(auditLog.at, filter.since) : undefined))
    .orderBy(asc(auditLog.at), asc(auditLog.id))
  return rows.map((r) => ({ ...r, before: r.before ?? null, after: r.after ?? null }))
}
