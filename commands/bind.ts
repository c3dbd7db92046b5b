/**
 * Binding groups from inside Telegram. A supervisor or admin asks for a one-time code in a
 * private chat (`/bindcode 台城` or `/bindcode supervisors`) and sends `/bind <code>` in the group;
 * the group is then bound to that unit or to the supervisors. Everyone else is refused.
 */
import { Composer } from 'grammy'
import { redeemChatBindCode, createChatBindCode } from '../src/domain/chats.ts'
import { recordAudit } from '../src/domain/audit.ts'
import { chatState } from '../src/domain/lifecycle.ts'
import { commandArgs, refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { readsAllUnits } from '../src/domain/access.ts'

const composer = new Composer<BotContext>()

/** `2024-05-10 14:30` in the plan's timezone. */
function formatInstant(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

composer.chatType(['group', 'supergroup']).command('bind', async (ctx) => {
  if (!readsAllUnits(ctx.person)) return refuse(ctx, ctx.t.groups.bindNotAllowed, 'bind_not_allowed')
  const code = commandArgs(ctx)
  if (!code) return refuse(ctx, ctx.t.groups.bindUsage, 'bind_no_code')
  const { db, logger, now } = ctx.deps
  const actor = { source: 'telegram' as const, actor: `tg:${ctx.from.id}`, personId: ctx.person!.id }
  const result = await db.transaction(async (tx) => {
    const r = await redeemChatBindCode(tx, code, ctx.chat.id, ctx.chat.title ?? null, now())
    if (r.ok)
      await recordAudit(tx, actor, {
        action: 'chats.bind',
        target: `chat ${ctx.chat.id}`,
        after: chatState(r.chat),
      })
    return r
  })
  if (!result.ok) {
    const texts = {
      unknown: ctx.t.groups.codeUnknown,
      expired: ctx.t.groups.codeExpired,
      used: ctx.t.groups.codeUsed,
    }
    return refuse(ctx, texts[result.reason], `bind_code_${result.reason}`)
  }
  const chat = result.chat
  ctx.lookups.forgetChat(ctx.chat.id)
  ctx.boundChat = chat
  logger.info(
    { chatId: ctx.chat.id, personId: ctx.person?.id, purpose: chat.purpose, unitId: chat.unitId },
    'group bound',
  )
  await replyHtml(
    ctx,
    chat.purpose === 'supervisors'
      ? ctx.t.groups.boundSupervisors
      : ctx.t.groups.boundUnit(escapeHtml(chat.unitName ?? '')),
  )
})

composer.chatType('private').command('bind', (ctx) => replyHtml(ctx, ctx.t.groups.bindPrivate))

composer.chatType('private').command('bindcode', async (ctx) => {
  if (!readsAllUnits(ctx.person)) return refuse(ctx, ctx.t.groups.bindcodeNotAllowed, 'bindcode_not_allowed')
  const target = commandArgs(ctx)
  if (!target) return refuse(ctx, ctx.t.groups.bindcodeUsage, 'bindcode_no_target')
  const { db, config, now } = ctx.deps
  try {
    const { code, expiresAt } = await createChatBindCode(db, target, ctx.person!.id, now())
    const supervisors = /^(supervisors?|督办.*)$/i.test(target.trim())
    await replyHtml(
      ctx,
      ctx.t.groups.bindcode(
        escapeHtml(code),
        supervisors ? ctx.t.groups.supervisorsTarget : escapeHtml(target),
        formatInstant(expiresAt, config.timezone),
      ),
    )
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'bindcode_target')
    throw err
  }
})

composer
  .chatType(['group', 'supergroup'])
  .command('bindcode', (ctx) => replyHtml(ctx, ctx.t.groups.bindcodeGroup))

export { composer as bindFeature }
