/**
 * Ledger snapshots: the `ledger-snapshot` job keeps each Sunday's and each month end's ledger
 * once, and the ledger of that day is read from it afterwards (not recomputed from history).
 */
import { beforeAll, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { loadConfig } from '../../src/config.ts'
import { ledgerSnapshots } from '../../src/db/schema.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { completionTrend, ledgerRows } from '../../src/domain/ledger.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { createLogger } from '../../src/log.ts'
import { runJob } from '../../src/scheduler/run.ts'
import { ledgerSnapshotJob, isSnapshotDay } from '../../jobs/ledger-snapshot.ts'
import { describeDb } from '../helpers/db.ts'
import { seed, TZ, type Fixture } from '../bot/harness.ts'

const at = (date: string, time: string) => zonedInstant(date, time, TZ)

describeDb('ledger snapshots', (t) => {
  let f: Fixture
  const fire = async (date: string) => {
    const when = at(date, '00:05')
    const deps = {
      db: t.db,
      config: loadConfig({ TIMEZONE: TZ, LOG_LEVEL: 'silent' }),
      calendar: chinaCalendar,
      logger: createLogger('silent'),
    }
    return runJob(deps, ledgerSnapshotJob, {}, { scheduledAt: when, now: when, late: false })
  }
  const count = (asOf: string) => t.db.$count(ledgerSnapshots, eq(ledgerSnapshots.asOf, asOf))

  beforeAll(async () => {
    f = await seed(t.db)
    await recordStatus(t.db, {
      taskId: f.tasks.fines,
      unitId: f.units.taicheng,
      state: 'in_progress',
      progress: 50,
      source: 'cli',
      now: at('2024-10-13', '12:00'),
    })
    await recordStatus(t.db, {
      taskId: f.tasks.publicity,
      unitId: f.units.taicheng,
      state: 'done',
      source: 'cli',
      now: at('2024-10-13', '15:00'),
    })
    await recordStatus(t.db, {
      taskId: f.tasks.fines,
      unitId: f.units.taicheng,
      state: 'done',
      source: 'cli',
      now: at('2024-10-14', '09:00'),
    })
  }, 120_000)

  it('knows the days it keeps: Sundays and month ends', () => {
    expect(['2024-10-13', '2024-10-31', '2024-02-29', '2024-10-14', '2024-10-30'].map(isSnapshotDay)).toEqual(
      [true, true, true, false, false],
    )
  })

  it('keeps Sunday once, as it stood at the end of the day, and reads it back', async () => {
    const first = await fire('2024-10-14')
    expect(first.skipped).toBeUndefined()
    expect(await count('2024-10-13')).toBe(5)
    const again = await fire('2024-10-14')
    expect(again.detail).toMatch(/: 0$/)
    expect(await count('2024-10-13')).toBe(5)
    expect((await fire('2024-10-15')).skipped).toMatch(/not a Sunday/)

    const [fines] = await t.db
      .select()
      .from(ledgerSnapshots)
      .where(
        and(
          eq(ledgerSnapshots.asOf, '2024-10-13'),
          eq(ledgerSnapshots.taskId, f.tasks.fines),
          eq(ledgerSnapshots.unitId, f.units.taicheng),
        ),
      )
    expect(fines).toMatchObject({ state: 'in_progress', progress: 50 })

    // A report dated back into Sunday after the snapshot was taken does not rewrite that Sunday.
    await recordStatus(t.db, {
      taskId: f.tasks.training,
      unitId: f.units.dajiang,
      state: 'blocked',
      note: '缺经费',
      source: 'cli',
      now: at('2024-10-13', '20:00'),
    })
    const now = at('2024-10-15', '10:00')
    const sunday = await ledgerRows(t.db, { asOf: '2024-10-13', now, tz: TZ })
    expect(sunday.source).toBe('snapshot')
    expect(
      sunday.rows.find((r) => r.taskId === f.tasks.training && r.unitId === f.units.dajiang)?.state,
    ).toBe('no_reply')
    // A day without a snapshot comes from the report history as of its end.
    const monday = await ledgerRows(t.db, { asOf: '2024-10-14', now, tz: TZ })
    expect(monday.source).toBe('history')
    expect(
      monday.rows.find((r) => r.taskId === f.tasks.training && r.unitId === f.units.dajiang)?.state,
    ).toBe('blocked')
  })

  it('keeps a month end too, and draws the weekly trend from Sundays only', async () => {
    await fire('2024-11-01')
    expect(await count('2024-10-31')).toBe(5)
    const trend = await completionTrend(
      t.db,
      (await ledgerRows(t.db, { now: at('2024-11-01', '10:00'), tz: TZ })).plan.id,
      '2024-11-01',
      8,
    )
    expect(trend).toEqual([{ asOf: '2024-10-13', items: 5, done: 1, rate: 0.2 }])
  })
})
