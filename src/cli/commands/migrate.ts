import type { Command } from 'commander'
import type { CliContext } from '../context.ts'

export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply database migrations to the configured database')
    .action(async () => {
      const database = await ctx.database()
      await database.migrate()
      ctx.output.out(`数据库已是最新结构 / database schema is up to date (${database.driver})`)
    })
}
