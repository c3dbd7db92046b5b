/**
 * The web desk over HTTP: sign-in from the bot's /web link, the ledger and its CSV, who sees
 * which unit, CSRF on every form, one-time and signed links (expired, reused, altered: a clear
 * page and nothing recorded), a deactivated person signed out, the email as sent carrying
 * working answer links, and the operations endpoints.
 */
import { describe, expect, it } from 'vitest'
import { and, asc, eq } from 'drizzle-orm'
import { parse as parseCsv } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { describeDb } from '../helpers/db.ts'
import { assignments, deliveries, people, statusReports, webSessions } from '../../src/db/schema.ts'
import { reportDone } from '../../src/delivery/loop-notify.ts'
import { createSignInToken } from '../../src/domain/web-sessions.ts'
import { recordStatus } from '../../src/domain/reports.ts'
import { signAnswer, signingKey } from '../../src/domain/answer-links.ts'
import { type Fixture, users, useSeededBot } from '../bot/harness.ts'
import { Client, NOW, startWebHarness, type WebHarness } from './harness.ts'

describeDb('the web desk', (t) => {
  let w: WebHarness
  let f: Fixture

  useSeededBot(t, {
    start: () => startWebHarness(t.db),
    bot: (web) => web.bot,
    register: (fixture) => [
      [users.liaison, fixture.invites.liaison],
      [users.supervisor, fixture.invites.supervisor],
      [users.doushanLiaison, fixture.invites.doushanLiaison],
      [users.admin, fixture.invites.admin],
    ],
    use: (started, fixture) => ((w = started), (f = fixture)),
  })

  const reports = () => t.db.select().from(statusReports).orderBy(asc(statusReports.id))

  const signedIn = async (user: (typeof users)[keyof typeof users]) => {
    const client = new Client(w.base)
    const res = await client.signIn(await w.signInLink(user))
    expect(res.status).toBe(303)
    return client
  }

  describe('sign-in', () => {
    it('opens a session from the bot link: HttpOnly, SameSite=Lax cookie, stored hashed', async () => {
      const link = await w.signInLink(users.supervisor)
      expect(link.startsWith(`${w.base}/signin/`)).toBe(true)
      const client = new Client(w.base)
      const res = await client.signIn(link)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/ledger')
      const cookie = res.headers.get('set-cookie')!
      expect(cookie).toMatch(/HttpOnly/i)
      expect(cookie).toMatch(/SameSite=Lax/i)
      expect(cookie).not.toMatch(/Secure/i) // PUBLIC_URL is http here
      const token = client.cookie.split('=')[1]!
      const rows = await t.db.select().from(webSessions)
      expect(rows).toHaveLength(1)
      expect(rows[0]!.tokenHash).not.toContain(token)
      const page = await client.get('/ledger')
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('王督办（督办人员）')
    })

    it('refuses a used, an expired and an unknown link with a clear page', async () => {
      const link = await w.signInLink(users.liaison)
      await new Client(w.base).signIn(link)
      const again = await new Client(w.base).signIn(link)
      expect(again.status).toBe(410)
      expect(again.headers.get('set-cookie')).toBeNull()
      expect(await again.text()).toContain('该登录链接已使用过')

      const old = await createSignInToken(t.db, f.people.liaison.id, new Date(NOW.getTime() - 11 * 60_000))
      const expired = await new Client(w.base).get(`/signin/${old.token}`)
      expect(expired.status).toBe(410)
      expect(await expired.text()).toContain('登录链接已过期')

      const unknown = await new Client(w.base).get(`/signin/${'x'.repeat(43)}`)
      expect(unknown.status).toBe(410)
      expect(await unknown.text()).toContain('登录链接无效')
    })

    it('answers /web in groups with a refusal and no link', async () => {
      const answer = await w.bot.say(users.liaison, { id: -1_001_000_000_001, type: 'supergroup' }, '/web')
      expect(answer.visibleText).toContain('请私聊督办助手发送 /web')
      expect(answer.visibleText).not.toContain('/signin/')
    })

    it('signs out a deactivated person on the next request', async () => {
      const client = await signedIn(users.liaison)
      expect((await client.get('/ledger')).status).toBe(200)
      await t.db.update(people).set({ active: false }).where(eq(people.id, f.people.liaison.id))
      const res = await client.get('/ledger')
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/signin')
      expect(res.headers.get('set-cookie')).toMatch(/duban_session=;/)
      const [session] = await t.db.select().from(webSessions)
      expect(session!.revokedAt).not.toBeNull()
      // Active again: the ended session stays ended.
      await t.db.update(people).set({ active: true }).where(eq(people.id, f.people.liaison.id))
      expect((await client.get('/ledger')).status).toBe(303)
    })

    it('ends the session on sign-out (with its CSRF token), not without it', async () => {
      const client = await signedIn(users.supervisor)
      const csrf = Client.csrfOf(await (await client.get('/ledger')).text())
      expect((await client.post('/signout', {})).status).toBe(403)
      expect((await client.get('/ledger')).status).toBe(200)
      expect((await client.post('/signout', { _csrf: csrf })).status).toBe(200)
      expect((await client.get('/ledger')).status).toBe(303)
    })
  })

  describe('pages and who sees them', () => {
    it('lets a liaison see their own unit only: another unit is 403', async () => {
      const client = await signedIn(users.liaison)
      expect((await client.get(`/units/${f.units.taicheng}`)).status).toBe(200)
      const other = await client.get(`/units/${f.units.doushan}`)
      expect(other.status).toBe(403)
      expect(await other.text()).toContain('联络员只能查看本单位')
      expect((await client.get(`/ledger?unit=${f.units.doushan}`)).status).toBe(403)
      const ledger = await (await client.get('/ledger')).text()
      expect(ledger).toContain('台城街道')
      expect(ledger).not.toContain('斗山镇')
      expect((await client.get('/deliveries')).status).toBe(403)
    })

    it('lets a supervisor see every unit, and sends strangers to sign in', async () => {
      const client = await signedIn(users.supervisor)
      expect((await client.get(`/units/${f.units.doushan}`)).status).toBe(200)
      const anonymous = await new Client(w.base).get('/ledger')
      expect(anonymous.status).toBe(303)
      expect(anonymous.headers.get('location')).toBe('/signin')
    })

    it('downloads the same view as CSV with a BOM, formulas neutralized', async () => {
      await recordStatus(t.db, {
        taskId: f.tasks.fines,
        unitId: f.units.doushan,
        state: 'blocked',
        note: '=HYPERLINK("x")',
        source: 'cli',
        now: NOW,
      })
      const client = await signedIn(users.supervisor)
      const res = await client.get(`/ledger.csv?unit=${f.units.doushan}`)
      expect(res.headers.get('content-type')).toContain('text/csv')
      const bytes = new Uint8Array(await res.arrayBuffer())
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const rows: string[][] = parseCsv(new TextDecoder().decode(bytes.slice(3)), {})
      expect(rows[0]).toEqual([
        '编号',
        '任务',
        '单位',
        '截止',
        '状态',
        '说明',
        '最近填报',
        '逾期',
        '颜色',
        '签收',
        '佐证材料',
      ])
      expect(rows.slice(1).map((r) => r[2])).toEqual(['斗山镇', '斗山镇'])
      const blocked = rows.find((r) => r[4] === '有困难')!
      expect(blocked[5]).toBe(`'=HYPERLINK("x")`)
      // 三色, 签收 and 佐证 as the workbook has them: a blocked report is yellow or red, never green.
      expect(['黄', '红']).toContain(blocked[8])
      expect(blocked[9]).toBe('未签收')
      expect(blocked[10]).toBe('0')
    })

    it('downloads the filtered view as the 工作台账 workbook: its rows are the rows of the view', async () => {
      await recordStatus(t.db, {
        taskId: f.tasks.fines,
        unitId: f.units.doushan,
        state: 'in_progress',
        progress: 40,
        note: '已完成自查',
        source: 'cli',
        now: NOW,
      })
      const client = await signedIn(users.supervisor)
      const query = `unit=${f.units.doushan}&state=in_progress`
      const page = await (await client.get(`/ledger?${query}`)).text()
      const total = Number(/data-total="(\d+)"/.exec(page)![1])
      expect(total).toBeGreaterThan(0)
      const res = await client.get(`/ledger.xlsx?${query}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('spreadsheetml')
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(await res.arrayBuffer())
      const ws = wb.getWorksheet('总表')!
      const header = (ws.getRow(2).values as unknown[]).slice(1)
      const rows: unknown[][] = []
      ws.eachRow((row, n) => {
        if (n > 2) rows.push((row.values as unknown[]).slice(1))
      })
      expect(rows).toHaveLength(total)
      for (const r of rows) {
        expect(r[header.indexOf('责任单位')]).toBe('斗山镇')
        expect(String(r[header.indexOf('当前状态')])).toMatch(/^进行中/)
      }
      expect(rows.map((r) => r[header.indexOf('进展情况')])).toContain('已完成自查')
      const liaison = await signedIn(users.liaison)
      expect((await liaison.get(`/ledger.xlsx?unit=${f.units.doushan}`)).status).toBe(403)
    })

    it("shows each row's 三色 and filters by colour: the three colours partition the ledger", async () => {
      // 斗山镇's fines item is past its own date: red.
      await t.db
        .update(assignments)
        .set({ dueOverride: '2024-10-01' })
        .where(and(eq(assignments.taskId, f.tasks.fines), eq(assignments.unitId, f.units.doushan)))
      const client = await signedIn(users.supervisor)
      const view = async (query: string) => {
        const html = await (await client.get(`/ledger?${query}`)).text()
        return {
          html,
          total: Number(/data-total="(\d+)"/.exec(html)![1]),
          colors: [...html.matchAll(/data-color="(\w+)"/g)].map((m) => m[1]),
        }
      }
      const all = await view('')
      expect(all.colors).toHaveLength(Math.min(all.total, 50))
      expect(new Set(all.colors).size).toBeGreaterThan(1)
      const red = await view('color=red')
      expect(red.html).toContain('<option value="red" selected>红</option>')
      expect(red.total).toBeGreaterThan(0)
      expect(new Set(red.colors)).toEqual(new Set(['red']))
      const doushanRed = await view(`color=red&unit=${f.units.doushan}`)
      expect(doushanRed.html).toContain('斗山镇')
      expect(doushanRed.html).toMatch(/class="color color-red" data-color="red">红</)
      const green = await view('color=green')
      const yellow = await view('color=yellow')
      expect(green.colors.every((c) => c === 'green')).toBe(true)
      expect(yellow.colors.every((c) => c === 'yellow')).toBe(true)
      expect(red.total + green.total + yellow.total).toBe(all.total)
    })

    it('lets a supervisor approve or return a report on the task page, as the bot does; a liaison gets 403', async () => {
      const pair = and(eq(assignments.taskId, f.tasks.fines), eq(assignments.unitId, f.units.doushan))
      const loopState = async () => (await t.db.select().from(assignments).where(pair))[0]!
      const reportDoneNow = async () => {
        const report = await recordStatus(t.db, {
          taskId: f.tasks.fines,
          unitId: f.units.doushan,
          state: 'done',
          source: 'cli',
          now: NOW,
        })
        await reportDone(t.db, {
          taskId: f.tasks.fines,
          unitId: f.units.doushan,
          reportId: report.id,
          personId: null,
          now: NOW,
        })
      }
      await reportDoneNow()
      expect((await loopState()).loopState).toBe('awaiting_review')

      // The unit's liaison sees no buttons, and a forged post with their own token is refused.
      const liaison = await signedIn(users.doushanLiaison)
      const liaisonPage = await (await liaison.get(`/tasks/${f.tasks.fines}`)).text()
      expect(liaisonPage).not.toContain('通过（销号）')
      const forged = await liaison.post(`/tasks/${f.tasks.fines}/review`, {
        _csrf: Client.csrfOf(liaisonPage),
        unit: String(f.units.doushan),
        decision: 'approve',
      })
      expect(forged.status).toBe(403)
      expect((await loopState()).loopState).toBe('awaiting_review')

      const supervisor = await signedIn(users.supervisor)
      const page = await (await supervisor.get(`/tasks/${f.tasks.fines}`)).text()
      expect(page).toContain('通过（销号）')
      expect(page).toContain('退回整改')
      const due = /name="due" value="(\d{4}-\d{2}-\d{2})"/.exec(page)![1]!
      const form = { _csrf: Client.csrfOf(page), unit: String(f.units.doushan), decision: 'return', due }
      expect((await supervisor.post(`/tasks/${f.tasks.fines}/review`, { ...form, _csrf: '' })).status).toBe(
        403,
      )
      const noReason = await supervisor.post(`/tasks/${f.tasks.fines}/review`, { ...form, reason: ' ' })
      expect(noReason.status).toBe(400)
      expect((await loopState()).loopState).toBe('awaiting_review')

      const returned = await supervisor.post(`/tasks/${f.tasks.fines}/review`, {
        ...form,
        reason: '佐证材料不全',
      })
      expect(returned.status).toBe(200)
      expect(await returned.text()).toContain('已退回整改：斗山镇')
      expect(await loopState()).toMatchObject({
        loopState: 'rectifying',
        dueOverride: due,
        returnedCount: 1,
        latestState: 'in_progress',
        latestNote: '佐证材料不全',
      })
      const keys = async () => (await t.db.select().from(deliveries)).map((d) => d.key)
      expect((await keys()).some((k) => /^review:\d+:returned/.test(k))).toBe(true)

      await reportDoneNow()
      const again = await (await supervisor.get(`/tasks/${f.tasks.fines}`)).text()
      const approved = await supervisor.post(`/tasks/${f.tasks.fines}/review`, {
        _csrf: Client.csrfOf(again),
        unit: String(f.units.doushan),
        decision: 'approve',
      })
      expect(approved.status).toBe(200)
      expect((await loopState()).loopState).toBe('closed')
      expect((await keys()).some((k) => /^review:\d+:approved/.test(k))).toBe(true)
    })

    it('sets a strict CSP and no referrer on every page', async () => {
      const res = await new Client(w.base).get('/signin')
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/)
    })

    it('escapes what people typed', async () => {
      await recordStatus(t.db, {
        taskId: f.tasks.fines,
        unitId: f.units.taicheng,
        state: 'blocked',
        note: '<script>alert(1)</script>',
        source: 'cli',
        now: NOW,
      })
      const client = await signedIn(users.supervisor)
      const page = await (await client.get(`/units/${f.units.taicheng}`)).text()
      expect(page).not.toContain('<script>alert(1)</script>')
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    })
  })

  describe('forms need their CSRF token', () => {
    it('refuses a delivery retry without the token (403), does it with the token', async () => {
      const { enqueue } = await import('../../src/delivery/outbox.ts')
      await enqueue(t.db, [
        {
          key: 'k1',
          channel: 'email',
          recipient: 'x@example.gov.cn',
          payload: { template: 'notice', params: { title: 'x', lines: [] } },
        },
      ])
      const { deliveries } = await import('../../src/db/schema.ts')
      await t.db.update(deliveries).set({ status: 'dead', lastError: 'gave up' })
      const [row] = await t.db.select().from(deliveries)
      const admin = await signedIn(users.admin)
      const page = await (await admin.get('/deliveries')).text()
      expect(page).toContain('gave up')
      const denied = await admin.post(`/deliveries/${row!.id}/retry`, {})
      expect(denied.status).toBe(403)
      expect((await t.db.select().from(deliveries))[0]!.status).toBe('dead')
      const done = await admin.post(`/deliveries/${row!.id}/retry`, { _csrf: Client.csrfOf(page) })
      expect(done.status).toBe(200)
      expect((await t.db.select().from(deliveries))[0]!.status).toBe('pending')
    })
  })

  describe('signed answer links', () => {
    const link = async (
      state: 'done' | 'in_progress' | 'blocked',
      expiresAt = new Date(NOW.getTime() + 86_400_000),
    ) => {
      const key = await signingKey(t.db)
      return `/a/${signAnswer(key, { personId: f.people.liaison.id, unitId: f.units.taicheng, taskId: f.tasks.fines, state, expiresAt })}`
    }

    it('confirms, then records once with source email; the same link again records nothing', async () => {
      const path = await link('in_progress')
      const anon = new Client(w.base)
      const page = await anon.get(path)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('确认填报：台城街道 · 开展涉企乱罚款专项整治（二（五）2） → 进行中')
      expect(await reports()).toHaveLength(0) // opening the link records nothing
      const res = await anon.post(path, { _csrf: Client.csrfOf(html), progress: '70', note: '已完成自查' })
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('已记录：台城街道')
      const [r] = await reports()
      expect(r).toMatchObject({
        state: 'in_progress',
        progress: 70,
        note: '已完成自查',
        source: 'email',
        personId: f.people.liaison.id,
      })

      const again = await anon.post(path, { _csrf: Client.csrfOf(html), progress: '90' })
      expect(again.status).toBe(409)
      expect(await again.text()).toContain('该链接已使用过')
      expect((await anon.get(path)).status).toBe(409)
      expect(await reports()).toHaveLength(1)
    })

    it('refuses a post without the CSRF token (403) and records nothing', async () => {
      const path = await link('done')
      const res = await new Client(w.base).post(path, { note: 'x' })
      expect(res.status).toBe(403)
      expect(await reports()).toHaveLength(0)
    })

    it('refuses an altered link and an expired link with a clear page, recording nothing', async () => {
      const path = await link('done')
      const altered = path.replace(`.${f.tasks.fines}.`, `.${f.tasks.publicity}.`)
      const a = new Client(w.base)
      const res = await a.get(altered)
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('该链接无效或已被改动')
      const p = await a.post(altered, { _csrf: 'x' })
      expect(p.status).toBe(400)
      const expired = await link('done', new Date(NOW.getTime() - 1000))
      const e = await a.get(expired)
      expect(e.status).toBe(410)
      expect(await e.text()).toContain('该链接已过期')
      expect((await a.post(expired, { _csrf: 'x' })).status).toBe(410)
      expect(await reports()).toHaveLength(0)
    })

    it("refuses a deactivated person's link", async () => {
      const path = await link('done')
      await t.db.update(people).set({ active: false }).where(eq(people.id, f.people.liaison.id))
      const res = await new Client(w.base).get(path)
      expect(res.status).toBe(403)
      expect(await reports()).toHaveLength(0)
    })
  })

  describe('operations endpoints', () => {
    it('answers /healthz with the database state and the outbox lag', async () => {
      const res = await new Client(w.base).get('/healthz')
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ ok: true, database: 'ok', outboxLagSeconds: 0 })
    })
  })
})
