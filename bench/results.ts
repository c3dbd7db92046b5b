/** Shared by the benchmark scripts: the machine line, and writing one section of bench/RESULTS.md. */
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'

const repo = path.resolve(import.meta.dirname, '..')
export const resultsFile = path.join(import.meta.dirname, 'RESULTS.md')

export function machineLine(extra = ''): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
  const mem = Math.round(os.totalmem() / 2 ** 30)
  return `Machine: ${cpu}, ${os.cpus().length} cores, ${mem} GB RAM, ${os.platform()} ${os.release()}; Node ${process.version}${extra ? `; ${extra}` : ''}; load average ${os.loadavg()[0]!.toFixed(1)} (shared machine). Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->`. */
export function writeSection(name: string, body: string, file = resultsFile): void {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n${body.trim()}\n${end}`
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n'
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length)
  else text = `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(file, text)
}

/** The PostgreSQL server benchmarks run on: BENCH_DATABASE_URL, else TEST_DATABASE_URL (empty counts as unset). */
export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined
}

/** Says, once and the same way for every benchmark, that a PostgreSQL server is needed; returns exit code 1. */
export function needsDatabase(bench: string): number {
  console.error(
    `${bench}: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server, e.g. postgres://duban:duban@127.0.0.1:5432/duban_test`,
  )
  return 1
}

/** Builds dist/ (what `npm start` and `duban` run) unless it is newer than every source file (the rule bin/duban.js follows). */
export function ensureBuilt(): string {
  const stamp = path.join(repo, 'dist', '.built')
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : -1
  let newest = 0
  for (const dir of ['src', 'commands', 'jobs', 'bin'])
    for (const name of readdirSync(path.join(repo, dir), { recursive: true }) as string[])
      if (name.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(repo, dir, name)).mtimeMs)
  if (built >= newest) return 'dist/ was up to date'
  console.log('building dist/ …')
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' })
  return 'dist/ built before the run'
}

/** Runs a benchmark's `main` when its file is the script node was started with; exits with its code. */
export function runIfMain(moduleUrl: string, main: () => Promise<number>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
