/**
 * The weekly digest's picture: the Chinese labels are really drawn (the chart rendered with the
 * shipped font against the same chart with no font), and the Monday digest reaches the
 * supervisors' group as a photo before the text (through the Bot API emulator) and the email with
 * the same picture inline (from the SMTP test server, parsed).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { takeLedgerSnapshot } from '../../src/domain/ledger.ts'
import { addPerson } from '../../src/domain/people.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import { CHART_WIDTH, digestChartSvg, renderSvg, type ChartData } from '../../src/documents/digest-chart.ts'
import { createLogger } from '../../src/log.ts'
import { loadJobOptions, runJob } from '../../src/scheduler/run.ts'
import { BotApiEmulator } from '../../src/sandbox/emulator/index.ts'
import { jobs } from '../../jobs/index.ts'
import { jobByName } from '../../src/scheduler/job.ts'
import { describeDb } from '../helpers/db.ts'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts'
import { groups, seed, TOKEN, TZ, type Fixture } from '../bot/harness.ts'

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

/** Pixels that are not white. */
function ink(pixels: Buffer): number {
  let n = 0
  for (let i = 0; i < pixels.length; i += 4)
    if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) n++
  return n
}

const sample: ChartData = {
  asOf: '2024-10-14',
  units: [
    { name: '台城街道', done: 3, inProgress: 2, blocked: 1, notStarted: 0, noReply: 4 },
    { name: '江门市生态环境局台山分局', done: 0, inProgress: 1, blocked: 0, notStarted: 1, noReply: 8 },
  ],
  trend: [
    { asOf: '2024-10-06', rate: 0.1 },
    { asOf: '2024-10-13', rate: 0.3 },
  ],
}

it('draws the Chinese text: a label with the shipped font has ink, with no font it has none', () => {
  const label = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="80"><text x="10" y="60" font-size="48">台城街道各单位完成率</text></svg>`
  const withFont = renderSvg(label)
  const without = renderSvg(label, { fonts: false })
  expect(ink(without.pixels)).toBe(0)
  expect(ink(withFont.pixels)).toBeGreaterThan(3000)

  // The whole chart: the same bars either way, so every differing pixel is text.
  const svg = digestChartSvg(sample)
  const a = renderSvg(svg)
  const b = renderSvg(svg, { fonts: false })
  expect([a.width, a.height]).toEqual([b.width, b.height])
  let differing = 0
  for (let i = 0; i < a.pixels.length; i += 4)
    if (a.pixels.readUInt32BE(i) !== b.pixels.readUInt32BE(i)) differing++
  expect(differing).toBeGreaterThan(20_000)
})

describeDb('the digest picture', (t) => {
  let f: Fixture
  let smtp: TestSmtp
  let emulator: BotApiEmulator
  const at = (date: string, time: string) => zonedInstant(date, time, TZ)
  const MONDAY = at('2024-10-14', '08:30')

  beforeAll(async () => {
    smtp = await startTestSmtp()
    emulator = await BotApiEmulator.start({ limits: { enforce: false } })
    emulator.addChats({ id: groups.supervisors.id, type: 'supergroup', title: groups.supervisors.title })
    f = await seed(t.db)
    await addPerson(t.db, { name: '张督办', role: 'supervisor', email: 'zhang@sfj.example' })
    await recordStatus(t.db, {
      taskId: f.tasks.fines,
      unitId: f.units.taicheng,
      state: 'in_progress',
      source: 'cli',
      now: at('2024-10-03', '10:00'),
    })
    await recordStatus(t.db, {
      taskId: f.tasks.publicity,
      unitId: f.units.taicheng,
      state: 'done',
      source: 'cli',
      now: at('2024-10-11', '10:00'),
    })
    const planId = (await t.db.query.plans.findFirst())!.id
    await takeLedgerSnapshot(t.db, planId, '2024-10-06', TZ, MONDAY)
  }, 120_000)
  afterAll(async () => {
    await emulator.stop()
    await smtp.stop()
  })

  it('goes as a photo before the text in Telegram, and inline in the email', async () => {
    const config = loadConfig({
      TIMEZONE: TZ,
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      MAIL_FROM: '督办助手 <duban@sfj.example>',
    })
    const job = jobByName('weekly-digest', jobs)!
    const deps = { db: t.db, config, calendar: chinaCalendar, logger: createLogger('silent') }
    const result = await runJob(deps, job, await loadJobOptions(t.db, job), {
      scheduledAt: MONDAY,
      now: MONDAY,
      late: false,
    })
    expect(result.enqueued).toBe(2)

    const worker = createDeliveryWorker({
      db: t.db,
      config,
      logger: createLogger('silent'),
      telegram: createTelegramSender({ token: TOKEN, apiRoot: emulator.apiRoot, timeoutSeconds: 10 }),
      now: () => MONDAY,
      idlePollMs: 50,
    })
    await worker.runUntilIdle({ stallMs: 30_000 })
    await worker.stop()

    const sent = emulator.sentMessages(groups.supervisors.id)
    expect(sent.map((m) => m.kind)).toEqual(['photo', 'text'])
    expect(sent[1]!.visibleText).toMatch(/^【督办周报】/)
    const photo = sent[0]!.photo!.data
    const size = pngSize(photo)
    expect(size.width).toBe(CHART_WIDTH)
    // Three units' bars and the trend: taller than wide enough to read, not a sliver.
    expect(size.height).toBeGreaterThan(700)

    await smtp.waitFor((m) => m.length >= 1)
    const mail = smtp.received[0]!
    expect(mail.to).toEqual(['zhang@sfj.example'])
    const [picture, ...others] = mail.parsed.attachments
    expect(others).toEqual([])
    expect(picture).toMatchObject({
      contentType: 'image/png',
      cid: 'digest-chart@duban',
      filename: 'digest.png',
    })
    expect(pngSize(picture!.content)).toEqual(size)
    const html = String(mail.parsed.html)
    // The HTML refers to the attachment by Content-ID (mailparser resolves it to the image's data).
    const raw = mail.raw.toString('utf8')
    expect(raw).toContain('Content-ID: <digest-chart@duban>')
    expect(raw).toContain('cid:digest-chart@duban')
    expect(html).toMatch(/<body[^>]*>\s*<p><img src="data:image\/png;base64,[^"]+"/)
    expect(html).toContain('<table')
  })
})
