/**
 * The outbox contract jobs code against (enqueue in the caller's transaction, one row per
 * occurrence, recipient and channel), the template registry, and `duban deliveries` as an admin
 * uses it.
 */
import { openCliTarget, runOn, type CliTarget } from '../helpers/cli.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb, drivers } from '../helpers/db.ts'
import { deliveries, units } from '../../src/db/schema.ts'
import { enqueue, listDeliveries, retryDelivery } from '../../src/delivery/outbox.ts'
import { renderPayload } from '../../src/templates/index.ts'
import { emailNotice, notice } from './harness.ts'
import { UserError } from '../../src/errors.ts'

const ctx = { now: new Date('2026-10-13T01:00:00Z'), tz: 'Asia/Shanghai' }

describe('message templates', () => {
  it('renders a notice for Telegram (escaped HTML) and email (HTML and text) in both locales', () => {
    const zh = renderPayload(
      { template: 'notice', params: { title: '截止 <提醒>', lines: ['A & B', '第二行'] } },
      'zh-CN',
      ctx,
    )
    expect(zh.telegram?.html).toBe('<b>截止 &lt;提醒&gt;</b>\nA &amp; B\n第二行')
    expect(zh.email?.subject).toBe('截止 <提醒>')
    expect(zh.email?.text).toBe(
      '截止 <提醒>\n\nA & B\n第二行\n\n--\n此邮件由督办助手自动发送，请勿直接回复。',
    )
    expect(zh.email?.html).toContain('<p>A &amp; B</p>')
    const en = renderPayload({ template: 'notice', params: { title: 'Due', lines: [] } }, 'en', ctx)
    expect(en.email?.text).toContain('This email was sent automatically by duban')
  })

  it('says which template or parameter is wrong', () => {
    expect(() => renderPayload({ template: 'nope', params: {} }, 'zh-CN', ctx)).toThrow(
      'unknown message template "nope"',
    )
    expect(() => renderPayload({ template: 'notice', params: { title: '' } }, 'zh-CN', ctx)).toThrow(
      /invalid parameters for message template "notice"/,
    )
  })

  it('puts the fallback note first in an email that stands in for Telegram', () => {
    const r = renderPayload(
      { template: 'notice', params: { title: '提醒', lines: ['内容'] }, fallbackFor: 'telegram' },
      'zh-CN',
      ctx,
    )
    expect(r.email?.text.split('\n')[0]).toBe('此消息原应通过 Telegram 发送，因无法送达改为邮件发送。')
    expect(r.email?.html).toContain('<p><em>此消息原应通过 Telegram 发送，因无法送达改为邮件发送。</em></p>')
  })
})

describeDb('outbox', (t) => {
  beforeEach(() => t.reset())

  it('writes one row per occurrence, recipient and channel, and counts only new rows', async () => {
    expect(
      await enqueue(t.db, [
        notice('reminder:task1:unit1:2026-10-13', 100),
        notice('reminder:task1:unit1:2026-10-13', 200),
        emailNotice('reminder:task1:unit1:2026-10-13', 'a@example.gov.cn'),
      ]),
    ).toBe(3)
    expect(
      await enqueue(t.db, [
        notice('reminder:task1:unit1:2026-10-13', 100),
        notice('reminder:task1:unit1:2026-10-14', 100),
      ]),
    ).toBe(1)
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.channel, r.recipient, r.status, r.attempts])).toEqual([
      ['reminder:task1:unit1:2026-10-13', 'telegram', '100', 'pending', 0],
      ['reminder:task1:unit1:2026-10-13', 'telegram', '200', 'pending', 0],
      ['reminder:task1:unit1:2026-10-13', 'email', 'a@example.gov.cn', 'pending', 0],
      ['reminder:task1:unit1:2026-10-14', 'telegram', '100', 'pending', 0],
    ])
  })

  it('is part of the caller’s transaction: a decision rolled back leaves no row', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, [notice('decided', 1)])
        await tx.insert(units).values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' })
        throw new Error('the job failed after deciding')
      }),
    ).rejects.toThrow('the job failed')
    expect(await listDeliveries(t.db)).toEqual([])
  })

  it('refuses an unknown template before writing anything', async () => {
    await expect(
      enqueue(t.db, [
        notice('ok', 1),
        { ...notice('typo', 2), payload: { template: 'noticee', params: {} } },
      ]),
    ).rejects.toThrow('unknown message template "noticee"')
    expect(await listDeliveries(t.db)).toEqual([])
  })

  it('retry puts a failed or dead row back in the queue and refuses the rest, changing nothing', async () => {
    await enqueue(t.db, [notice('a', 1), notice('b', 2), notice('c', 3), notice('d', 4)])
    const [a, b, c] = await listDeliveries(t.db)
    await t.db
      .update(deliveries)
      .set({ status: 'dead', attempts: 8, lastError: 'gave up' })
      .where(eq(deliveries.id, a!.id))
    await t.db.update(deliveries).set({ status: 'failed', attempts: 1 }).where(eq(deliveries.id, b!.id))
    await t.db.update(deliveries).set({ status: 'sent', attempts: 1 }).where(eq(deliveries.id, c!.id))
    const now = new Date('2026-10-13T02:00:00Z')
    await retryDelivery(t.db, a!.id, now)
    await retryDelivery(t.db, b!.id, now)
    await expect(retryDelivery(t.db, c!.id, now)).rejects.toThrow(UserError)
    await expect(retryDelivery(t.db, c!.id, now)).rejects.toThrow(`投递 #${c!.id} 已发送，无需重试。`)
    await expect(retryDelivery(t.db, 999, now)).rejects.toThrow('没有编号为 999 的投递记录')
    await expect(retryDelivery(t.db, a!.id + 3, now)).rejects.toThrow('正在发送或等待发送')
    const rows = await listDeliveries(t.db)
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.nextAttemptAt.toISOString()])).toEqual([
      ['a', 'pending', 8, now.toISOString()],
      ['b', 'pending', 1, now.toISOString()],
      ['c', 'sent', 1, rows[2]!.nextAttemptAt.toISOString()],
      ['d', 'pending', 0, rows[3]!.nextAttemptAt.toISOString()],
    ])
    expect((await listDeliveries(t.db, { status: 'sent' })).map((r) => r.key)).toEqual(['c'])
  })
})

