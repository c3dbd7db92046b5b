/**
 * Monday's weekly digest to the supervisors (daily at 08:30; acts on Monday, or the first working
 * day of the week): src/domain/digest.ts builds it, the `weekly-digest` template renders it at
 * send time, to the supervisors' group(s) and their email. Key `digest:{isoWeek}`: one digest
 * per (recipient, week), whatever replicas or restarts do.
 */
import * as z from 'zod'
import { buildDigest } from '../src/domain/digest.ts'
import { weeklyTrend } from '../src/domain/ledger.ts'
import { activePlan } from '../src/domain/plans.ts'
import { supervisorRecipients } from '../src/domain/recipients.ts'
import { isoWeek, weeklyRoundDay } from '../src/domain/reminder-ladder.ts'
import { messages } from '../src/i18n/index.ts'
import { jobDescription, nameList, openRound, roundDoneAt, runRound } from './rhythm.ts'
import type { Job } from './types.ts'
import { enqueueToSupervisors } from '../src/delivery/notify.ts'
import { outboxKey } from '../src/domain/outbox-keys.ts'
import { weeklyDigest } from '../src/templates/weekly-digest.ts'

const NAME = 'weekly-digest'

const options = z.object({
  /** ISO weekday of the digest (1 = Monday); a day off moves it to the next working day of the week. */
  weekday: z.number().int().min(1).max(7),
  upcomingDays: z.number().int().min(0),
  silentDays: z.number().int().min(1),
  changesDays: z.number().int().min(1),
  listLimit: z.number().int().min(1),
})

export const weeklyDigestJob: Job = {
  name: NAME,
  description: jobDescription('weeklyDigest'),
  defaultCron: '30 8 * * *',
  defaultOptions: { weekday: 1, upcomingDays: 14, silentDays: 14, changesDays: 7, listLimit: 200 },
  catchUp: 'latest',
  catchUpWindowHours: 168,
  async run(ctx, fire) {
    const opened = openRound(ctx, fire, NAME, options, (day, o) =>
      weeklyRoundDay(ctx.calendar, day, o.weekday),
    )
    if ('end' in opened) return opened.end
    const { today } = opened
    const { weekday: _weekday, ...digestOptions } = opened.opts
    const week = isoWeek(today)

    // Built before the round's transaction, so its independent reads can run side by side; a
    // second run of the same week stops here (or at the round's claim, if it raced).
    const skip = messages('en').rhythm.skipped
    if (await roundDoneAt(ctx.db, NAME, week)) return { enqueued: 0, skipped: skip.alreadyDone(week) }
    const recipients = await supervisorRecipients(ctx.db)
    // Not a done round: once a supervisor can be reached, a later run this week sends it.
    if (recipients.length === 0)
      return { enqueued: 0, detail: 'no supervisor can be reached: no supervisors group bound, no email' }
    const digest = await buildDigest(ctx.db, fire.now, ctx.config.timezone, digestOptions, ctx.calendar)
    const plan = await activePlan(ctx.db)
    // The picture's trend line; also keeps last Sunday's snapshot if the snapshot job did not.
    if (plan)
      digest.trend = await weeklyTrend(ctx.db, plan.id, today, ctx.config.timezone, fire.now, digest.totals)

    return runRound(ctx.db, NAME, week, fire.now, async (tx) => {
      const enqueued = await enqueueToSupervisors(
        tx,
        outboxKey.digest(week),
        recipients,
        weeklyDigest,
        digest,
      )
      const detail = [`${week}: ${digest.units.length} unit(s), ${recipients.length} recipient(s)`]
      if (digest.unreachable.length)
        detail.push(`unreachable: ${nameList(digest.unreachable.map((u) => u.unit))}`)
      return { enqueued, detail: detail.join('; ') }
    })
  },
}

export default weeklyDigestJob
