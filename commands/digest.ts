/**
 * `/digest` (supervisors and admins): this week's digest on demand, the same rendering the
 * supervisors' group gets on Monday (with the weekly-digest schedule's options), as of now.
 * Asked in a unit's group, it goes to the asker in private (the digest ranks every unit, which
 * is not for one unit's group), with a short note in the group.
 */
import { Composer, GrammyError } from 'grammy'
import { buildDigest } from '../src/domain/digest.ts'
import { renderDigestTelegram } from '../src/templates/weekly-digest.ts'
import { loadJobOptions } from '../src/scheduler/run.ts'
import { refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { weeklyDigestJob } from '../jobs/weekly-digest.ts'
import { readsAllUnits } from '../src/domain/access.ts'
import { splitHtmlMessage } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('digest', async (ctx) => {
  if (!readsAllUnits(ctx.person)) return refuse(ctx, ctx.t.refusals.supervisorsOnly, 'digest_not_supervisor')
  const { db, config, now } = ctx.deps
  const { upcomingDays, silentDays, changesDays, listLimit } = (await loadJobOptions(
    db,
    weeklyDigestJob,
  )) as Record<string, number | undefined>
  const digest = await buildDigest(db, now(), config.timezone, {
    upcomingDays,
    silentDays,
    changesDays,
    listLimit,
  })
  const html = renderDigestTelegram(digest, ctx.locale, config.timezone)
  if (ctx.boundChat?.purpose !== 'unit' || !ctx.from) return void (await replyHtml(ctx, html))
  try {
    for (const part of html.length <= 4096 ? [html] : splitHtmlMessage(html))
      await ctx.api.sendMessage(ctx.from.id, part, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      })
  } catch (err) {
    // 403: they never opened a private chat with the bot (or blocked it); nothing went out.
    if (err instanceof GrammyError && (err.error_code === 403 || err.error_code === 400))
      return void (await replyHtml(ctx, ctx.t.digestInGroup.openPrivateChat))
    throw err
  }
  await replyHtml(ctx, ctx.t.digestInGroup.sentPrivately)
})

export { composer as digestFeature }
