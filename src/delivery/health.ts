/** What the operations endpoints ask the database: is it there, and how far behind is the outbox. */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'

/** Resolves when `select 1` answers within `timeoutMs`; rejects otherwise. */
export async function pingDatabase(db: Db, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      query(db, sql`select 1 as ok`),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Seconds the oldest due, pending delivery has been waiting (database clock), 0 when none: a
 * growing value means the worker is not keeping up or not running.
 */
export async function outboxLagSeconds(db: Db): Promise<number> {
  const [row] = await query<{ lag: number | string | null }>(
    db,
    sql`select extract(epoch from now() - min(next_attempt_at)) as lag from deliveries
        where status = 'pending' and next_attempt_at <= now()`,
  )
  return row?.lag === null || row?.lag === undefined ? 0 : Math.max(0, Number(row.lag))
}
