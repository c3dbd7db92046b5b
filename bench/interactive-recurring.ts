/**
 * The interactive benchmark (bench/interactive.ts) on a province whose every tenth task is monthly
 * (每月10日前): /status and /overdue read each of those 8,000 assignments at the occurrence that
 * is due, which they work out from the unit's report history. Same goal, its own section.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/interactive-recurring.ts [--reuse] [--runs 30]
 */
import { main as interactiveMain, PLAIN, type InteractiveVariant } from './interactive.ts'
import { PROVINCE } from './province.ts'
import { runIfMain } from './results.ts'

const RECURRING: InteractiveVariant = {
  name: 'interactive-recurring',
  dbName: 'duban_bench_interactive_recurring',
  scale: { ...PROVINCE, seriesEvery: 10 },
  title: `${PLAIN.title}, every tenth task monthly`,
}

export function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  return interactiveMain(argv, RECURRING)
}

runIfMain(import.meta.url, main)
