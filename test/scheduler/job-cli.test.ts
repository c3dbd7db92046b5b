import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { main } from '../../src/cli/main.ts'
import { loadConfig } from '../../src/config.ts'
import { openDatabase, type Database, type Db } from '../../src/db/client.ts'
import { scheduleFires } from '../../src/db/schema.ts'
import { silentLogger } from '../../src/log.ts'
import { createScheduler, syncSchedules } from '../../src/scheduler/scheduler.ts'
import { root } from '../../bin/root.ts'
import { resetDb } from '../helpers/db.ts'
import { fakeJob, outboxCount } from './fake-jobs.ts'

const reminders = fakeJob({ name: 'reminders', cron: '0 9 * * *' })
const broken = fakeJob({
  name: 'broken',
  cron: '0 10 * * 5',
  behave: () => Promise.reject(new Error('no active plan')),
})
const holiday = fakeJob({
  name: 'holiday',
  cron: '0 8 * * 1',
  behave: () => Promise.resolve({ enqueued: 0, skipped: '非工作日' }),
})

describeDb('duban job', (t) => {
  let dataDir: string
  let embedded: Database | undefined
  let db: Db
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'duban-job-cli-'))
    if (t.url) {
      db = t.db
      env = { DATABASE_URL: t.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', TIMEZONE: 'Asia/Shanghai' }
    } else {
      // The embedded database as `duban start` hosts it; the CLI reaches it as a client would.
      embedded = await openDatabase({ dataDir, embedded: 'host' })
      await embedded.migrate()
      db = embedded.db
      env = { DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent', TIMEZONE: 'Asia/Shanghai' }
    }
  })
  afterAll(async () => {
    await embedded?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    await resetDb(db)
    reminders.calls.length = 0
  })

  async function duban(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await main(argv, {
      env,
      parts: { ...root, jobs: () => Promise.resolve([reminders, broken, holiday]) },
      output: { out: (s) => out.push(s), err: (s) => err.push(s) },
    })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  }

  it('job run writes to the outbox as if the clock read --at, and again writes nothing new', async () => {
    const first = await duban('job', 'run', 'reminders', '--at', '2024-10-18T09:00', '--json')
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({
      job: 'reminders',
      at: '2024-10-18T01:00:00.000Z',
      enqueued: 1,
    })
    expect(
      reminders.calls.map((c) => [c.fire.scheduledAt.toISOString(), c.fire.now.toISOString(), c.fire.late]),
    ).toEqual([['2024-10-18T01:00:00.000Z', '2024-10-18T01:00:00.000Z', false]])
    const again = await duban('job', 'run', 'reminders', '--at', '2024-10-18T01:00:00Z', '--json')
    expect(JSON.parse(again.stdout)).toMatchObject({ enqueued: 0 })
    expect(await outboxCount(db, 'reminders')).toBe(1)
    // A manual run claims no schedule fire.
    expect(await db.select().from(scheduleFires)).toEqual([])
  })

  it('job run prints a one-line summary in Chinese and English', async () => {
    const r = await duban('job', 'run', 'reminders', '--at', '2024-10-18T09:00+08:00')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      '已按 2024-10-18 09:00 运行 reminders：新增待发送 1 条 / ran reminders as at 2024-10-18 09:00: 1 new deliveries queued',
    )
    const skipped = await duban('job', 'run', 'holiday', '--at', '2024-10-07T08:00')
    expect(skipped.stdout).toContain('未执行（非工作日）')
  })

  it('job run with an unknown job names the jobs there are, exit 1', async () => {
    const r = await duban('job', 'run', 'reminder', '--at', '2024-10-18T09:00')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('没有名为“reminder”的任务')
    expect(r.stderr).toContain('reminders, broken, holiday')
    expect(r.stdout).toBe('')
  })

  it('job run with a bad --at shows an example, exit 1, and runs nothing', async () => {
    const r = await duban('job', 'run', 'reminders', '--at', 'next friday')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('无法识别时间“next friday”')
    expect(r.stderr).toContain('--at 2024-10-18T10:00')
    expect(reminders.calls).toHaveLength(0)
  })

  it('job run of a job that throws exits 1 with its message', async () => {
    const r = await duban('job', 'run', 'broken', '--at', '2024-10-18T10:00')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('任务 broken 执行出错：no active plan')
  })

  it('job list shows each job with its schedule and last fire', async () => {
    await syncSchedules(db, [reminders, broken, holiday], new Date('2024-10-13T00:00:00Z'))
    const scheduler = createScheduler({
      db,
      config: loadConfig({ TIMEZONE: 'Asia/Shanghai' }),
      logger: silentLogger,
      calendar: { isWorkingDay: () => true },
      jobs: [reminders, broken, holiday],
    })
    await scheduler.tick(new Date('2024-10-18T01:00:00Z'))
    await scheduler.tick(new Date('2024-10-18T02:00:00Z'))
    await scheduler.stop()

    const r = await duban('job', 'list', '--json')
    expect(r.code).toBe(0)
    const list = JSON.parse(r.stdout) as { job: string; cron: string; enabled: boolean; lastFire: unknown }[]
    expect(list.map((j) => [j.job, j.cron, j.enabled, j.lastFire])).toEqual([
      [
        'reminders',
        '0 9 * * *',
        true,
        expect.objectContaining({ at: '2024-10-18T01:00:00.000Z', status: 'done', late: false, enqueued: 1 }),
      ],
      [
        'broken',
        '0 10 * * 5',
        true,
        expect.objectContaining({
          at: '2024-10-18T02:00:00.000Z',
          status: 'failed',
          late: false,
          enqueued: 0,
        }),
      ],
      [
        'holiday',
        '0 8 * * 1',
        true,
        expect.objectContaining({ at: '2024-10-14T00:00:00.000Z', status: 'skipped', late: true }),
      ],
    ])

    const text = await duban('job', 'list')
    expect(text.code).toBe(0)
    const lines = text.stdout.split('\n')
    expect(lines[0]).toMatch(/^任务 job\s+计划（cron） cron/)
    expect(lines.find((l) => l.startsWith('broken'))).toMatch(/2024-10-18 10:00\s+失败.*no active plan/)
    expect(lines.find((l) => l.startsWith('reminders'))).toMatch(/2024-10-18 09:00\s+完成\s+1$/)
    expect(lines.find((l) => l.startsWith('holiday'))).toMatch(
      /2024-10-14 08:00\s+跳过\s+迟到\s+0\s+错过的执行已超出补发时限（72 小时）/,
    )
  })

  it('job list before the service ever ran shows the defaults', async () => {
    const r = await duban('job', 'list')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('0 9 * * * （默认值，服务尚未启动过）')
    expect(r.stdout).toContain('从未执行')
  })
})
