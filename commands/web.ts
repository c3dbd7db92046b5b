/**
 * `/web`: a one-time sign-in link to the web desk (valid 10 minutes, single use), answered in
 * the private chat only, since anyone holding the link signs in as the person.
 */
import { Composer } from 'grammy'
import { createSignInToken } from '../src/domain/web-sessions.ts'
import { refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('web', async (ctx) => {
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'stranger')
  const web = ctx.texts.web.bot
  if (ctx.chat.type !== 'private') return refuse(ctx, web.privateOnly, 'web_link_in_group')
  const { db, config, now, logger } = ctx.deps
  const { token } = await createSignInToken(db, person.id, now())
  const url = `${config.publicUrl}/signin/${token}`
  logger.info({ personId: person.id }, 'web sign-in link issued')
  await replyHtml(ctx, web.link(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`))
})

export { composer as webFeature }
