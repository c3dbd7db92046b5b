/**
 * The web desk: server-rendered pages (台账, units, tasks, training hours, deliveries), the
 * password-free sign-in, the one-tap answers from emails, and the operations endpoints, on one
 * small HTTP server (hono on @hono/node-server) that `duban start` runs as its `web` role.
 *
 * It is a channel like the bot: routes parse, authorize, call a domain service and render; they
 * never write SQL. Sessions and links live in the database, so any replica serves any request.
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Hono, type Context } from 'hono'
import { getCookie, deleteCookie } from 'hono/cookie'
import { serve, type ServerType } from '@hono/node-server'
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { signingKey } from '../domain/answer-links.ts'
import { sessionPerson, tokenHash } from '../domain/web-sessions.ts'
import { LocalizedUserError, UserError } from '../errors.ts'
import { enableMetrics } from '../metrics.ts'
import { messagePage } from './html.ts'
import { csrfToken, plainAddress, RateLimiter, securityHeaders } from './security.ts'
import { pageOpts, SESSION_COOKIE } from './session.ts'
import type { WebDeps, WebEnv } from './types.ts'
import { registerSignIn } from './pages/signin.ts'
import { registerLedger } from './pages/ledger.ts'
import { registerUnitPages } from './pages/unit.ts'
import { registerTraining } from './pages/training.ts'
import { registerDeliveries } from './pages/deliveries.ts'
import { registerAnswers } from './pages/answer.ts'
import { registerOps } from './ops.ts'
import { packageRoot } from '../package-root.ts'

// The static files are not compiled: they are read from the sources' folder, from dist/ too.
const staticDir = path.join(packageRoot, 'src/web/static')
const staticFiles: Record<string, { body: string; type: string }> = {
  'style.css': {
    body: readFileSync(path.join(staticDir, 'style.css'), 'utf8'),
    type: 'text/css; charset=utf-8',
  },
  'app.js': {
    body: readFileSync(path.join(staticDir, 'app.js'), 'utf8'),
    type: 'text/javascript; charset=utf-8',
  },
}

/** The person's locale, else the browser's first choice between zh and en, else zh-CN. */
function localeOf(c: Context<WebEnv>): Locale {
  const person = c.get('person')
  if (person) return person.locale
  const accept = (c.req.header('accept-language') ?? '').toLowerCase()
  return /^\s*en\b/.test(accept) ? 'en' : 'zh-CN'
}

/** The client's address as the socket saw it (behind a proxy: the proxy's). */
export function remoteAddress(c: Context<WebEnv>): string {
  return plainAddress(c.env.incoming.socket.remoteAddress)
}

/** Builds the app (tests use `app.request` or serve it themselves). */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  const now = deps.now ?? (() => new Date())
  const byAddress = new RateLimiter(deps.addressLimit?.burst ?? 120, deps.addressLimit?.perSecond ?? 4)
  const byPerson = new RateLimiter(deps.personLimit?.burst ?? 240, deps.personLimit?.perSecond ?? 8)

  app.use(securityHeaders())

  app.get('/static/:file', (c) => {
    const file = staticFiles[c.req.param('file')]
    if (!file) return c.notFound()
    c.header('Cache-Control', 'public, max-age=3600')
    return c.body(file.body, 200, { 'Content-Type': file.type })
  })

  // Operations endpoints: no session, no rate limit, an address allow-list.
  registerOps(app, deps)

  // Every other request: rate limit per address, then the session (if any), then per person.
  app.use(async (c, next) => {
    const at = now()
    c.set('now', at)
    c.set('person', null)
    c.set('csrf', '')
    c.set('locale', localeOf(c))
    if (!byAddress.take(remoteAddress(c), performance.now())) return tooMany(c)
    c.set('key', await signingKey(deps.db, deps.config.webSigningKey))
    const token = getCookie(c, SESSION_COOKIE)
    if (token) {
      const person = await sessionPerson(deps.db, token, at)
      if (person) {
        c.set('person', person)
        c.set('csrf', csrfToken(c.get('key'), 'session', tokenHash(token)))
        c.set('locale', person.locale)
        if (!byPerson.take(`p${person.id}`, performance.now())) return tooMany(c)
      } else {
        // Expired, revoked, or the person was deactivated: signed out from this request on.
        deleteCookie(c, SESSION_COOKIE, { path: '/' })
      }
    }
    await next()
  })

  app.get('/', (c) => c.redirect(c.get('person') ? '/ledger' : '/signin', 303))
  registerSignIn(app, deps)
  registerLedger(app, deps)
  registerUnitPages(app, deps)
  registerTraining(app, deps)
  registerDeliveries(app, deps)
  registerAnswers(app, deps)

  app.notFound((c) => {
    const locale = c.get('locale') ?? 'zh-CN'
    return c.html(
      messagePage(
        pageOpts(c, messages(locale).web.errors.notFound),
        messages(locale).web.errors.notFound,
        'error',
      ),
      404,
    )
  })
  app.onError((err, c) => {
    const locale = c.get('locale') ?? 'zh-CN'
    if (err instanceof LocalizedUserError) {
      const text = err.text(locale)
      return c.html(messagePage(pageOpts(c, messages(locale).web.errors.badRequest), text, 'error'), 400)
    }
    if (err instanceof UserError)
      return c.html(
        messagePage(pageOpts(c, messages(locale).web.errors.badRequest), err.message, 'error'),
        400,
      )
    deps.logger.error({ err, path: c.req.path }, 'web request failed')
    return c.text('Internal Server Error', 500)
  })
  return app
}

function tooMany(c: Context<WebEnv>) {
  const t = messages(c.get('locale')).web.errors
  c.header('Retry-After', '5')
  return c.html(messagePage(pageOpts(c, t.tooMany), t.tooMany, 'error'), 429)
}

export interface RunningWeb {
  port: number
  /** http://127.0.0.1:<port> (where this process listens; PUBLIC_URL may differ). */
  localUrl: string
  stop(): Promise<void>
}

/** Starts the web desk on `config.webPort` (or `port`, 0 for any free port) and enables metrics. */
export async function startWebServer(
  deps: WebDeps & { port?: number; hostname?: string },
): Promise<RunningWeb> {
  await enableMetrics()
  const app = createWebApp(deps)
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      { fetch: app.fetch, port: deps.port ?? deps.config.webPort, hostname: deps.hostname ?? '0.0.0.0' },
      () => resolve(s),
    )
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  deps.logger.info({ port, publicUrl: deps.config.publicUrl }, 'web desk listening')
  return {
    port,
    localUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
