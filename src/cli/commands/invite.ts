/** `duban invite <person>`: a one-time, expiring code and link that binds the person's Telegram account. */
import type { Command } from 'commander'
import { botUsername, createInvite, DEFAULT_INVITE_TTL_DAYS, inviteLink } from '../../domain/invites.ts'
import { findPerson } from '../../domain/people.ts'
import { messages } from '../../i18n/index.ts'
import { formatInstant } from '../../domain/dates.ts'
import type { CliContext } from '../context.ts'
import { printJson } from '../io.ts'
import { describePerson } from './people.ts'
import { bilingual, userError } from '../../errors.ts'
import { audited } from '../actor.ts'
import { personTarget } from '../../domain/lifecycle.ts'

export function registerInvite(program: Command, ctx: CliContext): void {
  program
    .command('invite <person>')
    .description('a one-time invite code and link for a person (number such as #12, name, or email)')
    .option('--days <n>', `days the invite stays valid (1-90, default ${DEFAULT_INVITE_TTL_DAYS})`)
    .option('--json', 'print { person, code, link, expiresAt } as JSON')
    .action(async (query: string, opts: { days?: string; json?: boolean }) => {
      let days = DEFAULT_INVITE_TTL_DAYS
      if (opts.days !== undefined) {
        days = /^\d{1,2}$/.test(opts.days.trim()) ? Number(opts.days) : NaN
        if (!(days >= 1 && days <= 90)) throw userError('statusView', (t) => t.invites.ttlInvalid)
      }
      const db = await ctx.db()
      const person = await findPerson(db, query)
      const invite = await audited(
        db,
        (tx) => createInvite(tx, person.id, ctx.now(), days),
        (i) => ({
          action: 'invites.create',
          target: personTarget(person),
          after: { expiresAt: i.expiresAt.toISOString() },
        }),
        ctx.now(),
      )
      const link = inviteLink(await botUsername(db), invite.code)
      if (opts.json) {
        printJson(ctx.output, {
          person: person.name,
          personId: person.id,
          code: invite.code,
          link,
          expiresAt: invite.expiresAt.toISOString(),
        })
        return
      }
      const tz = ctx.config().timezone
      const v = messages('zh-CN').statusView.cli
      ctx.output.out(
        [
          bilingual('statusView', (t, l) => t.cli.inviteCreated(describePerson(person, l))),
          v.inviteCode(invite.code),
          v.inviteLink(link),
          v.inviteExpires(`${formatInstant(invite.expiresAt, tz)} (${tz})`),
          bilingual('statusView', (t) => t.cli.inviteHint),
        ].join('\n'),
      )
    })
}
