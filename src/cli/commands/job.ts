/**
 * `duban job list [--json]` and `duban job run <name> [--at <time>] [--json]`. A manual run goes
 * through the same code path as a schedule fire but claims no fire row: the outbox's unique keys
 * make running the same moment again enqueue nothing new.
 */
import type { Command } from 'commander'
import { schedules } from '../../db/schema.ts'
import { chinaCalendar } from '../../domain/working-days.ts'
import { messages } from '../../i18n/index.ts'
import { cronProblem } from '../../scheduler/cron.ts'
import { jobByName } from '../../scheduler/job.ts'
import { latestFires } from '../../scheduler/fires.ts'
import { loadJobOptions, runJob } from '../../scheduler/run.ts'
import { formatInstant, parseInstant } from '../../domain/dates.ts'
import type { CliContext } from '../context.ts'
import { cliActor } from '../actor.ts'
import { recordAudit } from '../../domain/audit.ts'
import { formatTable, printJson } from '../io.ts'
import { bilingual, UserError } from '../../errors.ts'

const zh = messages('zh-CN').scheduler
const en = messages('en').scheduler

export function registerJob(program: Command, ctx: CliContext): void {
  const job = program
    .command('job')
    .description('scheduled jobs: list their schedules and fires, run one by hand')

  job
    .command('list')
    .description('each job with its schedule and its last fire')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config()
      const db = await ctx.db()
      const rows = new Map((await db.select().from(schedules)).map((r) => [r.name, r]))
      const fires = await latestFires(db)
      const list = (await ctx.parts.jobs()).map((j) => {
        const row = rows.get(j.name)
        const fire = fires.get(j.name)
        const cron = row?.cron ?? j.defaultCron
        return {
          job: j.name,
          description: j.description,
          cron,
          cronProblem: cronProblem(cron) ?? null,
          enabled: row?.enabled ?? true,
          synced: row !== undefined,
          catchUp: j.catchUp,
          catchUpWindowHours: j.catchUpWindowHours,
          lastFire: fire
            ? {
                at: fire.fireAt.toISOString(),
                status: fire.status,
                late: fire.late,
                enqueued: fire.enqueued,
                detail: fire.detail,
                startedAt: fire.startedAt.toISOString(),
                finishedAt: fire.finishedAt?.toISOString() ?? null,
              }
            : null,
        }
      })
      if (opts.json) return printJson(ctx.output, list)
      if (list.length === 0) return ctx.output.out(bilingual('scheduler', (t) => t.list.noJobs))
      const t = zh.list
      const header = zh.list.header.map((h, i) => `${h} ${en.list.header[i] ?? ''}`.trim())
      ctx.output.out(
        formatTable(
          header,
          list.map((j) => [
            j.job,
            j.cron + (j.synced ? '' : ` ${t.notSynced}`),
            j.enabled ? t.yes : t.no,
            j.lastFire ? formatInstant(new Date(j.lastFire.at), config.timezone) : t.never,
            j.lastFire ? t.status[j.lastFire.status] : '',
            j.lastFire?.late ? t.late : '',
            j.lastFire?.enqueued,
            j.cronProblem ? t.badCron(j.cronProblem) : (j.lastFire?.detail ?? ''),
          ]),
        ),
      )
    })

  job
    .command('run <name>')
    .description(
      'run one job once, as if the clock read --at (default now); writes to the outbox, sends nothing',
    )
    .option('--at <time>', 'ISO-8601 time; without an offset it is read in the plan timezone')
    .option('--json', 'print JSON { job, at, enqueued }')
    .action(async (name: string, opts: { at?: string; json?: boolean }) => {
      const config = ctx.config()
      const all = await ctx.parts.jobs()
      const found = jobByName(name, all)
      if (!found)
        throw new UserError(
          all.length === 0
            ? bilingual('scheduler', (t) => t.run.noJobs)
            : bilingual('scheduler', (t) => t.run.unknownJob(name, all.map((j) => j.name).join(', '))),
        )
      const at = opts.at === undefined ? ctx.now() : parseInstant(opts.at, config.timezone)
      if (!at) throw new UserError(bilingual('scheduler', (t) => t.run.badAt(opts.at ?? '')))
      const db = await ctx.db()
      const options = await loadJobOptions(db, found)
      let result
      try {
        result = await runJob(
          { db, config, calendar: chinaCalendar, logger: await ctx.logger() },
          found,
          options,
          {
            scheduledAt: at,
            now: at,
            late: false,
          },
        )
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        throw new UserError(bilingual('scheduler', (t) => t.run.failed(found.name, message)))
      }
      // After the run: a job takes its own locks and transactions, so the entry follows its commit.
      await recordAudit(db, cliActor(), {
        action: 'job.run',
        target: found.name,
        after: { at: at.toISOString(), enqueued: result.enqueued, skipped: result.skipped ?? null },
      })
      if (opts.json)
        return printJson(ctx.output, {
          job: found.name,
          at: at.toISOString(),
          enqueued: result.enqueued,
          skipped: result.skipped ?? null,
          detail: result.detail ?? null,
        })
      const when = formatInstant(at, config.timezone)
      const skipped = result.skipped
      ctx.output.out(
        skipped
          ? bilingual('scheduler', (t) => t.run.skipped(found.name, when, skipped))
          : bilingual('scheduler', (t) => t.run.done(found.name, when, result.enqueued)),
      )
    })
}
