/**
 * The composition root: the one place that knows every bot feature (commands/) and every
 * scheduled job (jobs/) and hands them to the command line, which hands them to the service.
 * Dependencies point one way from here: bin → root → commands/, jobs/, src/cli → src/.
 * Both folders load on first use, so `duban plan list` never loads the bot or the jobs.
 */
import type { AppParts } from '../src/app-parts.ts'
import { main as cliMain, type MainOptions } from '../src/cli/main.ts'

export const root: AppParts = {
  jobs: async () => (await import('../jobs/index.ts')).jobs,
  botFeatures: async () => (await import('../commands/index.ts')).botFeatures(),
}

/** Runs one `duban` command line with the real features and jobs; resolves to the exit code. */
export function main(argv: string[], options: Omit<MainOptions, 'parts'> = {}): Promise<number> {
  return cliMain(argv, { ...options, parts: root })
}
