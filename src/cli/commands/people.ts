/**
 * `duban people add|import|list`: the people on the roster (liaisons, supervisors, admins).
 * Also the CSV file reader and bilingual one-liners the roster commands share.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { roles, type Locale, type Role } from '../../db/schema.ts'
import * as z from 'zod'
import { formatMonthDay, isValidDate, localDate } from '../../domain/dates.ts'
import { findDeputy, recordLeave } from '../../domain/leaves.ts'
import { loopError } from '../../domain/loop.ts'
import {
  addPerson,
  findPerson,
  importPeople,
  listPeople,
  resolveUnit,
  type Person,
} from '../../domain/people.ts'
import { messages } from '../../i18n/index.ts'
import type { CliContext } from '../context.ts'
import { audited, cliActor } from '../actor.ts'
import { recordAudit } from '../../domain/audit.ts'
import { endAccess, personTarget } from '../../domain/lifecycle.ts'
import { formatTable, printJson } from '../io.ts'
import { bilingual, userError } from '../../errors.ts'

const zh = messages('zh-CN')

const day = z.string().trim().refine(isValidDate)
const awayOptions = z.object({
  from: day,
  to: day,
  deputy: z.string().trim().min(1),
  json: z.boolean().optional(),
})

const MAX_CSV_MB = 5

/** Reads a CSV file as UTF-8 text; a user error for a missing, huge or binary file. */
export async function readCsvFile(file: string): Promise<string> {
  const info = await stat(file).catch((err: unknown) => {
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT'
    throw userError('statusView', (t) => (missing ? t.cli.fileMissing(file) : t.cli.fileUnreadable(file)))
  })
  if (!info.isFile()) throw userError('statusView', (t) => t.cli.fileUnreadable(file))
  const size = info.size
  if (size > MAX_CSV_MB * 1024 * 1024)
    throw userError('statusView', (t) => t.cli.fileTooLarge(file, MAX_CSV_MB))
  const bytes = await readFile(file).catch(() => {
    throw userError('statusView', (t) => t.cli.fileUnreadable(file))
  })
  if (bytes.includes(0)) throw userError('statusView', (t) => t.cli.fileNotText(file))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw userError('statusView', (t) => t.cli.fileNotText(file))
  }
}

/** `#12 李明（联络员，台城街道）` in one locale. */
export function describePerson(p: Pick<Person, 'id' | 'name' | 'role' | 'unitName'>, locale: Locale): string {
  return messages(locale).statusView.cli.person(
    p.id,
    p.name,
    messages(locale).common.roles[p.role],
    p.unitName,
  )
}

/** The JSON form of a person in listings. */
export function personJson(p: Person) {
  return {
    id: p.id,
    name: p.name,
    role: p.role,
    unit: p.unitName,
    email: p.email,
    locale: p.locale,
    active: p.active,
    telegramBound: p.telegramUserId !== null,
    telegramUserId: p.telegramUserId,
    unreachable: p.unreachableAt !== null,
    unreachableReason: p.unreachableReason,
  }
}

function telegramColumn(p: Person): string {
  const card = zh.statusView.card
  if (p.telegramUserId === null) return card.liaisonNotBound
  return p.unreachableAt ? card.liaisonUnreachable : card.liaisonBound
}

