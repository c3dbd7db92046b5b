/** `duban officers import <csv>`: law-enforcement officers and their training hours so far this year. */
import type { Command } from 'commander'
import { importOfficers } from '../../domain/training.ts'
import type { CliContext } from '../context.ts'
import { printJson } from '../io.ts'
import { readCsvFile } from './people.ts'
import { bilingual } from '../../errors.ts'

export function registerOfficers(program: Command, ctx: CliContext): void {
  const officers = program
    .command('officers')
    .description('law-enforcement officers and their training hours')

  officers
    .command('import <csv>')
    .description(
      "officers and this year's training hours so far, CSV header unit,name,hours (all or nothing; re-import replaces the totals)",
    )
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const text = await readCsvFile(file)
      const result = await importOfficers(await ctx.db(), text, ctx.now(), ctx.config().timezone)
      if (opts.json) printJson(ctx.output, result)
      else
        ctx.output.out(
          bilingual('statusView', (t) => t.cli.officersImported(result.officers, result.records)),
        )
    })
}
