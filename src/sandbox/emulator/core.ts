/**
 * The emulated Bot API: the methods the bot calls and the people's side (messages, edits, button
 * presses), over one `World`, one update queue and one rate limiter. The HTTP layer is in index.ts.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { isWellFormedText } from '../../telegram/html.ts'
import { parseTelegramHtml } from './html.ts'
import type { UploadedFile } from './http-body.ts'
import { SendRateLimiter, type ResolvedLimits } from './rate-limit.ts'
import type {
  CallbackAnswer,
  EmulatedMessage,
  EmulatorBot,
  EmulatorChat,
  EmulatorUser,
  PersonFile,
  RateViolation,
  SentFile,
  SentMessage,
  TgMessage,
  ViolationCounts,
} from './types.ts'
import { UpdateQueue, toInt } from './updates.ts'
import {
  ApiError,
  badRequest,
  detectEntities,
  World,
  type ChatRecord,
  type MemberStatus,
  type StoredMessage,
} from './world.ts'

export interface CallContext {
  params: Record<string, unknown>
  files: Map<string, UploadedFile>
  signal: AbortSignal
}

type Handler = (ctx: CallContext) => unknown

export interface CoreOptions {
  bot: EmulatorBot
  limits: ResolvedLimits
  groupPrivacy: boolean
  webhook: { retryMs: number; timeoutMs: number }
  /** Runs a method a webhook answered with (no one reads the result). */
  onWebhookReply: (method: string, params: Record<string, unknown>) => void
}

const TEXT_LIMIT = 4096
const CAPTION_LIMIT = 1024
const CALLBACK_ANSWER_LIMIT = 200
const TELEGRAM_SERVICE_USER: EmulatorUser = { id: 777000, first_name: 'Telegram' }

const now = () => Date.now()
const unix = () => Math.floor(Date.now() / 1000)
/** Monotonic ms for rate windows (wall-clock jumps must not open or close a window). */
const monotonic = () => performance.timeOrigin + performance.now()

/** Telegram strips these from both ends of a message text. */
const trimTelegram = (s: string) =>
  s.replace(/^[\s\u200b-\u200f\u2028\u2029\ufeff]+|[\s\u200b-\u200f\u2028\u2029\ufeff]+$/g, '')

export class EmulatorCore {
  readonly world: World
  readonly updates: UpdateQueue
  readonly limiter: SendRateLimiter
  readonly counts: ViolationCounts = { total: 0, token: 0, chat: 0, group: 0 }
  /** Each violation: when (epoch ms), where, which limits, and the retry_after answered. */
  violationLog: RateViolation[] = []
  private callbackQueries = new Map<string, { answered: boolean; chatId?: number }>()
  answers: CallbackAnswer[] = []
  private myCommands = new Map<string, unknown[]>()
  private listeners = new Set<() => void>()
  private callbackCounter = 0
  private fileCounter = 0
  /** Files people sent (and the bot uploaded), by file id, for getFile and downloads. */
  readonly storedFiles = new Map<string, { data: Buffer; path: string; uniqueId: string }>()
  /** getFile answers 5xx for these file ids this many more times (download faults). */
  readonly failingDownloads = new Map<string, number>()

  constructor(readonly options: CoreOptions) {
    this.world = new World(options.bot)
    this.limiter = new SendRateLimiter(options.limits)
    this.updates = new UpdateQueue({
      ...options.webhook,
      onReply: (payload) => {
        const { method, ...params } = payload
        if (typeof method === 'string') options.onWebhookReply(method, params)
      },
    })
  }

  // ---- change notification (waitFor) ---------------------------------------------------------

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  notify(): void {
    for (const l of [...this.listeners]) l()
  }

  // ---- the people's side ---------------------------------------------------------------------

  sendText(from: EmulatorUser, chat: EmulatorChat, text: string, replyTo?: number): EmulatedMessage {
    this.world.rememberUser(from)
    const c = this.userChat(from, chat)
    const message: TgMessage = {
      message_id: this.world.nextMessageId(c),
      from: this.world.tgUser(from),
      chat: this.world.tgChat(c),
      date: unix(),
      text,
    }
    const entities = detectEntities(text)
    if (entities.length > 0) message.entities = entities
    let repliesToBot = false
    if (replyTo !== undefined) {
      const target = c.messages.get(replyTo)
      if (!target) throw new Error(`emulator: message ${replyTo} not found in chat ${c.id}`)
      message.reply_to_message = stripReply(target.message)
      repliesToBot = target.fromBot
    }
    this.world.store(c, message, false)
    const delivered = this.deliversToBot(c, text, entities, repliesToBot)
    const update = delivered ? { message } : null
    const updateId = update ? this.updates.push(update) : null
    this.notify()
    return { updateId, update, message, message_id: message.message_id, chat_id: c.id }
  }

