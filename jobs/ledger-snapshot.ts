/**
 * The ledger snapshot (daily at 00:05; acts the morning after a Sunday or a month's last day):
 * every active plan's ledger as it stood at the end of that day, kept in ledger_snapshots, so the
 * weekly trend and a period's 通报 read what the ledger said then. Idempotent per (plan, day): a
 * second run of the same fire, or a replica running it too, writes nothing. A missed fire runs
 * late (catch-up 'each') and still records the day it names, from the report history.
 */
import { eq } from 'drizzle-orm'
import { plans } from '../src/db/schema.ts'
import { addDays, dateParts, lastDayOfMonth, localDate, weekday } from '../src/domain/dates.ts'
import { takeLedgerSnapshot } from '../src/domain/ledger.ts'
import { jobDescription } from './rhythm.ts'
import type { Job } from './types.ts'

/** Whether the ledger is kept at the end of `day`: a Sunday, or the last day of a month. */
export function isSnapshotDay(day: string): boolean {
  const { year, month } = dateParts(day)
  return weekday(day) === 0 || lastDayOfMonth(year, month) === day
}

export const ledgerSnapshotJob: Job = {
  name: 'ledger-snapshot',
  description: jobDescription('ledgerSnapshot'),
  defaultCron: '5 0 * * *',
  catchUp: 'each',
  catchUpWindowHours: 24 * 35,
  async run(ctx, fire) {
    const tz = ctx.config.timezone
    // The day that just ended when the fire was due (a late run still records that day).
    const day = addDays(localDate(fire.scheduledAt, tz), -1)
    if (!isSnapshotDay(day)) return { enqueued: 0, skipped: `${day}: not a Sunday or a month's end` }
    const active = await ctx.db
      .select({ id: plans.id, title: plans.title })
      .from(plans)
      .where(eq(plans.active, true))
    const written: string[] = []
    for (const plan of active) {
      const rows = await takeLedgerSnapshot(ctx.db, plan.id, day, tz, fire.now)
      written.push(`${plan.title}: ${rows}`)
    }
    return { enqueued: 0, detail: `${day}: ${written.join('; ') || 'no active plan'}` }
  },
}

export default ledgerSnapshotJob
