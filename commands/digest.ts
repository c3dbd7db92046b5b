/**
 * `/digest` (supervisors and admins): this week's digest on demand, the same rendering the
 * supervisors' group gets on Monday (with the weekly-digest schedule's options), as of now.
 */
import { Composer } from 'grammy'
import { buildDigest } from '../src/domain/digest.ts'
import { renderDigestTelegram } from '../src/messages/weekly-digest.ts'
import { loadJobOptions } from '../src/scheduler/run.ts'
import { refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { weeklyDigestJob } from '../jobs/weekly-digest.ts'
import { readsAllUnits } from '../src/domain/access.ts'

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
  await replyHtml(ctx, renderDigestTelegram(digest, ctx.locale, config.timezone))
})

export { composer as digestFeature }
