/**
 * The bot's context: grammY's Context plus what every handler needs, resolved once per update by
 * `resolveContext` (src/telegram/middleware/resolve.ts):
 *
 * - `deps`: the database, config, logger and clock;
 * - `person`: the roster entry bound to the sender's numeric Telegram user id (never the
 *   username or display name), or null for a stranger;
 * - `boundChat`: the chats row of the group this update came from, or null (private chats and
 *   groups nobody bound). Named `boundChat` because grammY's own `ctx.chat` is the Telegram chat;
 * - `t` and `locale`: the texts in the person's language (their stored locale, else the
 *   Telegram client's language, else zh-CN).
 */
import type { Context } from 'grammy'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { Locale } from '../db/schema.ts'
import type { Logger } from '../log.ts'
import { messages, type Messages } from '../i18n/index.ts'
import type { Person } from '../domain/people.ts'
import { readsAllUnits } from '../domain/access.ts'
import type { BoundChat } from '../domain/chats.ts'
import type { Lookups } from './lookups.ts'
import { findUnit, formatSuggestions, type Unit } from '../domain/units.ts'
import { escapeHtml, splitHtmlMessage } from './html.ts'
import { localDate } from '../domain/dates.ts'

/** What createBot needs from the service. */
export interface BotDeps {
  db: Db
  config: Config
  logger: Logger
  /** The clock; tests pass a fixed time. */
  now: () => Date
}

export type { BoundChat }

export interface DubanFlavor {
  deps: BotDeps
  /** This bot's remembered person, chat and prompt lookups (src/telegram/lookups.ts). */
  lookups: Lookups
  person: Person | null
  boundChat: BoundChat | null
  locale: Locale
  /** The bot's texts (`messages(locale).bot`). */
  t: Messages['bot']
  /** The whole catalog, for shared words (states, roles). */
  texts: Messages
}

export type BotContext = Context & DubanFlavor

// ---------------------------------------------------------------------------------------------
// What handlers do with the context: answer in HTML, refuse politely, resolve a unit argument.

type SendExtra = Parameters<Context['reply']>[1]

/**
 * Sends an HTML answer in the update's chat, split under Telegram's 4096-character limit at line
 * boundaries; `extra` (reply markup and the like) goes with the last part. In groups the answer
 * replies to the user's message, so it is clear whom it answers. Returns the sent messages.
 */
export async function replyHtml(ctx: BotContext, html: string, extra: SendExtra = {}) {
  // The visible text is never longer than the source, so short answers need no splitting.
  const parts = html.length <= 4096 ? [html] : splitHtmlMessage(html)
  const replyTo = ctx.chat?.type !== 'private' ? ctx.msg?.message_id : undefined
  const sent = []
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1
    sent.push(
      await ctx.reply(parts[i]!, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(replyTo !== undefined && i === 0
          ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(last ? extra : {}),
      }),
    )
  }
  return sent
}

/** Logs why something was refused (user id, chat, reason), with the person when known. */
export function logRefusal(ctx: BotContext, reason: string, detail: Record<string, unknown> = {}): void {
  ctx.deps.logger.info(
    { userId: ctx.from?.id, chatId: ctx.chat?.id, personId: ctx.person?.id, reason, ...detail },
    'refused',
  )
}

/** A polite, specific refusal: logged, then answered (as a callback answer for button presses). */
export async function refuse(
  ctx: BotContext,
  text: string,
  reason: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  logRefusal(ctx, reason, detail)
  if (ctx.callbackQuery)
    await ctx.answerCallbackQuery({ text: plainText(text).slice(0, 200), show_alert: false })
  else await replyHtml(ctx, text)
}

/** The visible text of a small HTML snippet (for callback answers, which are plain text). */
function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}

/** Today in the plan's timezone, by the bot's clock (a leave, a due date, a review are dated so). */
export function planToday(ctx: BotContext): string {
  return localDate(ctx.deps.now(), ctx.deps.config.timezone)
}

/** Now, with the plan's timezone: the moment the status views are taken at. */
export function viewMoment(ctx: BotContext): { now: Date; tz: string } {
  return { now: ctx.deps.now(), tz: ctx.deps.config.timezone }
}

