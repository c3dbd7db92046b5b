/**
 * Leave and deputy in Telegram. A liaison: `/away 12月1日-12月5日 王芳` names a deputy of their
 * unit for those days (both included); a supervisor or admin names the liaison first:
 * `/away 李明 12月1日-12月5日 王芳`. Prompts and reminders for the liaison go to the deputy then
 * (src/domain/recipients.ts), and back after. Refusals say why and change nothing.
 */
import { Composer } from 'grammy'
import { readsAllUnits } from '../src/domain/access.ts'
import { formatMonthDay, localDate } from '../src/domain/dates.ts'
import { findDeputy, recordLeave } from '../src/domain/leaves.ts'
import { dateRangeInText } from '../src/domain/loop.ts'
import { findPerson, type Person } from '../src/domain/people.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { commandArgs, refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('away', async (ctx) => {
  const t = ctx.texts.loop.leave
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'away_stranger')
  const { db, config } = ctx.deps
  const now = ctx.deps.now()
  const today = localDate(now, config.timezone)
  const args = commandArgs(ctx)
  const supervisor = readsAllUnits(person)
  // A supervisor names the liaison first; a liaison speaks for themself.
  const [first = '', ...others] = args.split(/\s+/)
  const rangeText = supervisor ? others.join(' ') : args
  const range = dateRangeInText(rangeText, today)
  if (!args || (supervisor && !first))
    return refuse(ctx, escapeHtml(supervisor ? t.usageSupervisor : t.usage), 'away_usage')
  if (!supervisor && person.role !== 'liaison')
    return refuse(ctx, escapeHtml(t.notLiaison), 'away_not_liaison')
  if (!range) return refuse(ctx, escapeHtml(t.badRange), 'away_bad_range')
  if (!range.rest) return refuse(ctx, escapeHtml(supervisor ? t.usageSupervisor : t.usage), 'away_no_deputy')
  try {
    const subject: Person = supervisor
      ? await findPerson(db, first, (p) => p.active && p.role === 'liaison')
      : person
    const deputy = await findDeputy(db, range.rest, subject.unitId)
    await recordLeave(db, {
      person: subject,
      deputy,
      from: range.from,
      to: range.to,
      by: person.id,
      today,
      now,
    })
    await replyHtml(
      ctx,
      escapeHtml(
        t.set(formatMonthDay(range.from, ctx.locale), formatMonthDay(range.to, ctx.locale), deputy.name),
      ),
    )
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'away_refused')
    throw err
  }
})

export { composer as awayFeature }
