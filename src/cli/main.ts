/**
 * `duban`: the command line. Exit codes: 0 success, 1 user error (one line on stderr saying what
 * to do), 2 usage error. Each group of commands lives in its own file under `commands/`. The
 * bot's features and the jobs come in from the composition root (bin/root.ts).
 */
import { Command, CommanderError } from 'commander'
import { ConfigError, processEnv } from '../config.ts'
import { LockHeldError } from '../db/client.ts'
import { createCliContext, type CliContext } from './context.ts'
import { processOutput, type Output } from './io.ts'
import { registerCommands } from './commands/index.ts'
import type { AppParts } from '../app-parts.ts'
import { UserError } from '../errors.ts'

export interface MainOptions {
  /** The bot's features and the scheduled jobs, from the composition root (bin/root.ts). */
  parts: AppParts
  env?: NodeJS.ProcessEnv
  output?: Output
  /** The clock commands read (tests pin it); default the real one. */
  now?: () => Date
}

/**
 * The program with the command groups `argv` needs (every group without it); see
 * commands/index.ts.
 */
export async function buildProgram(ctx: CliContext, argv?: string[]): Promise<Command> {
  const program = new Command('duban')
  program
    .description('督办助手 duban — law-enforcement supervision plan reminders and status tracking')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.output.out(s),
      writeErr: (s) => ctx.output.err(s),
    })
  await registerCommands(program, ctx, argv)
  return program
}

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], options: MainOptions): Promise<number> {
  const output = options.output ?? processOutput
  const ctx = createCliContext(options.env ?? processEnv(), output, options.parts, options.now)
  try {
    const program = await buildProgram(ctx, argv)
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0
      return 2
    }
    if (err instanceof UserError || err instanceof LockHeldError) {
      output.err(`duban: ${err.message}`)
      return 1
    }
    if (err instanceof ConfigError) {
      output.err(`duban: the configuration has problems:\n${err.problems.map((p) => `  ${p}`).join('\n')}`)
      return 1
    }
    output.err(`duban: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    return 1
  } finally {
    await ctx.close()
  }
}
