/**
 * The Telegram bot: `createBot(deps)` installs the features it is handed (one Composer per
 * command or interaction, from commands/ through the composition root) behind the shared
 * middleware; `startBot(deps)` runs it by long polling (grammY runner, one update at
 * a time per chat) or behind the webhook server, per config.
 *
 *   per-chat ordering → deps → per-user rate limit → [error boundary: person & chat → features]
 */
import { Bot, BotError, GrammyError, HttpError, type Composer } from 'grammy'
import type { BotCommand, UserFromGetMe } from 'grammy/types'
import { autoRetry } from '@grammyjs/auto-retry'
import { run, sequentialize } from '@grammyjs/runner'
import { settings } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import type { BotContext, BotDeps } from './context.ts'
import { provideDeps, resolveContext } from './middleware/resolve.ts'
import { Lookups, type LookupOptions } from './lookups.ts'
import { rateLimit, type RateLimitOptions } from './middleware/rate-limit.ts'
import { groupGate } from './middleware/group-gate.ts'
import { refuseDeactivated } from './middleware/deactivated.ts'
import { updateChatKey, startWebhookServer } from './webhook.ts'
import { createRateBudget, type TelegramLimits } from '../delivery/rate-budget.ts'
import { AnswerDropped, answerPacing } from './answer-pacing.ts'

/** The bot's features, as the composition root hands them over (a fresh set for each bot). */
export interface BotFeatures {
  /** Before the group gate: what must see every update, even from a chat the bot does not serve. */
  ungated: Composer<BotContext>[]
  /** After the group gate, in the order they get a chance at an update. */
  gated: Composer<BotContext>[]
}

export interface CreateBotDeps extends Omit<BotDeps, 'now'> {
  /** What the bot does: the command and interaction features (commands/). */
  features: BotFeatures
  now?: () => Date
  /** Skips getMe (tests, and replicas that already know it). */
  botInfo?: UserFromGetMe
  /** The bot token when config has none (the sandbox's emulator token). */
  token?: string
  /** Per-user limit; false turns it off (load tests). Default 20 updates per 10 s. */
  rateLimit?: RateLimitOptions | false
  /** How long person, chat and prompt lookups are remembered (default 10 s / 60 s; ttlMs 0: never). */
  lookups?: LookupOptions
  /**
   * The Telegram limits the bot's answers share with the outbox (answer-pacing.ts; default the
   * published ones, `chatMarginMs` 100); false: answers are not paced.
   */
  pacing?: { limits?: TelegramLimits; chatMarginMs?: number; maxWaitMs?: number } | false
}

/** The update kinds the bot handles; everything else is not even fetched. */
export const allowedUpdates = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const

/**
 * Builds the bot with the given features installed. API calls go to `config.telegramApiRoot`; 429s
 * are retried at most 3 times and never longer than 10 s, and network errors are not retried
 * (a request that may have arrived must not be sent twice; the outbox decides about retries).
 */
export function createBot(deps: CreateBotDeps): Bot<BotContext> {
  const token = deps.config.botToken ?? deps.token
  if (!token) throw new Error('createBot: no bot token (set BOT_TOKEN, or pass the sandbox token)')
  const full: BotDeps = {
    db: deps.db,
    config: deps.config,
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
  }
  const bot = new Bot<BotContext>(token, {
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    client: { apiRoot: deps.config.telegramApiRoot },
  })
  // Pacing first, so that each of auto-retry's attempts (installed after, so it wraps it) takes
  // its own slot.
  if (deps.pacing !== false) {
    const pacing = deps.pacing ?? {}
    const budget = createRateBudget(deps.db, {
      botId: token.split(':')[0]!,
      ...(pacing.limits ? { limits: pacing.limits } : {}),
      ...(pacing.chatMarginMs !== undefined ? { chatMarginMs: pacing.chatMarginMs } : {}),
    })
    bot.api.config.use(
      answerPacing({
        budget,
        logger: deps.logger,
        ...(pacing.maxWaitMs !== undefined ? { maxWaitMs: pacing.maxWaitMs } : {}),
      }),
    )
  }
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 3,
      maxDelaySeconds: 10,
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: false,
    }),
  )

  bot.use(sequentialize((ctx: BotContext) => updateChatKey(ctx.update)))
  bot.use(provideDeps(full, new Lookups(full.db, deps.lookups)))
  if (deps.rateLimit !== false) bot.use(rateLimit(deps.rateLimit ?? {}))
  bot.errorBoundary(
    handleError,
    resolveContext,
    refuseDeactivated,
    ...deps.features.ungated,
    groupGate(),
    ...deps.features.gated,
  )
  bot.catch(handleError)
  return bot
}

/**
 * The one error handler: logs the failure (the logger scrubs tokens) and answers a short
 * apology where there is someone to answer; a failure to apologize is only logged.
 */