  /** A person sends a photo or a document (optionally with a caption, in an album, as a reply). */
  sendFile(from: EmulatorUser, chat: EmulatorChat, file: PersonFile): EmulatedMessage {
    this.world.rememberUser(from)
    const c = this.userChat(from, chat)
    const fileId = `AgACAgUAAxk${String(++this.fileCounter).padStart(6, '0')}${randomBytes(8).toString('hex')}`
    const uniqueId = `AQAD${randomBytes(6).toString('hex')}`
    const dir = file.kind === 'photo' ? 'photos' : 'documents'
    this.storedFiles.set(fileId, {
      data: file.data,
      path: `${dir}/file_${this.fileCounter}${file.fileName ? path.extname(file.fileName) : '.jpg'}`,
      uniqueId,
    })
    const message: TgMessage = {
      message_id: this.world.nextMessageId(c),
      from: this.world.tgUser(from),
      chat: this.world.tgChat(c),
      date: unix(),
    }
    if (file.kind === 'photo')
      message.photo = [
        { file_id: fileId, file_unique_id: uniqueId, width: 1280, height: 960, file_size: file.data.length },
      ]
    else
      message.document = {
        file_id: fileId,
        file_unique_id: uniqueId,
        file_size: file.data.length,
        ...(file.fileName ? { file_name: file.fileName } : {}),
        ...(file.mimeType ? { mime_type: file.mimeType } : {}),
      }
    const caption = file.caption ?? ''
    if (caption) {
      message.caption = caption
      const entities = detectEntities(caption)
      if (entities.length > 0) message.caption_entities = entities
    }
    if (file.mediaGroupId) message.media_group_id = file.mediaGroupId
    let repliesToBot = false
    if (file.replyTo !== undefined) {
      const target = c.messages.get(file.replyTo)
      if (!target) throw new Error(`emulator: message ${file.replyTo} not found in chat ${c.id}`)
      message.reply_to_message = stripReply(target.message)
      repliesToBot = target.fromBot
    }
    this.world.store(c, message, false)
    const delivered = this.deliversToBot(c, caption, detectEntities(caption), repliesToBot)
    const update = delivered ? { message } : null
    const updateId = update ? this.updates.push(update) : null
    this.notify()
    return { updateId, update, message, message_id: message.message_id, chat_id: c.id }
  }

  /** The bytes behind a file path getFile gave, or undefined. */
  fileByPath(filePath: string): Buffer | undefined {
    for (const f of this.storedFiles.values()) if (f.path === filePath) return f.data
    return undefined
  }

  editText(chatId: number, messageId: number, text: string): void {
    const c = this.world.chats.get(chatId)
    const stored = c?.messages.get(messageId)
    if (!c || !stored) throw new Error(`emulator: message ${messageId} not found in chat ${chatId}`)
    if (stored.fromBot)
      throw new Error(`emulator: message ${messageId} in chat ${chatId} is the bot's, not a person's`)
    stored.message.text = text
    stored.message.edit_date = unix()
    const entities = detectEntities(text)
    if (entities.length > 0) stored.message.entities = entities
    else delete stored.message.entities
    const repliesToBot = stored.message.reply_to_message?.from?.id === this.options.bot.id
    if (this.deliversToBot(c, text, entities, repliesToBot))
      this.updates.push({ edited_message: stored.message })
    this.notify()
  }

  pressButton(
    from: EmulatorUser,
    chatId: number,
    messageId: number,
    callbackData: string,
  ): { callbackQueryId: string } {
    const c = this.world.chats.get(chatId)
    const stored = c?.messages.get(messageId)
    if (!c || !stored || !stored.fromBot)
      throw new Error(`emulator: bot message ${messageId} not found in chat ${chatId}`)
    const markup = stored.message.reply_markup as
      { inline_keyboard?: { callback_data?: string }[][] } | undefined
    const found = markup?.inline_keyboard?.some((row) => row.some((b) => b.callback_data === callbackData))
    if (!found) {
      throw new Error(
        `emulator: message ${messageId} in chat ${chatId} has no button with callback_data ${callbackData}`,
      )
    }
    this.world.rememberUser(from)
    if (c.type !== 'private' && !c.members.has(from.id)) c.members.set(from.id, 'member')
    const id = `${BigInt(this.options.bot.id) * 1000n + BigInt(++this.callbackCounter)}`
    this.callbackQueries.set(id, { answered: false, chatId })
    this.updates.push({
      callback_query: {
        id,
        from: this.world.tgUser(from),
        message: stored.message,
        chat_instance: String(BigInt.asUintN(63, BigInt(chatId) * 2654435761n)),
        data: callbackData,
      },
    })
    this.notify()
    return { callbackQueryId: id }
  }

