/** `duban report bulletin`: a period's 通报 draft as a Word document in 公文 layout. */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { buildBulletin, periodLabel } from '../../domain/bulletin.ts'
import { localDate } from '../../domain/dates.ts'
import { paperworkError } from '../../domain/ledger.ts'
import { bulletinDocx } from '../../documents/bulletin-docx.ts'
import type { CliContext } from '../context.ts'
import { paperworkLine, writeWhole } from './ledger.ts'

export function registerReport(program: Command, ctx: CliContext): void {
  const report = program.command('report').description("the bureau's documents")
  report
    .command('bulletin')
    .description('a 通报 draft (docx, 公文 layout) with the figures of the ledger at the end of the period')
    .requiredOption('--period <period>', '2026 (a year), 2026-Q3 (a quarter) or 2026-10 (a month)')
    .option('--out <file>', 'the .docx file to write')
    .option('--plan <plan>', 'the plan (title or id); default: the active plan')
    .action(async (opts: { period: string; out?: string; plan?: string }) => {
      if (!opts.out) throw paperworkError((t) => t.errors.outRequired)
      const out = opts.out
      const db = await ctx.db()
      const now = ctx.now()
      const tz = ctx.config().timezone
      const bulletin = await buildBulletin(db, { period: opts.period, plan: opts.plan, now, tz })
      const bytes = await bulletinDocx(bulletin, { today: localDate(now, tz) })
      await writeWhole(out, (tmp) => writeFile(tmp, bytes))
      ctx.output.out(
        paperworkLine((t) =>
          t.cli.bulletinWritten(
            out,
            periodLabel(bulletin.period),
            bulletin.asOf,
            bulletin.source === 'snapshot' ? t.cli.sourceSnapshot : t.cli.sourceHistory,
          ),
        ),
      )
    })
}
