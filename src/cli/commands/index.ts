/** Every CLI command group, registered on the program. One file per group. */
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { registerMigrate } from './migrate.ts'
import { registerPlan } from './plan.ts'
import { registerUnits } from './units.ts'
import { registerJob } from './job.ts'

export function registerCommands(program: Command, ctx: CliContext): void {
  registerMigrate(program, ctx)
  registerPlan(program, ctx)
  registerUnits(program, ctx)
  registerJob(program, ctx)
}