  pushUpdate(update: Record<string, unknown>): number {
    if (update.callback_query && typeof update.callback_query === 'object') {
      const id = (update.callback_query as { id?: unknown }).id
      if (typeof id === 'string' && !this.callbackQueries.has(id))
        this.callbackQueries.set(id, { answered: false })
    }
    const { update_id: _ignored, ...rest } = update
    const id = this.updates.push(rest)
    this.notify()
    return id
  }

  migrateGroup(oldChatId: number, newChatId: number, by?: EmulatorUser): void {
    const old = this.world.chats.get(oldChatId)
    if (!old || old.type === 'private') throw new Error(`emulator: group ${oldChatId} is not known`)
    if (newChatId >= 0) throw new Error('emulator: a supergroup id is negative')
    const actor = by ?? this.firstMember(old)
    const fresh = this.world.registerChat({
      id: newChatId,
      type: 'supergroup',
      title: old.title,
      username: old.username,
    })
    fresh.botStatus = old.botStatus
    for (const [u, s] of old.members) fresh.members.set(u, s)
    const left: TgMessage = {
      message_id: this.world.nextMessageId(old),
      from: this.world.tgUser(actor),
      chat: this.world.tgChat(old),
      date: unix(),
      migrate_to_chat_id: newChatId,
    }
    this.world.store(old, left, false)
    old.migratedTo = newChatId
    const arrived: TgMessage = {
      message_id: this.world.nextMessageId(fresh),
      from: this.world.tgUser(actor),
      chat: this.world.tgChat(fresh),
      date: unix(),
      migrate_from_chat_id: oldChatId,
    }
    this.world.store(fresh, arrived, false)
    this.updates.push({ message: left })
    this.updates.push({ message: arrived })
    this.notify()
  }

  /** A person adds the bot to a group: delivers my_chat_member and the new_chat_members message. */
  addBotToGroup(from: EmulatorUser, chat: EmulatorChat): EmulatedMessage {
    if (chat.id >= 0) throw new Error('emulator: a group id is negative')
    this.world.rememberUser(from)
    const c = this.world.registerChat(chat)
    const oldStatus = c.botStatus === 'left' || c.botStatus === 'kicked' ? c.botStatus : 'left'
    c.botStatus = 'member'
    c.migratedTo = undefined
    if (!c.members.has(from.id)) c.members.set(from.id, 'member')
    this.updates.push({
      my_chat_member: {
        chat: this.world.tgChat(c),
        from: this.world.tgUser(from),
        date: unix(),
        old_chat_member: { user: this.world.botUser(), status: oldStatus },
        new_chat_member: { user: this.world.botUser(), status: 'member' },
      },
    })
    const message: TgMessage = {
      message_id: this.world.nextMessageId(c),
      from: this.world.tgUser(from),
      chat: this.world.tgChat(c),
      date: unix(),
      new_chat_members: [this.world.botUser()],
      new_chat_member: this.world.botUser(),
      new_chat_participant: this.world.botUser(),
    }
    this.world.store(c, message, false)
    const update = { message }
    const updateId = this.updates.push(update)
    this.notify()
    return { updateId, update, message, message_id: message.message_id, chat_id: c.id }
  }

  blockBot(userId: number): void {
    this.world.blockedUsers.add(userId)
    const c = this.world.chats.get(userId)
    if (c && c.type === 'private' && c.started && !c.blocked) {
      c.blocked = true
      this.pushPrivateStatus(c, 'member', 'kicked')
    }
    this.notify()
  }

  unblockBot(userId: number): void {
    this.world.blockedUsers.delete(userId)
    const c = this.world.chats.get(userId)
    if (c?.blocked) {
      c.blocked = false
      this.pushPrivateStatus(c, 'kicked', 'member')
    }
    this.notify()
  }

  setMemberStatus(chatId: number, userId: number, status: MemberStatus): void {
    const c = this.world.chats.get(chatId)
    if (!c) throw new Error(`emulator: chat ${chatId} is not known`)
    if (userId === this.options.bot.id) c.botStatus = status
    else c.members.set(userId, status)
  }

  addChats(chats: EmulatorChat[]): void {
    for (const chat of chats) {
      const c = this.world.registerChat(chat, chat.id > 0)
      if (c.type === 'private') {
        const prev = this.world.users.get(c.id)
        this.world.rememberUser({ id: c.id, first_name: prev?.first_name ?? c.first_name ?? `User ${c.id}` })
      }
    }
  }

