/** Shared by the benchmark scripts: the machine line, and writing one section of bench/RESULTS.md. */
import os from 'node:os'
import path from 'node:path'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

export const resultsFile = path.join(import.meta.dirname, 'RESULTS.md')

export function machineLine(extra = ''): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
  const mem = Math.round(os.totalmem() / 2 ** 30)
  return `Machine: ${cpu}, ${os.cpus().length} cores, ${mem} GB RAM, ${os.platform()} ${os.release()}; Node ${process.version}${extra ? `; ${extra}` : ''}. Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`
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