/** `duban …` against the target, each output without its last line break (as these checks read it). */
async function run(target: CliTarget, ...argv: string[]) {
  const r = await runOn(target, ...argv)
  return { code: r.code, stdout: r.stdout.replace(/\n$/, ''), stderr: r.stderr.replace(/\n$/, '') }
}

for (const driver of drivers) {
  describe(`duban deliveries [${driver}]`, { timeout: 120_000 }, () => {
    let target: CliTarget
    let ids: number[] = []
    beforeAll(async () => {
      target = await openCliTarget(driver, 'duban-deliveries-cli-')
      ids = await target.withDb(async (db) => {
        await enqueue(db, [
          notice('reminder:1', 100),
          emailNotice('reminder:1', 'li@example.gov.cn'),
          notice('digest:40', -5),
        ])
        const rows = await listDeliveries(db)
        await db
          .update(deliveries)
          .set({
            status: 'dead',
            attempts: 8,
            lastError: 'gave up after 8 attempts: telegram 502: Bad Gateway',
          })
          .where(eq(deliveries.id, rows[2]!.id))
        await db.update(deliveries).set({ status: 'sent', attempts: 1 }).where(eq(deliveries.id, rows[0]!.id))
        return rows.map((r) => r.id)
      })
    }, 120_000)
    afterAll(() => target.close())

    it('lists the outbox as JSON, filtered by status', async () => {
      const all = await run(target, 'deliveries', '--json')
      expect(all.code).toBe(0)
      const list = JSON.parse(all.stdout) as Record<string, unknown>[]
      expect(list.map((d) => [d.id, d.key, d.channel, d.recipient, d.status, d.attempts])).toEqual([
        [ids[0], 'reminder:1', 'telegram', '100', 'sent', 1],
        [ids[1], 'reminder:1', 'email', 'li@example.gov.cn', 'pending', 0],
        [ids[2], 'digest:40', 'telegram', '-5', 'dead', 8],
      ])
      expect(list[2]).toMatchObject({
        lastError: 'gave up after 8 attempts: telegram 502: Bad Gateway',
        ambiguous: false,
      })
      const dead = await run(target, 'deliveries', '--status', 'dead', '--json')
      expect((JSON.parse(dead.stdout) as { id: number }[]).map((d) => d.id)).toEqual([ids[2]])
    })

    it('prints a table in Chinese, and refuses an unknown status as a usage error', async () => {
      const table = await run(target, 'deliveries')
      expect(table.code).toBe(0)
      const lines = table.stdout.split('\n')
      expect(lines[0]).toMatch(/^编号\s+渠道\s+收件人\s+状态\s+次数\s+键\s+最后错误$/)
      expect(lines[3]).toMatch(/^\d+\s+Telegram\s+-5\s+已放弃\s+8\s+digest:40\s+gave up after 8 attempts/)
      const bad = await run(target, 'deliveries', '--status', 'lost')
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('expected one of pending, sending, sent, failed, dead, ambiguous')
    })

    it('retry re-queues a dead delivery; a sent or unknown one is a user error', async () => {
      const ok = await run(target, 'deliveries', 'retry', String(ids[2]))
      expect(ok).toMatchObject({ code: 0, stderr: '' })
      expect(ok.stdout).toBe(
        `投递 #${ids[2]} 已重新排队，将尽快发送。 / Delivery #${ids[2]} is queued again and will be sent shortly.`,
      )
      const sent = await run(target, 'deliveries', 'retry', String(ids[0]))
      expect(sent.code).toBe(1)
      expect(sent.stderr).toBe(
        `duban: 投递 #${ids[0]} 已发送，无需重试。 / Delivery #${ids[0]} was already sent; nothing to retry.`,
      )
      const unknown = await run(target, 'deliveries', 'retry', 'abc')
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('没有编号为 abc 的投递记录')
      const statuses = await target.withDb(async (db) => (await listDeliveries(db)).map((d) => d.status))
      expect(statuses).toEqual(['sent', 'pending', 'pending'])
    })
  })
}
