/**
 * `duban plan …`: the plans from the bureau's documents. `import` (with `--dry-run`), `show`,
 * `list`, `archive`, `export` (the 任务分解表 a clerk edits and imports back).
 */
import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { audited } from '../actor.ts'
import { displayWidth, formatTable, printJson } from '../io.ts'
import { messages } from '../../i18n/index.ts'
import type { AssignmentRole } from '../../db/schema.ts'
import { describeDeadline } from '../../domain/deadline-phrase.ts'
import { localDate } from '../../domain/dates.ts'
// The document readers (yaml, docx, xlsx, pdf) and the importer load in `plan import` only, the
// sheet writer in `plan export`: `plan show` and `plan list` are read from the database.
import type { PlanPreview } from '../../domain/plan-import.ts'
import { bilingual, UserError } from '../../errors.ts'
import { activePlans, archivePlan, findPlan, listPlans, listPlanTasks } from '../../domain/plans.ts'

const zh = messages('zh-CN').plan
const zl = messages('zh-CN').planLedger

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

/** `牵头：市司法局；负责：蓬江区、江海区等7个；配合：市公安局`: units grouped by role, lists shortened. */
export function unitsByRoleText(units: { name: string; role: AssignmentRole }[], perRole = 3): string {
  const parts: string[] = []
  for (const role of ['lead', 'responsible', 'support'] as const) {
    const names = units.filter((u) => u.role === role).map((u) => u.name)
    if (names.length === 0) continue
    const shown = names.slice(0, perRole).join('、')
    parts.push(`${zl.roleLabels[role]}：${shown}${names.length > perRole ? `等${names.length}个` : ''}`)
  }
  return parts.join('；')
}

function deadlineText(t: PlanPreview['tasks'][number]): string {
  if (t.deadlineKind === 'ongoing') return `${t.dueText ?? ''}（${zl.ongoing}）`
  if (t.deadlineKind === 'series')
    return `${t.dueText ?? ''} → ${zl.series(t.dates?.length ?? 0)}（${(t.dates ?? []).slice(0, 2).join('、')}…）`
  if (!t.due) return zh.noDue
  return t.dueText ? `${t.dueText} → ${t.due}` : t.due
}

function sourceText(s: PlanPreview['tasks'][number]['source'] | null): string {
  if (!s) return ''
  if (s.sheet || s.cell) return [s.sheet, s.cell].filter(Boolean).join(' ')
  return s.line ? zl.lineWhere(s.line) : ''
}

/** The preview as a clerk reads it: one row per task, then every doubt quoting the document. */
export function renderPreview(preview: PlanPreview): string[] {
  const lines = [
    formatTable(
      zl.previewHeader,
      preview.tasks.map((t) => [
        t.ref,
        truncate(t.title, 28),
        truncate(unitsByRoleText(t.units), 48),
        truncate(deadlineText(t), 36),
        sourceText(t.source),
      ]),
    ),
    '',
  ]
  if (preview.doubts.length === 0) lines.push(zl.noDoubts)
  else {
    lines.push(zl.doubtsTitle(preview.doubts.length))
    for (const d of preview.doubts)
      lines.push(zl.doubt(d.taskRef, zl.doubtKinds[d.kind], d.quote, sourceText(d.source)))
  }
  return lines
}