async function handleError(err: BotError<BotContext>): Promise<void> {
  const ctx = err.ctx
  const logger = ctx.deps?.logger
  const cause = err.error
  const detail = {
    err: cause instanceof Error ? cause : new Error(String(cause)),
    updateId: ctx.update.update_id,
    userId: ctx.from?.id,
    chatId: ctx.chat?.id,
  }
  if (cause instanceof AnswerDropped) {
    // The chat's share of Telegram's limits is used up: an apology would be one more message.
    logger?.warn(detail, 'answer dropped: no rate slot in time')
    return
  }
  if (logger) logger.error(detail, 'update failed')
  else console.error('update failed', detail)
  const text = (ctx.t ?? messages('zh-CN').bot).apology
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text })
    else if (ctx.chat && ctx.msg && !ctx.msg.from?.is_bot) await ctx.reply(text)
  } catch (apologyError) {
    logger?.warn(
      { err: apologyError },
      apologyError instanceof AnswerDropped
        ? 'apology dropped: no rate slot in time'
        : 'could not send the apology',
    )
  }
}

/** The command menus: one for private chats, one for groups, in Chinese (default) and English. */
export function commandMenus(): {
  scope: 'all_private_chats' | 'all_group_chats'
  language?: 'en'
  commands: BotCommand[]
}[] {
  const menu = (locale: 'zh-CN' | 'en', names: (keyof ReturnType<typeof messages>['bot']['commands'])[]) =>
    names.map((command) => ({ command, description: messages(locale).bot.commands[command] }))
  const privateNames = [
    'start',
    'help',
    'status',
    'tasks',
    'report',
    'hours',
    'deadlines',
    'overdue',
    'remind',
    'digest',
    'bindcode',
    'web',
    'extend',
    'away',
    'history',
  ] as const
  const groupNames = [
    'help',
    'status',
    'tasks',
    'report',
    'hours',
    'deadlines',
    'overdue',
    'remind',
    'bind',
    'extend',
    'history',
  ] as const
  return [
    { scope: 'all_private_chats', commands: menu('zh-CN', [...privateNames]) },
    { scope: 'all_private_chats', language: 'en', commands: menu('en', [...privateNames]) },
    { scope: 'all_group_chats', commands: menu('zh-CN', [...groupNames]) },
    { scope: 'all_group_chats', language: 'en', commands: menu('en', [...groupNames]) },
  ]
}

/** Publishes the command menus; a failure is logged and does not stop start-up. */
export async function publishCommands(bot: Bot<BotContext>, deps: Pick<BotDeps, 'logger'>): Promise<void> {
  for (const m of commandMenus()) {
    try {
      await bot.api.setMyCommands(m.commands, {
        scope: { type: m.scope },
        ...(m.language ? { language_code: m.language } : {}),
      })
    } catch (err) {
      deps.logger.warn(
        { err, scope: m.scope, language: m.language ?? 'zh' },
        'setMyCommands failed; continuing',
      )
    }
  }
}

export interface RunningBot {
  bot: Bot<BotContext>
  /** Updates being handled right now (0 when idle). */
  busy(): number
  /** Stops taking updates and waits for the ones in progress. */
  stop(): Promise<void>
}

/**
 * Starts the bot per config: long polling through the runner (the webhook is removed first,
 * since Telegram refuses getUpdates while one is set) or the webhook server plus setWebhook with
 * the secret. Learns the bot's identity (getMe) and keeps its username for invite links.
 */
export async function startBot(deps: CreateBotDeps): Promise<RunningBot> {
  const bot = createBot(deps)
  const { logger, config, db } = deps
  const now = deps.now ?? (() => new Date())
  try {
    await bot.init()
  } catch (err) {
    throw new Error(
      `could not reach the Telegram Bot API at ${config.telegramApiRoot} (getMe failed): ${describe(err)}`,
    )
  }
  await db
    .insert(settings)
    .values({ key: 'bot_username', value: bot.botInfo.username, updatedAt: now() })
    .onConflictDoUpdate({ target: settings.key, set: { value: bot.botInfo.username, updatedAt: now() } })
  await publishCommands(bot, deps)

  if (config.botMode === 'webhook') {
    const secret = config.webhookSecret!
    const webhookUrl = config.webhookUrl!
    const server = await startWebhookServer({
      bot,
      db,
      logger,
      secret,
      port: config.port,
      path: new URL(webhookUrl).pathname,
      now: deps.now,
      leaseMs: config.webhookLeaseMs,
    })
    await bot.api.setWebhook(webhookUrl, { secret_token: secret, allowed_updates: [...allowedUpdates] })
    logger.info({ username: bot.botInfo.username, mode: 'webhook', port: server.port }, 'bot started')
    return { bot, busy: () => server.busy(), stop: () => server.close() }
  }

  try {
    await bot.api.deleteWebhook()
  } catch (err) {
    logger.warn({ err }, 'deleteWebhook failed; polling may be refused while a webhook is set')
  }
  const runner = run(bot, { runner: { fetch: { allowed_updates: [...allowedUpdates] } } })
  logger.info({ username: bot.botInfo.username, mode: 'polling' }, 'bot started')
  return {
    bot,
    busy: () => runner.size(),
    async stop() {
      if (runner.isRunning()) await runner.stop()
    },
  }
}

function describe(err: unknown): string {
  if (err instanceof GrammyError) return `${err.error_code} ${err.description}`
  if (err instanceof HttpError) return err.message
  return err instanceof Error ? err.message : String(err)
}
