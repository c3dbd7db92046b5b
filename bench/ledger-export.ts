/**
 * Benchmark: the 工作台账 at province scale (performance.md): 1,600 units × 50 tasks = 80,000
 * assignments, each with 8 weekly reports (640,000 status reports; the export reads one latest
 * report per assignment through the index, so more history changes little), 16,000 officers.
 * Measured in the same run on the same data:
 *   - the bare query: every assignment with its latest report, one hand-written statement;
 *   - the export: `ledgerWorkbookData` + `writeLedgerXlsx` to a file (three sheets, styled),
 *     as `duban ledger export` does; and the CSV of the 总表.
 * Peak RSS of the process is reported (the xlsx is written with exceljs's streaming writer).
 * Goal: the xlsx in ≤ 20 s ("seconds"); the ratio to the bare query is reported.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/ledger-export.ts [--reuse] [--runs 3]
 *
 * Creates and uses its own database `duban_bench_ledger` on that server.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { finished } from 'node:stream/promises'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../src/db/schema.ts'
import type { Db } from '../src/db/client.ts'
import { zonedInstant } from '../src/domain/dates.ts'
import { ledgerRows } from '../src/domain/ledger.ts'
import { ledgerCsv, ledgerWorkbookData, writeLedgerXlsx } from '../src/documents/ledger-xlsx.ts'
import { machineLine, runIfMain } from './results.ts'
import { median, PROVINCE, provinceDatabase, provinceMain } from './province.ts'

const DB_NAME = 'duban_bench_ledger'
const TZ = 'Asia/Shanghai'
const SCALE = PROVINCE
const NOW = zonedInstant('2026-03-02', '08:30', TZ)
const GOAL_MS = 20_000

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`

/** The bare query: every assignment of the plan with its latest-status record, as a person would write it. */
function bare(sql: postgres.Sql) {
  return sql`
    select a.task_id, a.unit_id, t.ref, t.title, t.due_date, t.due_text, u.name,
      a.latest_state, a.latest_progress, a.latest_note, a.latest_reported_at
    from assignments a
    join tasks t on t.id = a.task_id
    join units u on u.id = a.unit_id
    join plans p on p.id = t.plan_id and p.active
    order by t.position, a.unit_id`
}

export interface LedgerExportResult {
  rows: number
  reports: number
  generateMs: number
  bareMs: number
  xlsxMs: number
  csvMs: number
  xlsxBytes: number
  rssBeforeKb: number
  peakRssKb: number
  ratio: number
  pass: boolean
  server: string
}

export async function runLedgerExport(opts: { url: string; reuse?: boolean; runs?: number }) {
  const runs = opts.runs ?? 3
  const { url, generateMs } = await provinceDatabase({
    url: opts.url,
    name: DB_NAME,
    scale: SCALE,
    reuse: opts.reuse,
  })
  const client = postgres(url, { max: 4, onnotice: () => {} })
  const dir = mkdtempSync(path.join(tmpdir(), 'duban-bench-ledger-'))
  try {
    const db = drizzle(client, { schema }) as unknown as Db
    const [{ n }] = (await client`select count(*)::int as n from status_reports`) as unknown as [
      { n: number },
    ]
    const [{ version }] = (await client`select current_setting('server_version') as version`) as unknown as [
      { version: string },
    ]
    const file = path.join(dir, '台账.xlsx')
    const q = { now: NOW, tz: TZ }
    const exportXlsx = async () => {
      const data = await ledgerWorkbookData(db, q)
      const stream = createWriteStream(file)
      await writeLedgerXlsx(data, stream)
      stream.end()
      await finished(stream)
      return data.ledger.rows.length
    }
    const exportCsv = async () => {
      writeFileSync(path.join(dir, '台账.csv'), ledgerCsv(await ledgerRows(db, q), TZ))
    }
    await bare(client) // warm the plan and the buffers
    const rssBeforeKb = process.resourceUsage().maxRSS
    console.log(`status rows: ${n}; measuring (median of ${runs} runs each, interleaved) …`)
    const times = { bare: [] as number[], xlsx: [] as number[], csv: [] as number[] }
    let rows = 0
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now()
      await bare(client)
      times.bare.push(performance.now() - t0)
      t0 = performance.now()
      rows = await exportXlsx()
      times.xlsx.push(performance.now() - t0)
      t0 = performance.now()
      await exportCsv()
      times.csv.push(performance.now() - t0)
    }
    const bareMs = median(times.bare)
    const xlsxMs = median(times.xlsx)
    return {
      rows,
      reports: n,
      generateMs,
      bareMs,
      xlsxMs,
      csvMs: median(times.csv),
      xlsxBytes: statSync(file).size,
      rssBeforeKb,
      peakRssKb: process.resourceUsage().maxRSS,
      ratio: xlsxMs / bareMs,
      pass: xlsxMs <= GOAL_MS,
      server: `PostgreSQL ${version}`,
    } satisfies LedgerExportResult
  } finally {
    await client.end()
    rmSync(dir, { recursive: true, force: true })
  }
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)

export function resultsSection(r: LedgerExportResult): string {
  return [
    '## ledger export at province scale',
    '',
    machineLine(r.server),
    '',
    `Workload: ${SCALE.units} units × ${SCALE.tasks} tasks = ${r.rows.toLocaleString('en')} assignments (one 总表 row each), ` +
      `${r.reports.toLocaleString('en')} status reports, ${SCALE.units * SCALE.officersPerUnit} officers (培训学时 rows).` +
      (r.generateMs
        ? ` Generated in ${(r.generateMs / 1000).toFixed(0)} s.`
        : ' Data reused from an earlier run.'),
    '',
    '| measure | median | goal |',
    '| --- | ---: | --- |',
    `| bare query (every assignment with its latest-status record) | ${fmt(r.bareMs)} | |`,
    `| **ledger export, xlsx** (read model + 3 styled sheets, streamed to a file of ${(r.xlsxBytes / 2 ** 20).toFixed(1)} MB) | **${fmt(r.xlsxMs)}** | ≤ ${GOAL_MS / 1000} s |`,
    `| ledger export, CSV (总表) | ${fmt(r.csvMs)} | |`,
    `| ratio xlsx / bare query | ${r.ratio.toFixed(1)}× | reported |`,
    `| peak RSS of the process (before the exports: ${mb(r.rssBeforeKb)}) | ${mb(r.peakRssKb)} | reported |`,
    '',
    "The rows come from each assignment's latest-status record (one pass, no history probe). The workbook is written with exceljs's streaming WorkbookWriter " +
      "(rows committed as they are added, each row's cells made only as it is written; no shared-strings table), so memory holds the ledger rows, not a workbook model. " +
      'Cells share one style object per look (exceljs then reuses the style id instead of working it out per cell) and report times are formatted with the offset cached per quarter hour; ' +
      'profiled with --cpu-prof, the rest is XML and zip work and decoding the rows.',
    '',
    `Result: ${r.pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- ledger-export\` (or \`npx tsx bench/ledger-export.ts [--reuse]\`) with BENCH_DATABASE_URL or TEST_DATABASE_URL set.`,
    '',
  ].join('\n')
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  return provinceMain('ledger-export', argv, runLedgerExport, resultsSection)
}

runIfMain(import.meta.url, main)
