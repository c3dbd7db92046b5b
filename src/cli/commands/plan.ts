/** `duban plan import <file>` and `duban plan show`: the plan from the bureau's document. */
import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { audited } from '../actor.ts'
import { displayWidth, formatTable, printJson } from '../io.ts'
import { messages } from '../../i18n/index.ts'
import { describeDeadline } from '../../domain/deadline-phrase.ts'
import { importPlan, readPlanFile } from '../../domain/plan-import.ts'
import { activePlanTasks } from '../../domain/plans.ts'
import { bilingual, UserError } from '../../errors.ts'

const zh = messages('zh-CN').plan

/** Cuts text to a display width (CJK counts two), ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  let out = ''
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break
    out += ch
  }
  return `${out}…`
}

/** `--year` as given: a whole year from 2000 to 2100, else a UserError. */
export function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const year = Number(value)
  if (!/^\d{4}$/.test(value.trim()) || year < 2000 || year > 2100)
    throw new UserError(bilingual('plan', (m) => m.badYear(value)))
  return year
}

export function registerPlan(program: Command, ctx: CliContext): void {
  const plan = program
    .command('plan')
    .description('the supervision plan: import the document, show its tasks')

  plan
    .command('import <file>')
    .description(
      'import a plan: the document as text (.txt/.md) or structured (.yaml/.yml/.json); re-import updates it',
    )
    .option('--year <YYYY>', 'run the plan as this year (deadline phrases resolve in it)')
    .option('--create-units', 'create units named in brackets but missing from the roster')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { year?: string; createUnits?: boolean; json?: boolean }) => {
      const year = parseYear(opts.year)
      // The file is checked and parsed before the database is opened: bad input changes nothing.
      const parsed = await readPlanFile(file, year === undefined ? {} : { year })
      const db = await ctx.db()
      const result = await audited(
        db,
        (tx) =>
          importPlan(tx, parsed, {
            createUnits: opts.createUnits === true,
            sourceName: path.basename(file),
            now: ctx.now(),
          }),
        (r) => ({
          action: 'plan.import',
          target: path.basename(file),
          after: { plan: r.plan.title, year: r.plan.year, counts: r.counts },
        }),
        ctx.now(),
      )
      if (opts.json) {
        printJson(ctx.output, result)
        return
      }
      const lines = [
        bilingual('plan', (m) => m.planImported(result.plan.title, result.plan.year, result.tasks.length)),
        '',
      ]
      lines.push(
        formatTable(
          zh.importHeader,
          result.tasks.map((t) => [
            t.ref,
            truncate(t.title, 28),
            t.due ?? zh.noDue,
            t.dueText ?? '',
            t.unitCount,
          ]),
        ),
      )
      const c = result.counts
      lines.push(
        '',
        bilingual('plan', (m) => m.importSummary(c.created, c.updated, c.unchanged, c.deleted)),
      )
      if (result.warnings.length) lines.push('', zh.warningsTitle, ...result.warnings.map((w) => `- ${w}`))
      ctx.output.out(lines.join('\n'))
    })

  plan
    .command('show')
    .description('the active plan: tasks with ref, title, due date, original phrase and units')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const active = await activePlanTasks(await ctx.db())
      if (!active) throw new UserError(bilingual('plan', (m) => m.noPlan))
      const { plan: p, tasks } = active
      if (opts.json) {
        printJson(ctx.output, {
          plan: { title: p.title, year: p.year, trainingHoursPerYear: p.trainingHoursPerYear },
          tasks: tasks.map((t) => ({
            ref: t.ref,
            title: t.title,
            due: t.dueDate,
            dueText: t.dueText,
            units: t.units.map((u) => u.name),
            section: t.section,
            unitsText: t.unitsText,
          })),
        })
        return
      }
      const rows = tasks.map((t) => [
        t.ref,
        truncate(t.title, 30),
        t.dueDate ? describeDeadline({ phrase: t.dueText ?? '', date: t.dueDate }, 'zh-CN') : zh.noDue,
        truncate(t.unitsText ?? t.units.map((u) => u.shortName).join('、'), 36) +
          zh.unitCount(t.units.length),
      ])
      ctx.output.out(
        [zh.showTitle(p.title, p.year, p.trainingHoursPerYear), '', formatTable(zh.showHeader, rows)].join(
          '\n',
        ),
      )
    })
}
