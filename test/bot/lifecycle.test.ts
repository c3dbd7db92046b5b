/**
 * Access taken back, seen from Telegram, with the production default of remembered lookups (10 s):
 * a deactivated supervisor is refused on the very next update, a revoked invite cannot register,
 * an unbound group is no longer a recipient and its waiting messages are withdrawn, and /unbind
 * works for supervisors only. Every change leaves its audit entry.
 */
import { expect, it } from 'vitest'
import { asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { auditLog, chats, deliveries, people } from '../../src/db/schema.ts'
import { enqueue } from '../../src/delivery/outbox.ts'
import { unitReach } from '../../src/domain/recipients.ts'
import { createInvite } from '../../src/domain/invites.ts'
import { deactivatePerson, reactivatePerson, revokeInvites, unbindChat } from '../../src/domain/lifecycle.ts'
import type { AuditActor } from '../../src/domain/audit.ts'
import { type Fixture, groups, type Harness, NOW, startHarness, users, useSeededBot } from './harness.ts'

const admin: AuditActor = { source: 'cli', actor: 'clerk' }
const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

describeDb('access taken back', (t) => {
  let h: Harness
  let f: Fixture
  let clock = 1_000_000

  useSeededBot(t, {
    start: () => startHarness(t.db, { lookups: { ttlMs: 10_000, clock: () => clock } }),
    // A fresh fixture reuses Telegram ids: let earlier memories lapse.
    beforeSeed: () => (clock += 60_000),
    use: (started, fixture) => ((h = started), (f = fixture)),
  })

  const audit = () => t.db.select().from(auditLog).orderBy(asc(auditLog.id))

  it('refuses a deactivated supervisor on the next update, although they were remembered', async () => {
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    expect((await h.say(users.supervisor, dm(users.supervisor), '/status')).visibleText).toContain('台城街道')
    const r = await deactivatePerson(t.db, '王督办', admin, NOW)
    expect(r.changed).toBe(true)
    const refused = await h.say(users.supervisor, dm(users.supervisor), '/status')
    expect(refused.visibleText).toBe('您的账号已被停用，不能再使用督办助手。如有疑问，请联系市司法局管理员。')
    // In the supervisors' group too: addressed, refused; nothing else.
    const inGroup = await h.say(users.supervisor, groups.supervisors, '/digest')
    expect(inGroup.visibleText).toContain('账号已被停用')
    const [row] = await t.db.select().from(people).where(eq(people.id, f.people.supervisor.id))
    expect(row!.active).toBe(false)
    expect(row!.telegramUserId).toBe(users.supervisor.id)

    await reactivatePerson(t.db, '王督办', admin, NOW)
    expect((await h.say(users.supervisor, dm(users.supervisor), '/status')).visibleText).toContain('台城街道')
    expect((await audit()).map((a) => [a.source, a.actor, a.action, a.target])).toEqual([
      ['cli', 'clerk', 'people.deactivate', `#${f.people.supervisor.id} 王督办`],
      ['cli', 'clerk', 'people.reactivate', `#${f.people.supervisor.id} 王督办`],
    ])
  })

  it('ends the open invites of a deactivated person and withdraws their waiting messages', async () => {
    await enqueue(t.db, [
      {
        key: 'notice:private',
        channel: 'telegram',
        recipient: String(users.liaison.id),
        personId: f.people.liaison.id,
        payload: { template: 'notice', params: { title: '私信', lines: [] } },
      },
    ])
    const r = await deactivatePerson(t.db, '李明', admin, NOW)
    expect(r).toMatchObject({ changed: true, invites: 1, deliveries: 1 })
    const answer = await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    expect(answer.visibleText).toContain('过期')
    const [d] = await t.db.select().from(deliveries)
    expect(d).toMatchObject({ status: 'dead', lastError: 'recipient deactivated' })
    // The unit's messages still reach it: its group stays, the liaison's email is no longer used.
    const reach = await unitReach(t.db, f.units.taicheng)
    expect(reach.telegram.map((x) => x.recipient)).toEqual([String(groups.taicheng.id)])
    expect(reach.liaisons).toBe(0)
  })

  it('a revoked invite cannot register', async () => {
    const { code } = await createInvite(t.db, f.people.doushanLiaison.id, NOW)
    const r = await revokeInvites(t.db, '赵六', admin, NOW)
    expect(r.revoked).toBe(2)
    const answer = await h.say(users.doushanLiaison, dm(users.doushanLiaison), `/start ${code}`)
    expect(answer.visibleText).toContain('过期')
    const [row] = await t.db.select().from(people).where(eq(people.id, f.people.doushanLiaison.id))
    expect(row!.telegramUserId).toBeNull()
    expect((await audit()).map((a) => a.action)).toEqual(['invites.revoke'])
  })

  it('an unbound group gets nothing: its waiting messages are withdrawn, it is no recipient, the bot is silent', async () => {
    await enqueue(t.db, [
      {
        key: 'notice:group',
        channel: 'telegram',
        recipient: String(groups.taicheng.id),
        unitId: f.units.taicheng,
        payload: { template: 'notice', params: { title: '群通知', lines: [] } },
      },
    ])
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    // Remembered as bound:
    expect((await h.say(users.liaison, groups.taicheng, '/tasks')).visibleText).toContain(
      '开展涉企乱罚款专项整治',
    )
    const r = await unbindChat(t.db, groups.taicheng.id, admin, NOW)
    expect(r.withdrawn).toBe(1)
    const [d] = await t.db.select().from(deliveries)
    expect(d).toMatchObject({ status: 'dead', lastError: 'chat unbound' })
    const reach = await unitReach(t.db, f.units.taicheng)
    expect(reach.telegram.map((x) => x.kind)).toEqual(['private'])
    // The next update in the group finds it unbound at once (told once, then silence).
    const told = await h.say(users.liaison, groups.taicheng, '/tasks')
    expect(told.visibleText).toContain('尚未绑定')
    const before = h.emulator.sentMessages(groups.taicheng.id).length
    h.emulator.sendText(users.liaison, groups.taicheng, '/tasks')
    await h.settle()
    expect(h.emulator.sentMessages(groups.taicheng.id).length).toBe(before)
  })

  it('/unbind in a group: a supervisor may, a liaison may not', async () => {
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    const refused = await h.say(users.liaison, groups.taicheng, '/unbind')
    expect(refused.visibleText).toBe('只有督办人员或管理员可以解除本群的绑定。')
    expect(await t.db.select().from(chats).where(eq(chats.telegramChatId, groups.taicheng.id))).toHaveLength(
      1,
    )
    const done = await h.say(users.supervisor, groups.taicheng, '/unbind')
    expect(done.visibleText).toBe('本群已解除绑定，今后不再收到督办消息。')
    expect(await t.db.select().from(chats).where(eq(chats.telegramChatId, groups.taicheng.id))).toHaveLength(
      0,
    )
    const [entry] = await audit()
    expect(entry).toMatchObject({
      source: 'telegram',
      actor: `tg:${users.supervisor.id}`,
      personId: f.people.supervisor.id,
      action: 'chats.unbind',
      target: `chat ${groups.taicheng.id}`,
      before: { purpose: 'unit', unit: '台城街道' },
    })
  })
})
