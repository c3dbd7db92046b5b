/**
 * A local Telegram Bot API emulator: a real HTTP peer on 127.0.0.1 that grammY (or anything else)
 * talks to exactly as to api.telegram.org, with a people's side for tests, Telegram's send limits,
 * fault injection and webhook delivery. Used by tests, benchmarks and the sandbox (`npm start` with
 * no BOT_TOKEN).
 *
 *   const emulator = await BotApiEmulator.start()
 *   const bot = new Bot('123:abc', { client: { apiRoot: emulator.apiRoot } })
 *   emulator.sendText(alice, { id: alice.id }, '/start')
 *   await emulator.waitFor((sent) => sent.find((m) => m.chat_id === alice.id))
 *
 * Deliberate differences from Telegram: HTML is validated strictly (a bare `>` or `&` is rejected,
 * see `ParseHtmlOptions.strict`); Markdown parse modes are accepted but not parsed; lengths count
 * UTF-16 code units; inline mode, channels, media groups and payments are not emulated.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { EmulatorCore, type CallContext } from './core.ts'
import { BodyError, parseBody, readBody, type UploadedFile } from './http-body.ts'
import type {
  ApiCall,
  CallbackAnswer,
  EmulatedMessage,
  EmulatorChat,
  EmulatorFault,
  EmulatorOptions,
  EmulatorUser,
  PersonFile,
  RateViolation,
  SentMessage,
  ViolationCounts,
} from './types.ts'
import { ApiError, type MemberStatus } from './world.ts'

export type {
  ApiCall,
  CallbackAnswer,
  EmulatedMessage,
  EmulatorBot,
  EmulatorChat,
  EmulatorFault,
  EmulatorLimits,
  EmulatorOptions,
  EmulatorUser,
  PersonFile,
  RateViolation,
  SentFile,
  SentMessage,
  TgMessage,
  ViolationCounts,
} from './types.ts'
export type { MemberStatus } from './world.ts'

export const DEFAULT_EMULATOR_BOT = { id: 7000000001, username: 'duban_sandbox_bot', first_name: '督办助手' }

const MAX_BODY_BYTES = 60 * 1024 * 1024
const MAX_CALL_LOG = 100_000
/** Marks a logged call whose body is still being read. */
const pendingParams: Record<string, unknown> = Object.freeze({})

type Answer =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: Record<string, number> }

