/**
 * Leave and deputy through the real bot, the CLI and the real jobs on a simulated clock: during
 * the leave the deputy gets the reminders and prompts meant for the liaison, answers them, sends
 * 佐证材料 and asks for 延期, and none of it after; a
 * leave set from the command line is audited; bad leaves are refused and change nothing.
 */
import { expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { auditLog, evidence, extensionRequests, leaves, people } from '../../src/db/schema.ts'
import { createInvite } from '../../src/domain/invites.ts'
import { addPerson } from '../../src/domain/people.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { NOW, users } from '../bot/harness.ts'
import { deliver, duban, runJobAt, useLoopHarness } from './helpers.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })
const wangfang: EmulatorUser = { id: 5_000_010, first_name: '王芳', username: 'wangfang' }

describeDb('leave and deputy', (t) => {
  const loop = useLoopHarness(t, async (f) => {
    // 王芳: a colleague of 斗山镇 on the roster (its leader), not a liaison.
    const deputy = await addPerson(t.db, { name: '王芳', role: 'leader', unit: '斗山镇' })
    const code = (await createInvite(t.db, deputy.id, NOW)).code
    return [
      [users.liaison, f.invites.liaison],
      [users.supervisor, f.invites.supervisor],
      [users.doushanLiaison, f.invites.doushanLiaison],
      [wangfang, code],
    ]
  })

  /** Runs the reminders (09:00) and prompts (Friday 10:00) of each day; what each of the two got, per day. */
  const reachedOn = async (days: string[]) => {
    const out: Record<string, { liaison: number; deputy: number }> = {}
    for (const day of days) {
      const before = {
        liaison: loop.h.emulator.sentMessages(users.doushanLiaison.id).length,
        deputy: loop.h.emulator.sentMessages(wangfang.id).length,
      }
      await runJobAt(t.db, loop.h, loop.clock, 'deadline-reminders', day, '09:00')
      await runJobAt(t.db, loop.h, loop.clock, 'status-prompts', day, '10:00')
      await deliver(t.db, loop.h, loop.clock)
      const count = (chatId: number, since: number) =>
        loop.h.emulator
          .sentMessages(chatId)
          .slice(since)
          .filter((m) => /【(督办提醒|逾期提醒|进展询问)】/.test(m.visibleText)).length
      out[day] = {
        liaison: count(users.doushanLiaison.id, before.liaison),
        deputy: count(wangfang.id, before.deputy),
      }
    }
    return out
  }

  it('sends to the deputy during the leave and to the liaison again after', async () => {
    const set = await loop.h.say(
      users.doushanLiaison,
      dm(users.doushanLiaison),
      '/away 10月16日-10月18日 王芳',
    )
    expect(set.visibleText).toBe('已登记请假：10月16日 至 10月18日，期间提醒和询问发给 王芳。')
    // A second leave from the command line, audited.
    const cli = await duban(
      t.db,
      loop.h,
      loop.clock,
      'people',
      'away',
      '赵六',
      '--from',
      '2024-10-23',
      '--to',
      '2024-10-24',
      '--deputy',
      '王芳',
    )
    expect([cli.code, cli.out.trim()]).toEqual([
      0,
      '已登记请假：10月23日 至 10月24日，期间提醒和询问发给 王芳。 / Leave recorded: 23 Oct to 24 Oct; prompts and reminders go to 王芳 meanwhile.',
    ])
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'people.away'))
    expect(audit!.after).toMatchObject({
      person: '赵六',
      deputy: '王芳',
      from: '2024-10-23',
      to: '2024-10-24',
    })

    const reached = await reachedOn([
      '2024-10-16',
      '2024-10-17',
      '2024-10-18',
      '2024-10-21',
      '2024-10-22',
      '2024-10-23',
      '2024-10-24',
      '2024-10-25',
    ])
    const during = ['2024-10-16', '2024-10-17', '2024-10-18', '2024-10-23', '2024-10-24']
    for (const [day, got] of Object.entries(reached))
      if (during.includes(day)) expect([day, got.liaison]).toEqual([day, 0])
      else expect([day, got.deputy]).toEqual([day, 0])
    // Something did go out on those days: the deputy during the leave, the liaison after.
    expect(during.reduce((n, d) => n + reached[d]!.deputy, 0)).toBeGreaterThanOrEqual(4)
    expect(reached['2024-10-18']!.deputy).toBeGreaterThanOrEqual(1)
    expect(
      ['2024-10-21', '2024-10-22', '2024-10-25'].reduce((n, d) => n + reached[d]!.liaison, 0),
    ).toBeGreaterThan(0)
  })

  it('lets the deputy answer a reminder during the leave', async () => {
    await loop.h.say(users.doushanLiaison, dm(users.doushanLiaison), '/away 10月16日-10月18日 王芳')
    await runJobAt(t.db, loop.h, loop.clock, 'deadline-reminders', '2024-10-16', '09:00')
    await deliver(t.db, loop.h, loop.clock)
    const reminder = loop.h.emulator
      .sentMessages(wangfang.id)
      .find((m) => m.visibleText.includes('组织执法人员培训'))!
    const answer = await loop.h.say(wangfang, dm(wangfang), '进行中 50%', { replyTo: reminder.message_id })
    expect(answer.visibleText).toContain('已记录：斗山镇 · 组织执法人员培训 → 进行中 50%')
  })

  it('lets the deputy send 佐证材料 and ask for 延期 during the leave, and not after', async () => {
    await loop.h.say(users.doushanLiaison, dm(users.doushanLiaison), '/away 10月16日-10月18日 王芳')
    const sendList = async () => {
      const before = loop.h.emulator.sentMessages(wangfang.id).length
      loop.h.emulator.sendFile(wangfang, dm(wangfang), {
        kind: 'document',
        data: Buffer.from('%PDF-1.4 名单'),
        fileName: '培训名单.pdf',
        mimeType: 'application/pdf',
        caption: '二（五）2',
      })
      return (await loop.h.waitForCount(wangfang.id, before + 1)).at(-1)!.visibleText
    }
    const extend = async () =>
      (await loop.h.say(wangfang, dm(wangfang), '/extend 二（五）2 11月15日 补训')).visibleText

    loop.clock.set('2024-10-17', '15:00')
    expect(await sendList()).toBe('已收到佐证材料：斗山镇 · 二（五）2 · 培训名单.pdf')
    expect(await extend()).toBe('已提交延期申请：二（五）2 延至 11月15日，等待督办人员审批。')
    const doushan = loop.f.units.doushan
    const [deputy] = await t.db.select().from(people).where(eq(people.name, '王芳'))
    const deputyId = () => deputy!.id
    expect(
      (await t.db.select().from(evidence).where(eq(evidence.unitId, doushan))).map((e) => [
        e.fileName,
        e.personId,
      ]),
    ).toEqual([['培训名单.pdf', deputyId()]])
    expect(
      (await t.db.select().from(extensionRequests)).map((r) => [r.unitId, r.requestedBy, r.newDue]),
    ).toEqual([[doushan, deputyId(), '2024-11-15']])

    // The leave is over: the liaison answers again; the deputy is refused and nothing is added.
    loop.clock.set('2024-10-21', '10:00')
    expect(await sendList()).toBe('只有单位联络员或其请假代理人可以提交佐证材料。')
    expect(await extend()).toBe('只有本单位联络员或其请假代理人可以申请延期。')
    expect(await t.db.select().from(evidence)).toHaveLength(1)
    expect(await t.db.select().from(extensionRequests)).toHaveLength(1)
  })

  it('refuses bad leaves and changes nothing', async () => {
    const cases: [EmulatorUser, string, string][] = [
      [users.doushanLiaison, '/away 10月20日-10月18日 王芳', '结束日期早于开始日期。'],
      [users.doushanLiaison, '/away 10月1日-10月5日 王芳', '请假结束日期 10月5日 早于今天。'],
      [
        users.doushanLiaison,
        '/away 10月16日-10月18日 李明',
        '代理人“李明”不是斗山镇的人员，请指定本单位人员。',
      ],
      [users.doushanLiaison, '/away 10月16日-10月18日 赵六', '代理人不能是本人。'],
      [users.doushanLiaison, '/away 下周 王芳', '请写明请假起止日期，例如 12月1日-12月5日。'],
      [users.doushanLiaison, '/away 10月16日-10月18日', '用法：/away 12月1日-12月5日 代理人姓名'],
      [wangfang, '/away 10月16日-10月18日 赵六', '只有联络员可以登记请假代理。'],
    ]
    for (const [u, text, expected] of cases)
      expect((await loop.h.say(u, dm(u), text)).visibleText).toBe(expected)
    const cli = await duban(
      t.db,
      loop.h,
      loop.clock,
      'people',
      'away',
      '赵六',
      '--from',
      '2024-10-16',
      '--to',
      'soon',
      '--deputy',
      '王芳',
    )
    expect(cli.code).toBe(1)
    expect(cli.err).toContain('请写明请假起止日期')
    expect(await t.db.select().from(leaves)).toEqual([])
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, 'people.away'))).toEqual([])

    // A supervisor may set a liaison's leave.
    const set = await loop.h.say(users.supervisor, dm(users.supervisor), '/away 赵六 10月16日-10月18日 王芳')
    expect(set.visibleText).toBe('已登记请假：10月16日 至 10月18日，期间提醒和询问发给 王芳。')
    expect((await t.db.select().from(leaves)).map((l) => [l.fromDate, l.toDate, l.createdBy])).toEqual([
      ['2024-10-16', '2024-10-18', loop.f.people.supervisor.id],
    ])
  })
})
