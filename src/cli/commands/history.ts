/** `duban history [unit] [task ref] [--json]`: the timeline of assignments, every step with who and when. */
import type { Command } from 'commander'
import { localDate } from '../../domain/dates.ts'
import { timeline } from '../../domain/history.ts'
import { taskByRef } from '../../domain/loop.ts'
import { resolveUnit } from '../../domain/people.ts'
import { renderTimeline } from '../../domain/timeline-text.ts'
import type { CliContext } from '../context.ts'
import { printJson } from '../io.ts'
import { UserError } from '../../errors.ts'

export function registerHistory(program: Command, ctx: CliContext): void {
  program
    .command('history [unit] [ref]')
    .description(
      'the timeline of an assignment (or of a unit, or of all): 交办, 签收, reports, evidence, reviews, extensions',
    )
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, ref: string | undefined, opts: { json?: boolean }) => {
      const db = await ctx.db()
      const unitId = query === undefined ? undefined : (await resolveUnit(db, query)).id
      let taskId: number | undefined
      if (ref !== undefined) {
        const task = await taskByRef(db, ref)
        if (!task) throw new UserError(`no task ${ref} in the active plan; duban plan show lists them`)
        taskId = task.id
      }
      const entries = await timeline(db, { unitId, taskId })
      if (opts.json) {
        printJson(
          ctx.output,
          entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        )
        return
      }
      const tz = ctx.config().timezone
      ctx.output.out(renderTimeline(entries, 'zh-CN', tz) || `— (${localDate(ctx.now(), tz)})`)
    })
}
