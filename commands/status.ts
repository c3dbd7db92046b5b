/**
 * `/status [unit]`: a supervisor's card for one unit, or the overview of every unit when no unit
 * is named (in a unit's group: that unit). A liaison sees their own unit; naming another unit is
 * refused. Unit names resolve through findUnit, with suggestions instead of guesses.
 */
import { Composer } from 'grammy'
import { overviewStatus } from '../src/domain/status-view.ts'
import { unitStatusWithLoop } from '../src/domain/loop-view.ts'
import { renderOverview, renderStatusCard } from '../src/templates/status-card.ts'
import { commandArgs, replyHtml, unitForCommand, type BotContext } from '../src/telegram/context.ts'

const composer = new Composer<BotContext>()

composer.command('status', async (ctx) => {
  const unit = await unitForCommand(ctx, commandArgs(ctx))
  if (!unit) return
  const { db, config, now } = ctx.deps
  const at = now()
  const opts = { html: true, now: at, tz: config.timezone }
  // The overview fits one message: at province scale (1,600 units) the units ranked first, then how many more.
  const html =
    unit === 'all'
      ? renderOverview(await overviewStatus(db, at, config.timezone), ctx.locale, { ...opts, limit: 4096 })
      : renderStatusCard(await unitStatusWithLoop(db, unit.id, at, config.timezone), ctx.locale, opts)
  await replyHtml(ctx, html)
})

export { composer as statusFeature }
