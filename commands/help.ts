/** `/help`: what this person can do, by role; strangers learn how to get an invite. */
import { Composer } from 'grammy'
import { replyHtml, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

/** The help text for the context's person (the invite explanation for strangers). */
export function helpText(ctx: BotContext): string {
  const p = ctx.person
  if (!p) return ctx.t.start.stranger
  if (p.role === 'admin') return ctx.t.help.admin
  if (p.role === 'supervisor') return ctx.t.help.supervisor
  return ctx.t.help.liaison(escapeHtml(p.unitName ?? '—'))
}

const composer = new Composer<BotContext>()

composer.command('help', async (ctx) => {
  await replyHtml(ctx, helpText(ctx))
})

export { composer as helpFeature }
