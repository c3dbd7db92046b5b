/** Raw SQL helpers shared by the outbox, the rate budget, the digest and status reports (both drivers). */
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from './client.ts'

/** Rows of a `db.execute` result: postgres.js returns an array, PGlite `{ rows }`. */
export async function query<T>(db: Db, q: SQL): Promise<T[]> {
  const result: unknown = await db.execute(q)
  const rows: unknown[] = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])
  return rows as T[]
}

/** A text[] parameter (drizzle would expand a JS array into a list of parameters). */
export function textArray(values: readonly string[]): SQL {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`
}

/** int8 comes back as a string from postgres.js and a number from PGlite. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v)
}
