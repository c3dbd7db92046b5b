/**
 * The monthly training-hours check (daily at 09:00; acts on the 1st, or the first working day of
 * the month): each unit gets the list of its officers below the pace (the active plan's yearly
 * hours × share of the year elapsed), key `pace:{unitId}:{yyyy-mm}`; from November on, the
 * supervisors get the officers who cannot reach the yearly requirement at their current pace
 * (hours so far ÷ share of the year elapsed < requirement), key `pace-risk:{yyyy-mm}`.
 */
import { eq } from 'drizzle-orm'
import * as z from 'zod'
import { officers } from '../src/db/schema.ts'
import { daysBetween } from '../src/domain/dates.ts'
import { supervisorRecipients, unitRecipients } from '../src/domain/recipients.ts'
import { monthOf, monthlyRoundDay } from '../src/domain/reminder-ladder.ts'
import { activePlan } from '../src/domain/plans.ts'
import { trainingPace, trainingSummary, DEFAULT_TRAINING_HOURS_PER_YEAR } from '../src/domain/training.ts'
import { listUnits } from '../src/domain/units.ts'
import type { TrainingPaceParams, TrainingRiskParams } from '../src/templates/training-pace.ts'
import { jobDescription, nameList, openRound, runRound } from './rhythm.ts'
import type { Job } from './types.ts'
import { enqueueToSupervisors, enqueueUnitMessage } from '../src/delivery/notify.ts'
import { outboxKey } from '../src/domain/outbox-keys.ts'
import { trainingRiskTemplate } from '../src/templates/training-pace.ts'

const NAME = 'training-pace'

const options = z.object({
  /** Day of the month of the check; a day off moves it to the next working day of the month. */
  dayOfMonth: z.number().int().min(1).max(31),
  /** From this month (1–12) on, supervisors get the officers who cannot reach the requirement. */
  riskFromMonth: z.number().int().min(1).max(13),
})

const round1 = (n: number) => Math.round(n * 10) / 10

/** Hours by the end of the year at the pace so far: hours ÷ (day of year ÷ days in the year). */
export function projectedHours(hours: number, today: string): number {
  const year = Number(today.slice(0, 4))
  const day = daysBetween(`${year}-01-01`, today) + 1
  const days = daysBetween(`${year}-01-01`, `${year + 1}-01-01`)
  return round1((hours * days) / day)
}

export const trainingPaceJob: Job = {
  name: NAME,
  description: jobDescription('trainingPace'),
  defaultCron: '0 9 * * *',
  defaultOptions: { dayOfMonth: 1, riskFromMonth: 11 },
  catchUp: 'latest',
  catchUpWindowHours: 72,
  async run(ctx, fire) {
    const opened = openRound(ctx, fire, NAME, options, (day, o) =>
      monthlyRoundDay(ctx.calendar, day, o.dayOfMonth),
    )
    if ('end' in opened) return opened.end
    const { today, opts } = opened
    const month = monthOf(today)

    return runRound(ctx.db, NAME, month, fire.now, async (tx) => {
      const plan = await activePlan(tx)
      const required = plan?.trainingHoursPerYear ?? DEFAULT_TRAINING_HOURS_PER_YEAR
      const pace = trainingPace(required, today)
      const year = Number(today.slice(0, 4))
      const withOfficers = new Set(
        (
          await tx.selectDistinct({ unitId: officers.unitId }).from(officers).where(eq(officers.active, true))
        ).map((r) => r.unitId),
      )
      const roster = (await listUnits(tx)).filter((u) => withOfficers.has(u.id))
      const below: { unitId: number; unit: string; officers: { name: string; hours: number }[] }[] = []
      const risk: TrainingRiskParams['officers'] = []
      for (const unit of roster) {
        const summary = await trainingSummary(tx, unit.id, year, today, required)
        const slow = summary.officers.filter((o) => o.belowPace)
        if (slow.length)
          below.push({
            unitId: unit.id,
            unit: unit.name,
            officers: slow.map((o) => ({ name: o.name, hours: o.hours })),
          })
        for (const o of summary.officers) {
          const projected = projectedHours(o.hours, today)
          if (projected < required) risk.push({ unit: unit.name, name: o.name, hours: o.hours, projected })
        }
      }

      const reach = await unitRecipients(
        tx,
        below.map((b) => b.unitId),
      )
      let enqueued = 0
      const unreachable: string[] = []
      for (const b of below) {
        const r = reach.get(b.unitId)!
        if (r.unreachable) unreachable.push(b.unit)
        const params: TrainingPaceParams = { unit: b.unit, date: today, pace, required, officers: b.officers }
        enqueued += await enqueueUnitMessage(tx, {
          key: outboxKey.pace(b.unitId, month),
          unitId: b.unitId,
          reach: r,
          template: 'training-pace',
          params,
          now: fire.now,
        })
      }
      const detail = [`${month}: ${below.length} unit(s) with officers below ${pace} h`]
      if (Number(month.slice(5)) >= opts.riskFromMonth && risk.length) {
        const params: TrainingRiskParams = { date: today, required, officers: risk }
        enqueued += await enqueueToSupervisors(
          tx,
          outboxKey.paceRisk(month),
          await supervisorRecipients(tx),
          trainingRiskTemplate,
          params,
        )
        detail.push(`${risk.length} officer(s) at risk`)
      }
      if (unreachable.length) detail.push(`unreachable: ${nameList(unreachable)}`)
      return { enqueued, detail: detail.join('; ') }
    })
  },
}

export default trainingPaceJob