/** The text after the command (`/status 台城` → `台城`), trimmed; '' when none. */
export function commandArgs(ctx: BotContext): string {
  return typeof ctx.match === 'string' ? ctx.match.trim() : ''
}

/**
 * Resolves what the user typed to one unit, or answers with suggestions (ambiguous or unknown,
 * never a guess) and returns null.
 */
export async function unitFromQuery(ctx: BotContext, query: string): Promise<Unit | null> {
  const match = await findUnit(ctx.deps.db, query)
  if (match.kind === 'found') return match.unit
  const q = escapeHtml(query.slice(0, 50))
  if (match.kind === 'ambiguous') {
    logRefusal(ctx, 'unit_ambiguous', { query: query.slice(0, 50) })
    await replyHtml(ctx, ctx.t.units.ambiguous(q, escapeHtml(formatSuggestions(match.candidates))))
  } else {
    logRefusal(ctx, 'unit_unknown', { query: query.slice(0, 50) })
    await replyHtml(ctx, ctx.t.units.unknown(q, escapeHtml(formatSuggestions(match.suggestions))))
  }
  return null
}

/**
 * Whether a message is meant for the bot: a command (without another bot's @name), an @mention
 * of the bot, or a reply to one of the bot's messages. Ordinary group chatter is none of these.
 */
export function addressesBot(ctx: BotContext): boolean {
  const msg = ctx.msg
  if (!msg) return false
  if (msg.reply_to_message?.from?.id === ctx.me.id) return true
  const text = msg.text ?? msg.caption ?? ''
  const entities = msg.entities ?? msg.caption_entities ?? []
  const me = ctx.me.username.toLowerCase()
  for (const e of entities) {
    const word = text.slice(e.offset, e.offset + e.length).toLowerCase()
    if (e.type === 'bot_command' && e.offset === 0) {
      const at = word.indexOf('@')
      if (at < 0 || word.slice(at + 1) === me) return true
    }
    if (e.type === 'mention' && word === `@${me}`) return true
    if (e.type === 'text_mention' && e.user?.id === ctx.me.id) return true
  }
  return false
}

/** Switches the context's texts to a locale (the person's, once known). */
export function useLocale(ctx: BotContext, locale: Locale): void {
  ctx.locale = locale
  ctx.texts = messages(locale)
  ctx.t = ctx.texts.bot
}

/** At most `max` characters (code points) of a name or title, with an ellipsis when cut; for one-line texts. */
export function clip(text: string, max = 120): string {
  const chars = [...text]
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** A unit a command acts on. */
export interface UnitRef {
  id: number
  name: string
}

/**
 * The unit a command is about, from its argument or from who is asking and where:
 * - with an argument: that unit (suggestions when ambiguous or unknown); a liaison may name
 *   only their own unit;
 * - without: a liaison's own unit; for a supervisor or admin, the unit of the group they are in,
 *   else `'all'` (the caller shows every unit or asks which one).
 * Refusals are answered and logged here; null means "answered, stop".
 */
export async function unitForCommand(ctx: BotContext, arg: string): Promise<UnitRef | 'all' | null> {
  const person = ctx.person
  if (!person) {
    await refuse(ctx, ctx.t.refusals.notRegistered, 'stranger')
    return null
  }
  if (arg) {
    const unit = await unitFromQuery(ctx, arg)
    if (!unit) return null
    if (!readsAllUnits(person) && unit.id !== person.unitId) {
      await refuse(ctx, ctx.t.refusals.otherUnit(escapeHtml(person.unitName ?? '—')), 'other_unit', {
        unitId: unit.id,
      })
      return null
    }
    return { id: unit.id, name: unit.name }
  }
  if (!readsAllUnits(person)) {
    if (person.unitId === null) {
      await refuse(ctx, ctx.t.refusals.noUnit, 'no_unit')
      return null
    }
    return { id: person.unitId, name: person.unitName ?? '' }
  }
  const chat = ctx.boundChat
  if (chat?.purpose === 'unit' && chat.unitId !== null) return { id: chat.unitId, name: chat.unitName ?? '' }
  return 'all'
}
