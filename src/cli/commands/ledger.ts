/** `duban ledger export`: the 工作台账 as an xlsx workbook (or its 总表 as CSV). */
import { createWriteStream } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { finished } from 'node:stream/promises'
import type { Command } from 'commander'
import { ledgerRows, paperworkError } from '../../domain/ledger.ts'
import { ledgerCsv, ledgerWorkbookData, writeLedgerXlsx } from '../../documents/ledger-xlsx.ts'
import { messages } from '../../i18n/index.ts'
import type { CliContext } from '../context.ts'

/** Both locales of a paperwork CLI line (Chinese first), as the other commands print. */
export function paperworkLine(pick: (t: ReturnType<typeof messages>['paperwork']) => string): string {
  return `${pick(messages('zh-CN').paperwork)} / ${pick(messages('en').paperwork)}`
}

/** Writes a file whole, then renames it in place: a failed export never leaves half a file. */
export async function writeWhole(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    await write(tmp)
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

export function registerLedger(program: Command, ctx: CliContext): void {
  const ledger = program.command('ledger').description('the 工作台账 (work ledger)')
  ledger
    .command('export')
    .description('the ledger as an xlsx workbook (总表, 单位汇总, 培训学时), or its 总表 as CSV')
    .option('--out <file>', 'the file to write')
    .option('--plan <plan>', 'the plan (title or id); default: the active plan')
    .option('--as-of <date>', 'the ledger as it stood at the end of that day (YYYY-MM-DD); default: now')
    .option('--csv', 'write the 总表 alone as CSV (UTF-8 with BOM)')
    .action(async (opts: { out?: string; plan?: string; asOf?: string; csv?: boolean }) => {
      if (!opts.out) throw paperworkError((t) => t.errors.outRequired)
      const out = opts.out
      const db = await ctx.db()
      const q = { plan: opts.plan, asOf: opts.asOf, now: ctx.now(), tz: ctx.config().timezone }
      let result
      if (opts.csv) {
        result = await ledgerRows(db, q)
        const csv = ledgerCsv(result, q.tz)
        await writeWhole(out, (tmp) => writeFile(tmp, csv))
      } else {
        const data = await ledgerWorkbookData(db, q)
        result = data.ledger
        await writeWhole(out, async (tmp) => {
          const stream = createWriteStream(tmp)
          await writeLedgerXlsx(data, stream)
          stream.end()
          await finished(stream)
        })
      }
      const ledgerResult = result
      ctx.output.out(
        paperworkLine((t) =>
          t.cli.ledgerWritten(
            out,
            ledgerResult.rows.length,
            ledgerResult.asOf,
            ledgerResult.source === 'snapshot' ? t.cli.sourceSnapshot : t.cli.sourceHistory,
          ),
        ),
      )
    })
}
