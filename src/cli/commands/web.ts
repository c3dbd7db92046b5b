/**
 * `duban web link <person>`: a one-time sign-in link to the web desk (valid 10 minutes) for an
 * admin to hand over; `duban web revoke <person>`: ends the person's sessions and unused links.
 */
import type { Command } from 'commander'
import { findPerson } from '../../domain/people.ts'
import { userError } from '../../errors.ts'
import { createSignInToken, revokeWebAccess } from '../../domain/web-sessions.ts'
import { formatInstant } from '../../domain/dates.ts'
import type { CliContext } from '../context.ts'
import { printJson } from '../io.ts'

export function registerWeb(program: Command, ctx: CliContext): void {
  const web = program.command('web').description('the web desk: sign-in links and sessions')
  web
    .command('link <person>')
    .description(
      'print a one-time sign-in link (10 minutes) for a person (number such as #12, name, or email)',
    )
    .option('--json', 'print { person, personId, link, expiresAt } as JSON')
    .action(async (query: string, opts: { json?: boolean }) => {
      const db = await ctx.db()
      const person = await findPerson(db, query)
      if (!person.active) throw userError('statusView', (t) => t.people.notFound(query))
      const { token, expiresAt } = await createSignInToken(db, person.id, ctx.now())
      const config = ctx.config()
      const link = `${config.publicUrl}/signin/${token}`
      if (opts.json) {
        printJson(ctx.output, {
          person: person.name,
          personId: person.id,
          link,
          expiresAt: expiresAt.toISOString(),
        })
        return
      }
      ctx.output.out(link)
      ctx.output.err(
        `${person.name}: 有效至 ${formatInstant(expiresAt, config.timezone)}，仅可使用一次 / valid until then, single use`,
      )
    })
  web
    .command('revoke <person>')
    .description("end a person's web sessions and unused sign-in links")
    .action(async (query: string) => {
      const db = await ctx.db()
      const person = await findPerson(db, query)
      const n = await revokeWebAccess(db, person.id, ctx.now())
      ctx.output.out(`${person.name}: 已结束 ${n} 个网页会话 / ${n} web sessions ended`)
    })
}
