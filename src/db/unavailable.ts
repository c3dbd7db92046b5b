/**
 * Whether an error means the database could not be reached or dropped the connection (a restart,
 * a failover, a network cut) rather than refusing the statement: worth trying again later, not
 * a bug. Looks through wrappers (drizzle's DrizzleQueryError, grammY's BotError) by `cause`/`error`.
 */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
])

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true
    const next = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error
    if (next === e) break
    e = next
  }
  return false
}
