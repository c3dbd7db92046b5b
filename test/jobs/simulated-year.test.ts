/**
 * A simulated half-year: the real Taishan plan run as the 2026 plan with the sample roster, a few
 * units reachable, and every rhythm job run for every day from 2026-07-15 to 2026-12-31 at its
 * time, through the same path as a schedule fire or `duban job run --at` (runJob with the schedule
 * row's options). Each fire runs twice, the second time with a freshly built context (a restart
 * or a second replica), and must add nothing. Scripted replies: 台城街道 reports 二（五）4 done
 * on 09-28 and 二（五）2 in progress 60% on 10-12, 二（五）2 done on 10-20 after the morning
 * reminder; 大江镇 never replies. The service is down all day on 10-15.
 *
 * China's 2026 calendar (chinese-days 1.5.7): Mid-Autumn 09-25 (Fri) … 09-27 off; National Day
 * 10-01 … 10-07 off; make-up working days 09-20 (Sun) and 10-10 (Sat). No holiday in July,
 * August, November or December.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, it } from 'vitest'
import { eq, gt, inArray } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { loadConfig } from '../../src/config.ts'
import type { Db } from '../../src/db/client.ts'
import {
  assignments,
  deliveries,
  people,
  prompts,
  scheduleFires,
  tasks,
  type Channel,
} from '../../src/db/schema.ts'
import { addDays, zonedInstant } from '../../src/domain/dates.ts'
import { importPlan } from '../../src/domain/plan-import.ts'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { addPerson } from '../../src/domain/people.ts'
import { bindChat } from '../../src/domain/chats.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { importOfficers } from '../../src/domain/training.ts'
import { importRoster, listUnits, parseRosterFile } from '../../src/domain/units.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { createLogger } from '../../src/log.ts'
import { renderPayload, type MessagePayload } from '../../src/templates/index.ts'
import { loadJobOptions, runJob } from '../../src/scheduler/run.ts'
import { root } from '../../bin/root.ts'
import type { Job } from '../../src/scheduler/job.ts'

const TZ = 'Asia/Shanghai'
const FROM = '2026-07-15'
const TO = '2026-12-31'
const DOWN = '2026-10-15'

/** Each job at its daily time, in the order the clock reaches them. */
const TIMES: [string, string][] = [
  ['prompt-nudges', '08:00'],
  ['weekly-digest', '08:30'],
  ['deadline-reminders', '09:00'],
  ['training-pace', '09:00'],
  ['status-prompts', '10:00'],
]

interface Received {
  day: string
  job: string
  key: string
  channel: Channel
  recipient: string
  unitId: number | null
  payload: MessagePayload
}

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, '../fixtures/rhythm', name), 'utf8')
const roster = readFileSync(path.join(import.meta.dirname, '../../samples/taishan-units.yaml'), 'utf8')

