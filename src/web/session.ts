/**
 * The session cookie and the guards pages use: a signed-in person, a person who may read a unit,
 * an admin; and the CSRF check for forms posted within a session.
 */
import type { Context } from 'hono'
import { setCookie } from 'hono/cookie'
import { messages } from '../i18n/index.ts'
import type { Person } from '../domain/people.ts'
import { mayReadUnit } from '../domain/access.ts'
import { SESSION_TTL_MS } from '../domain/web-sessions.ts'
import { messagePage } from './html.ts'
import { csrfMatches } from './security.ts'
import type { WebEnv } from './types.ts'

export const SESSION_COOKIE = 'duban_session'

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the desk is served over https. */
export function setSessionCookie(c: Context<WebEnv>, token: string, publicUrl: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: publicUrl.startsWith('https:'),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
}

function title(c: Context<WebEnv>) {
  return messages(c.get('locale')).web
}

function opts(c: Context<WebEnv>, text: string) {
  return { title: text, locale: c.get('locale'), person: c.get('person'), csrf: c.get('csrf') }
}

/** The signed-in person, or a redirect to the sign-in page. */
export function requirePerson(c: Context<WebEnv>): Person | Response {
  const person = c.get('person')
  if (!person) return c.redirect('/signin', 303)
  return person
}

/** A 403 page. */
export function forbidden(c: Context<WebEnv>): Response {
  const t = title(c).errors
  return c.html(messagePage(opts(c, t.forbidden), t.forbidden, 'error'), 403)
}

/** A 404 page. */
export function notFound(c: Context<WebEnv>): Response {
  const t = title(c).errors
  return c.html(messagePage(opts(c, t.notFound), t.notFound, 'error'), 404)
}

/** The person when they may read the unit; a 403 page otherwise (redirect without a session). */
export function requireUnitReader(c: Context<WebEnv>, unitId: number): Person | Response {
  const person = requirePerson(c)
  if (person instanceof Response) return person
  return mayReadUnit(person, unitId) ? person : forbidden(c)
}

/** The 403 page for a form whose CSRF token is missing or wrong. */
export function csrfRefused(c: Context<WebEnv>): Response {
  const t = title(c).errors
  return c.html(messagePage(opts(c, t.csrf), t.csrf, 'error'), 403)
}

/** Whether a posted form carries this session's CSRF token. */
export function sessionCsrfOk(c: Context<WebEnv>, form: Record<string, unknown>): boolean {
  const expected = c.get('csrf')
  return expected !== '' && csrfMatches(expected, form._csrf)
}

/** Page options from the request (title, locale, person, CSRF). */
export function pageOpts(c: Context<WebEnv>, title: string, current?: 'ledger' | 'training' | 'deliveries') {
  return {
    title,
    locale: c.get('locale') ?? 'zh-CN',
    person: c.get('person') ?? null,
    csrf: c.get('csrf') ?? '',
    ...(current ? { current } : {}),
  }
}
