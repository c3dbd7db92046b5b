import { beforeEach, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { prompts, units } from '../../src/db/schema.ts'
import { addPerson } from '../../src/domain/people.ts'
import {
  bindChat,
  chatByTelegramId,
  chatsOfUnit,
  createChatBindCode,
  listChats,
  markChatUnreachable,
  migrateChat,
  redeemChatBindCode,
  supervisorChats,
} from '../../src/domain/chats.ts'
import { attachPromptMessage, createPrompt, promptByMessage } from '../../src/domain/prompts.ts'

const now = new Date('2026-07-02T01:00:00Z')

describeDb('chat bindings', (t) => {
  let taichengId: number
  beforeEach(async () => {
    await t.reset()
    const rows = await t.db
      .insert(units)
      .values([
        { name: '台城街道', shortName: '台城', kind: 'subdistrict' },
        { name: '大江镇', shortName: '大江', kind: 'town' },
      ])
      .returning()
    taichengId = rows[0]!.id
  })

  it('binds a group to a unit or to the supervisors; rebinding moves it', async () => {
    const g = await bindChat(t.db, -1001, 'tc', { title: '台城街道工作群' })
    expect(g).toMatchObject({
      telegramChatId: -1001,
      purpose: 'unit',
      unitName: '台城街道',
      title: '台城街道工作群',
    })
    await bindChat(t.db, -2002, 'supervisors')
    expect((await supervisorChats(t.db)).map((c) => c.telegramChatId)).toEqual([-2002])
    expect((await chatsOfUnit(t.db, taichengId)).map((c) => c.telegramChatId)).toEqual([-1001])
    const moved = await bindChat(t.db, -1001, '大江镇')
    expect(moved).toMatchObject({ unitName: '大江镇', title: '台城街道工作群' })
    expect(await chatsOfUnit(t.db, taichengId)).toEqual([])
    expect(await listChats(t.db)).toHaveLength(2)
    expect(await chatByTelegramId(t.db, -9999)).toBeNull()
  })

  it('refuses an unknown unit with suggestions and a bad chat id', async () => {
    await expect(bindChat(t.db, -1001, '台成')).rejects.toThrow(/未找到单位“台成”，可能是：台城街道/)
    await expect(bindChat(t.db, 0, '台城')).rejects.toThrow(/群组编号“0”无效/)
    expect(await listChats(t.db)).toEqual([])
  })

  it('binds a group from inside it with a one-time code', async () => {
    const admin = await addPerson(t.db, { name: '李志远', role: 'admin' })
    const { code, expiresAt } = await createChatBindCode(t.db, '台城', admin.id, now)
    expect(expiresAt).toEqual(new Date(now.getTime() + 24 * 3_600_000))
    const results = await Promise.all([
      redeemChatBindCode(t.db, code, -1001, '台城群', now),
      redeemChatBindCode(t.db, code, -3003, '别的群', now),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'used' })
    expect(await listChats(t.db)).toHaveLength(1)
    const late = await createChatBindCode(t.db, 'supervisors', admin.id, now)
    expect(await redeemChatBindCode(t.db, late.code, -4004, null, late.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
    })
    expect(await redeemChatBindCode(t.db, 'nope', -4004, null, now)).toEqual({ ok: false, reason: 'unknown' })
  })

  it('keeps the binding and the prompts when a group becomes a supergroup', async () => {
    await bindChat(t.db, -1001, '台城')
    await markChatUnreachable(t.db, -1001, 'group chat was upgraded to a supergroup chat', now)
    expect((await chatByTelegramId(t.db, -1001))?.unreachableAt).toEqual(now)
    const prompt = await createPrompt(t.db, { unitId: taichengId, taskIds: [], kind: 'weekly' }).catch(
      () => null,
    )
    expect(prompt).toBeNull() // a prompt asks about at least one task
    const [p] = await t.db
      .insert(prompts)
      .values({ unitId: taichengId, taskIds: [1], kind: 'weekly' })
      .returning({ id: prompts.id })
    await attachPromptMessage(t.db, p!.id, -1001, 55)
    await migrateChat(t.db, -1001, -1009001)
    expect(await chatByTelegramId(t.db, -1001)).toBeNull()
    expect(await chatByTelegramId(t.db, -1009001)).toMatchObject({
      unitName: '台城街道',
      unreachableAt: null,
    })
    expect(await promptByMessage(t.db, -1009001, 55)).toMatchObject({ id: p!.id, unitId: taichengId })
    expect(await promptByMessage(t.db, -1001, 55)).toBeNull()
    await migrateChat(t.db, -1001, -1009001) // a repeated migrate_to_chat_id changes nothing
    expect(await listChats(t.db)).toHaveLength(1)
  })
})