  private pushPrivateStatus(c: ChatRecord, from: string, to: string): void {
    const user = this.world.users.get(c.id) ?? { id: c.id, first_name: c.first_name ?? `User ${c.id}` }
    this.updates.push({
      my_chat_member: {
        chat: this.world.tgChat(c),
        from: this.world.tgUser(user),
        date: unix(),
        old_chat_member: { user: this.world.botUser(), status: from },
        new_chat_member: {
          user: this.world.botUser(),
          status: to,
          ...(to === 'kicked' ? { until_date: 0 } : {}),
        },
      },
    })
  }

  private firstMember(c: ChatRecord): EmulatorUser {
    for (const id of c.members.keys()) {
      const u = this.world.users.get(id)
      if (u) return u
    }
    return TELEGRAM_SERVICE_USER
  }

  /** The chat a person writes in, registered; a private message means they started the bot. */
  private userChat(from: EmulatorUser, chat: EmulatorChat): ChatRecord {
    const isPrivate = (chat.type ?? (chat.id > 0 ? 'private' : 'group')) === 'private'
    if (isPrivate) {
      if (chat.id !== from.id) throw new Error('emulator: a private chat has the id of the person in it')
      const c = this.world.registerChat(
        {
          id: from.id,
          type: 'private',
          first_name: from.first_name,
          last_name: from.last_name,
          username: from.username,
        },
        true,
      )
      if (c.blocked || this.world.blockedUsers.has(from.id)) this.unblockBot(from.id)
      return c
    }
    const known = this.world.chats.get(chat.id)
    if (known?.migratedTo !== undefined) {
      throw new Error(`emulator: group ${chat.id} became supergroup ${known.migratedTo}; write there`)
    }
    const c = this.world.registerChat(chat)
    if (!c.members.has(from.id)) c.members.set(from.id, 'member')
    return c
  }

  /** Whether Telegram would hand this message to the bot (membership and group privacy mode). */
  private deliversToBot(
    c: ChatRecord,
    text: string,
    entities: Record<string, unknown>[],
    repliesToBot: boolean,
  ): boolean {
    if (c.type === 'private') return true
    if (c.botStatus === 'left' || c.botStatus === 'kicked') return false
    if (!this.options.groupPrivacy || c.botStatus === 'administrator' || c.botStatus === 'creator')
      return true
    if (repliesToBot) return true
    const username = this.options.bot.username.toLowerCase()
    return entities.some((e) => {
      const s = text.slice(e.offset as number, (e.offset as number) + (e.length as number)).toLowerCase()
      if (e.type === 'bot_command') return e.offset === 0 || s.endsWith(`@${username}`)
      return e.type === 'mention' && s === `@${username}`
    })
  }

  // ---- Bot API methods -------------------------------------------------------------------------

  /** Canonical method names by lower-case name (the Bot API matches method names case-insensitively). */
  readonly methods: Map<string, { name: string; handler: Handler }> = new Map(
    Object.entries(<Record<string, Handler>>{
      getMe: () => this.getMe(),
      getUpdates: (ctx: CallContext) => this.updates.getUpdates(ctx.params, ctx.signal),
      sendMessage: (ctx: CallContext) => this.send(ctx, 'text'),
      sendDocument: (ctx: CallContext) => this.send(ctx, 'document'),
      sendPhoto: (ctx: CallContext) => this.send(ctx, 'photo'),
      editMessageText: (ctx: CallContext) => this.editMessage(ctx.params, true),
      editMessageReplyMarkup: (ctx: CallContext) => this.editMessage(ctx.params, false),
      deleteMessage: (ctx: CallContext) => this.deleteMessage(ctx.params),
      sendChatAction: (ctx: CallContext) => {
        this.world.assertCanWrite(this.world.resolveChat(ctx.params.chat_id))
        return true
      },
      answerCallbackQuery: (ctx: CallContext) => this.answerCallbackQuery(ctx.params),
      setMyCommands: (ctx: CallContext) => this.setMyCommands(ctx.params),
      deleteMyCommands: (ctx: CallContext) => {
        this.myCommands.delete(commandsKey(ctx.params))
        return true
      },
      getMyCommands: (ctx: CallContext) => this.myCommands.get(commandsKey(ctx.params)) ?? [],
      setWebhook: (ctx: CallContext) => this.setWebhook(ctx.params),
      deleteWebhook: (ctx: CallContext) => {
        if (truthy(ctx.params.drop_pending_updates)) this.updates.dropPending()
        this.updates.deleteWebhook()
        return true
      },
      getWebhookInfo: () => this.getWebhookInfo(),
      getChat: (ctx: CallContext) => this.getChat(ctx.params),
      getFile: (ctx: CallContext) => this.getFile(ctx.params),
      getChatMember: (ctx: CallContext) => this.getChatMember(ctx.params),
      leaveChat: (ctx: CallContext) => this.leaveChat(ctx.params),
    }).map(([name, handler]) => [name.toLowerCase(), { name, handler }]),
  )

