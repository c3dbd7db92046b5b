/**
 * The web desk in a real browser (the system's Chromium, driven by playwright-core): sign in from
 * the bot's /web answer, the 台账 agrees with `duban status --json`, a filter narrows it, a unit's
 * timeline lists a reply sent through the emulator, a liaison gets 403 on another unit, a signed
 * email link records a status the bot's /status then shows. Screenshots at 360 px and 1366 px go
 * to test-output/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { describeDb } from '../helpers/db.ts'
import { answerLinkBuilder, signingKey } from '../../src/domain/answer-links.ts'
import { groups, seed, sendPrompt, users, type Fixture } from '../bot/harness.ts'
import { runCli } from './cli.ts'
import { NOW, startWebHarness, type WebHarness } from './harness.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const SHOTS = path.join(import.meta.dirname, '../../test-output/screenshots')

const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

describeDb('the web desk in a browser', (t) => {
  let w: WebHarness
  let f: Fixture
  const contexts: { ctx: BrowserContext; dir: string }[] = []

  /** A fresh browser profile (own user-data dir), closed after the suite. */
  async function browser(width = 1366, height = 900): Promise<Page> {
    const dir = mkdtempSync(path.join(tmpdir(), 'duban-chromium-'))
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width, height },
      locale: 'zh-CN',
    })
    contexts.push({ ctx, dir })
    return ctx.pages()[0] ?? (await ctx.newPage())
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    w = await startWebHarness(t.db)
    f = await seed(t.db)
    for (const [u, code] of [
      [users.liaison, f.invites.liaison],
      [users.supervisor, f.invites.supervisor],
      [users.doushanLiaison, f.invites.doushanLiaison],
    ] as const)
      await w.bot.say(u, dm(u), `/start ${code}`)
    // A reply through the emulator: the liaison answers a prompt in the unit's group.
    const { messageId } = await sendPrompt(w.bot, t.db, groups.taicheng.id, f.units.taicheng, [
      f.tasks.publicity,
    ])
    await w.bot.say(users.liaison, groups.taicheng, '进行中 60%，已完成自查', { replyTo: messageId })
  })
  afterAll(async () => {
    for (const { ctx, dir } of contexts) {
      await ctx.close()
      rmSync(dir, { recursive: true, force: true })
    }
    await w.stop()
  })

  const signIn = async (page: Page, user: (typeof users)[keyof typeof users]) => {
    await page.goto(await w.signInLink(user))
    await page.waitForURL(/\/ledger$/)
  }

  it('signs in from the bot link and shows the same counts as duban status --json; a filter narrows it', async () => {
    const page = await browser()
    await signIn(page, users.supervisor)
    expect((await page.locator('h1').innerText()).trim()).toBe('工作台账')
    expect((await page.locator('.who').innerText()).trim()).toBe('王督办（督办人员）')

    const { out } = await runCli(t.db, w.config, NOW, ['status', '--json'])
    const overview = JSON.parse(out) as { tasks: number; counts: Record<string, number> }[]
    const sum = (k: string) => overview.reduce((s, u) => s + u.counts[k]!, 0)
    for (const k of ['not_started', 'in_progress', 'done', 'blocked', 'no_reply', 'overdue'])
      expect(Number(await page.locator(`[data-count="${k}"] b`).textContent()), k).toBe(sum(k))
    const total = overview.reduce((s, u) => s + u.tasks, 0)
    expect(Number(await page.locator('#total').getAttribute('data-total'))).toBe(total)
    expect(await page.locator('table.ledger tbody tr').count()).toBe(total)
    await page.screenshot({ path: path.join(SHOTS, 'ledger-1366.png'), fullPage: true })

    // The state filter submits on change (app.js) and narrows the table.
    await Promise.all([
      page.waitForURL(/state=in_progress/),
      page.selectOption('select[name="state"]', 'in_progress'),
    ])
    const rows = page.locator('table.ledger tbody tr')
    expect(await rows.count()).toBe(sum('in_progress'))
    expect(sum('in_progress')).toBeLessThan(total)
    expect(await rows.first().innerText()).toContain('全面推行行政执法公示制度')
    expect(await rows.first().innerText()).toContain('进行中 60%')
  })

  it("lists the reply in the unit's timeline; screenshots at 360 px and 1366 px", async () => {
    const page = await browser()
    await signIn(page, users.supervisor)
    await page.goto(`${w.base}/units/${f.units.taicheng}`)
    const timeline = page.locator('#timeline')
    expect(await timeline.innerText()).toContain('全面推行行政执法公示制度')
    expect(await timeline.innerText()).toContain('进行中 60%')
    expect(await timeline.innerText()).toContain('李明')
    await page.screenshot({ path: path.join(SHOTS, 'unit-1366.png'), fullPage: true })

    const phone = await browser(360, 740)
    await signIn(phone, users.supervisor)
    await phone.screenshot({ path: path.join(SHOTS, 'ledger-360.png'), fullPage: true })
    // No sideways scrolling on a phone.
    expect(
      await phone.locator('html').evaluate((el: { scrollWidth: number }) => el.scrollWidth),
    ).toBeLessThanOrEqual(360)
    await phone.goto(`${w.base}/units/${f.units.taicheng}`)
    await phone.screenshot({ path: path.join(SHOTS, 'unit-360.png'), fullPage: true })
  })

  it("answers 403 to a liaison opening another unit's page", async () => {
    const page = await browser()
    await signIn(page, users.liaison)
    const own = await page.goto(`${w.base}/units/${f.units.taicheng}`)
    expect(own!.status()).toBe(200)
    const other = await page.goto(`${w.base}/units/${f.units.doushan}`)
    expect(other!.status()).toBe(403)
    expect(await page.locator('.message.error').innerText()).toContain('联络员只能查看本单位')
  })

  it('records a status from a signed email link, which /status then shows', async () => {
    const links = answerLinkBuilder({
      key: await signingKey(t.db),
      baseUrl: w.config.publicUrl,
      personId: f.people.liaison.id,
      unitId: f.units.taicheng,
      now: NOW,
    })(f.tasks.fines)
    const page = await browser(360, 740)
    await page.goto(links.blocked)
    expect(await page.locator('.confirm').innerText()).toContain('开展涉企乱罚款专项整治')
    await page.fill('textarea[name="note"]', '缺少执法记录仪')
    await page.screenshot({ path: path.join(SHOTS, 'answer-360.png'), fullPage: true })
    await Promise.all([page.waitForURL(links.blocked), page.click('form.answer button[type="submit"]')])
    expect(await page.locator('.message').innerText()).toContain(
      '已记录：台城街道 · 开展涉企乱罚款专项整治（二（五）2） → 有困难',
    )

    const status = await w.bot.say(users.supervisor, dm(users.supervisor), '/status 台城')
    expect(status.visibleText).toContain('缺少执法记录仪')
    expect(status.visibleText).toContain('有困难')
  })
})
