/**
 * The bot with its production default: person, chat and prompt lookups remembered for a while.
 * Changes made through the bot are seen at once; changes made elsewhere (the command line, the
 * database) after the remembered time, never later.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignments, people, statusReports } from '../../src/db/schema.ts'
import { groups, seed, sendPrompt, startHarness, users, type Fixture, type Harness } from './harness.ts'

describeDb('remembered lookups', (t) => {
  let h: Harness
  let f: Fixture
  let clock = 1_000_000
  const dm = (u: { id: number }) => ({ id: u.id, type: 'private' as const })

  beforeAll(async () => {
    f = await seed(t.db)
    h = await startHarness(t.db, { lookups: { ttlMs: 10_000, promptTtlMs: 60_000, clock: () => clock } })
  })
  afterAll(async () => {
    await h.stop()
  })

  it('sees a registration at once, even right after the stranger was looked up', async () => {
    expect((await h.say(users.liaison, dm(users.liaison), '/status')).visibleText).toContain('尚未绑定')
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    expect((await h.say(users.liaison, dm(users.liaison), '/status')).visibleText).toContain(
      '台城街道 · 联络员 李明',
    )
  })

  it('sees a group bound with /bind at once', async () => {
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    const group = { id: -1_001_000_000_321, type: 'supergroup' as const, title: '大江镇群' }
    expect((await h.say(users.supervisor, group, '/status')).visibleText).toContain('本群尚未绑定单位')
    const code = /\/bind (\S+)/.exec(
      (await h.say(users.supervisor, dm(users.supervisor), '/bindcode 大江')).visibleText,
    )![1]!
    await h.say(users.supervisor, group, `/bind ${code}`)
    expect((await h.say(users.supervisor, group, '/status')).visibleText).toContain('大江镇')
  })

  it('refuses a person deactivated by hand in the database once the remembered time has passed', async () => {
    // Looked up (and remembered) first: the /bind above moved the access stamp, which forgot everyone.
    expect((await h.say(users.liaison, dm(users.liaison), '/status')).visibleText).toMatch(/^台城街道 · /)
    await t.db.update(people).set({ active: false }).where(eq(people.id, f.people.liaison.id))
    // Still remembered: a raw edit bypasses the access stamp (the card itself no longer lists them).
    expect((await h.say(users.liaison, dm(users.liaison), '/status')).visibleText).toMatch(/^台城街道 · /)
    clock += 10_001
    expect((await h.say(users.liaison, dm(users.liaison), '/status')).visibleText).toContain('账号已被停用')
    await t.db.update(people).set({ active: true }).where(eq(people.id, f.people.liaison.id))
    clock += 10_001
  })

  it('re-checks the assignment on every reply to a remembered prompt', async () => {
    const { messageId } = await sendPrompt(h, t.db, groups.taicheng.id, f.units.taicheng, [f.tasks.fines])
    const first = await h.say(users.liaison, groups.taicheng, '进行中 40%', { replyTo: messageId })
    expect(first.visibleText).toBe('已记录：台城街道 · 开展涉企乱罚款专项整治 → 进行中 40%')
    await t.db.delete(assignments).where(eq(assignments.taskId, f.tasks.fines))
    const second = await h.say(users.liaison, groups.taicheng, '已完成', { replyTo: messageId })
    expect(second.visibleText).toBe('该提示涉及的任务已不再由本单位负责，未作记录。')
    expect((await t.db.select().from(statusReports)).map((r) => r.state)).toEqual(['in_progress'])
  })
})