describeDb('a simulated year of the rhythm', (t) => {
  const log: Received[] = []
  const results: {
    day: string
    job: string
    run: number
    enqueued: number
    skipped?: string
    detail?: string
  }[] = []
  const ids = { unit: new Map<string, number>(), task: new Map<string, number>() }
  const unit = (name: string) => ids.unit.get(name)!
  const task = (ref: string) => ids.task.get(ref)!
  let lastId = 0
  let promptRowsAfterFirstRuns = 0
  let secondRunsAddedPrompts = 0

  /** Deliveries of a unit for a task's ladder, as `day → step` (one entry per key). */
  const ladderOf = (taskRef: string, unitName: string) => {
    const prefix = `deadline:${task(taskRef)}:${unit(unitName)}:`
    const out: Record<string, string> = {}
    for (const r of log.filter((r) => r.key.startsWith(prefix))) {
      const step = r.key.slice(prefix.length)
      out[r.day] = out[r.day] && out[r.day] !== step ? `${out[r.day]}+${step}` : step
    }
    return out
  }

  /** The scripted replies of a day, each at its time: `[time, record]`. */
  async function scriptedReplies(db: Db, day: string): Promise<[string, () => Promise<unknown>][]> {
    const liming = (await db.select().from(people).where(eq(people.name, '李明')))[0]!
    const at = (time: string) => zonedInstant(day, time, TZ)
    const out: [string, () => Promise<unknown>][] = []
    if (day === '2026-09-28')
      out.push([
        '15:00',
        () =>
          recordStatus(db, {
            taskId: task('二（五）4'),
            unitId: unit('台城街道'),
            state: 'done',
            personId: liming.id,
            source: 'telegram',
            now: at('15:00'),
          }),
      ])
    if (day === '2026-10-12')
      out.push([
        '16:00',
        () =>
          recordStatus(db, {
            taskId: task('二（五）2'),
            unitId: unit('台城街道'),
            state: 'in_progress',
            progress: 60,
            personId: liming.id,
            source: 'telegram',
            now: at('16:00'),
          }),
      ])
    if (day === '2026-10-20')
      out.push([
        '11:00',
        () =>
          recordStatus(db, {
            taskId: task('二（五）2'),
            unitId: unit('台城街道'),
            state: 'done',
            personId: liming.id,
            source: 'button',
            now: at('11:00'),
          }),
      ])
    // 水步镇 answers every weekly prompt on the following Monday at 07:00, before the nudge.
    if (new Date(`${day}T00:00:00Z`).getUTCDay() === 1)
      out.push([
        '07:00',
        () =>
          recordStatus(db, {
            taskId: task('二（一）1'),
            unitId: unit('水步镇'),
            state: 'in_progress',
            source: 'telegram',
            now: at('07:00'),
          }),
      ])
    return out
  }

  beforeAll(async () => {
    const db = t.db
    const now = zonedInstant(FROM, '08:00', TZ)
    await importRoster(db, parseRosterFile(roster, 'taishan-units.yaml'))
    await importPlan(
      db,
      await readPlanDocument(Buffer.from(fixture('taishan-2024.txt')), 'taishan-2024.txt', { year: 2026 }),
      {
        now,
      },
    )
    for (const u of await listUnits(db)) ids.unit.set(u.name, u.id)
    for (const r of await db.select({ id: tasks.id, ref: tasks.ref }).from(tasks)) ids.task.set(r.ref, r.id)

    await bindChat(db, -1001001, '台城街道')
    await addPerson(db, { name: '李明', role: 'liaison', unit: '台城街道', email: 'liming@taicheng.example' })
    // 大江镇: no group; the liaison bound Telegram (private chat) and has an email.
    const wang = await addPerson(db, {
      name: '王芳',
      role: 'liaison',
      unit: '大江镇',
      email: 'wangfang@dajiang.example',
    })
    await db.update(people).set({ telegramUserId: 30002 }).where(eq(people.id, wang.id))
    await bindChat(db, -1001003, '水步镇')
    await addPerson(db, { name: '陈强', role: 'liaison', unit: '水步镇' })
    // 四九镇: a liaison with neither Telegram nor email.
    await addPerson(db, { name: '赵敏', role: 'liaison', unit: '四九镇' })
    await bindChat(db, -1002000, 'supervisors')
    await addPerson(db, { name: '张督办', role: 'supervisor', email: 'zhang@sfj.example' })
    await importOfficers(db, 'unit,name,hours\n台城街道,黄一,40\n台城街道,黄二,12\n大江镇,林三,30\n', now, TZ)

    const config = loadConfig({ TIMEZONE: TZ, LOG_LEVEL: 'silent' })
    const byName = new Map((await root.jobs()).map((j) => [j.name, j]))
    for (let day = FROM; day <= TO; day = addDays(day, 1)) {
      if (day === DOWN) continue
      const replies = await scriptedReplies(db, day)
      const replyUntil = async (time: string) => {
        while (replies.length && replies[0]![0] < time) await replies.shift()![1]()
      }
      replies.sort((a, b) => a[0].localeCompare(b[0]))
      for (const [name, time] of TIMES) {
        await replyUntil(time)
        const job: Job = byName.get(name)!
        const at = zonedInstant(day, time, TZ)
        for (const run of [1, 2]) {
          // A fresh context each run: the second is a restart or another replica.
          const deps = { db, config, calendar: chinaCalendar, logger: createLogger('silent') }
          const result = await runJob(deps, job, await loadJobOptions(db, job), {
            scheduledAt: at,
            now: at,
            late: false,
          })
          results.push({ day, job: name, run, ...result })
          const fresh = await db
            .select()
            .from(deliveries)
            .where(gt(deliveries.id, lastId))
            .orderBy(deliveries.id)
          for (const r of fresh)
            log.push({
              day,
              job: name,
              key: r.key,
              channel: r.channel,
              recipient: r.recipient,
              unitId: r.unitId,
              payload: r.payload as unknown as MessagePayload,
            })
          lastId = fresh.at(-1)?.id ?? lastId
          const promptRows = (await db.select({ id: prompts.id }).from(prompts)).length
          if (run === 1) promptRowsAfterFirstRuns = promptRows
          else secondRunsAddedPrompts += promptRows - promptRowsAfterFirstRuns
        }
      }
      await replyUntil('24:00')
    }
  }, 600_000)

  it('sends 大江镇 every ladder step of 二（五）2 on working days, a missed day made up with the real count', () => {
    // 09-23: 14 left; 10-10 (Sat, make-up): 7 left; service down 10-15 (3 left), so step 3 goes
    // on 10-16 with 2 left; 10-19: 1; 10-20: the day. Overdue every 3 working days from 10-21:
    // od 1 10-21, 4 10-26, 7 10-29, 10 11-03, 13 11-06, 16 11-11, 19 11-16, 22 11-19, 25 11-24,
    // 28 11-27, 31 12-02, 34 12-07, 37 12-10, 40 12-15, 43 12-18, 46 12-23, 49 12-28, 52 12-31.
    expect(ladderOf('二（五）2', '大江镇')).toEqual({
      '2026-09-23': 'before:14',
      '2026-10-10': 'before:7',
      '2026-10-16': 'before:3',
      '2026-10-19': 'before:1',
      '2026-10-20': 'before:0',
      '2026-10-21': 'overdue:1',
      '2026-10-26': 'overdue:2',
      '2026-10-29': 'overdue:3',
      '2026-11-03': 'overdue:4',
      '2026-11-06': 'overdue:5',
      '2026-11-11': 'overdue:6',
      '2026-11-16': 'overdue:7',
      '2026-11-19': 'overdue:8',
      '2026-11-24': 'overdue:9',
      '2026-11-27': 'overdue:10',
      '2026-12-02': 'overdue:11',
      '2026-12-07': 'overdue:12',
      '2026-12-10': 'overdue:13',
      '2026-12-15': 'overdue:14',
      '2026-12-18': 'overdue:15',
      '2026-12-23': 'overdue:16',
      '2026-12-28': 'overdue:17',
      '2026-12-31': 'overdue:18',
    })
    // Each step to the private chat (no group) and the email: exactly two rows per key.
    const rows = log.filter((r) => r.key.startsWith(`deadline:${task('二（五）2')}:${unit('大江镇')}:`))
    expect(rows).toHaveLength(23 * 2)
    expect(new Set(rows.map((r) => `${r.channel}:${r.recipient}`))).toEqual(
      new Set(['telegram:30002', 'email:wangfang@dajiang.example']),
    )
  })

  it("words each reminder for the moment it goes, with the unit's status", () => {
    const render = (r: Received) => renderPayload(r.payload, 'zh-CN', { now: new Date(), tz: TZ })
    const madeUp = log.find(
      (r) => r.key === `deadline:${task('二（五）2')}:${unit('大江镇')}:before:3` && r.channel === 'telegram',
    )!
    expect(render(madeUp).telegram?.html.split('\n')).toEqual([
      '<b>【督办提醒】开展涉企乱罚款专项整治（二（五）2）</b>',
      '截止：今年10月中旬前（按10月20日计），还有 2 个工作日。',
      '大江镇当前状态：无回复',
      '请直接回复本消息：已完成 / 进行中 80% / 有困难：原因',
    ])
    const overdue = log.find(
      (r) => r.key === `deadline:${task('二（五）2')}:${unit('大江镇')}:overdue:2` && r.channel === 'email',
    )!
    const mail = render(overdue).email!
    expect(mail.subject).toBe('【逾期提醒】大江镇 · 开展涉企乱罚款专项整治')
    expect(mail.text).toContain('截止：今年10月中旬前（按10月20日计），已逾期 4 个工作日。')
    const taicheng = log.find((r) => r.key === `deadline:${task('二（五）2')}:${unit('台城街道')}:before:3`)!
    expect(taicheng.day).toBe('2026-10-16')
    expect(render(taicheng).telegram?.html).toContain('台城街道当前状态：进行中 60%（10月12日 李明）')
  })

  it('stops reminding a unit once it reports done', () => {
    // 二（五）4 is due Sat 10-10 (a make-up working day): 14 left on 09-15, 7 on 09-23, then
    // 台城 reports done on 09-28; 大江镇 goes on to the day itself, a Saturday.
    expect(ladderOf('二（五）4', '台城街道')).toEqual({ '2026-09-15': 'before:14', '2026-09-23': 'before:7' })
    expect(Object.entries(ladderOf('二（五）4', '大江镇')).slice(0, 6)).toEqual([
      ['2026-09-15', 'before:14'],
      ['2026-09-23', 'before:7'],
      ['2026-09-30', 'before:3'],
      ['2026-10-09', 'before:1'],
      ['2026-10-10', 'before:0'],
      ['2026-10-12', 'overdue:1'],
    ])
    // 二（五）2: done on 10-20 at 11:00, after that morning's reminder.
    expect(Object.keys(ladderOf('二（五）2', '台城街道')).at(-1)).toBe('2026-10-20')
    // The group gets each reminder as a prompt about that one task.
    const group = log.filter(
      (r) =>
        r.key.startsWith(`deadline:${task('二（五）4')}:${unit('台城街道')}:`) && r.channel === 'telegram',
    )
    expect(group.map((r) => r.recipient)).toEqual(['-1001001', '-1001001'])
    for (const r of group) {
      expect(r.payload.promptId).toBeGreaterThan(0)
      const html = renderPayload(r.payload, 'zh-CN', { now: new Date(), tz: TZ }).telegram!
      expect(html.buttons?.[0]?.map((b) => b.callbackData)).toEqual([
        `s:${r.payload.promptId}:1:d`,
        `s:${r.payload.promptId}:1:i`,
        `s:${r.payload.promptId}:1:b`,
      ])
    }
  })

  it('escalates to the supervisors from the second overdue reminder, one message per task and day', async () => {
    const esc = log.filter((r) => r.key.startsWith(`escalation:${task('二（五）2')}:`))
    const days = [...new Set(esc.map((r) => r.day))]
    expect(days).toEqual([
      '2026-10-26',
      '2026-10-29',
      '2026-11-03',
      '2026-11-06',
      '2026-11-11',
      '2026-11-16',
      '2026-11-19',
      '2026-11-24',
      '2026-11-27',
      '2026-12-02',
      '2026-12-07',
      '2026-12-10',
      '2026-12-15',
      '2026-12-18',
      '2026-12-23',
      '2026-12-28',
      '2026-12-31',
    ])
    // The supervisors' group and the supervisor's email, once each per day.
    for (const day of days)
      expect(
        esc
          .filter((r) => r.day === day)
          .map((r) => `${r.channel}:${r.recipient}`)
          .sort(),
      ).toEqual(['email:zhang@sfj.example', 'telegram:-1002000'])
    const first = renderPayload(esc[0]!.payload, 'zh-CN', { now: new Date(), tz: TZ }).telegram!.html.split(
      '\n',
    )
    expect(first[0]).toBe('<b>【督办升级】开展涉企乱罚款专项整治（二（五）2）</b>')
    // Every responsible unit but 台城街道 (done on 10-20) is listed, unreachable ones marked.
    const assigned = await t.db
      .select()
      .from(assignments)
      .where(eq(assignments.taskId, task('二（五）2')))
    expect(first[1]).toBe(
      `截止：今年10月中旬前（按10月20日计）。以下 ${assigned.length - 1} 个单位逾期未完成：`,
    )
    expect(first).toHaveLength(2 + (assigned.length - 1) + 1)
    expect(first).toContain('大江镇：逾期 4 个工作日 · 无回复')
    expect(first).toContain('四九镇：逾期 4 个工作日 · 无回复，无法联系')
    expect(first.some((l) => l.startsWith('台城街道'))).toBe(false)
  })

  it('sends nothing on days off, and does send on make-up working days', () => {
    const off = [...new Set(log.map((r) => r.day))].filter((d) => !chinaCalendar.isWorkingDay(d))
    expect(off).toEqual([])
    for (const d of ['2026-09-25', '2026-09-26', '2026-09-27', '2026-10-01', '2026-10-04', '2026-10-07'])
      expect(results.filter((r) => r.day === d).every((r) => r.skipped === 'non-working day')).toBe(true)
    expect(log.some((r) => r.day === '2026-09-20')).toBe(true)
    expect(log.some((r) => r.day === '2026-10-10')).toBe(true)
  })

  it('adds nothing when a fire runs again, after a restart or on another replica', async () => {
    expect(results.filter((r) => r.run === 2).reduce((s, r) => s + r.enqueued, 0)).toBe(0)
    expect(results.filter((r) => r.run === 1).reduce((s, r) => s + r.enqueued, 0)).toBe(log.length)
    expect(secondRunsAddedPrompts).toBe(0)
    const keys = log.map((r) => `${r.key}|${r.channel}|${r.recipient}`)
    expect(new Set(keys).size).toBe(keys.length)
    // Every Telegram prompt in the outbox has its prompts row, about the tasks it lists.
    const promptIds = log.filter((r) => r.payload.promptId !== undefined).map((r) => r.payload.promptId!)
    const rows = await t.db.select().from(prompts).where(inArray(prompts.id, promptIds))
    expect(rows).toHaveLength(promptIds.length)
    expect((await t.db.select({ id: prompts.id }).from(prompts)).length).toBe(promptIds.length)
    // Manual runs record no schedule fires.
    expect(await t.db.select().from(scheduleFires)).toEqual([])
  })

  it('prompts every Friday (or the next working day that week) with the open tasks, and nudges silent units on Monday', () => {
    const dajiang = log.filter(
      (r) => r.key.startsWith(`prompt:${unit('大江镇')}:`) && r.channel === 'telegram',
    )
    // W39 (Fri 09-25 … Sun 09-27 off) and W40 (National Day) have no prompt.
    expect(dajiang.map((r) => r.day).filter((d) => d >= '2026-09-01' && d <= '2026-10-31')).toEqual([
      '2026-09-04',
      '2026-09-11',
      '2026-09-18',
      '2026-10-09',
      '2026-10-16',
      '2026-10-23',
      '2026-10-30',
    ])
    const first = dajiang[0]!
    expect(first.day).toBe('2026-07-17')
    const params = first.payload.params as { tasks: { ref: string }[]; taskIds: number[] }
    // All 16 tasks are assigned to every town and open; no-deadline tasks included, by due date then plan order.
    expect(params.tasks.map((x) => x.ref)).toEqual([
      '二（二）1',
      '二（五）4',
      '二（五）2',
      '二（五）3',
      '二（五）1',
      '二（一）1',
      '二（一）2',
      '二（一）3',
      '二（一）4',
      '二（二）2',
      '二（二）3',
      '二（三）1',
      '二（三）2',
      '二（四）1',
      '二（四）2',
      '二（四）3',
    ])
    const html = renderPayload(first.payload, 'zh-CN', { now: new Date(), tz: TZ }).telegram!
    expect(html.html.split('\n')[0]).toBe('<b>【进展填报】大江镇 · 未完成任务 16 项</b>')
    expect(html.html).toContain('6. 加强学习贯彻（二（一）1）\n    截止：未定 · 当前：无回复')
    expect(html.buttons?.[0]?.[0]?.callbackData).toBe(`s:${first.payload.promptId}:0:d`)
    // Later prompts drop what the unit finished: 台城街道's list loses 二（五）4 after 09-28.
    const taicheng = log.filter(
      (r) => r.key.startsWith(`prompt:${unit('台城街道')}:`) && r.channel === 'telegram',
    )
    const refs = (r: Received) => (r.payload.params as { tasks: { ref: string }[] }).tasks.map((x) => x.ref)
    expect(refs(taicheng.find((r) => r.day === '2026-09-18')!)).toContain('二（五）4')
    expect(refs(taicheng.find((r) => r.day === '2026-10-09')!)).not.toContain('二（五）4')

    // Nudges: Monday after a prompt week, to units that said nothing; 水步镇 always answers.
    const nudges = log.filter((r) => r.key.startsWith('nudge:') && r.channel === 'telegram')
    const nudgeDays = (u: string) => nudges.filter((r) => r.unitId === unit(u)).map((r) => r.day)
    expect(nudgeDays('水步镇')).toEqual([])
    expect(nudgeDays('大江镇').filter((d) => d >= '2026-09-01' && d <= '2026-10-31')).toEqual([
      '2026-09-07',
      '2026-09-14',
      '2026-09-21',
      '2026-10-12',
      '2026-10-19',
      '2026-10-26',
    ])
    const nudge = nudges.find((r) => r.unitId === unit('大江镇') && r.day === '2026-10-12')!
    expect(
      renderPayload(nudge.payload, 'zh-CN', { now: new Date(), tz: TZ }).telegram!.html.split('\n')[0],
    ).toBe('<b>【填报提醒】大江镇 · 上周的进展填报尚未回复（16 项）</b>')
  })

  it('does not skip unreachable units silently', () => {
    const prompts = results.find((r) => r.job === 'status-prompts' && r.day === '2026-07-17' && r.run === 1)!
    expect(prompts.detail).toContain('unreachable: ')
    expect(prompts.detail).toContain('四九镇')
    const digest = log.find((r) => r.key === 'digest:2026-W42' && r.channel === 'email')!
    const text = renderPayload(digest.payload, 'zh-CN', { now: new Date(), tz: TZ }).email!.text
    expect(text).toContain('四九镇：联络员未绑定 Telegram、无邮箱，单位群未绑定')
    expect(text).toContain('市司法局：未登记联络员，也未绑定单位群')
  })

  it('sends the digest on Monday or the first working day of the week, once per week', () => {
    const days = log.filter((r) => r.key.startsWith('digest:') && r.channel === 'telegram').map((r) => r.day)
    expect(days.filter((d) => d >= '2026-09-21' && d <= '2026-10-19')).toEqual([
      '2026-09-21',
      '2026-09-28',
      '2026-10-08', // Mon 10-05 … Wed 10-07 are National Day
      '2026-10-12',
      '2026-10-19',
    ])
    expect(new Set(days).size).toBe(days.length)
  })

  it('checks training pace monthly and warns the supervisors from November', () => {
    const pace = log.filter((r) => r.key.startsWith('pace:') && r.channel === 'email')
    expect(pace.map((r) => `${r.day} ${r.key}`)).toEqual([
      // The first run in July (07-15) makes up July's check; 1 Aug is a Saturday; 1 Oct is National Day.
      `2026-07-15 pace:${unit('台城街道')}:2026-07`,
      `2026-07-15 pace:${unit('大江镇')}:2026-07`,
      `2026-08-03 pace:${unit('台城街道')}:2026-08`,
      `2026-08-03 pace:${unit('大江镇')}:2026-08`,
      `2026-09-01 pace:${unit('台城街道')}:2026-09`,
      `2026-09-01 pace:${unit('大江镇')}:2026-09`,
      `2026-10-08 pace:${unit('台城街道')}:2026-10`,
      `2026-10-08 pace:${unit('大江镇')}:2026-10`,
      `2026-11-02 pace:${unit('台城街道')}:2026-11`,
      `2026-11-02 pace:${unit('大江镇')}:2026-11`,
      `2026-12-01 pace:${unit('台城街道')}:2026-12`,
      `2026-12-01 pace:${unit('大江镇')}:2026-12`,
    ])
    // 3 Aug is day 215 of 365: pace 60 × 215 / 365 = 35.3 h; 黄一 (40 h) is on pace.
    const aug = renderPayload(pace[2]!.payload, 'zh-CN', { now: new Date(), tz: TZ }).email!
    expect(aug.text).toContain(
      '按进度，截至 8月3日 每名执法人员应完成 35.3 学时（全年不少于 60 学时）。以下 1 人低于进度：',
    )
    expect(aug.text).toContain('黄二：12.0 学时（差 23.3 学时）')
    expect(aug.text).not.toContain('黄一')
    const risk = log
      .filter((r) => r.key.startsWith('pace-risk:'))
      .map((r) => `${r.day} ${r.key} ${r.channel}`)
    expect(risk.sort()).toEqual([
      '2026-11-02 pace-risk:2026-11 email',
      '2026-11-02 pace-risk:2026-11 telegram',
      '2026-12-01 pace-risk:2026-12 email',
      '2026-12-01 pace-risk:2026-12 telegram',
    ])
    const nov = log.find((r) => r.key === 'pace-risk:2026-11' && r.channel === 'email')!
    // 2 Nov is day 306: 黄一 40 × 365 / 306 = 47.7; 黄二 12 → 14.3; 林三 30 → 35.8.
    const text = renderPayload(nov.payload, 'zh-CN', { now: new Date(), tz: TZ }).email!.text
    expect(text).toContain('【培训学时预警】3 名执法人员按当前进度无法完成全年 60 学时')
    expect(text).toContain('台城街道 · 黄一：已完成 40.0 学时，按当前进度全年约 47.7 学时')
  })

  it('gives tasks without a deadline no ladder', () => {
    const noDeadline = ['二（一）1', '二（三）2', '二（四）3'].map(task)
    expect(log.filter((r) => noDeadline.some((id) => r.key.startsWith(`deadline:${id}:`)))).toEqual([])
  })
})