const defaultDescriptions: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden: bot was blocked by the user',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export class BotApiEmulator {
  readonly apiRoot: string
  readonly port: number
  private readonly core: EmulatorCore
  private readonly server: Server
  private readonly token: string | undefined
  private readonly control: boolean
  private callLog: ApiCall[] = []
  private faults = new Map<string, EmulatorFault[]>()
  private sockets = new Set<Socket>()
  private stopped = false

  private constructor(server: Server, core: EmulatorCore, opts: EmulatorOptions) {
    this.server = server
    this.core = core
    this.token = opts.token
    this.control = opts.control ?? false
    this.port = (server.address() as AddressInfo).port
    this.apiRoot = `http://127.0.0.1:${this.port}`
  }

  /** Starts an emulator listening on 127.0.0.1 (`port` 0 = a free one); see `EmulatorOptions`. */
  static async start(opts: EmulatorOptions = {}): Promise<BotApiEmulator> {
    const ref: { emulator?: BotApiEmulator } = {}
    const core = new EmulatorCore({
      bot: opts.bot ?? DEFAULT_EMULATOR_BOT,
      limits: {
        perSecond: opts.limits?.perSecond ?? 30,
        perChatPerSecond: opts.limits?.perChatPerSecond ?? 1,
        perGroupPerMinute: opts.limits?.perGroupPerMinute ?? 20,
        enforce: opts.limits?.enforce ?? true,
        slackMs: opts.limits?.slackMs ?? 50,
      },
      groupPrivacy: opts.groupPrivacy ?? false,
      webhook: { retryMs: opts.webhook?.retryMs ?? 250, timeoutMs: opts.webhook?.timeoutMs ?? 30_000 },
      onWebhookReply: (method, params) => void ref.emulator?.runWebhookReply(method, params),
    })
    if (opts.knownChats) core.addChats(opts.knownChats)
    const server = createServer({ requestTimeout: 0 })
    server.keepAliveTimeout = 65_000
    server.headersTimeout = 66_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const e = new BotApiEmulator(server, core, opts)
    ref.emulator = e
    server.on('connection', (s: Socket) => {
      e.sockets.add(s)
      s.on('close', () => e.sockets.delete(s))
    })
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      e.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed)
          send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' })
      })
    })
    return e
  }

  /** Stops listening, ends waiting getUpdates and webhook delivery, and closes every connection. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.core.updates.stop()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    this.server.closeAllConnections()
    await closed
  }

  // ---- the people's side ---------------------------------------------------------------------

  /** A person writes `text` in a chat (private: the chat id is the person's id; groups: negative id
   *  with a title). Returns the update (null when the bot would not receive it) and the stored message. */
  sendText(
    from: EmulatorUser,
    chat: EmulatorChat,
    text: string,
    opts: { replyTo?: number } = {},
  ): EmulatedMessage {
    return this.core.sendText(from, chat, text, opts.replyTo)
  }

  /** A person sends a photo or a document (caption, album id and reply optional); the bot can getFile it. */
  sendFile(from: EmulatorUser, chat: EmulatorChat, file: PersonFile): EmulatedMessage {
    return this.core.sendFile(from, chat, file)
  }

  /** getFile for this file id answers 502 the next `times` calls (a download that fails). */
  failDownloads(fileId: string, times: number): void {
    this.core.failingDownloads.set(fileId, times)
  }

  /** A person edits their earlier message: delivers an edited_message update. */
  editText(chatId: number, messageId: number, text: string): void {
    this.core.editText(chatId, messageId, text)
  }

  /** A person presses an inline button of a bot message; throws if the message has no such button. */
  pressButton(
    from: EmulatorUser,
    chatId: number,
    messageId: number,
    callbackData: string,
  ): { callbackQueryId: string } {
    return this.core.pressButton(from, chatId, messageId, callbackData)
  }

  /** Queues any raw update (for fuzzing); the emulator assigns and returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number {
    return this.core.pushUpdate(update)
  }

  /** The group became a supergroup: delivers the migrate_to/migrate_from service messages; sends to the
   *  old id then get 400 with parameters.migrate_to_chat_id. */
  migrateGroup(oldChatId: number, newChatId: number, by?: EmulatorUser): void {
    this.core.migrateGroup(oldChatId, newChatId, by)
  }

  /** A person adds the bot to a group: delivers my_chat_member and a new_chat_members message. */
  addBotToGroup(from: EmulatorUser, chat: EmulatorChat): EmulatedMessage {
    return this.core.addBotToGroup(from, chat)
  }

  /** The person blocked the bot: sends to their private chat get 403 "Forbidden: bot was blocked by the
   *  user" until they unblock it or write to the bot again. (People who never started the bot get 403
   *  "bot can't initiate conversation with a user" unless listed in `knownChats`.) */
  blockBot(userId: number): void {
    this.core.blockBot(userId)
  }

  unblockBot(userId: number): void {
    this.core.unblockBot(userId)
  }

  /** Registers chats the bot may write to (private chats count as started), like `knownChats`. */
  addChats(...chats: EmulatorChat[]): void {
    this.core.addChats(chats)
  }

  /** Sets a person's (or, with the bot's id, the bot's own) status in a chat, for getChatMember. */
  setMemberStatus(chatId: number, userId: number, status: MemberStatus): void {
    this.core.setMemberStatus(chatId, userId, status)
  }

  // ---- reading what the bot did ----------------------------------------------------------------

  /** Messages the bot sent, in order, as they now stand (edits applied in place, `edited` set). */
  sentMessages(chatId?: number): SentMessage[] {
    const all = this.core.world.sent
    return chatId === undefined ? [...all] : all.filter((m) => m.chat_id === chatId)
  }

  callbackAnswers(): CallbackAnswer[] {
    return [...this.core.answers]
  }

  /** Every request received, in arrival order, optionally for one method (case-insensitive). */
  calls(method?: string): ApiCall[] {
    if (method === undefined) return [...this.callLog]
    const m = method.toLowerCase()
    return this.callLog.filter((c) => c.method.toLowerCase() === m)
  }

  /** Requests that broke a rate limit (answered 429, or only counted when `enforce` is off). */
  get violations(): number {
    return this.core.counts.total
  }

  /** The same, by the limit broken. */
  get violationsByKind(): ViolationCounts {
    return { ...this.core.counts }
  }

  /** The violations themselves (the last 10 000), for finding out which sends came too close. */
  rateViolations(): RateViolation[] {
    return [...this.core.violationLog]
  }

  /** The last setMyCommands per scope and language: keys like 'default', 'default@en',
   *  'all_private_chats', 'chat:-100123@zh', 'chat_member:-100123:42'. */
  commands(): Record<string, unknown> {
    return this.core.commands()
  }

  /** Updates queued and not yet confirmed by getUpdates or accepted by the webhook. */
  get pendingUpdates(): number {
    return this.core.updates.pendingCount
  }

  // ---- fault injection -------------------------------------------------------------------------

  /** The next `times` calls of `method` (or of any method with '*') fail as given. A method's own
   *  faults are used before '*' faults. 'drop' destroys the connection without an answer and changes
   *  nothing; 'drop-after-accept' does the call (a send is stored as sent) and then destroys it;
   *  'hold' leaves the request unanswered (and changes nothing) until the caller goes away. */
  failNext(method: string, fault: EmulatorFault, times = 1): void {
    const key = method === '*' ? '*' : method.toLowerCase()
    const list = this.faults.get(key) ?? []
    for (let k = 0; k < times; k++) list.push(fault)
    this.faults.set(key, list)
  }

  /** Clears messages, calls, faults, callback answers, violation counts, rate windows and queued
   *  updates; keeps the chat registry, commands and webhook. */
  reset(): void {
    this.callLog = []
    this.faults.clear()
    this.core.reset()
  }

  /** Resolves with the predicate's first truthy answer over sentMessages(), re-checked on every change
   *  (a message sent, edited or deleted, a request received or answered, anything a person does);
   *  after `timeoutMs` (default 5000) rejects with a list of what the bot sent. */
  waitFor<T>(predicate: (sent: SentMessage[]) => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let off = () => {}
      const check = () => {
        let r: T | undefined | false | null
        try {
          r = predicate(this.sentMessages())
        } catch (e) {
          finish()
          reject(e instanceof Error ? e : new Error(String(e)))
          return true
        }
        if (r !== undefined && r !== false && r !== null) {
          finish()
          resolve(r)
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        off()
        reject(new Error(`waitFor: nothing matched within ${timeoutMs} ms. ${this.describeSent()}`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        off()
      }
      if (check()) return
      off = this.core.onChange(() => void check())
    })
  }

  /** Resolves with the first call of `method` received after `since` (epoch ms; default: any so far),
   *  once its parameters are read; rejects after `timeoutMs` (default 5000). */
  waitForCall(method: string, timeoutMs = 5000, since = 0): Promise<ApiCall> {
    const m = method.toLowerCase()
    return new Promise<ApiCall>((resolve, reject) => {
      const find = () =>
        this.callLog.find(
          (c) => c.method.toLowerCase() === m && c.time >= since && c.params !== pendingParams,
        )
      const hit = find()
      if (hit) return resolve(hit)
      const off = this.core.onChange(() => {
        const c = find()
        if (c) {
          clearTimeout(timer)
          off()
          resolve(c)
        }
      })
      const timer = setTimeout(() => {
        off()
        reject(new Error(`waitForCall: no ${method} call within ${timeoutMs} ms`))
      }, timeoutMs)
    })
  }

  private describeSent(): string {
    const sent = this.core.world.sent
    if (sent.length === 0) return 'The bot sent nothing.'
    const shown = sent.slice(-20).map((m) => {
      const text = m.visibleText.length > 200 ? `${m.visibleText.slice(0, 200)}…` : m.visibleText
      return `  [chat ${m.chat_id} #${m.message_id}${m.edited ? ' edited' : ''}] ${JSON.stringify(text)}`
    })
    return `The bot sent ${sent.length} message(s)${sent.length > 20 ? ', the last 20' : ''}:\n${shown.join('\n')}`
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (this.control && url.pathname.startsWith('/_emulator/')) return this.handleControl(req, res, url)
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname)
    if (download) {
      const bytes =
        this.token !== undefined && safeDecode(download[1]!) !== this.token
          ? undefined
          : this.core.fileByPath(safeDecode(download[2]!))
      if (!bytes) {
        send(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
        return
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length })
      res.end(bytes)
      return
    }
    const m = /^\/bot([^/]*)\/(?:test\/)?([^/]+)\/?$/.exec(url.pathname)
    if (!m) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
      return
    }
    const token = safeDecode(m[1]!)
    const rawMethod = m[2]!
    const entry = this.core.methods.get(rawMethod.toLowerCase())
    const call: ApiCall = {
      method: entry?.name ?? rawMethod,
      params: pendingParams,
      time: Date.now(),
      code: null,
    }
    this.logCall(call)

    let params: Record<string, unknown>
    let files: Map<string, UploadedFile>
    try {
      const body = await readBody(req, MAX_BODY_BYTES)
      ;({ params, files } = parseBody(req.headers['content-type'], body, url.searchParams))
    } catch (e) {
      const code = e instanceof BodyError ? e.code : 400
      const description = e instanceof BodyError ? e.message : 'Bad Request: request body could not be read'
      this.answer(res, call, { ok: false, error_code: code, description })
      return
    }
    call.params = describeParams(params, files)
    this.core.notify()

    if (this.token !== undefined && token !== this.token) {
      this.answer(res, call, { ok: false, error_code: 401, description: 'Unauthorized' })
      return
    }
    const fault = this.takeFault(entry?.name ?? rawMethod)
    if (fault) call.fault = fault.kind
    if (fault?.kind === 'http') {
      const retryAfter = fault.retryAfter ?? (fault.code === 429 ? 1 : undefined)
      this.answer(res, call, {
        ok: false,
        error_code: fault.code,
        description:
          fault.description ??
          (fault.code === 429
            ? `Too Many Requests: retry after ${retryAfter}`
            : (defaultDescriptions[fault.code] ?? `Error ${fault.code}`)),
        ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
      })
      return
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'hold') return
    if (!entry) {
      this.answer(res, call, { ok: false, error_code: 404, description: 'Not Found: method not found' })
      return
    }
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    const answer = await this.run(entry.handler, { params, files, signal: abort.signal })
    if (fault?.kind === 'drop-after-accept') {
      req.socket.destroy()
      return
    }
    this.answer(res, call, answer)
  }

  private async run(handler: (ctx: CallContext) => unknown, ctx: CallContext): Promise<Answer> {
    try {
      const result = await handler(ctx)
      return { ok: true, result }
    } catch (e) {
      if (e instanceof ApiError) {
        return {
          ok: false,
          error_code: e.code,
          description: e.description,
          ...(e.parameters ? { parameters: e.parameters } : {}),
        }
      }
      throw e
    }
  }

  /** A method a webhook answered with: run it like a request, logged, with no one to read the result. */
  private async runWebhookReply(method: string, params: Record<string, unknown>): Promise<void> {
    const entry = this.core.methods.get(method.toLowerCase())
    const call: ApiCall = { method: entry?.name ?? method, params, time: Date.now(), code: null }
    this.logCall(call)
    if (!entry) {
      call.code = 404
      call.description = 'Not Found: method not found'
      return
    }
    const answer = await this.run(entry.handler, {
      params,
      files: new Map(),
      signal: new AbortController().signal,
    })
    call.code = answer.ok ? 200 : answer.error_code
    if (!answer.ok) call.description = answer.description
    this.core.notify()
  }

  private answer(res: ServerResponse, call: ApiCall, answer: Answer): void {
    call.code = answer.ok ? 200 : answer.error_code
    if (!answer.ok) call.description = answer.description
    send(res, call.code, answer)
    this.core.notify()
  }

  private logCall(call: ApiCall): void {
    this.callLog.push(call)
    if (this.callLog.length > MAX_CALL_LOG) this.callLog.splice(0, this.callLog.length - MAX_CALL_LOG)
  }

  private takeFault(method: string): EmulatorFault | undefined {
    for (const key of [method.toLowerCase(), '*']) {
      const list = this.faults.get(key)
      if (list && list.length > 0) {
        const f = list.shift()
        if (list.length === 0) this.faults.delete(key)
        return f
      }
    }
    return undefined
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const action = url.pathname.slice('/_emulator/'.length)
    try {
      const body = await readBody(req, MAX_BODY_BYTES)
      const p = (body.length > 0 ? JSON.parse(body.toString('utf8')) : {}) as Record<string, unknown>
      const q = url.searchParams
      let result: unknown
      switch (action) {
        case 'sendText':
          result = this.sendText(p.from as EmulatorUser, p.chat as EmulatorChat, String(p.text), {
            replyTo: typeof p.replyTo === 'number' ? p.replyTo : undefined,
          })
          break
        case 'editText':
          this.editText(Number(p.chatId), Number(p.messageId), String(p.text))
          result = true
          break
        case 'pressButton':
          result = this.pressButton(
            p.from as EmulatorUser,
            Number(p.chatId),
            Number(p.messageId),
            String(p.callbackData),
          )
          break
        case 'blockBot':
          this.blockBot(Number(p.userId))
          result = true
          break
        case 'sentMessages': {
          const chatId = q.get('chatId')
          const after = Number(q.get('after') ?? 0)
          result = this.sentMessages(chatId === null ? undefined : Number(chatId))
            .filter((m) => m.sentAt > after)
            .map(({ document, photo, ...m }) => ({
              ...m,
              ...(document ? { document: { ...document, data: undefined } } : {}),
              ...(photo ? { photo: { ...photo, data: undefined } } : {}),
            }))
          break
        }
        default:
          send(res, 404, { ok: false, error_code: 404, description: 'Not Found: emulator action not found' })
          return
      }
      send(res, 200, { ok: true, result })
    } catch (e) {
      send(res, 400, { ok: false, error_code: 400, description: (e as Error).message })
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return
  const json = JSON.stringify(body)
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) })
  res.end(json)
}

/** Parameters as logged: uploads appear as `{ file_name, size }` instead of their bytes. */
function describeParams(
  params: Record<string, unknown>,
  files: Map<string, UploadedFile>,
): Record<string, unknown> {
  if (files.size === 0) return params
  const out: Record<string, unknown> = { ...params }
  for (const [key, f] of files) {
    const field = Object.entries(params).find(([, v]) => v === `attach://${key}`)?.[0] ?? key
    out[field] = { file_name: f.fileName, size: f.data.length }
  }
  return out
}
