/**
 * 三色督办 over a simulated quarter (Q4 2024, the China working calendar): five units, one task
 * each, their reports and reviews played in order; at dates across the quarter the colours are
 * read as users read them: `duban status <unit> --json` and a supervisor's /status card.
 *
 * - 台城街道 on track (reports every 10 days, due 年底) → green throughout;
 * - 斗山镇 near its deadline (11月15日) → yellow in the last 3 working days, red after;
 * - 大江镇 silent (no report for 14 days) → yellow, green again once it reports;
 * - 水步镇 overdue (10月31日, not done) → red;
 * - 四九镇 returned twice → red before its date; green once it is sent for review again and closed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { approveReview, reportDone, returnReview } from '../../src/delivery/loop-notify.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { readDeadlinePhrase } from '../../src/domain/deadline-phrase.ts'
import { createInvite } from '../../src/domain/invites.ts'
import { addPerson, type Person } from '../../src/domain/people.ts'
import { importPlan } from '../../src/domain/plan-import.ts'
import { activePlanTasks } from '../../src/domain/plans.ts'
import { openReview } from '../../src/domain/reviews.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { importUnits, listUnits } from '../../src/domain/units.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { startHarness, TZ, type Harness } from '../bot/harness.ts'
import { Clock, duban } from './helpers.ts'

const UNITS = ['台城街道', '斗山镇', '大江镇', '水步镇', '四九镇'] as const
type UnitName = (typeof UNITS)[number]
const supervisorUser: EmulatorUser = { id: 5_000_020, first_name: '王督办', username: 'wangdb2' }

describeDb('三色督办 over a quarter', (t) => {
  let h: Harness
  const clock = new Clock(zonedInstant('2024-10-08', '09:00', TZ))
  const unit = new Map<string, number>()
  const task = new Map<UnitName, number>()
  let supervisor: Person

  beforeAll(async () => {
    await importUnits(
      t.db,
      UNITS.map((name) => ({
        name,
        kind: name.endsWith('街道') ? ('subdistrict' as const) : ('town' as const),
      })),
    )
    const item = (ref: string, title: string, u: UnitName, phrase: string) => ({
      ref,
      section: '三色督办',
      title,
      body: '',
      unitsText: u,
      responsibility: [{ phrase: u, role: 'responsible' as const }],
      deadline: readDeadlinePhrase(phrase, 2024).deadline,
      source: { text: title },
    })
    await importPlan(
      t.db,
      {
        title: '台山市2024年度行政执法监督工作方案',
        year: 2024,
        trainingHoursPerYear: 60,
        format: 'yaml',
        doubts: [],
        tasks: [
          item('一（一）1', '按计划推进的任务', '台城街道', '年底前'),
          item('一（一）2', '临近期限的任务', '斗山镇', '11月15日前'),
          item('一（一）3', '久未报告的任务', '大江镇', '年底前'),
          item('一（一）4', '已逾期的任务', '水步镇', '10月31日前'),
          item('一（一）5', '两次退回的任务', '四九镇', '年底前'),
        ],
      },
      { now: clock.at },
    )
    for (const u of await listUnits(t.db)) unit.set(u.name, u.id)
    const tasks = (await activePlanTasks(t.db))!.tasks
    UNITS.forEach((u, i) => task.set(u, tasks.find((x) => x.ref === `一（一）${i + 1}`)!.id))
    supervisor = await addPerson(t.db, { name: '王督办', role: 'supervisor' })
    h = await startHarness(t.db, { now: clock.now })
    await h.say(
      supervisorUser,
      { id: supervisorUser.id, type: 'private' },
      `/start ${(await createInvite(t.db, supervisor.id, clock.at)).code}`,
    )
  })
  afterAll(async () => {
    await h.stop()
  })

  const at = (day: string, time = '10:00') => clock.set(day, time)
  const report = async (u: UnitName, day: string, state: 'in_progress' | 'done') => {
    const now = at(day)
    const r = await recordStatus(t.db, {
      taskId: task.get(u)!,
      unitId: unit.get(u)!,
      state,
      progress: state === 'in_progress' ? 50 : null,
      source: 'telegram',
      personId: null,
      now,
    })
    if (state === 'done')
      await reportDone(t.db, {
        taskId: task.get(u)!,
        unitId: unit.get(u)!,
        reportId: r.id,
        personId: null,
        now,
      })
  }
  const review = async (u: UnitName, day: string, returnDue?: string) => {
    const now = at(day, '11:00')
    const { id } = (await openReview(t.db, task.get(u)!, unit.get(u)!))!
    const actor = { id: supervisor.id, role: supervisor.role }
    if (returnDue)
      await returnReview(t.db, { reviewId: id, actor, reason: '材料不全', due: returnDue, today: day, now })
    else await approveReview(t.db, { reviewId: id, actor, now, today: day })
  }
  /** Every unit's colour at noon on `day`, as `duban status <unit> --json` gives it. */
  const colorsOn = async (day: string) => {
    at(day, '12:00')
    const out: Record<string, string> = {}
    for (const u of UNITS) {
      const r = await duban(t.db, h, clock, 'status', u, '--json')
      expect(r.code).toBe(0)
      out[u] = (JSON.parse(r.out) as { tasks: { color: string }[] }).tasks[0]!.color
    }
    return out
  }
  const row = (taicheng: string, doushan: string, dajiang: string, shuibu: string, sijiu: string) => ({
    台城街道: taicheng,
    斗山镇: doushan,
    大江镇: dajiang,
    水步镇: shuibu,
    四九镇: sijiu,
  })

  it('colours each unit as the quarter goes', async () => {
    for (const u of UNITS) if (u !== '四九镇') await report(u, '2024-10-08', 'in_progress')
    await report('四九镇', '2024-10-10', 'done')
    await review('四九镇', '2024-10-14', '2024-10-25')
    expect(await colorsOn('2024-10-15')).toEqual(row('green', 'green', 'green', 'green', 'green'))

    await report('台城街道', '2024-10-18', 'in_progress')
    await report('水步镇', '2024-10-18', 'in_progress')
    await report('斗山镇', '2024-10-20', 'in_progress')
    await report('四九镇', '2024-10-20', 'done')
    await review('四九镇', '2024-10-22', '2024-11-20')
    // 大江镇: 14 days since its one report; 四九镇: returned twice, though its date is a month off.
    expect(await colorsOn('2024-10-22')).toEqual(row('green', 'green', 'yellow', 'green', 'red'))

    await report('台城街道', '2024-10-28', 'in_progress')
    await report('水步镇', '2024-10-28', 'in_progress')
    await report('斗山镇', '2024-11-01', 'in_progress')
    // 水步镇 missed 10月31日.
    expect(await colorsOn('2024-11-01')).toEqual(row('green', 'green', 'yellow', 'red', 'red'))

    await report('大江镇', '2024-11-05', 'in_progress')
    await report('四九镇', '2024-11-05', 'done')
    await report('台城街道', '2024-11-07', 'in_progress')
    await report('斗山镇', '2024-11-10', 'in_progress')
    // 斗山镇: 3 working days to 11月15日; 四九镇 waits for review (done, green).
    expect(await colorsOn('2024-11-12')).toEqual(row('green', 'yellow', 'green', 'red', 'green'))

    await review('四九镇', '2024-11-13')
    expect(await colorsOn('2024-11-15')).toEqual(row('green', 'yellow', 'green', 'red', 'green'))

    await report('台城街道', '2024-11-17', 'in_progress')
    // 斗山镇 is past its date now.
    expect(await colorsOn('2024-11-18')).toEqual(row('green', 'red', 'green', 'red', 'green'))

    await report('台城街道', '2024-11-27', 'in_progress')
    await report('台城街道', '2024-12-07', 'in_progress')
    // 大江镇 fell silent again; 台城街道 still on track until its last 3 working days.
    expect(await colorsOn('2024-12-16')).toEqual(row('green', 'red', 'yellow', 'red', 'green'))
    await report('台城街道', '2024-12-16', 'done')
    expect(await colorsOn('2024-12-27')).toEqual(row('green', 'red', 'yellow', 'red', 'green'))

    // What a supervisor sees in the chat: the counts and the red line.
    const card = await h.say(supervisorUser, { id: supervisorUser.id, type: 'private' }, '/status 斗山')
    expect(card.visibleText).toContain('🟢 0 · 🟡 0 · 🔴 1')
    expect(card.visibleText).toMatch(/临近期限的任务.*🔴/)
  })
})
