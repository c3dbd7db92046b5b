/** What the web desk's routes share: its dependencies and the per-request variables. */
import type { HttpBindings } from '@hono/node-server'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { Locale } from '../db/schema.ts'
import type { Logger } from '../log.ts'
import type { Person } from '../domain/people.ts'

/** Whether this process's other roles are alive (for /healthz); absent roles are not asked. */
export interface HealthProbe {
  worker?: () => boolean
  scheduler?: () => boolean
}

export interface WebDeps {
  db: Db
  config: Config
  logger: Logger
  /** The clock; tests pass a fixed time. */
  now?: () => Date
  health?: HealthProbe
  /** Requests per address: burst and refill per second (default 120, 4). */
  addressLimit?: { burst: number; perSecond: number }
  /** Requests per signed-in person (default 240, 8). */
  personLimit?: { burst: number; perSecond: number }
}

export interface WebVariables {
  person: Person | null
  locale: Locale
  /** The session's CSRF token (empty without a session). */
  csrf: string
  key: Buffer
  now: Date
}

export interface WebEnv {
  Bindings: HttpBindings
  Variables: WebVariables
}
