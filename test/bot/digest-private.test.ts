/**
 * /digest asked in a unit's group: the digest ranks every unit, so it goes to the asker in a
 * private chat and the group only gets a short note; someone who never opened a private chat
 * with the bot is told how to. In the supervisors' group it is answered in the group.
 */
import { expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { redeemInvite } from '../../src/domain/invites.ts'
import { type Fixture, groups, type Harness, NOW, users, useSeededBot } from './harness.ts'

const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

describeDb('/digest in a unit group', (t) => {
  let h: Harness
  let f: Fixture

  useSeededBot(t, { use: (started, fixture) => ((h = started), (f = fixture)) })

  it('sends the digest privately to the supervisor who asked, with a note in the group', async () => {
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    const privateBefore = h.emulator.sentMessages(users.supervisor.id).length
    const note = await h.say(users.supervisor, groups.taicheng, '/digest')
    expect(note.visibleText).toBe('本周督办汇总已私信发送给您。')
    const privately = h.emulator.sentMessages(users.supervisor.id).slice(privateBefore)
    expect(privately.length).toBeGreaterThan(0)
    // The same digest the supervisors' group gets when asked there.
    const inSupervisors = await h.say(users.supervisor, groups.supervisors, '/digest')
    expect(privately[0]!.visibleText).toBe(inSupervisors.visibleText)
    expect(h.emulator.sentMessages(groups.taicheng.id).map((m) => m.visibleText)).toEqual([
      '本周督办汇总已私信发送给您。',
    ])
  })

  it('tells an admin who never opened a private chat with the bot how to get it, and sends nothing else', async () => {
    // Bound (through an invite redeemed elsewhere) but never wrote to the bot privately.
    await redeemInvite(t.db, f.invites.admin, users.admin.id, NOW)
    const note = await h.say(users.admin, groups.taicheng, '/digest')
    expect(note.visibleText).toBe('本周督办汇总只私信发送。请先私聊本机器人发送 /start，再发送 /digest。')
    expect(h.emulator.sentMessages(users.admin.id)).toEqual([])
    expect(h.emulator.sentMessages(groups.taicheng.id)).toHaveLength(1)
  })
})
