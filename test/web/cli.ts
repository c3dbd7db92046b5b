/**
 * Runs a `duban` command line in-process against a test database (either driver); returns stdout,
 * stderr and the raw bytes a command wrote (`duban evidence get`).
 */
import { buildProgram } from '../../src/cli/main.ts'
import type { CliContext } from '../../src/cli/context.ts'
import type { Config } from '../../src/config.ts'
import type { Db } from '../../src/db/client.ts'
import { silentLogger } from '../../src/log.ts'
import { root } from '../../bin/root.ts'

export async function runCli(
  db: Db,
  config: Config,
  now: Date,
  argv: string[],
): Promise<{ out: string; err: string; bytes: Buffer }> {
  let out = ''
  let err = ''
  const chunks: Buffer[] = []
  const ctx: CliContext = {
    env: {},
    output: {
      out: (s) => (out += s.endsWith('\n') ? s : `${s}\n`),
      err: (s) => (err += s),
      bytes: (b) => {
        chunks.push(Buffer.from(b))
        return Promise.resolve()
      },
    },
    config: () => config,
    logger: () => Promise.resolve(silentLogger),
    db: () => Promise.resolve(db),
    database: () => Promise.reject(new Error('not used')),
    now: () => now,
    close: () => Promise.resolve(),
    parts: root,
  }
  await (await buildProgram(ctx, argv)).parseAsync(argv, { from: 'user' })
  return { out, err, bytes: Buffer.concat(chunks) }
}
