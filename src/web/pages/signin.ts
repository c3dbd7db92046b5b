/** Sign-in from a one-time link (the bot's /web, `duban web link`), and sign-out. */
import type { Hono } from 'hono'
import { deleteCookie, getCookie } from 'hono/cookie'
import { messages } from '../../i18n/index.ts'
import { endSession, redeemSignInToken } from '../../domain/web-sessions.ts'
import { messagePage } from '../html.ts'
import { csrfRefused, pageOpts, SESSION_COOKIE, sessionCsrfOk, setSessionCookie } from '../session.ts'
import type { WebDeps, WebEnv } from '../types.ts'

export function registerSignIn(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/signin', (c) => {
    const t = messages(c.get('locale')).web.signIn
    if (c.get('person')) return c.redirect('/ledger', 303)
    return c.html(messagePage(pageOpts(c, t.title), t.how))
  })

  app.get('/signin/:token', async (c) => {
    const token = c.req.param('token')
    const outcome = /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await redeemSignInToken(deps.db, token, c.get('now'))
      : ({ ok: false, reason: 'unknown' } as const)
    if (!outcome.ok) {
      const t = messages(c.get('locale')).web.signIn
      return c.html(messagePage(pageOpts(c, t.title), t[outcome.reason], 'error'), 410)
    }
    setSessionCookie(c, outcome.sessionToken, deps.config.publicUrl)
    deps.logger.info({ personId: outcome.person.id }, 'web sign-in')
    return c.redirect('/ledger', 303)
  })

  app.post('/signout', async (c) => {
    const form = await c.req.parseBody()
    if (!c.get('person')) return c.redirect('/signin', 303)
    if (!sessionCsrfOk(c, form)) return csrfRefused(c)
    const token = getCookie(c, SESSION_COOKIE)
    if (token) await endSession(deps.db, token, c.get('now'))
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    const t = messages(c.get('locale')).web.signIn
    c.set('person', null)
    return c.html(messagePage(pageOpts(c, t.title), t.signedOut))
  })
}