export function registerPeople(program: Command, ctx: CliContext): void {
  const people = program.command('people').description('people on the roster: liaisons, supervisors, admins')

  people
    .command('add')
    .description('add one person')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'liaison | supervisor | admin')
    .option('--unit <unit>', 'their unit (full name, short name, pinyin or initials); required for a liaison')
    .option('--email <address>', 'email address for reminders and the digest')
    .option('--locale <locale>', 'zh-CN (default) or en')
    .option('--json', 'print the person as JSON')
    .action(
      async (opts: {
        name: string
        role: string
        unit?: string
        email?: string
        locale?: string
        json?: boolean
      }) => {
        const person = await audited(
          await ctx.db(),
          (tx) =>
            addPerson(tx, {
              name: opts.name,
              role: opts.role,
              unit: opts.unit ?? null,
              email: opts.email ?? null,
              locale: opts.locale ?? null,
            }),
          (p) => ({ action: 'people.add', target: personTarget(p), after: personJson(p) }),
          ctx.now(),
        )
        if (opts.json) printJson(ctx.output, personJson(person))
        else ctx.output.out(bilingual('statusView', (t, l) => t.cli.personAdded(describePerson(person, l))))
      },
    )

  people
    .command('import <csv>')
    .description('add or update people from a CSV file with the header name,role,unit,email (all or nothing)')
    .option('--deactivate-missing', 'deactivate everyone active whom the file does not list')
    .option('--reactivate', 'reactivate inactive people the file lists (otherwise they stay inactive)')
    .option('--json', 'print the counts as JSON')
    .action(
      async (file: string, opts: { json?: boolean; deactivateMissing?: boolean; reactivate?: boolean }) => {
        const text = await readCsvFile(file)
        const now = ctx.now()
        const result = await importPeople(await ctx.db(), text, {
          deactivateMissing: opts.deactivateMissing === true,
          reactivate: opts.reactivate === true,
          async afterImport(tx, r, deactivatedIds) {
            const ended = await endAccess(tx, deactivatedIds, now)
            await recordAudit(
              tx,
              cliActor(),
              {
                action: 'people.import',
                target: path.basename(file),
                after: { ...r, invitesEnded: ended.invites, deliveriesWithdrawn: ended.deliveries },
              },
              now,
            )
          },
        })
        if (opts.json) return printJson(ctx.output, result)
        const lines = [bilingual('statusView', (t) => t.cli.peopleImported(result.created, result.updated))]
        const access = (pick: (t: ReturnType<typeof messages>['access']) => string) =>
          `${pick(messages('zh-CN').access)} / ${pick(messages('en').access)}`
        if (result.keptInactive.length)
          lines.push(access((t) => t.importKeptInactive(result.keptInactive.join(', '))))
        if (result.reactivated.length)
          lines.push(access((t) => t.importReactivated(result.reactivated.join(', '))))
        if (result.deactivated.length)
          lines.push(access((t) => t.importDeactivated(result.deactivated.join(', '))))
        ctx.output.out(lines.join('\n'))
      },
    )

  people
    .command('away <person>')
    .description(
      "a liaison's leave: from --from to --to (both included) prompts and reminders go to --deputy, a person of the same unit",
    )
    .requiredOption('--from <date>', 'first day of the leave, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day of the leave, YYYY-MM-DD')
    .requiredOption('--deputy <person>', 'who stands in (number such as #12, name, or email)')
    .option('--json', 'print the leave as JSON')
    .action(async (query: string, raw: { from: string; to: string; deputy: string; json?: boolean }) => {
      const parsed = awayOptions.safeParse(raw)
      if (!parsed.success) throw loopError((t) => t.leave.badRange)
      const opts = parsed.data
      const db = await ctx.db()
      const now = ctx.now()
      const today = localDate(now, ctx.config().timezone)
      const person = await findPerson(db, query, (p) => p.active && p.role === 'liaison')
      const deputy = await findDeputy(db, opts.deputy, person.unitId)
      const leave = {
        person: person.name,
        unit: person.unitName,
        deputy: deputy.name,
        from: opts.from,
        to: opts.to,
      }
      const row = await audited(
        db,
        (tx) => recordLeave(tx, { person, deputy, from: opts.from, to: opts.to, by: null, today, now }),
        (r) => ({ action: 'people.away', target: personTarget(person), after: { id: r.id, ...leave } }),
        now,
      )
      if (opts.json) return printJson(ctx.output, { id: row.id, ...leave })
      ctx.output.out(
        bilingual('loop', (t, l) =>
          t.leave.set(formatMonthDay(opts.from, l), formatMonthDay(opts.to, l), deputy.name),
        ),
      )
    })

  people
    .command('list')
    .description('everyone on the roster')
    .option('--unit <unit>', 'only this unit')
    .option('--role <role>', 'only this role: liaison | supervisor | admin')
    .option('--json', 'print JSON')
    .action(async (opts: { unit?: string; role?: string; json?: boolean }) => {
      const db = await ctx.db()
      const filter: { unitId?: number; role?: Role } = {}
      if (opts.role !== undefined) {
        const role = opts.role.trim().toLowerCase()
        if (!(roles as readonly string[]).includes(role))
          throw userError('statusView', (t) => t.people.roleInvalid(opts.role!))
        filter.role = role as Role
      }
      if (opts.unit !== undefined) filter.unitId = (await resolveUnit(db, opts.unit)).id
      const list = await listPeople(db, filter)
      if (opts.json) {
        printJson(ctx.output, list.map(personJson))
        return
      }
      if (list.length === 0) {
        ctx.output.out(bilingual('statusView', (t) => t.cli.noPeople))
        return
      }
      const v = zh.statusView.cli
      ctx.output.out(
        formatTable(
          v.peopleHeader,
          list.map((p) => [
            `#${p.id}`,
            p.name,
            zh.common.roles[p.role],
            p.unitName ?? '',
            p.email ?? '',
            telegramColumn(p),
            p.active ? v.active : v.inactive,
          ]),
        ),
      )
    })
}
