/**
 * The bot's pending updates, handed out by getUpdates with the Bot API's offset semantics and long
 * polling, or pushed to a webhook.
 *
 * getUpdates: updates with update_id < offset are confirmed and forgotten; a negative offset keeps
 * only the last |offset| updates; `limit` 1–100 (default 100); `timeout` seconds (at most 50) waits
 * for an update; `allowed_updates` is remembered until changed ([] = the default set, which leaves
 * out chat_member, message_reaction and message_reaction_count); updates of other types are dropped.
 * A getUpdates that arrives while another is still waiting terminates the waiting one, which is
 * answered 409 "Conflict: terminated by other getUpdates request; …" — as the real server does.
 */
import { ApiError } from './world.ts'

export type Update = Record<string, unknown> & { update_id: number }

const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count'])
const MAX_TIMEOUT_S = 50

export const updateType = (u: Record<string, unknown>) => Object.keys(u).find((k) => k !== 'update_id') ?? ''

interface Waiter {
  wake(): void
  terminate(e: ApiError): void
}

export interface WebhookState {
  url: string
  secretToken?: string
  maxConnections: number
  lastErrorDate?: number
  lastErrorMessage?: string
}

export interface WebhookOptions {
  retryMs: number
  timeoutMs: number
  /** Called with the JSON body a webhook answered with, when it names a method (a "webhook reply"). */
  onReply: (payload: Record<string, unknown>) => void
}

export class UpdateQueue {
  private queue: Update[] = []
  private nextId = 1
  private allowed: Set<string> | null = null
  private waiter: Waiter | null = null
  private wakeScheduled = false
  webhook: WebhookState | null = null
  private delivering = false
  private stopController = new AbortController()

  constructor(private readonly webhookOptions: WebhookOptions) {}

  get pendingCount(): number {
    return this.queue.filter((u) => this.isAllowed(u)).length
  }

  get allowedUpdates(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined
  }

  /** Queues an update (assigning its update_id) and wakes a waiting getUpdates or the webhook. */
  push(update: Record<string, unknown>): number {
    const update_id = this.nextId++
    const u = { ...update, update_id } as Update
    this.queue.push(u)
    if (this.webhook) void this.deliver()
    else if (this.waiter && !this.wakeScheduled) {
      // Let updates produced in the same tick go out together, as the real server batches them.
      this.wakeScheduled = true
      setImmediate(() => {
        this.wakeScheduled = false
        this.waiter?.wake()
      })
    }
    return update_id
  }

  setAllowed(list: unknown): void {
    if (!Array.isArray(list)) return
    const names = list.filter((x): x is string => typeof x === 'string')
    this.allowed = names.length === 0 ? null : new Set(names)
  }

  private isAllowed(u: Update): boolean {
    const t = updateType(u)
    return this.allowed ? this.allowed.has(t) : !DEFAULT_EXCLUDED.has(t)
  }

  /** Drops disallowed updates and returns up to `limit` from the head. */
  private collect(limit: number): Update[] {
    this.queue = this.queue.filter((u) => this.isAllowed(u))
    return this.queue.slice(0, limit)
  }

  /** getUpdates. Resolves with the updates (possibly none after the timeout), or throws ApiError 409. */
  async getUpdates(params: Record<string, unknown>, signal: AbortSignal): Promise<Update[]> {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      )
    }
    this.waiter?.terminate(
      new ApiError(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      ),
    )
    const offset = toInt(params.offset, 0)
    const limit = Math.min(100, Math.max(1, toInt(params.limit, 100)))
    const timeoutS = Math.min(MAX_TIMEOUT_S, Math.max(0, toNumber(params.timeout, 0)))
    if (params.allowed_updates !== undefined) {
      this.setAllowed(
        typeof params.allowed_updates === 'string'
          ? safeJson(params.allowed_updates)
          : params.allowed_updates,
      )
    }
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset)
    else if (offset < 0) this.queue = this.queue.slice(offset)
    const ready = this.collect(limit)
    if (ready.length > 0 || timeoutS === 0 || signal.aborted) return ready
    return new Promise<Update[]>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        if (this.waiter === waiter) this.waiter = null
      }
      const waiter: Waiter = {
        wake: () => {
          const r = this.collect(limit)
          if (r.length > 0) {
            done()
            resolve(r)
          }
        },
        terminate: (e) => {
          done()
          reject(e)
        },
      }
      const onAbort = () => {
        done()
        resolve([])
      }
      const timer = setTimeout(() => {
        done()
        resolve([])
      }, timeoutS * 1000)
      signal.addEventListener('abort', onAbort)
      this.waiter = waiter
    })
  }

  /** Ends a waiting getUpdates with an error (setWebhook, shutdown). */
  terminateWaiter(e: ApiError): void {
    this.waiter?.terminate(e)
  }

  dropPending(): void {
    this.queue = []
  }

  setWebhook(state: WebhookState, allowed: unknown): void {
    this.terminateWaiter(
      new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      ),
    )
    this.webhook = state
    if (allowed !== undefined) this.setAllowed(allowed)
    void this.deliver()
  }

  deleteWebhook(): void {
    this.webhook = null
  }

  stop(): void {
    this.stopController.abort()
    this.webhook = null
    this.terminateWaiter(new ApiError(502, 'Bad Gateway'))
  }

  /** Clears everything queued (update ids keep counting up). */
  clear(): void {
    this.queue = []
  }

  /** Posts queued updates to the webhook one at a time, in order, retrying failures with backoff. */
  private async deliver(): Promise<void> {
    if (this.delivering) return
    this.delivering = true
    let delay = this.webhookOptions.retryMs
    const stop = this.stopController.signal
    try {
      while (this.webhook && !stop.aborted) {
        const next = this.collect(1)[0]
        if (!next) break
        const wh = this.webhook
        let error: string
        try {
          const res = await fetch(wh.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(wh.secretToken ? { 'X-Telegram-Bot-Api-Secret-Token': wh.secretToken } : {}),
            },
            body: JSON.stringify(next),
            signal: AbortSignal.any([stop, AbortSignal.timeout(this.webhookOptions.timeoutMs)]),
          })
          const text = await res.text()
          if (res.status >= 200 && res.status < 300) {
            this.queue = this.queue.filter((u) => u !== next)
            delay = this.webhookOptions.retryMs
            const reply = safeJson(text)
            if (
              reply &&
              typeof reply === 'object' &&
              typeof (reply as Record<string, unknown>).method === 'string'
            ) {
              this.webhookOptions.onReply(reply as Record<string, unknown>)
            }
            continue
          }
          error = `Wrong response from the webhook: ${res.status} ${res.statusText}`
        } catch (e) {
          if (stop.aborted) break
          const code = (e as { cause?: { code?: string } }).cause?.code
          error =
            code === 'ECONNREFUSED' ? 'Connection refused' : `Connection failed: ${(e as Error).message}`
        }
        wh.lastErrorDate = Math.floor(Date.now() / 1000)
        wh.lastErrorMessage = error
        await sleep(delay, stop)
        delay = Math.min(delay * 2, 5000)
      }
    } finally {
      this.delivering = false
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function toNumber(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return fallback
}

export function toInt(v: unknown, fallback: number): number {
  return Math.trunc(toNumber(v, fallback))
}