  /** Telegram's getFile: a path to download from, refused for files over 20 MB as Telegram does. */
  private getFile(p: Record<string, unknown>) {
    const fileId = typeof p.file_id === 'string' ? p.file_id : ''
    const failing = this.failingDownloads.get(fileId) ?? 0
    if (failing > 0) {
      this.failingDownloads.set(fileId, failing - 1)
      throw new ApiError(502, 'Bad Gateway')
    }
    const f = this.storedFiles.get(fileId)
    if (!f) throw badRequest('invalid file_id')
    if (f.data.length > 20 * 1024 * 1024) throw badRequest('file is too big')
    return { file_id: fileId, file_unique_id: f.uniqueId, file_size: f.data.length, file_path: f.path }
  }

  private getMe() {
    return {
      ...this.world.botUser(),
      can_join_groups: true,
      can_read_all_group_messages: !this.options.groupPrivacy,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }
  }

  private send(ctx: CallContext, kind: SentMessage['kind']): TgMessage {
    const p = ctx.params
    const c = this.world.resolveChat(p.chat_id)
    this.world.assertCanWrite(c)
    let file: SentFile | undefined
    if (kind !== 'text') file = this.takeFile(p[kind], ctx.files, kind)
    const raw = kind === 'text' ? p.text : p.caption
    const content = this.parseContent(
      raw,
      p.parse_mode,
      kind === 'text' ? TEXT_LIMIT : CAPTION_LIMIT,
      kind !== 'text',
    )
    const markup = validateMarkup(p.reply_markup)
    const replyTo = this.replyTarget(c, p)

    const t = monotonic()
    const breach = this.limiter.check(c.id, t)
    if (breach) {
      this.countViolation({
        at: now(),
        chatId: c.id,
        method: `send${kind === 'text' ? 'Message' : kind === 'photo' ? 'Photo' : 'Document'}`,
        kinds: breach.kinds,
        retryAfter: breach.retryAfter,
      })
      if (this.options.limits.enforce) {
        throw new ApiError(429, `Too Many Requests: retry after ${breach.retryAfter}`, {
          retry_after: breach.retryAfter,
        })
      }
    }
    this.limiter.record(c.id, t)

    const message: TgMessage = {
      message_id: this.world.nextMessageId(c),
      from: this.world.botUser(),
      chat: this.world.tgChat(c),
      date: unix(),
    }
    if (kind === 'text') {
      message.text = content.text
      if (content.entities.length > 0) message.entities = content.entities
    } else {
      if (content.text !== '') {
        message.caption = content.text
        if (content.entities.length > 0) message.caption_entities = content.entities
      }
      if (kind === 'document') {
        message.document = {
          file_id: file!.file_id,
          file_unique_id: file!.file_id.slice(-12),
          file_size: file!.size,
          ...(file!.file_name ? { file_name: file!.file_name } : {}),
          ...(file!.mime_type ? { mime_type: file!.mime_type } : {}),
        }
      } else {
        message.photo = [
          {
            file_id: file!.file_id,
            file_unique_id: file!.file_id.slice(-12),
            width: 1,
            height: 1,
            file_size: file!.size,
          },
        ]
      }
    }
    if (replyTo) message.reply_to_message = stripReply(replyTo.message)
    if (markup && 'inline_keyboard' in markup) message.reply_markup = markup
    const sent: SentMessage = {
      chat_id: c.id,
      message_id: message.message_id,
      kind,
      text: raw === undefined ? '' : str(raw),
      visibleText: content.text,
      date: message.date,
      sentAt: now(),
      ...(typeof p.parse_mode === 'string' && p.parse_mode !== '' ? { parse_mode: p.parse_mode } : {}),
      ...(markup ? { reply_markup: markup } : {}),
      ...(replyTo ? { reply_to_message_id: replyTo.message.message_id } : {}),
      ...(kind === 'document' ? { document: file } : {}),
      ...(kind === 'photo' ? { photo: file } : {}),
    }
    this.world.store(c, message, true, sent)
    this.notify()
    return message
  }

  private countViolation(v: RateViolation): void {
    this.counts.total++
    for (const k of v.kinds) this.counts[k]++
    this.violationLog.push(v)
    if (this.violationLog.length > 10_000) this.violationLog.shift()
  }

