/**
 * `/hours <officer> <hours> [date] [course]` logs one training entry for an officer of the
 * liaison's unit (today when no date; never a future date). `/hours` alone shows the unit's
 * officers against the yearly pace; a supervisor adds the unit: `/hours 台城`.
 */
import { Composer } from 'grammy'
import { isValidDate, localDate } from '../src/domain/dates.ts'
import { recordTrainingHours, trainingSummary } from '../src/domain/training.ts'
import {
  clip,
  commandArgs,
  refuse,
  replyHtml,
  unitForCommand,
  type BotContext,
  type UnitRef,
} from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { readsAllUnits } from '../src/domain/access.ts'

const formatHours = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** `2024-5-1`, `2024/05/01`, `2024.5.1` → `2024-05-01`; null when not a date. */
function readDate(token: string | undefined): string | null {
  const m = token ? /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(token) : null
  if (!m) return null
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  return isValidDate(date) ? date : null
}

export interface HoursEntry {
  officer: string
  hours: number
  /** As typed (possibly not a date); null when none was given. */
  date: string | null
  dateToken: string | null
  course: string | null
}

/** Splits `张三 4 2024-05-10 行政执法培训`; null when there is no hours number after a name. */
export function parseHoursArgs(args: string): HoursEntry | null {
  const tokens = args.split(/\s+/).filter(Boolean)
  const k = tokens.findIndex((t, i) => i > 0 && /^\d+(\.\d+)?$/.test(t))
  if (k < 1) return null
  const rest = tokens.slice(k + 1)
  const looksLikeDate = rest[0] !== undefined && /^\d{4}[-/.]\d/.test(rest[0])
  return {
    officer: tokens.slice(0, k).join(' '),
    hours: Number(tokens[k]),
    date: looksLikeDate ? readDate(rest[0]) : null,
    dateToken: looksLikeDate ? rest[0]! : null,
    course: (looksLikeDate ? rest.slice(1) : rest).join(' ') || null,
  }
}

async function showSummary(ctx: BotContext, unit: UnitRef): Promise<void> {
  const { db, config, now } = ctx.deps
  const today = localDate(now(), config.timezone)
  const summary = await trainingSummary(db, unit.id, Number(today.slice(0, 4)), today)
  const name = escapeHtml(clip(unit.name, 60))
  if (summary.officers.length === 0) {
    await replyHtml(ctx, ctx.t.hours.noOfficers(name))
    return
  }
  const lines = summary.officers.map((o) =>
    ctx.t.hours.officerLine(escapeHtml(clip(o.name, 50)), formatHours(o.hours), o.belowPace),
  )
  await replyHtml(
    ctx,
    [
      ctx.t.hours.summaryHeader(
        name,
        summary.officers.length,
        formatHours(summary.averageHours),
        summary.belowPace,
      ),
      ...lines,
    ].join('\n'),
  )
}

const composer = new Composer<BotContext>()

composer.command('hours', async (ctx) => {
  const args = commandArgs(ctx)
  const entry = parseHoursArgs(args)
  if (!entry) {
    // No hours number: a summary (a supervisor may name the unit), or the usage for a liaison.
    if (args && !readsAllUnits(ctx.person) && ctx.person) return refuse(ctx, ctx.t.hours.usage, 'hours_usage')
    const unit = await unitForCommand(ctx, args)
    if (!unit) return
    if (unit === 'all') return refuse(ctx, ctx.t.hours.chooseUnit, 'hours_no_unit')
    return showSummary(ctx, unit)
  }
  const unit = await unitForCommand(ctx, '')
  if (!unit) return
  if (unit === 'all') return refuse(ctx, ctx.t.hours.chooseUnit, 'hours_no_unit')
  const { db, config, now } = ctx.deps
  const today = localDate(now(), config.timezone)
  const date = entry.dateToken === null ? today : entry.date
  if (date === null || date > today) return refuse(ctx, ctx.t.hours.badDate, 'hours_bad_date')
  try {
    const result = await recordTrainingHours(db, {
      unitId: unit.id,
      officerName: entry.officer,
      hours: entry.hours,
      takenOn: date,
      course: entry.course,
      personId: ctx.person?.id ?? null,
      source: 'telegram',
    })
    ctx.deps.logger.info(
      { personId: ctx.person?.id, officerId: result.officer.id, hours: entry.hours },
      'training recorded',
    )
    await replyHtml(
      ctx,
      ctx.t.hours.recorded(
        escapeHtml(clip(result.officer.name, 50)),
        formatHours(Math.round(entry.hours * 10) / 10),
        date,
        formatHours(result.totalHours),
      ),
    )
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'hours_refused')
    throw err
  }
})

export { composer as hoursFeature }
