/**
 * Access that can be taken back, from the command line: `duban people deactivate|reactivate`,
 * `duban chats unbind`, `duban invite revoke`, and `duban audit`, the log of every administrative
 * change. The subcommands join the existing `people`, `chats` and `invite` groups.
 */
import type { Command } from 'commander'
import type { Locale } from '../../db/schema.ts'
import { listAudit, type AuditRecord } from '../../domain/audit.ts'
import { parseTelegramChatId } from '../../domain/chats.ts'
import { deactivatePerson, reactivatePerson, revokeInvites, unbindChat } from '../../domain/lifecycle.ts'
import { userError } from '../../errors.ts'
import { messages } from '../../i18n/index.ts'
import { formatInstant, parseInstant } from '../../domain/dates.ts'
import { cliActor } from '../actor.ts'
import type { CliContext } from '../context.ts'
import { formatTable, printJson } from '../io.ts'
import { describePerson, personJson } from './people.ts'

type AccessTexts = ReturnType<typeof messages>['access']

/** One line in both languages, Chinese first. */
function bilingual(pick: (t: AccessTexts, locale: Locale) => string): string {
  return `${pick(messages('zh-CN').access, 'zh-CN')} / ${pick(messages('en').access, 'en')}`
}

function group(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name)
  if (!found) throw new Error(`registerAccess: the '${name}' command group must be registered first`)
  return found
}

export function registerAccess(program: Command, ctx: CliContext): void {
  const people = group(program, 'people')
  people
    .command('deactivate <person>')
    .description(
      "end a person's access (number such as #12, name, or email): the bot refuses them, open invites end",
    )
    .option('--json', 'print the result as JSON')
    .action(async (query: string, opts: { json?: boolean }) => {
      const r = await deactivatePerson(await ctx.db(), query, cliActor(), ctx.now())
      if (opts.json)
        return printJson(ctx.output, {
          person: personJson(r.person),
          changed: r.changed,
          invitesEnded: r.invites,
          deliveriesWithdrawn: r.deliveries,
        })
      ctx.output.out(
        r.changed
          ? bilingual((t, l) => t.deactivated(describePerson(r.person, l), r.invites, r.deliveries))
          : bilingual((t, l) => t.alreadyInactive(describePerson(r.person, l))),
      )
    })

  people
    .command('reactivate <person>')
    .description('give a deactivated person their access back')
    .option('--json', 'print the result as JSON')
    .action(async (query: string, opts: { json?: boolean }) => {
      const r = await reactivatePerson(await ctx.db(), query, cliActor(), ctx.now())
      if (opts.json) return printJson(ctx.output, { person: personJson(r.person), changed: r.changed })
      ctx.output.out(
        r.changed
          ? bilingual((t, l) => t.reactivated(describePerson(r.person, l)))
          : bilingual((t, l) => t.alreadyActive(describePerson(r.person, l))),
      )
    })

  group(program, 'chats')
    .command('unbind <chatId>')
    .description('unbind a Telegram group: it receives nothing more, and its waiting messages are withdrawn')
    .option('--json', 'print the result as JSON')
    .action(async (rawId: string, opts: { json?: boolean }) => {
      const r = await unbindChat(await ctx.db(), parseTelegramChatId(rawId), cliActor(), ctx.now())
      if (opts.json)
        return printJson(ctx.output, {
          telegramChatId: r.chat.telegramChatId,
          purpose: r.chat.purpose,
          unit: r.chat.unitName,
          withdrawn: r.withdrawn,
        })
      ctx.output.out(
        bilingual((t) => t.chatUnbound(r.chat.telegramChatId, r.chat.unitName ?? t.supervisors, r.withdrawn)),
      )
    })

  group(program, 'invite')
    .command('revoke <person>')
    .description("end a person's unused invites")
    .option('--json', 'print { person, revoked } as JSON')
    .action(async (query: string, opts: { json?: boolean }, cmd: Command) => {
      const r = await revokeInvites(await ctx.db(), query, cliActor(), ctx.now())
      // `invite` itself has --json, and commander gives it the flag when both define it.
      if (opts.json || cmd.parent?.opts<{ json?: boolean }>().json)
        return printJson(ctx.output, { person: r.person.name, personId: r.person.id, revoked: r.revoked })
      ctx.output.out(
        r.revoked > 0
          ? bilingual((t, l) => t.invitesRevoked(describePerson(r.person, l), r.revoked))
          : bilingual((t, l) => t.noOpenInvites(describePerson(r.person, l))),
      )
    })

  program
    .command('audit')
    .description('the log of administrative changes: who, from where, what, before and after')
    .option(
      '--since <date>',
      'only changes at or after this date or time (plan timezone unless it has an offset)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { since?: string; json?: boolean }) => {
      const tz = ctx.config().timezone
      let since: Date | undefined
      if (opts.since !== undefined) {
        const raw = opts.since.trim()
        since = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00` : raw, tz)
        if (!since) throw userError('access', (t) => t.sinceInvalid(opts.since!))
      }
      const entries = await listAudit(await ctx.db(), since ? { since } : {})
      if (opts.json) return printJson(ctx.output, entries.map(auditJson))
      if (entries.length === 0) return ctx.output.out(bilingual((t) => t.noAudit))
      ctx.output.out(
        formatTable(
          messages('zh-CN').access.auditHeader,
          entries.map((e) => [formatInstant(e.at, tz), e.source, e.actor, e.action, e.target ?? '']),
        ),
      )
    })
}

function auditJson(e: AuditRecord) {
  return {
    id: e.id,
    at: e.at.toISOString(),
    source: e.source,
    actor: e.actor,
    personId: e.personId,
    action: e.action,
    target: e.target,
    before: e.before,
    after: e.after,
  }
}
