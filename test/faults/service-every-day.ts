/**
 * `duban …` as bin/duban.js runs it (the real command line, features and jobs), except that the
 * jobs see a calendar where every day is a working day: a fault test that needs a job to act
 * today then passes on a weekend or a public holiday too. Run as
 *
 *   node --import tsx test/faults/service-every-day.ts start --no-bot --no-web
 */
import { root } from '../../bin/root.ts'
import type { AppParts } from '../../src/app-parts.ts'
import { main } from '../../src/cli/main.ts'
import type { WorkingCalendar } from '../../src/domain/working-days.ts'

const everyDay: WorkingCalendar = { isWorkingDay: () => true }

const parts: AppParts = {
  ...root,
  jobs: async () =>
    (await root.jobs()).map((job) => ({
      ...job,
      run: (ctx, fire) => job.run({ ...ctx, calendar: everyDay }, fire),
    })),
}

process.exitCode = await main(process.argv.slice(2), { parts })
