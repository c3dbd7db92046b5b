/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [<name> …]` runs some. Each script
 * measures its own limit in the same run, prints a table and writes its section of bench/RESULTS.md.
 * Benchmarks that need PostgreSQL read BENCH_DATABASE_URL (or TEST_DATABASE_URL).
 */
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const benchmarks: Record<string, string> = {
  'outbox-claim': 'outbox-claim.ts',
  fanout: 'fanout.ts',
  'reply-ingestion': 'reply-ingestion.ts',
  'digest-scale': 'digest-scale.ts',
  'ledger-export': 'ledger-export.ts',
  startup: 'startup.ts',
  cli: 'cli.ts',
  'plan-parse': 'plan-parse.ts',
  web: 'web.ts',
  interactive: 'interactive.ts',
  'interactive-recurring': 'interactive-recurring.ts',
}

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const chosen = names.length > 0 ? names : Object.keys(benchmarks)
let failed = 0
for (const name of chosen) {
  const file = benchmarks[name]
  if (!file) {
    console.error(`unknown benchmark "${name}"; choose from: ${Object.keys(benchmarks).join(', ')}`)
    process.exit(2)
  }
  console.log(`\n=== ${name} ===`)
  const mod = (await import(pathToFileURL(path.join(import.meta.dirname, file)).href)) as {
    main?: (argv: string[]) => Promise<number>
  }
  if (!mod.main) throw new Error(`${file} exports no main()`)
  const code = await mod.main([])
  if (code !== 0) failed++
}
process.exit(failed > 0 ? 1 : 0)
