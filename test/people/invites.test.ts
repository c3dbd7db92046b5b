import { beforeEach, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { invites, people, settings, units } from '../../src/db/schema.ts'
import { addPerson, findPersonByTelegramId } from '../../src/domain/people.ts'
import { botUsername, createInvite, inviteLink, redeemInvite } from '../../src/domain/invites.ts'

const now = new Date('2026-07-02T01:00:00Z')
const day = 86_400_000

describeDb('invites', (t) => {
  let liaisonId: number
  let otherId: number
  beforeEach(async () => {
    await t.reset()
    await t.db.insert(units).values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' })
    liaisonId = (await addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城' })).id
    otherId = (await addPerson(t.db, { name: '陈建国', role: 'supervisor' })).id
  })

  it('makes an unguessable deep-link code valid for 7 days', async () => {
    const a = await createInvite(t.db, liaisonId, now)
    const b = await createInvite(t.db, liaisonId, now)
    expect(a.code).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(a.code).not.toBe(b.code)
    expect(a.expiresAt).toEqual(new Date(now.getTime() + 7 * day))
    expect(inviteLink('duban_bot', a.code)).toBe(`https://t.me/duban_bot?start=${a.code}`)
    expect((await createInvite(t.db, liaisonId, now, 2)).expiresAt).toEqual(new Date(now.getTime() + 2 * day))
    await expect(createInvite(t.db, liaisonId, now, 0)).rejects.toThrow(/1 至 90 天/)
  })

  it('binds the Telegram user id once; a second use is refused', async () => {
    const { code } = await createInvite(t.db, liaisonId, now)
    const first = await redeemInvite(t.db, code, 5001, new Date(now.getTime() + day))
    expect(first).toMatchObject({ ok: true, person: { id: liaisonId, name: '李明', telegramUserId: 5001 } })
    expect((await findPersonByTelegramId(t.db, 5001))?.id).toBe(liaisonId)
    expect(await redeemInvite(t.db, code, 5001, new Date(now.getTime() + day))).toEqual({
      ok: false,
      reason: 'used',
    })
    expect(await redeemInvite(t.db, code, 6002, new Date(now.getTime() + day))).toEqual({
      ok: false,
      reason: 'used',
    })
    expect(await findPersonByTelegramId(t.db, 6002)).toBeNull()
  })

  it('is spent exactly once when redeemed by many at the same moment', async () => {
    const { code } = await createInvite(t.db, liaisonId, now)
    const users = Array.from({ length: 12 }, (_, i) => 5001 + i)
    const results = await Promise.all(users.map((u) => redeemInvite(t.db, code, u, now)))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(new Set(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason))).toEqual(new Set(['used']))
    const [person] = await t.db.select().from(people).where(eq(people.id, liaisonId))
    expect(person?.telegramUserId).toBe(users[results.findIndex((r) => r.ok)])
    const [invite] = await t.db.select().from(invites).where(eq(invites.code, code))
    expect(invite?.usedByTelegramUserId).toBe(person?.telegramUserId)
  })

  it('refuses an expired code, an unknown code, and a malformed one', async () => {
    const { code, expiresAt } = await createInvite(t.db, liaisonId, now)
    expect(await redeemInvite(t.db, code, 5001, expiresAt)).toEqual({ ok: false, reason: 'expired' })
    expect(await redeemInvite(t.db, 'AAAAAAAAAAAAAAAA', 5001, now)).toEqual({ ok: false, reason: 'unknown' })
    expect(await redeemInvite(t.db, '<b>x</b>', 5001, now)).toEqual({ ok: false, reason: 'unknown' })
    expect(await findPersonByTelegramId(t.db, 5001)).toBeNull()
    // The expired code was not spent by the refusal.
    const [invite] = await t.db.select().from(invites).where(eq(invites.code, code))
    expect(invite?.usedAt).toBeNull()
  })

  it('refuses a Telegram user already bound to another person, without spending the code', async () => {
    const mine = await createInvite(t.db, liaisonId, now)
    const theirs = await createInvite(t.db, otherId, now)
    expect((await redeemInvite(t.db, mine.code, 5001, now)).ok).toBe(true)
    expect(await redeemInvite(t.db, theirs.code, 5001, now)).toEqual({ ok: false, reason: 'already_bound' })
    const [invite] = await t.db.select().from(invites).where(eq(invites.code, theirs.code))
    expect(invite?.usedAt).toBeNull()
    expect((await redeemInvite(t.db, theirs.code, 6002, now)).ok).toBe(true)
  })

  it('rebinds a person who redeems a new invite from a new account', async () => {
    const a = await createInvite(t.db, liaisonId, now)
    await redeemInvite(t.db, a.code, 5001, now)
    const b = await createInvite(t.db, liaisonId, now)
    expect((await redeemInvite(t.db, b.code, 5002, now)).ok).toBe(true)
    expect(await findPersonByTelegramId(t.db, 5001)).toBeNull()
    expect((await findPersonByTelegramId(t.db, 5002))?.id).toBe(liaisonId)
  })

  it('refuses to invite a deactivated person', async () => {
    await t.db.update(people).set({ active: false }).where(eq(people.id, liaisonId))
    await expect(createInvite(t.db, liaisonId, now)).rejects.toThrow(/李明 已停用/)
  })

  it('reads the bot username from settings, else the sandbox bot', async () => {
    expect(await botUsername(t.db)).toBe('duban_sandbox_bot')
    await t.db.insert(settings).values({ key: 'bot_username', value: 'taishan_duban_bot' })
    expect(await botUsername(t.db)).toBe('taishan_duban_bot')
  })
})
