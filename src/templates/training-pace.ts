/**
 * `training-pace`: a unit's officers below the training-hours pace (the yearly requirement ×
 * share of the year elapsed), sent to the unit once a month.
 *
 * `training-risk`: from November, the officers who cannot reach the yearly requirement at their
 * current pace, sent to the supervisors.
 */
import * as z from 'zod'
import { escapeHtml } from '../telegram/html.ts'
import { messages } from '../i18n/index.ts'
import { formatMonthDay } from '../domain/dates.ts'
import { plainEmail } from './email-layout.ts'
import type { MessageTemplate } from './types.ts'

const hours = (n: number) => n.toFixed(1)
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

const paceParams = z.object({
  unit: z.string(),
  /** The day of the check (YYYY-MM-DD). */
  date,
  pace: z.number(),
  required: z.number(),
  officers: z.array(z.object({ name: z.string(), hours: z.number() })).min(1),
})
export type TrainingPaceParams = z.input<typeof paceParams>

export const trainingPaceTemplate: MessageTemplate<z.output<typeof paceParams>> = {
  name: 'training-pace',
  params: paceParams,
  render(p, locale) {
    const t = messages(locale).rhythm.pace
    const head = t.head(p.unit, t.month(Number(p.date.slice(0, 4)), Number(p.date.slice(5, 7))))
    const intro = t.intro(formatMonthDay(p.date, locale), hours(p.pace), p.required, p.officers.length)
    const lines = p.officers.map((o) =>
      t.officer(o.name, hours(o.hours), hours(Math.max(0, p.pace - o.hours))),
    )
    return {
      telegram: {
        html: [
          `<b>${escapeHtml(head)}</b>`,
          escapeHtml(intro),
          ...lines.map((l) => escapeHtml(l)),
          escapeHtml(t.hint),
        ].join('\n'),
      },
      email: plainEmail(head, [intro, ...lines], locale),
    }
  },
}

const riskParams = z.object({
  date,
  required: z.number(),
  officers: z
    .array(z.object({ unit: z.string(), name: z.string(), hours: z.number(), projected: z.number() }))
    .min(1),
})
export type TrainingRiskParams = z.input<typeof riskParams>

export const trainingRiskTemplate: MessageTemplate<z.output<typeof riskParams>> = {
  name: 'training-risk',
  params: riskParams,
  render(p, locale) {
    const t = messages(locale).rhythm.risk
    const head = t.head(p.officers.length, p.required)
    const lines = p.officers.map((o) => t.officer(o.unit, o.name, hours(o.hours), hours(o.projected)))
    return {
      telegram: { html: [`<b>${escapeHtml(head)}</b>`, ...lines.map((l) => escapeHtml(l))].join('\n') },
      email: plainEmail(head, lines, locale),
    }
  },
}
