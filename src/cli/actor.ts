/** Who is at the command line, for the audit log: the operating-system user. */
import { userInfo } from 'node:os'
import type { Db } from '../db/client.ts'
import { recordAudit, type AuditActor, type AuditEntry } from '../domain/audit.ts'

export function cliActor(): AuditActor {
  let name: string
  try {
    name = userInfo().username
  } catch {
    name = `uid:${process.getuid?.() ?? '?'}`
  }
  return { source: 'cli', actor: name || 'unknown' }
}

/**
 * Runs a command's change and its audit entry in one transaction: the entry exists exactly when
 * the change does. `describe` turns the change's result into the entry.
 */
export async function audited<T>(
  db: Db,
  change: (tx: Db) => Promise<T>,
  describe: (result: T) => AuditEntry,
  now?: Date,
): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await change(tx)
    await recordAudit(tx, cliActor(), describe(result), now)
    return result
  })
}
