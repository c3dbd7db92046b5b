/**
 * The `duban` command line in-process, as a user runs it: `main(argv)` with an environment, its
 * exit code and what it wrote to stdout and stderr (each write a line).
 */
import { main } from '../../bin/root.ts'

export interface CliRun {
  code: number
  out: string
  err: string
}

/** A runner of `duban …` with the environment `env()` gives at each call. */
export function cliRunner(env: () => Record<string, string>): (...argv: string[]) => Promise<CliRun> {
  return async (...argv) => {
    let out = ''
    let err = ''
    const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`)
    const code = await main(argv, {
      env: env(),
      output: { out: (s) => void (out += line(s)), err: (s) => void (err += line(s)) },
    })
    return { code, out, err }
  }
}
