/**
 * Answerable email, end to end: a supervisor's /remind queues a prompt; the delivery worker sends
 * the liaison's email to the SMTP test server; the email as received carries three working links
 * per open task in both parts; one tap (confirm page, then POST) records the report with source
 * `email`, and the bot's /status shows it. /metrics parses as Prometheus text and its delivery
 * counters move with the send.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import parsePrometheus from 'parse-prometheus-text-format'
import { describeDb } from '../helpers/db.ts'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts'
import { people, statusReports } from '../../src/db/schema.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { silentLogger } from '../../src/log.ts'
import { seed, testConfig, users, type Fixture } from '../bot/harness.ts'
import { Client, NOW, startWebHarness, type WebHarness } from './harness.ts'

/** The task id and state code a signed answer URL carries (`/a/person.unit.task.state.expiry.sig`). */
const claimOf = (url: string) => {
  const [, , task, state] = new URL(url).pathname.slice(3).split('.')
  return { taskId: Number(task), state }
}

const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

/** The value of a counter sample with these labels (0 when absent). */
function counter(text: string, name: string, labels: Record<string, string>): number {
  const family = parsePrometheus(text).find((f) => f.name === name)
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return sample?.value ? Number(sample.value) : 0
}

describeDb('answerable email', (t) => {
  let w: WebHarness
  let f: Fixture
  let smtp: TestSmtp

  beforeAll(async () => {
    smtp = await startTestSmtp()
    w = await startWebHarness(t.db)
    f = await seed(t.db)
    await t.db
      .update(people)
      .set({ email: 'liming@taicheng.example.gov.cn' })
      .where(eq(people.id, f.people.liaison.id))
    await w.bot.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    await w.bot.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
  })
  afterAll(async () => {
    await w.stop()
    await smtp.stop()
  })

  it('sends links for each open task that record the report, shown by /status; metrics move', async () => {
    const ops = new Client(w.base)
    const before = await (await ops.get('/metrics')).text()
    expect(parsePrometheus(before).some((fam) => fam.name === 'duban_deliveries_total')).toBe(true)
    const sentBefore = counter(before, 'duban_deliveries_total', { channel: 'email', status: 'sent' })

    const queued = await w.bot.say(users.supervisor, dm(users.supervisor), '/remind 台城')
    expect(queued.visibleText).toContain('台城街道')
    const worker = createDeliveryWorker({
      db: t.db,
      config: testConfig(w.bot.emulator.apiRoot, { SMTP_URL: smtp.url, WEB_PORT: String(w.web.port) }),
      logger: silentLogger,
      telegram: null,
      now: () => NOW,
    })
    await worker.runUntilIdle({ stallMs: 20_000 })
    await worker.stop()
    await smtp.waitFor((m) => m.length >= 1)
    const mail = smtp.received.find((m) => m.to.includes('liming@taicheng.example.gov.cn'))!
    expect(mail).toBeDefined()

    // Both parts: three links for each of 台城's two open tasks.
    const html = String(mail.parsed.html)
    const text = mail.parsed.text ?? ''
    const hrefs = [...html.matchAll(/href="([^"]+\/a\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
    const textLinks = [...text.matchAll(/https?:\/\/\S+\/a\/\S+/g)].map((m) => m[0])
    expect(hrefs).toHaveLength(6)
    expect(textLinks).toEqual(hrefs)
    for (const taskId of [f.tasks.fines, f.tasks.publicity])
      expect(hrefs.filter((h) => claimOf(h).taskId === taskId).map((h) => claimOf(h).state)).toEqual([
        'd',
        'i',
        'b',
      ])
    expect(html).toContain('已完成')
    expect(text).toContain('一键填报')

    // Every link opens its confirmation page.
    for (const href of hrefs) expect((await new Client(w.base).get(new URL(href).pathname)).status).toBe(200)

    // One tap on 已完成 for 二（五）2 from the text part, then confirm.
    const done = textLinks.find((l) => claimOf(l).taskId === f.tasks.fines && claimOf(l).state === 'd')!
    const path = new URL(done).pathname
    const browser = new Client(w.base)
    const page = await (await browser.get(path)).text()
    expect(page).toContain('确认填报：台城街道 · 开展涉企乱罚款专项整治（二（五）2） → 已完成')
    const res = await browser.post(path, { _csrf: Client.csrfOf(page), note: '已全部整改' })
    expect(res.status).toBe(200)
    const rows = await t.db.select().from(statusReports)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      state: 'done',
      source: 'email',
      personId: f.people.liaison.id,
      unitId: f.units.taicheng,
    })

    const status = await w.bot.say(users.supervisor, dm(users.supervisor), '/status 台城')
    expect(status.visibleText).toMatch(/开展涉企乱罚款专项整治[^\n]*\n?[^\n]*已完成/)

    const after = await (await ops.get('/metrics')).text()
    expect(counter(after, 'duban_deliveries_total', { channel: 'email', status: 'sent' })).toBe(
      sentBefore + 1,
    )
    expect(counter(after, 'duban_replies_recorded_total', { source: 'email' })).toBeGreaterThanOrEqual(1)
  })
})
