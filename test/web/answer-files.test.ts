/**
 * Files with an email answer (佐证材料 from liaisons who only use email): the signed link's page
 * posts multipart; each file is stored through the evidence service (sha256, sniffed type, the
 * 20 MB cap) attached to the report, source `email`, in the report's transaction. Checked over
 * HTTP against the real server, then through `duban evidence list/get`, the assignment history
 * and the unit page's timeline.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { and, asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignmentEvents, evidence, statusReports, webLinks } from '../../src/db/schema.ts'
import { signAnswer, signingKey } from '../../src/domain/answer-links.ts'
import { recordLeave } from '../../src/domain/leaves.ts'
import { addPerson, findPerson } from '../../src/domain/people.ts'
import { silentLogger } from '../../src/log.ts'
import { startWebServer } from '../../src/web/server.ts'
import { type Fixture, users, useSeededBot } from '../bot/harness.ts'
import { runCli } from './cli.ts'
import { Client, NOW, startWebHarness, type WebHarness } from './harness.ts'

/** A small but real PDF (file-type knows it by its header). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
    'trailer <</Root 1 0 R>>\n%%EOF\n',
  'latin1',
)
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

describeDb('files with an email answer', (t) => {
  let w: WebHarness
  let f: Fixture
  /** The server's clock (back at NOW before each test). */
  const clock = { at: NOW }

  useSeededBot(t, {
    start: () => startWebHarness(t.db, { now: () => clock.at }),
    bot: (web) => web.bot,
    beforeSeed: () => (clock.at = NOW),
    register: (fixture) => [
      [users.liaison, fixture.invites.liaison],
      [users.supervisor, fixture.invites.supervisor],
    ],
    use: (started, fixture) => ((w = started), (f = fixture)),
  })

  const link = async (
    state: 'done' | 'in_progress' | 'blocked',
    expiresAt = new Date(NOW.getTime() + 86_400_000),
    to = { personId: f.people.liaison.id, unitId: f.units.taicheng },
  ) => {
    const key = await signingKey(t.db)
    return `/a/${signAnswer(key, { ...to, taskId: f.tasks.fines, state, expiresAt })}`
  }

  /** Posts the answer form as a browser would: multipart, the CSRF token, the fields, the files. */
  const postAnswer = (
    path: string,
    fields: Record<string, string>,
    files: { name: string; type: string; bytes: Buffer }[],
  ) => {
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    for (const file of files) form.append('files', new Blob([file.bytes], { type: file.type }), file.name)
    return fetch(new URL(path, w.base), { method: 'POST', body: form, redirect: 'manual' })
  }

  const csrfOf = async (path: string) => {
    const page = await new Client(w.base).get(path)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('enctype="multipart/form-data"')
    expect(html).toMatch(/<input type="file" name="files" multiple>/)
    return Client.csrfOf(html)
  }

  const nothingStored = async () => {
    expect(await t.db.select().from(statusReports)).toHaveLength(0)
    expect(await t.db.select().from(evidence)).toHaveLength(0)
    expect(await t.db.select().from(webLinks)).toHaveLength(0)
  }

  it('records the report with source email and stores both files, listed and returned by the CLI', async () => {
    const path = await link('in_progress')
    const res = await postAnswer(
      path,
      { _csrf: await csrfOf(path), progress: '80', note: '整改材料见附件' },
      [
        { name: '整改报告.pdf', type: 'application/pdf', bytes: PDF },
        // The browser's claim is kept apart; the stored type is sniffed from the bytes.
        { name: '现场照片.png', type: 'application/octet-stream', bytes: PNG },
      ],
    )
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('已记录：台城街道')
    expect(text).toContain('已收到佐证材料 2 个')

    const [report] = await t.db.select().from(statusReports)
    expect(report).toMatchObject({
      state: 'in_progress',
      progress: 80,
      source: 'email',
      personId: f.people.liaison.id,
    })
    const rows = await t.db.select().from(evidence).orderBy(asc(evidence.id))
    expect(rows.map((r) => [r.reportId, r.taskId, r.unitId, r.personId, r.source, r.kind])).toEqual([
      [report!.id, f.tasks.fines, f.units.taicheng, f.people.liaison.id, 'email', 'document'],
      [report!.id, f.tasks.fines, f.units.taicheng, f.people.liaison.id, 'email', 'photo'],
    ])

    const { out } = await runCli(t.db, w.config, NOW, ['evidence', 'list', '台城', '--json'])
    const listed = JSON.parse(out) as {
      id: number
      fileName: string
      size: number
      contentType: string
      status: string
      source: string
      by: string
    }[]
    expect(listed.map((r) => [r.fileName, r.size, r.contentType, r.status, r.source])).toEqual([
      ['整改报告.pdf', PDF.length, 'application/pdf', 'stored', 'email'],
      ['现场照片.png', PNG.length, 'image/png', 'stored', 'email'],
    ])
    expect(listed.map((r) => r.by)).toEqual([f.people.liaison.name, f.people.liaison.name])
    const pdf = await runCli(t.db, w.config, NOW, ['evidence', 'get', String(listed[0]!.id)])
    expect(pdf.bytes.equals(PDF)).toBe(true)
    const png = await runCli(t.db, w.config, NOW, ['evidence', 'get', String(listed[1]!.id)])
    expect(png.bytes.equals(PNG)).toBe(true)
  })

  it('keeps the bytes in EVIDENCE_DIR when one is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duban-evidence-'))
    const config = { ...w.config, evidenceDir: dir }
    const web = await startWebServer({
      db: t.db,
      config,
      logger: silentLogger,
      now: () => NOW,
      port: 0,
      hostname: '127.0.0.1',
    })
    try {
      const p = await link('done')
      const form = new FormData()
      form.append('_csrf', await csrfOf(p))
      form.append('files', new Blob([PDF], { type: 'application/pdf' }), '整改报告.pdf')
      const res = await fetch(new URL(p, web.localUrl), { method: 'POST', body: form })
      expect(res.status).toBe(200)
      const [row] = await t.db.select().from(evidence)
      expect(row).toMatchObject({ store: 'dir', bytes: null, source: 'email', size: PDF.length })
      expect((await readFile(join(dir, row!.storageKey!))).equals(PDF)).toBe(true)
      const got = await runCli(t.db, config, NOW, ['evidence', 'get', String(row!.id)])
      expect(got.bytes.equals(PDF)).toBe(true)
    } finally {
      await web.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("shows the files in the assignment's history and the unit's timeline", async () => {
    const path = await link('done')
    const res = await postAnswer(path, { _csrf: await csrfOf(path) }, [
      { name: '验收报告.pdf', type: 'application/pdf', bytes: PDF },
      { name: '公示截图.png', type: 'image/png', bytes: PNG },
    ])
    expect(res.status).toBe(200)
    const events = await t.db
      .select()
      .from(assignmentEvents)
      .where(and(eq(assignmentEvents.kind, 'evidence'), eq(assignmentEvents.unitId, f.units.taicheng)))
    expect(events.map((e) => (e.payload as { fileName: string; source: string }).fileName).sort()).toEqual([
      '公示截图.png',
      '验收报告.pdf',
    ])
    expect(events.every((e) => (e.payload as { source: string }).source === 'email')).toBe(true)

    const supervisor = new Client(w.base)
    expect((await supervisor.signIn(await w.signInLink(users.supervisor))).status).toBe(303)
    const page = await (await supervisor.get(`/units/${f.units.taicheng}`)).text()
    const timeline = page.slice(page.indexOf('id="timeline"'))
    expect(timeline).toContain('验收报告.pdf')
    expect(timeline).toContain('公示截图.png')
    expect(timeline).toContain('佐证材料')
    expect(timeline).toContain('来源：邮件')
  })

  it('refuses a file over 20 MB, naming the limit; neither the report nor any file is recorded', async () => {
    const path = await link('done')
    const big = Buffer.alloc(21 * 1024 * 1024, 0x41)
    const res = await postAnswer(path, { _csrf: await csrfOf(path) }, [
      { name: '整改报告.pdf', type: 'application/pdf', bytes: PDF },
      { name: '录像.mp4', type: 'video/mp4', bytes: big },
    ])
    expect(res.status).toBe(413)
    expect(await res.text()).toContain('每个文件不超过 20 MB，未记录任何内容')
    await nothingStored()
    // The link was not used up: the liaison can send it again with a smaller file.
    const again = await postAnswer(path, { _csrf: await csrfOf(path) }, [
      { name: '整改报告.pdf', type: 'application/pdf', bytes: PDF },
    ])
    expect(again.status).toBe(200)
    expect(await t.db.select().from(evidence)).toHaveLength(1)
  })

  it('refuses a body over the server cap by its declared length, before reading it', async () => {
    const path = await link('done')
    const csrf = await csrfOf(path)
    // Declares 200 MB and sends only the start: the answer must come without the rest.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL(path, w.base), {
        method: 'POST',
        headers: {
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': String(200 * 1024 * 1024),
        },
      })
      req.once('error', reject)
      req.once('response', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.once('end', () => {
          req.destroy()
          resolve({ status: res.statusCode ?? 0, body })
        })
      })
      req.write(`--x\r\ncontent-disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`)
    })
    expect(answer.status).toBe(413)
    expect(answer.body).toContain('每个文件不超过 20 MB')
    await nothingStored()
  })

  it("takes a deputy's answer with its file during the leave, and refuses the same kind of link after it", async () => {
    // 王芳, 斗山镇's leader, stands in for its liaison 赵六 from 10月15日 to 10月16日.
    const deputy = await addPerson(t.db, { name: '王芳', role: 'leader', unit: '斗山镇' })
    const liaison = await findPerson(t.db, '赵六')
    await recordLeave(t.db, {
      person: liaison,
      deputy,
      from: '2024-10-15',
      to: '2024-10-16',
      by: null,
      today: '2024-10-15',
      now: NOW,
    })
    const to = { personId: deputy.id, unitId: f.units.doushan }
    const inLeave = await link('in_progress', new Date(NOW.getTime() + 7 * 86_400_000), to)
    const res = await postAnswer(inLeave, { _csrf: await csrfOf(inLeave), progress: '60' }, [
      { name: '培训名单.pdf', type: 'application/pdf', bytes: PDF },
    ])
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('已记录：斗山镇')
    expect((await t.db.select().from(evidence)).map((e) => [e.unitId, e.personId, e.fileName])).toEqual([
      [f.units.doushan, deputy.id, '培训名单.pdf'],
    ])

    // A second link opened during the leave, sent two days later when the liaison is back: the
    // page and the post are refused, and nothing more is recorded.
    const later = await link('done', new Date(NOW.getTime() + 7 * 86_400_000), to)
    const csrf = await csrfOf(later)
    clock.at = new Date(NOW.getTime() + 2 * 86_400_000)
    expect((await new Client(w.base).get(later)).status).toBe(403)
    const refused = await postAnswer(later, { _csrf: csrf }, [
      { name: 'b.pdf', type: 'application/pdf', bytes: PDF },
    ])
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('您目前无权为该单位填报，未记录任何内容。')
    expect(await t.db.select().from(evidence)).toHaveLength(1)
    expect(await t.db.select().from(statusReports)).toHaveLength(1)
  })

  it('refuses an altered or expired link with a file, storing nothing', async () => {
    const good = await link('done')
    const csrf = await csrfOf(good)
    const altered = good.replace(`.${f.tasks.fines}.`, `.${f.tasks.publicity}.`)
    const a = await postAnswer(altered, { _csrf: csrf }, [
      { name: 'a.pdf', type: 'application/pdf', bytes: PDF },
    ])
    expect(a.status).toBe(400)
    expect(await a.text()).toContain('该链接无效或已被改动')
    const expired = await link('done', new Date(NOW.getTime() - 1000))
    const e = await postAnswer(expired, { _csrf: csrf }, [
      { name: 'a.pdf', type: 'application/pdf', bytes: PDF },
    ])
    expect(e.status).toBe(410)
    expect(await e.text()).toContain('该链接已过期')
    await nothingStored()
  })

  it('refuses files without the CSRF token (403), storing nothing', async () => {
    const path = await link('done')
    const res = await postAnswer(path, {}, [{ name: 'a.pdf', type: 'application/pdf', bytes: PDF }])
    expect(res.status).toBe(403)
    await nothingStored()
  })
})
