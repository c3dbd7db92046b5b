/**
 * `/start [code]`: registration. In a private chat an invite code binds the sender's numeric
 * Telegram user id to the invited person, once; expired, used and unknown codes are refused with
 * what to do. Someone already bound gets their help; a stranger learns how to get an invite.
 */
import { Composer } from 'grammy'
import { redeemInvite } from '../src/domain/invites.ts'
import { commandArgs, logRefusal, replyHtml, useLocale, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { helpText } from './help.ts'

const composer = new Composer<BotContext>()

composer.chatType('private').command('start', async (ctx) => {
  const { db, logger, now } = ctx.deps
  const code = commandArgs(ctx)
  if (ctx.person) {
    await replyHtml(ctx, `${ctx.t.start.alreadyBound(escapeHtml(ctx.person.name))}\n\n${helpText(ctx)}`)
    return
  }
  if (!code) {
    logRefusal(ctx, 'stranger')
    await replyHtml(ctx, ctx.t.start.stranger)
    return
  }
  const result = await redeemInvite(db, code, ctx.from.id, now())
  if (!result.ok) {
    const texts = {
      unknown: ctx.t.start.unknown,
      expired: ctx.t.start.expired,
      used: ctx.t.start.used,
      already_bound: ctx.t.start.otherAccount,
    }
    logRefusal(ctx, `invite_${result.reason}`)
    await replyHtml(ctx, texts[result.reason])
    return
  }
  const person = result.person
  ctx.lookups.forgetPerson(ctx.from.id)
  ctx.person = person
  useLocale(ctx, person.locale)
  logger.info({ userId: ctx.from.id, personId: person.id, role: person.role }, 'person registered')
  const t = ctx.t
  const role = ctx.texts.common.roles[person.role]
  await replyHtml(
    ctx,
    `${t.start.bound(escapeHtml(person.name), escapeHtml(role), person.unitName ? escapeHtml(person.unitName) : null)}\n\n${helpText(ctx)}`,
  )
})

composer.chatType(['group', 'supergroup']).command('start', async (ctx) => {
  if (!ctx.person) {
    logRefusal(ctx, 'stranger')
    await replyHtml(ctx, ctx.t.refusals.notRegistered)
    return
  }
  await replyHtml(ctx, helpText(ctx))
})

export { composer as startFeature }
