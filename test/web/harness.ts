/**
 * The web desk under test: the real bot (polling the Bot API emulator over HTTP) and the real web
 * server on a free port of 127.0.0.1, on a describeDb database with the bot tests' fixture.
 * PUBLIC_URL is the server's address, so the bot's /web links and the emails' answer links
 * point at it.
 */
import { createServer } from 'node:net'
import type { Db } from '../../src/db/client.ts'
import { createLogger, silentLogger } from '../../src/log.ts'
import { startWebServer, type RunningWeb } from '../../src/web/server.ts'
import type { HealthProbe } from '../../src/web/types.ts'
import type { Config } from '../../src/config.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { NOW, startHarness, testConfig, type Harness } from '../bot/harness.ts'

export { NOW }

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export interface WebHarness {
  bot: Harness
  web: RunningWeb
  config: Config
  /** http://127.0.0.1:<port> */
  base: string
  /** Asks the bot for a sign-in link in a private chat; returns the URL from its answer. */
  signInLink(user: EmulatorUser): Promise<string>
  stop(): Promise<void>
}

export async function startWebHarness(
  db: Db,
  opts: { now?: () => Date; health?: HealthProbe; env?: Record<string, string> } = {},
): Promise<WebHarness> {
  const port = await freePort()
  const env = { WEB_PORT: String(port), ...opts.env }
  const bot = await startHarness(db, { env, ...(opts.now ? { now: opts.now } : {}) })
  const config = testConfig(bot.emulator.apiRoot, env)
  const web = await startWebServer({
    db,
    config,
    logger: process.env.DEBUG_WEB ? createLogger('debug') : silentLogger,
    now: opts.now ?? (() => NOW),
    port,
    hostname: '127.0.0.1',
    ...(opts.health ? { health: opts.health } : {}),
  })
  return {
    bot,
    web,
    config,
    base: `http://127.0.0.1:${port}`,
    async signInLink(user) {
      const answer = await bot.say(user, { id: user.id, type: 'private' }, '/web')
      const url = /https?:\/\/\S+\/signin\/[A-Za-z0-9_-]+/.exec(answer.visibleText)?.[0]
      if (!url) throw new Error(`no sign-in link in the bot's answer: ${answer.visibleText}`)
      return url
    },
    async stop() {
      await web.stop()
      await bot.stop()
    },
  }
}

/** A cookie jar of one: signs in through a link and keeps the session cookie for later requests. */
export class Client {
  cookie = ''

  constructor(private readonly base: string) {}

  async get(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(new URL(path, this.base), {
      redirect: 'manual',
      ...init,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(init.headers as Record<string, string>),
      },
    })
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.get(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  }

  /** Opens a sign-in link; keeps the session cookie. Returns the response. */
  async signIn(link: string): Promise<Response> {
    const res = await this.get(new URL(link).pathname)
    const set = res.headers.get('set-cookie')
    if (set) this.cookie = set.split(';')[0]!
    return res
  }

  /** The CSRF token in a page's forms. */
  static csrfOf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html)
    if (!m) throw new Error('no CSRF token on the page')
    return m[1]!
  }
}
