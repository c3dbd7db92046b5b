/** `duban evidence list [unit] [--json]` and `duban evidence get <id>` (the file's bytes on stdout). */
import type { Command } from 'commander'
import { evidenceBytes, evidenceStore, listEvidence } from '../../domain/evidence.ts'
import { resolveUnit } from '../../domain/people.ts'
import type { CliContext } from '../context.ts'
import { formatTable, printJson } from '../io.ts'
import { UserError } from '../../errors.ts'

export function registerEvidence(program: Command, ctx: CliContext): void {
  const evidence = program.command('evidence').description('佐证材料: evidence files units sent')
  evidence
    .command('list [unit]')
    .description('evidence of one unit or of all units')
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, opts: { json?: boolean }) => {
      const db = await ctx.db()
      const unitId = query === undefined ? undefined : (await resolveUnit(db, query)).id
      const rows = await listEvidence(db, { unitId })
      if (opts.json) {
        printJson(
          ctx.output,
          rows.map((r) => ({ ...r, at: r.at.toISOString() })),
        )
        return
      }
      ctx.output.out(
        formatTable(
          ['id', 'unit', 'task', 'file', 'type', 'bytes', 'status', 'by', 'at'],
          rows.map((r) => [
            r.id,
            r.unit,
            r.ref ?? '—',
            r.fileName,
            r.contentType,
            r.size,
            r.status,
            r.by,
            r.at.toISOString(),
          ]),
        ),
      )
    })
  evidence
    .command('get <id>')
    .description("write the file's bytes to stdout (duban evidence get 12 > file.pdf)")
    .action(async (id: string) => {
      if (!/^\d{1,15}$/.test(id)) throw new UserError(`evidence id must be a number, got "${id}"`)
      if (!ctx.output.bytes) throw new UserError('this output cannot take bytes')
      const db = await ctx.db()
      const file = await evidenceBytes(db, evidenceStore(ctx.config().evidenceDir), Number(id))
      await ctx.output.bytes(file.bytes)
    })
}
