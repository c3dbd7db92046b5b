/**
 * What guards every request of the web desk:
 * - headers: a strict Content-Security-Policy (only our own script and style files, no inline
 *   script), no MIME sniffing, no referrer (sign-in and answer tokens travel in URLs), no framing;
 * - CSRF tokens: HMAC of the session (or of the answer link) under the signing key, checked on
 *   every POST (a synchronizer token that needs no storage);
 * - rate limits: token buckets per address and per person, in memory, so PER REPLICA (a
 *   client spread over N replicas gets N times the budget);
 * - the operations allow-list for /healthz and /metrics.
 */
import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { sign } from '../domain/answer-links.ts'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ')

/** Sets the security headers on every response. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('X-Frame-Options', 'DENY')
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  }
}

/** The CSRF token of a session (or answer link) `subject`. */
export function csrfToken(key: Buffer, purpose: 'session' | 'answer', subject: string): string {
  return sign(key, `csrf-${purpose}`, subject)
}

/** Timing-safe comparison of a submitted CSRF token with the expected one. */
export function csrfMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(submitted)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A token bucket per key: `burst` requests at once, refilled at `perSecond`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string, nowMs: number): boolean {
    let b = this.buckets.get(key)
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep(nowMs)
      b = { tokens: this.burst, at: nowMs }
      this.buckets.set(key, b)
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond)
    b.at = nowMs
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  /** Forgets full buckets (and, when still too many, the oldest). */
  private sweep(nowMs: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((nowMs - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k)
    if (this.buckets.size >= this.maxKeys) {
      const oldest = [...this.buckets.entries()].sort((x, y) => x[1].at - y[1].at)
      for (const [k] of oldest.slice(0, Math.ceil(this.maxKeys / 10))) this.buckets.delete(k)
    }
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function plainAddress(address: string | undefined): string {
  if (!address) return ''
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

/** Whether the address is on the allow-list (IPv4-mapped IPv6 addresses match their IPv4 form). */
export function addressAllowed(address: string | undefined, allow: readonly string[]): boolean {
  const a = plainAddress(address)
  return a !== '' && allow.some((x) => plainAddress(x) === a)
}
