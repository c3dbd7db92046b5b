/** Public types of the Bot API emulator. Field names follow the Bot API (snake_case) where they mirror it. */

export interface EmulatorBot {
  id: number
  username: string
  first_name: string
}

export interface EmulatorLimits {
  /** Sends per trailing second for the whole token (default 30). */
  perSecond?: number
  /** Sends per trailing second into one chat (default 1). */
  perChatPerSecond?: number
  /** Sends per trailing minute into one group or supergroup (default 20). */
  perGroupPerMinute?: number
  /** true (default): a send over a limit is answered 429; false: it is delivered and only counted. */
  enforce?: boolean
  /** Timer jitter forgiven at window edges, ms (default 50): a window of W ms looks back W − slack ms. */
  slackMs?: number
}

export interface EmulatorOptions {
  /** Default 0 (random); the host is always 127.0.0.1. */
  port?: number
  bot?: EmulatorBot
  /** The accepted token; requests with another token get 401 Unauthorized. Default: any token. */
  token?: string
  limits?: EmulatorLimits
  /** Chats the bot may already write to: private chats of people who started the bot, and groups it is in. */
  knownChats?: EmulatorChat[]
  /** Group privacy mode (default false): when true, group messages that are not commands, replies to
   *  the bot or mentions of it are not delivered to the bot, as with BotFather's privacy mode on. */
  groupPrivacy?: boolean
  /** Webhook delivery: first retry delay after a failed POST (default 250 ms, doubling up to 5 s) and
   *  the time a webhook may take to answer (default 30 s). */
  webhook?: { retryMs?: number; timeoutMs?: number }
  /** Also serve the people's side as JSON under `/_emulator/` (for a sandbox CLI in another process):
   *  POST sendText, editText, pressButton, blockBot; GET sentMessages?chatId=&after=<epoch ms>.
   *  Off by default; there is no authentication beyond listening on 127.0.0.1. */
  control?: boolean
}

/** A Telegram user as the emulator plays them. */
export interface EmulatorUser {
  id: number
  first_name: string
  last_name?: string
  username?: string
  language_code?: string
}

/** A chat. Private chats have the user's id; groups negative ids and a title (type defaults to
 *  'supergroup' for ids below −1000000000000, else 'group'). */
export interface EmulatorChat {
  id: number
  type?: 'private' | 'group' | 'supergroup'
  title?: string
  username?: string
  /** For private chats: the person's name (taken from the user when they write). */
  first_name?: string
  last_name?: string
}

/** A Telegram Message object as the emulator stores and reports it. */
export type TgMessage = {
  message_id: number
  date: number
  chat: Record<string, unknown> & { id: number; type: string }
  from?: Record<string, unknown> & { id: number }
  text?: string
  entities?: Record<string, unknown>[]
  edit_date?: number
  reply_to_message?: TgMessage
  reply_markup?: unknown
  [key: string]: unknown
}

/** What the user side produced: the update (null when the bot would not receive it) and the message. */
export interface EmulatedMessage {
  updateId: number | null
  update: Record<string, unknown> | null
  message: TgMessage
  message_id: number
  chat_id: number
}

export interface SentFile {
  file_id: string
  file_name?: string
  mime_type?: string
  size: number
  /** The uploaded bytes (empty when the bot sent a file_id or URL instead of uploading). */
  data: Buffer
}

/** A message the bot sent, as it currently stands (edits update it in place and set `edited`). */
export interface SentMessage {
  chat_id: number
  message_id: number
  kind: 'text' | 'document' | 'photo'
  /** The text (or caption) exactly as the bot sent it: the HTML source when parse_mode is HTML. */
  text: string
  /** What the person sees: entities decoded, tags removed, surrounding whitespace trimmed. */
  visibleText: string
  parse_mode?: string
  reply_markup?: Record<string, unknown>
  reply_to_message_id?: number
  /** Unix seconds, like Telegram's `date`. */
  date: number
  /** Epoch ms when the emulator accepted it (for rate analysis). */
  sentAt: number
  edited?: boolean
  /** Number of edits applied. */
  editCount?: number
  deleted?: boolean
  document?: SentFile
  photo?: SentFile
}

/** One request the emulator received. */
export interface ApiCall {
  /** The method as Telegram names it (case-normalized, e.g. 'sendMessage'). */
  method: string
  params: Record<string, unknown>
  /** Epoch ms when the request arrived. */
  time: number
  /** The HTTP status answered; null while pending or when the connection was dropped without answer. */
  code: number | null
  description?: string
  /** Set when the answer came from `failNext`. */
  fault?: EmulatorFault['kind']
}

export type EmulatorFault =
  | { kind: 'http'; code: number; description?: string; retryAfter?: number }
  | { kind: 'drop' }
  | { kind: 'drop-after-accept' }
  /** The call is never answered (a Bot API that hangs); the caller waits until it gives up or dies. */
  | { kind: 'hold' }

export interface CallbackAnswer {
  callbackQueryId: string
  text?: string
  show_alert?: boolean
  url?: string
}

export interface ViolationCounts {
  /** Requests answered 429 (or, with enforce off, that would have been). */
  total: number
  /** How many of them broke the per-token limit, per-chat limit and per-group limit (one request can break several). */
  token: number
  chat: number
  group: number
}

/** One send that broke a limit. */
export interface RateViolation {
  /** Epoch ms. */
  at: number
  chatId: number
  method: string
  kinds: ('token' | 'chat' | 'group')[]
  retryAfter: number
}

/** A file a person sends: a photo or a document, with an optional caption, album id and reply. */
export interface PersonFile {
  kind: 'photo' | 'document'
  data: Buffer
  fileName?: string
  mimeType?: string
  caption?: string
  mediaGroupId?: string
  replyTo?: number
}
