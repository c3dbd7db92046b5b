/**
 * The email channel against a real SMTP server (smtp-server on 127.0.0.1), and the .eml outbox
 * folder used when no SMTP_URL is set: counts of delivered, duplicated and lost mails.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { simpleParser } from 'mailparser'
import { describeDb } from '../helpers/db.ts'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts'
import { enqueue, listDeliveries } from '../../src/delivery/outbox.ts'
import { createEmailSender, deliveryMessageId, type EmailSender } from '../../src/delivery/email.ts'
import { emailNotice, MAIL_FROM, testConfig, testWorker } from './harness.ts'

describeDb('email delivery', (t) => {
  let smtp: TestSmtp
  let email: EmailSender

  beforeAll(async () => {
    smtp = await startTestSmtp()
    email = createEmailSender({
      smtpUrl: smtp.url,
      mailFrom: MAIL_FROM,
      dataDir: testConfig().dataDir,
      timeoutMs: 2000,
    })
  })
  afterAll(async () => {
    email.close()
    await smtp.stop()
  })
  beforeEach(async () => {
    await t.reset()
    smtp.received.length = 0
    smtp.rejected.clear()
  })

  const subjects = () => smtp.received.map((m) => m.parsed.subject).sort()

  it('sends one email per row with HTML and text parts, the sender, and a Message-ID derived from the delivery', async () => {
    await enqueue(t.db, [emailNotice('digest:2026-w40', 'chen@example.gov.cn')])
    await testWorker(t.db, null, { email }).runUntilIdle()
    expect(smtp.received).toHaveLength(1)
    const mail = smtp.received[0]!
    const [row] = await listDeliveries(t.db)
    expect(row).toMatchObject({ status: 'sent', attempts: 1 })
    expect(mail.to).toEqual(['chen@example.gov.cn'])
    expect(mail.from).toBe('duban@sfj.example.gov.cn')
    expect(mail.parsed.from?.value).toEqual([{ name: '督办助手', address: 'duban@sfj.example.gov.cn' }])
    expect(mail.parsed.subject).toBe('通知 digest:2026-w40')
    expect(mail.parsed.text).toContain('key=digest:2026-w40')
    expect(mail.parsed.html).toContain('<h2>通知 digest:2026-w40</h2>')
    expect(mail.parsed.messageId).toBe(deliveryMessageId(row!.id, row!.key, MAIL_FROM))
    expect(row!.externalId).toBe(mail.parsed.messageId)
  })

  it('SMTP down for a while, then back: every email delivered, none twice', async () => {
    const addresses = Array.from({ length: 6 }, (_, i) => `liaison${i}@example.gov.cn`)
    await enqueue(
      t.db,
      addresses.map((a, i) => emailNotice(`reminder:${i}`, a)),
    )
    await smtp.down()
    try {
      const worker = testWorker(t.db, null, { email })
      // Two rounds while the server is away: every row is tried and put back, nothing is lost.
      expect(await worker.drainOnce()).toBe(3)
      expect(await worker.drainOnce()).toBe(3)
      const waiting = await listDeliveries(t.db)
      expect(waiting.map((r) => r.status)).toEqual(Array(6).fill('pending'))
      expect(
        waiting.every(
          (r) => r.attempts === 1 && !r.ambiguous && /ECONNREFUSED|ECONNECTION/.test(r.lastError ?? ''),
        ),
      ).toBe(true)
    } finally {
      await smtp.up()
    }
    await testWorker(t.db, null, { email }).runUntilIdle()
    expect(subjects()).toEqual(addresses.map((_, i) => `通知 reminder:${i}`).sort())
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('sent'))
  })

  it('a 550 for one recipient of two fails only that one', async () => {
    smtp.rejected.add('nobody@example.gov.cn')
    await enqueue(t.db, [
      emailNotice('weekly:40', 'wang@example.gov.cn'),
      emailNotice('weekly:40', 'nobody@example.gov.cn'),
    ])
    await testWorker(t.db, null, { email }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.recipient, r.status, r.attempts])).toEqual([
      ['wang@example.gov.cn', 'sent', 1],
      ['nobody@example.gov.cn', 'failed', 1],
    ])
    expect(rows[1]!.lastError).toContain('550')
    expect(smtp.received.map((m) => m.to)).toEqual([['wang@example.gov.cn']])
  })

  it('retries a 4xx answer, gives up on a 5xx one', async () => {
    await enqueue(t.db, [emailNotice('try-again', 'li@example.gov.cn')])
    smtp.failNext(2, 451)
    await testWorker(t.db, null, { email }).runUntilIdle()
    await enqueue(t.db, [emailNotice('refused', 'li@example.gov.cn')])
    smtp.failNext(1, 554)
    await testWorker(t.db, null, { email }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.status, r.attempts])).toEqual([
      ['try-again', 'sent', 3],
      ['refused', 'dead', 1],
    ])
    expect(rows[0]!.lastError).toContain('451')
    expect(rows[1]!.lastError).toContain('554')
    expect(subjects()).toEqual(['通知 try-again'])
  })

  it('a connection dropped after the server took the message: sent again, the one possible duplicate marked', async () => {
    await enqueue(t.db, [
      emailNotice('prompt:w41', 'zhao@example.gov.cn'),
      emailNotice('prompt:w41', 'qian@example.gov.cn'),
    ])
    smtp.dropAfterAcceptNext(1)
    await testWorker(t.db, null, { email }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent'])
    const dropped = rows.find((r) => r.ambiguous)!
    expect(rows.filter((r) => r.ambiguous)).toHaveLength(1)
    // Same Message-ID both times, so a mail client shows it once.
    const copies = smtp.received.filter((m) => m.to[0] === dropped.recipient)
    expect(copies).toHaveLength(2)
    expect(new Set(copies.map((m) => m.parsed.messageId)).size).toBe(1)
    expect(smtp.received).toHaveLength(3)
  })

  it('without SMTP_URL, writes each email to DATA_DIR/outbox as an .eml file and counts it delivered', async () => {
    const config = testConfig()
    const files = createEmailSender({ smtpUrl: undefined, mailFrom: MAIL_FROM, dataDir: config.dataDir })
    await enqueue(t.db, [
      emailNotice('overdue:二（五）2:台城街道', 'a@example.gov.cn'),
      emailNotice('overdue:二（五）2:水步镇', 'b@example.gov.cn'),
    ])
    await testWorker(t.db, null, { email: files }).runUntilIdle()
    await testWorker(t.db, null, { email: files }).runUntilIdle()
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent'])
    const dir = path.join(config.dataDir, 'outbox')
    const names = readdirSync(dir).sort()
    expect(names).toEqual([`${rows[0]!.id}-overdue-2.eml`, `${rows[1]!.id}-overdue-2.eml`])
    const parsed = await simpleParser(readFileSync(path.join(dir, names[0]!)))
    expect(parsed.subject).toBe('通知 overdue:二（五）2:台城街道')
    expect(parsed.text).toContain('此邮件由督办助手自动发送')
    expect(parsed.messageId).toBe(deliveryMessageId(rows[0]!.id, rows[0]!.key, MAIL_FROM))
  })
})
