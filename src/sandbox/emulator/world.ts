/**
 * What the emulated Telegram knows: people, chats (with the bot's standing in each), the messages in
 * them, and the bot's own sent messages. Errors the Bot API would answer are thrown as `ApiError`.
 */
import type { EmulatorBot, EmulatorChat, EmulatorUser, SentMessage, TgMessage } from './types.ts'

/** An error answer of the Bot API: `{ ok: false, error_code, description, parameters? }`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description)
  }
}

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`)

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked'

export interface ChatRecord {
  id: number
  type: 'private' | 'group' | 'supergroup'
  title?: string
  username?: string
  first_name?: string
  last_name?: string
  /** Private chats: the person started the bot, so the bot may write. */
  started: boolean
  /** Private chats: the person blocked the bot. */
  blocked: boolean
  /** Groups: the bot's own status. */
  botStatus: MemberStatus
  migratedTo?: number
  members: Map<number, MemberStatus>
  nextMessageId: number
  messages: Map<number, StoredMessage>
}

export interface StoredMessage {
  message: TgMessage
  fromBot: boolean
  sent?: SentMessage
}

export const chatTypeOf = (chat: EmulatorChat): ChatRecord['type'] =>
  chat.type ?? (chat.id > 0 ? 'private' : chat.id < -1_000_000_000_000 ? 'supergroup' : 'group')

export class World {
  readonly users = new Map<number, EmulatorUser>()
  readonly chats = new Map<number, ChatRecord>()
  readonly blockedUsers = new Set<number>()
  sent: SentMessage[] = []

  constructor(readonly bot: EmulatorBot) {}

  botUser(): Record<string, unknown> & { id: number } {
    return { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username }
  }

  tgUser(u: EmulatorUser): Record<string, unknown> & { id: number } {
    return {
      id: u.id,
      is_bot: false,
      first_name: u.first_name,
      ...(u.last_name ? { last_name: u.last_name } : {}),
      ...(u.username ? { username: u.username } : {}),
      ...(u.language_code ? { language_code: u.language_code } : {}),
    }
  }

  tgChat(c: ChatRecord): TgMessage['chat'] {
    if (c.type === 'private') {
      return {
        id: c.id,
        type: 'private',
        first_name: c.first_name ?? `User ${c.id}`,
        ...(c.last_name ? { last_name: c.last_name } : {}),
        ...(c.username ? { username: c.username } : {}),
      }
    }
    return {
      id: c.id,
      type: c.type,
      title: c.title ?? `Group ${c.id}`,
      ...(c.username ? { username: c.username } : {}),
    }
  }

  rememberUser(u: EmulatorUser): void {
    const prev = this.users.get(u.id)
    this.users.set(u.id, { ...prev, ...u })
  }

  /** Registers a chat (or updates its title/names); `started` marks a private chat the bot may write to. */
  registerChat(chat: EmulatorChat, started = false): ChatRecord {
    let c = this.chats.get(chat.id)
    if (!c) {
      c = {
        id: chat.id,
        type: chatTypeOf(chat),
        started: false,
        blocked: false,
        botStatus: 'member',
        members: new Map(),
        nextMessageId: 1,
        messages: new Map(),
      }
      this.chats.set(chat.id, c)
    }
    if (chat.title !== undefined) c.title = chat.title
    if (chat.username !== undefined) c.username = chat.username
    if (chat.first_name !== undefined) c.first_name = chat.first_name
    if (chat.last_name !== undefined) c.last_name = chat.last_name
    if (started) c.started = true
    return c
  }

  /** Finds the chat a Bot API `chat_id` names (a number, a numeric string or `@username`). */
  resolveChat(raw: unknown): ChatRecord {
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty')
    if (typeof raw === 'string' && raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase()
      for (const c of this.chats.values())
        if (c.username?.toLowerCase() === name && c.type !== 'private') return c
      throw badRequest('chat not found')
    }
    const id = typeof raw === 'number' ? raw : Number(raw)
    if (!Number.isSafeInteger(id)) throw badRequest('chat not found')
    const c = this.chats.get(id)
    if (c) return c
    // A person Telegram knows (seen in a group or pressing a button) but who never started the bot.
    if (id > 0 && this.users.has(id))
      throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    throw badRequest('chat not found')
  }

  /** Throws what Telegram answers when the bot may not write into this chat. */
  assertCanWrite(c: ChatRecord): void {
    if (c.type === 'private') {
      if (this.blockedUsers.has(c.id) || c.blocked)
        throw new ApiError(403, 'Forbidden: bot was blocked by the user')
      if (!c.started) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user")
      return
    }
    if (c.migratedTo !== undefined) {
      throw new ApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: c.migratedTo,
      })
    }
    if (c.botStatus === 'left' || c.botStatus === 'kicked') {
      throw new ApiError(
        403,
        c.botStatus === 'kicked'
          ? `Forbidden: bot was kicked from the ${c.type === 'supergroup' ? 'supergroup' : 'group'} chat`
          : `Forbidden: bot is not a member of the ${c.type === 'supergroup' ? 'supergroup' : 'group'} chat`,
      )
    }
  }

  store(c: ChatRecord, message: TgMessage, fromBot: boolean, sent?: SentMessage): StoredMessage {
    const s: StoredMessage = { message, fromBot, sent }
    c.messages.set(message.message_id, s)
    if (sent) this.sent.push(sent)
    return s
  }

  nextMessageId(c: ChatRecord): number {
    return c.nextMessageId++
  }

  /** Forgets messages (keeping message id counters, so old ids stay unknown) and the sent list. */
  clearMessages(): void {
    for (const c of this.chats.values()) c.messages.clear()
    this.sent = []
  }
}

/** Entities Telegram detects in a person's plain text: bot commands, @mentions and URLs. */
export function detectEntities(text: string): Record<string, unknown>[] {
  const out: { type: string; offset: number; length: number }[] = []
  const scan = (re: RegExp, type: string) => {
    for (const m of text.matchAll(re)) {
      const lead = m[1] ?? ''
      out.push({ type, offset: (m.index ?? 0) + lead.length, length: m[0].length - lead.length })
    }
  }
  scan(/(^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])/g, 'bot_command')
  scan(/(^|[^\w@/])@[A-Za-z0-9_]{4,32}(?!\w)/g, 'mention')
  scan(/(^|[^\w/])https?:\/\/[^\s<>"]+/g, 'url')
  return out.sort((a, b) => a.offset - b.offset)
}