  /** The text as Telegram parses it: HTML validated, UTF-8 checked, trimmed, length-limited. */
  private parseContent(
    raw: unknown,
    parseMode: unknown,
    limit: number,
    optional: boolean,
  ): { text: string; entities: Record<string, unknown>[] } {
    const source =
      raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw)
    if (!isWellFormedText(source)) throw badRequest('text must be encoded in UTF-8')
    const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : ''
    let text = source
    let entities: Record<string, unknown>[] = []
    if (mode === 'html') {
      const parsed = parseTelegramHtml(source)
      if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`)
      text = parsed.text
      entities = parsed.entities as unknown as Record<string, unknown>[]
    } else if (mode !== '' && mode !== 'markdown' && mode !== 'markdownv2') {
      throw badRequest('unsupported parse_mode')
    }
    // Telegram trims surrounding whitespace; entities are shifted accordingly.
    const lead = text.length - text.replace(/^[\s\u200b-\u200f\u2028\u2029\ufeff]+/, '').length
    const trimmed = trimTelegram(text)
    if (lead > 0 || trimmed.length !== text.length) {
      entities = entities
        .map((e) => {
          const start = Math.max(0, (e.offset as number) - lead)
          const end = Math.min(trimmed.length, (e.offset as number) + (e.length as number) - lead)
          return { ...e, offset: start, length: end - start }
        })
        .filter((e) => e.length > 0)
    }
    if (trimmed === '' && !optional) throw badRequest('message text is empty')
    if (trimmed.length > limit)
      throw badRequest(optional ? 'message caption is too long' : 'message is too long')
    return { text: trimmed, entities }
  }

  private replyTarget(c: ChatRecord, p: Record<string, unknown>): StoredMessage | null {
    let id: number | undefined
    let allowWithout = truthy(p.allow_sending_without_reply)
    const rp = parseJsonParam(p.reply_parameters, 'reply_parameters')
    if (rp !== undefined) {
      if (!rp || typeof rp !== 'object') throw badRequest("can't parse reply parameters JSON object")
      const r = rp as Record<string, unknown>
      if (r.chat_id !== undefined && this.world.resolveChat(r.chat_id).id !== c.id) {
        throw badRequest('replies to other chats are not supported by the emulator')
      }
      id = toInt(r.message_id, NaN)
      allowWithout ||= truthy(r.allow_sending_without_reply)
    } else if (p.reply_to_message_id !== undefined) {
      id = toInt(p.reply_to_message_id, NaN)
    }
    if (id === undefined) return null
    const target = c.messages.get(id)
    if (target) return target
    if (allowWithout) return null
    throw badRequest('message to be replied not found')
  }

  private takeFile(value: unknown, files: Map<string, UploadedFile>, field: string): SentFile {
    const id = () =>
      `BQACAgIAAxk${String(++this.fileCounter).padStart(6, '0')}${randomBytes(6).toString('hex')}`
    let upload: UploadedFile | undefined
    if (typeof value === 'string' && value.startsWith('attach://')) upload = files.get(value.slice(9))
    else if (value === undefined) upload = files.get(field)
    if (upload) {
      return {
        file_id: id(),
        ...(upload.fileName ? { file_name: upload.fileName } : {}),
        ...(upload.contentType ? { mime_type: upload.contentType } : {}),
        size: upload.data.length,
        data: upload.data,
      }
    }
    if (typeof value === 'string' && value !== '' && !value.startsWith('attach://')) {
      // A file_id or URL Telegram would fetch: nothing to store but the reference.
      return { file_id: value.startsWith('http') ? id() : value, size: 0, data: Buffer.alloc(0) }
    }
    throw badRequest(`there is no ${field} in the request`)
  }

  private editMessage(p: Record<string, unknown>, withText: boolean): TgMessage | true {
    if (p.inline_message_id !== undefined)
      throw badRequest('inline messages are not supported by the emulator')
    const c = this.world.resolveChat(p.chat_id)
    const id = toInt(p.message_id, NaN)
    const stored = c.messages.get(id)
    if (!stored || stored.sent?.deleted) throw badRequest('message to edit not found')
    if (!stored.fromBot || !stored.sent) throw badRequest("message can't be edited")
    const sent = stored.sent
    const markup = validateMarkup(p.reply_markup)
    if (markup && !('inline_keyboard' in markup)) throw badRequest('inline keyboard expected')
    let content: { text: string; entities: Record<string, unknown>[] } | null = null
    if (withText) {
      if (sent.kind !== 'text') throw badRequest('there is no text in the message to edit')
      content = this.parseContent(p.text, p.parse_mode, TEXT_LIMIT, false)
    }
    const sameText =
      !content ||
      (content.text === stored.message.text && sameJson(content.entities, stored.message.entities ?? []))
    if (sameText && sameJson(markup ?? null, stored.message.reply_markup ?? null)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      )
    }
    if (content) {
      stored.message.text = content.text
      if (content.entities.length > 0) stored.message.entities = content.entities
      else delete stored.message.entities
      sent.text = str(p.text)
      sent.visibleText = content.text
      if (typeof p.parse_mode === 'string' && p.parse_mode !== '') sent.parse_mode = p.parse_mode
      else delete sent.parse_mode
    }
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    if (markup) {
      stored.message.reply_markup = markup
      sent.reply_markup = markup
    } else {
      delete stored.message.reply_markup
      delete sent.reply_markup
    }
    stored.message.edit_date = unix()
    sent.edited = true
    sent.editCount = (sent.editCount ?? 0) + 1
    this.notify()
    return stored.message
  }

  private deleteMessage(p: Record<string, unknown>): true {
    const c = this.world.resolveChat(p.chat_id)
    const stored = c.messages.get(toInt(p.message_id, NaN))
    if (!stored || stored.sent?.deleted) throw badRequest('message to delete not found')
    c.messages.delete(stored.message.message_id)
    if (stored.sent) stored.sent.deleted = true
    this.notify()
    return true
  }

  private answerCallbackQuery(p: Record<string, unknown>): true {
    const id = typeof p.callback_query_id === 'string' ? p.callback_query_id : String(p.callback_query_id)
    const q = this.callbackQueries.get(id)
    if (!q || q.answered)
      throw badRequest('query is too old and response timeout expired or query ID is invalid')
    const text = typeof p.text === 'string' ? p.text : undefined
    if (text !== undefined && text.length > CALLBACK_ANSWER_LIMIT) throw badRequest('MESSAGE_TOO_LONG')
    q.answered = true
    this.answers.push({
      callbackQueryId: id,
      ...(text !== undefined ? { text } : {}),
      ...(p.show_alert !== undefined ? { show_alert: truthy(p.show_alert) } : {}),
      ...(typeof p.url === 'string' ? { url: p.url } : {}),
    })
    this.notify()
    return true
  }

  private setMyCommands(p: Record<string, unknown>): true {
    const list = parseJsonParam(p.commands, 'commands')
    if (!Array.isArray(list)) throw badRequest('field "commands" must be of type Array')
    if (list.length > 100) throw badRequest('too many commands')
    for (const cmd of list as unknown[]) {
      const c = (cmd ?? {}) as Record<string, unknown>
      if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
        throw badRequest('BOT_COMMAND_INVALID')
      if (
        typeof c.description !== 'string' ||
        c.description.trim().length === 0 ||
        c.description.length > 256
      ) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID')
      }
    }
    this.myCommands.set(commandsKey(p), list as unknown[])
    return true
  }

  commands(): Record<string, unknown> {
    return Object.fromEntries(this.myCommands)
  }

  private setWebhook(p: Record<string, unknown>): true {
    const url = typeof p.url === 'string' ? p.url.trim() : ''
    if (url === '') {
      if (truthy(p.drop_pending_updates)) this.updates.dropPending()
      this.updates.deleteWebhook()
      return true
    }
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw badRequest('bad webhook: invalid URL')
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw badRequest('bad webhook: invalid URL')
    const secret = p.secret_token === undefined ? undefined : str(p.secret_token)
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw badRequest('secret token contains unallowed characters')
    }
    if (truthy(p.drop_pending_updates)) this.updates.dropPending()
    this.updates.setWebhook(
      { url, secretToken: secret, maxConnections: toInt(p.max_connections, 40) },
      parseJsonParam(p.allowed_updates, 'allowed_updates'),
    )
    return true
  }

  private getWebhookInfo() {
    const wh = this.updates.webhook
    const allowed = this.updates.allowedUpdates
    return {
      url: wh?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.updates.pendingCount,
      ...(wh?.lastErrorDate
        ? { last_error_date: wh.lastErrorDate, last_error_message: wh.lastErrorMessage }
        : {}),
      ...(wh ? { max_connections: wh.maxConnections } : {}),
      ...(wh && allowed ? { allowed_updates: allowed } : {}),
    }
  }

  private getChat(p: Record<string, unknown>) {
    const c = this.world.resolveChat(p.chat_id)
    return { ...this.world.tgChat(c), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} }
  }

  private getChatMember(p: Record<string, unknown>) {
    const c = this.world.resolveChat(p.chat_id)
    const userId = toInt(p.user_id, NaN)
    if (userId === this.options.bot.id) {
      const status = c.type === 'private' ? (c.blocked ? 'kicked' : 'member') : c.botStatus
      return member(this.world.botUser(), status)
    }
    const user = this.world.users.get(userId)
    if (!user) throw badRequest('user not found')
    if (c.type === 'private') {
      if (c.id !== userId) throw badRequest('user not found')
      return member(this.world.tgUser(user), 'member')
    }
    return member(this.world.tgUser(user), c.members.get(userId) ?? 'left')
  }

  private leaveChat(p: Record<string, unknown>): true {
    const c = this.world.resolveChat(p.chat_id)
    if (c.type === 'private') throw badRequest("chat member status can't be changed in private chats")
    this.world.assertCanWrite(c)
    const old = c.botStatus
    c.botStatus = 'left'
    this.updates.push({
      my_chat_member: {
        chat: this.world.tgChat(c),
        from: this.world.botUser(),
        date: unix(),
        old_chat_member: { user: this.world.botUser(), status: old },
        new_chat_member: { user: this.world.botUser(), status: 'left' },
      },
    })
    this.notify()
    return true
  }

  /** Clears messages, answers, violations, windows and queued updates (keeps chats, commands, webhook). */
  reset(): void {
    this.world.clearMessages()
    this.answers = []
    this.callbackQueries.clear()
    this.counts.total = this.counts.token = this.counts.chat = this.counts.group = 0
    this.violationLog = []
    this.limiter.reset()
    this.updates.clear()
    this.notify()
  }
}

function member(user: Record<string, unknown>, status: string) {
  return status === 'kicked' || status === 'restricted' ? { user, status, until_date: 0 } : { user, status }
}

function commandsKey(p: Record<string, unknown>): string {
  const scope = parseJsonParam(p.scope, 'scope') as Record<string, unknown> | undefined
  let key = typeof scope?.type === 'string' ? scope.type : 'default'
  if (scope?.chat_id !== undefined) key += `:${str(scope.chat_id)}`
  if (scope?.user_id !== undefined) key += `:${str(scope.user_id)}`
  const lang = typeof p.language_code === 'string' ? p.language_code : ''
  return lang ? `${key}@${lang}` : key
}

/** A parameter as text: strings as they are, numbers and booleans printed, anything else as JSON. */
const str = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
      ? `${v}`
      : JSON.stringify(v)

const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1'

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Form and query parameters carry objects as JSON strings; JSON bodies carry them as objects. */
function parseJsonParam(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v
  try {
    return JSON.parse(v)
  } catch {
    throw badRequest(`can't parse ${field} JSON object`)
  }
}

