/** `duban status [unit]`: what /status shows, the card of one unit or the overview of all. */
import type { Command } from 'commander'
import { locales, type Locale } from '../../db/schema.ts'
import { resolveUnit } from '../../domain/people.ts'
import { renderOverview, renderStatusCard } from '../../templates/status-card.ts'
import { overviewStatus, type UnitOverview, type UnitStatus } from '../../domain/status-view.ts'
import { unitStatusWithLoop } from '../../domain/loop-view.ts'
import type { CliContext } from '../context.ts'
import { printJson } from '../io.ts'
import { userError } from '../../errors.ts'

/** The `status <unit> --json` shape of interfaces.md (fields may be added, never removed). */
export function unitStatusJson(s: UnitStatus) {
  return {
    unit: s.unit.name,
    liaisons: s.liaisons.map((l) => ({
      name: l.name,
      reachable: l.reachable,
      telegramBound: l.telegramBound,
    })),
    tasks: s.tasks.map((t) => ({
      ref: t.ref,
      title: t.title,
      due: t.due,
      dueText: t.dueText,
      // The loop's own states (awaiting_review, rectifying, closed, withdrawn) win over the report's.
      state: t.loop?.state ?? t.state,
      reportState: t.state,
      color: t.loop?.color ?? null,
      acknowledgedAt: t.loop?.acknowledgedAt?.toISOString() ?? null,
      evidenceCount: t.loop?.evidenceCount ?? 0,
      returnedCount: t.loop?.returnedCount ?? 0,
      progress: t.progress,
      note: t.note,
      overdueDays: t.overdueDays,
      lastReplyAt: t.lastReplyAt?.toISOString() ?? null,
      lastReplyBy: t.lastReplyBy,
      role: t.role ?? 'responsible',
      plan: t.plan ?? null,
    })),
    counts: s.counts,
    colors: s.loop?.colors ?? null,
    unacknowledged: s.loop?.unacknowledged ?? 0,
    training: s.training,
  }
}

/** One object per unit with tasks in the active plan. */
export function overviewJson(rows: UnitOverview[]) {
  return rows.map((r) => ({
    unit: r.unit.name,
    tasks: r.tasks,
    counts: r.counts,
    liaisons: r.liaisons,
    liaisonsReachable: r.liaisonsReachable,
    lastReplyAt: r.lastReplyAt?.toISOString() ?? null,
  }))
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status [unit]')
    .description(
      "a unit's status card (full name, short name, pinyin or initials), or the overview of all units",
    )
    .option('--locale <locale>', 'zh-CN (default) or en')
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, opts: { locale?: string; json?: boolean }) => {
      const locale = (locales as readonly string[]).includes(opts.locale ?? 'zh-CN')
        ? ((opts.locale ?? 'zh-CN') as Locale)
        : null
      if (!locale) throw userError('statusView', (t) => t.people.localeInvalid(opts.locale ?? ''))
      const db = await ctx.db()
      const now = ctx.now()
      const tz = ctx.config().timezone
      const render = { html: false, now, tz }
      if (query === undefined) {
        const rows = await overviewStatus(db, now, tz)
        if (opts.json) printJson(ctx.output, overviewJson(rows))
        else ctx.output.out(renderOverview(rows, locale, render))
        return
      }
      const unit = await resolveUnit(db, query)
      const status = await unitStatusWithLoop(db, unit.id, now, tz)
      if (opts.json) printJson(ctx.output, unitStatusJson(status))
      else ctx.output.out(renderStatusCard(status, locale, render))
    })
}