export function registerPlan(program: Command, ctx: CliContext): void {
  const plan = program
    .command('plan')
    .description('the supervision plans: import documents, show, list, archive, export their tasks')

  plan
    .command('import <file>')
    .description(
      'import a plan: the document as text (.txt/.md) or structured (.yaml/.yml/.json); re-import updates it (title + year)',
    )
    .option('--year <YYYY>', 'run the plan as this year (deadline phrases resolve in it)')
    .option('--create-units', 'create units named in brackets but missing from the roster')
    .option('--dry-run', 'show what would be imported (tasks, units by role, dates, doubts); write nothing')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        opts: { year?: string; createUnits?: boolean; dryRun?: boolean; json?: boolean },
      ) => {
        const year = parseYear(opts.year)
        const [{ readPlanFile }, { importPlan, previewPlan }] = await Promise.all([
          import('../../documents/plan/index.ts'),
          import('../../domain/plan-import.ts'),
        ])
        // The file is checked and parsed before the database is opened: bad input changes nothing.
        // A multi-year plan (2025—2027年) runs as this year unless --year says otherwise.
        const thisYear = Number(localDate(ctx.now(), ctx.config().timezone).slice(0, 4))
        const draft = await readPlanFile(file, year === undefined ? { thisYear } : { year })
        const db = await ctx.db()
        const base = { sourceName: path.basename(file), now: ctx.now(), tz: ctx.config().timezone }
        if (opts.dryRun) {
          const preview = await previewPlan(db, draft, base)
          if (opts.json) return printJson(ctx.output, preview)
          ctx.output.out(
            [
              bilingual('planLedger', (m) =>
                m.dryRunTitle(preview.plan.title, preview.plan.year, preview.tasks.length),
              ),
              '',
              ...renderPreview(preview),
            ].join('\n'),
          )
          return
        }
        const result = await audited(
          db,
          (tx) => importPlan(tx, draft, { ...base, createUnits: opts.createUnits === true }),
          (r) => ({
            action: 'plan.import',
            target: path.basename(file),
            after: { plan: r.plan.title, year: r.plan.year, counts: r.counts },
          }),
          ctx.now(),
        )
        if (opts.json) return printJson(ctx.output, result)
        const active = (await activePlans(db)).length
        const c = result.counts
        const lines = [
          bilingual('plan', (m) => m.planImported(result.plan.title, result.plan.year, result.tasks.length)),
          ...(active > 1
            ? [
                bilingual('planLedger', (m) =>
                  m.imported(result.plan.title, result.plan.year, result.tasks.length, active),
                ),
              ]
            : []),
          '',
          ...renderPreview(result.preview),
          '',
          bilingual('planLedger', (m) => m.summary(c.created, c.updated, c.unchanged, c.withdrawn)),
        ]
        if (result.warnings.length) lines.push('', zh.warningsTitle, ...result.warnings.map((w) => `- ${w}`))
        ctx.output.out(lines.join('\n'))
      },
    )

  plan
    .command('show')
    .description(
      'a plan (the active one, or --plan): tasks with ref, title, due date, phrase and units by role',
    )
    .option('--plan <title or id>', 'which plan, when several are active or for an archived one')
    .option('--json', 'print as JSON')
    .action(async (opts: { plan?: string; json?: boolean }) => {
      const db = await ctx.db()
      if ((await listPlans(db)).length === 0) throw new UserError(bilingual('plan', (m) => m.noPlan))
      // Without --plan, the most recently imported active plan, as `plan show` always showed.
      const p = await findPlan(db, opts.plan, { latestWhenSeveral: true })
      // Withdrawn tasks are shown (marked, after nothing: in plan order) but never counted.
      const all = await listPlanTasks(db, p.id, { includeWithdrawn: true })
      const tasks = all.filter((t) => t.withdrawnAt === null)
      const withdrawn = all.filter((t) => t.withdrawnAt !== null)
      if (opts.json) {
        printJson(ctx.output, {
          plan: { title: p.title, year: p.year, trainingHoursPerYear: p.trainingHoursPerYear },
          tasks: tasks.map((t) => ({
            ref: t.ref,
            title: t.title,
            due: t.dueDate,
            dueText: t.dueText,
            units: t.units.map((u) => u.name),
            assignments: t.assignments.map((a) => ({ name: a.unit.name, role: a.role })),
            deadlineKind: t.deadlineKind,
            ...(t.deadlineKind === 'series' ? { dates: t.dates } : {}),
            section: t.section,
            unitsText: t.unitsText,
          })),
          withdrawn: withdrawn.map((t) => ({
            ref: t.ref,
            title: t.title,
            withdrawnAt: t.withdrawnAt?.toISOString() ?? null,
          })),
        })
        return
      }
      const rows = all.map((t) => [
        t.ref,
        truncate(t.title, 30),
        t.withdrawnAt !== null
          ? zh.withdrawnMark
          : t.deadlineKind === 'ongoing'
            ? `${t.dueText ?? ''}（${zl.ongoing}）`
            : t.deadlineKind === 'series'
              ? `${t.dueText ?? ''}（${zl.series(t.dates.length)}）`
              : t.dueDate
                ? describeDeadline({ phrase: t.dueText ?? '', date: t.dueDate }, 'zh-CN')
                : zh.noDue,
        truncate(
          unitsByRoleText(t.assignments.map((a) => ({ name: a.unit.shortName, role: a.role }))) ||
            (t.unitsText ?? ''),
          40,
        ) + zh.unitCount(t.units.length),
      ])
      ctx.output.out(
        [
          zh.showTitle(p.title, p.year, p.trainingHoursPerYear),
          '',
          formatTable(zh.showHeader, rows),
          '',
          zh.showCounts(tasks.length, withdrawn.length),
        ].join('\n'),
      )
    })

  plan
    .command('list')
    .description('every plan: id, title, year, active or archived, tasks')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const db = await ctx.db()
      const all = await listPlans(db)
      const withCounts = await Promise.all(
        all.map(async (p) => ({ p, tasks: (await listPlanTasks(db, p.id)).length })),
      )
      if (opts.json) {
        printJson(
          ctx.output,
          withCounts.map(({ p, tasks }) => ({
            id: p.id,
            title: p.title,
            year: p.year,
            active: p.active,
            archivedAt: p.archivedAt?.toISOString() ?? null,
            tasks,
          })),
        )
        return
      }
      if (all.length === 0) throw new UserError(bilingual('planLedger', (m) => m.noPlans))
      ctx.output.out(
        formatTable(
          zl.listHeader,
          withCounts.map(({ p, tasks }) => [
            `#${p.id}`,
            p.title,
            p.year,
            p.active ? zl.stateActive : p.archivedAt ? zl.stateArchived : zl.stateInactive,
            tasks,
          ]),
        ),
      )
    })

  plan
    .command('archive [plan]')
    .description('retire a plan (title, title with year, or id): inactive, still readable, nobody chased')
    .option('--json', 'print as JSON')
    .action(async (query: string | undefined, opts: { json?: boolean }) => {
      const db = await ctx.db()
      const target = await findPlan(db, query)
      const archived = await archivePlan(db, target.id, ctx.now())
      if (opts.json)
        return printJson(ctx.output, {
          id: archived.id,
          title: archived.title,
          year: archived.year,
          active: archived.active,
          archivedAt: archived.archivedAt?.toISOString() ?? null,
        })
      ctx.output.out(bilingual('planLedger', (m) => m.archived(archived.title, archived.year)))
    })

  plan
    .command('export <file>')
    .description(
      'write a plan as an editable 任务分解表 (.xlsx): one row per task and unit, with role and dates',
    )
    .option('--plan <title or id>', 'which plan, when several are active')
    .action(async (file: string, opts: { plan?: string }) => {
      if (!file.toLowerCase().endsWith('.xlsx'))
        throw new UserError(bilingual('plan', (m) => m.fileType(file, '.xlsx')))
      const db = await ctx.db()
      const p = await findPlan(db, opts.plan)
      const { exportPlanSheet } = await import('../../documents/plan-sheet.ts')
      const rows = await exportPlanSheet(db, p, file)
      ctx.output.out(bilingual('planLedger', (m) => m.exported(file, rows)))
    })
}