/** A message as it appears inside reply_to_message (Telegram does not nest replies further). */
function stripReply(m: TgMessage): TgMessage {
  const { reply_to_message: _nested, ...rest } = m
  return rest
}

const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
]

/** Validates reply_markup as Telegram does for what the bot uses; returns it as an object. */
function validateMarkup(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined
  let markup: unknown
  try {
    markup = parseJsonParam(raw, 'reply_markup')
  } catch {
    throw badRequest("can't parse reply keyboard markup JSON object")
  }
  if (!markup || typeof markup !== 'object' || Array.isArray(markup)) {
    throw badRequest("can't parse reply keyboard markup JSON object")
  }
  const m = markup as Record<string, unknown>
  if ('inline_keyboard' in m) {
    const rows = m.inline_keyboard
    if (!Array.isArray(rows))
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for (const row of rows as unknown[]) {
      if (!Array.isArray(row))
        throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
      for (const b of row as unknown[]) {
        if (!b || typeof b !== 'object')
          throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        const button = b as Record<string, unknown>
        if (typeof button.text !== 'string') {
          throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
        }
        if (!BUTTON_ACTIONS.some((k) => button[k] !== undefined)) {
          throw badRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
          )
        }
        if (button.callback_data !== undefined) {
          const d = button.callback_data
          const bytes = typeof d === 'string' ? Buffer.byteLength(d, 'utf8') : 0
          if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID')
        }
        if (button.url !== undefined) {
          let ok = false
          try {
            ok = typeof button.url === 'string' && /^(https?|tg):$/.test(new URL(button.url).protocol)
          } catch {
            ok = false
          }
          if (!ok) throw badRequest('BUTTON_URL_INVALID')
        }
      }
    }
    return m
  }
  if ('force_reply' in m) {
    if (m.force_reply !== true) throw badRequest('field "force_reply" must be true')
    return m
  }
  if ('keyboard' in m) {
    if (!Array.isArray(m.keyboard))
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    return m
  }
  if ('remove_keyboard' in m) return m
  throw badRequest("can't parse reply keyboard markup JSON object")
}
