/** Every CLI command group, registered on the program. One file per group. */
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { registerStart } from './start.ts'
import { registerMigrate } from './migrate.ts'
import { registerSandbox } from './sandbox.ts'
import { registerDeliveries } from './deliveries.ts'
import { registerPlan } from './plan.ts'
import { registerUnits } from './units.ts'
import { registerJob } from './job.ts'
import { registerPeople } from './people.ts'
import { registerOfficers } from './officers.ts'
import { registerInvite } from './invite.ts'
import { registerChats } from './chats.ts'
import { registerStatus } from './status.ts'
import { registerLedger } from './ledger.ts'
import { registerReport } from './report.ts'
import { registerEvidence } from './evidence.ts'
import { registerHistory } from './history.ts'
import { registerWeb } from './web.ts'
import { registerAccess } from './access.ts'

export function registerCommands(program: Command, ctx: CliContext): void {
  registerStart(program, ctx)
  registerMigrate(program, ctx)
  registerDeliveries(program, ctx)
  registerPlan(program, ctx)
  registerUnits(program, ctx)
  registerJob(program, ctx)
  registerPeople(program, ctx)
  registerOfficers(program, ctx)
  registerInvite(program, ctx)
  registerChats(program, ctx)
  registerStatus(program, ctx)
  registerLedger(program, ctx)
  registerReport(program, ctx)
  registerEvidence(program, ctx)
  registerHistory(program, ctx)
  registerWeb(program, ctx)
  registerSandbox(program, ctx)
  registerAccess(program, ctx)
}
