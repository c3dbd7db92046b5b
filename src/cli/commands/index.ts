/**
 * Every CLI command group, registered on the program. One file per group, loaded on demand: a
 * command line loads only the group it names (and what that group imports), so `duban status`
 * never loads the plan readers, the web desk or the service. Help, and a name no group has, load
 * them all so commander can list them.
 */
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'

type Register = (program: Command, ctx: CliContext) => void

/** Access (access.ts) adds to people, chats and invite: any of them, or audit, loads all four. */
const access = ['people', 'chats', 'invite', 'audit']

/** The groups in registration order (the order `duban --help` lists them), by top-level name. */
const groups: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['start'], load: async () => (await import('./start.ts')).registerStart },
  { names: ['migrate'], load: async () => (await import('./migrate.ts')).registerMigrate },
  { names: ['deliveries'], load: async () => (await import('./deliveries.ts')).registerDeliveries },
  { names: ['plan'], load: async () => (await import('./plan.ts')).registerPlan },
  { names: ['units'], load: async () => (await import('./units.ts')).registerUnits },
  { names: ['job'], load: async () => (await import('./job.ts')).registerJob },
  { names: access, load: async () => (await import('./people.ts')).registerPeople },
  { names: ['officers'], load: async () => (await import('./officers.ts')).registerOfficers },
  { names: access, load: async () => (await import('./invite.ts')).registerInvite },
  { names: access, load: async () => (await import('./chats.ts')).registerChats },
  { names: ['status'], load: async () => (await import('./status.ts')).registerStatus },
  { names: ['ledger'], load: async () => (await import('./ledger.ts')).registerLedger },
  { names: ['report'], load: async () => (await import('./report.ts')).registerReport },
  { names: ['evidence'], load: async () => (await import('./evidence.ts')).registerEvidence },
  { names: ['history'], load: async () => (await import('./history.ts')).registerHistory },
  { names: ['web'], load: async () => (await import('./web.ts')).registerWeb },
  { names: ['sandbox'], load: async () => (await import('./sandbox.ts')).registerSandbox },
  // Access adds subcommands to people, chats and invite (registered above) and adds audit.
  { names: access, load: async () => (await import('./access.ts')).registerAccess },
]

/**
 * Registers the groups a command line needs: the one its first word names, or every group when
 * that word names none (help, a typo: commander then lists them all). Without argv, every group.
 */
export async function registerCommands(program: Command, ctx: CliContext, argv?: string[]): Promise<void> {
  const first = argv?.[0]
  const named = groups.filter((g) => first !== undefined && g.names.includes(first))
  const chosen = named.length > 0 ? named : groups
  const registers = await Promise.all(chosen.map((g) => g.load()))
  for (const register of registers) register(program, ctx)
}
