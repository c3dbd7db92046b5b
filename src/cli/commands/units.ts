/** `duban units list|import|find`: the roster of units. */
import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { audited } from '../actor.ts'
import { formatTable, printJson } from '../io.ts'
import { messages } from '../../i18n/index.ts'
import { readTextFile } from '../../domain/plan-import.ts'
import { bilingual, UserError } from '../../errors.ts'
import { findUnit, formatSuggestions, importRoster, listUnits, parseRosterFile } from '../../domain/units.ts'

const zh = messages('zh-CN')

export function registerUnits(program: Command, ctx: CliContext): void {
  const units = program.command('units').description('the roster of units (towns, subdistrict, departments)')

  units
    .command('list')
    .description('list the roster')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await listUnits(await ctx.db())
      if (opts.json) {
        printJson(
          ctx.output,
          list.map((u) => ({
            name: u.name,
            shortName: u.shortName,
            kind: u.kind,
            tags: u.tags,
            aliases: u.aliases,
          })),
        )
        return
      }
      if (list.length === 0) throw new UserError(bilingual('plan', (m) => m.noUnits))
      ctx.output.out(
        formatTable(
          zh.plan.unitsHeader,
          list.map((u) => [
            u.name,
            u.shortName,
            zh.common.unitKinds[u.kind],
            u.tags.join('、'),
            u.aliases.join('、'),
          ]),
        ),
      )
    })

  units
    .command('import <file>')
    .description(
      'import or update the roster (and its group phrases) from YAML (.yaml/.yml/.json) or CSV (name,shortName,kind,tags,aliases)',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const input = parseRosterFile(await readTextFile(file), file)
      const counts = await audited(
        await ctx.db(),
        (tx) => importRoster(tx, input),
        (c) => ({ action: 'units.import', target: path.basename(file), after: c }),
        ctx.now(),
      )
      if (opts.json) printJson(ctx.output, counts)
      else
        ctx.output.out(
          bilingual('plan', (m) => m.unitsImported(counts.created, counts.updated, counts.unchanged)),
        )
    })

  units
    .command('find <query>')
    .description('look a unit up as people write it: 台城, taicheng, tc, 公安局')
    .option('--json', 'print as JSON')
    .action(async (query: string, opts: { json?: boolean }) => {
      const match = await findUnit(await ctx.db(), query)
      if (opts.json) {
        const names = (list: { name: string }[]) => list.map((u) => u.name)
        printJson(
          ctx.output,
          match.kind === 'found'
            ? { kind: match.kind, unit: match.unit.name }
            : match.kind === 'ambiguous'
              ? { kind: match.kind, candidates: names(match.candidates) }
              : { kind: match.kind, suggestions: names(match.suggestions) },
        )
      } else if (match.kind === 'found') {
        const u = match.unit
        const tags = u.tags.length ? ` ${u.tags.join('、')}` : ''
        ctx.output.out(`${u.name}（${u.shortName}，${zh.common.unitKinds[u.kind]}）${tags}`)
      }
      // Not one unit: exit 1 with the candidates or suggestions, never a guess.
      if (match.kind === 'ambiguous')
        throw new UserError(
          bilingual('plan', (m) => m.unitAmbiguous(query, formatSuggestions(match.candidates))),
        )
      if (match.kind === 'unknown')
        throw new UserError(
          match.suggestions.length
            ? bilingual('plan', (m) => m.unitUnknownSuggest(query, formatSuggestions(match.suggestions)))
            : bilingual('plan', (m) => m.unitUnknown(query)),
        )
    })
}
