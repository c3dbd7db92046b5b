/**
 * Who receives the rhythm's messages (src/domain/recipients.ts), and writing a unit's message to
 * the outbox once: groups first, liaisons' private chats only when a unit has no usable group,
 * emails always; Telegram refusals respected; unreachable units named, not skipped.
 */
import { beforeEach, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { chats, deliveries, people, prompts } from '../../src/db/schema.ts'
import { bindChat } from '../../src/domain/chats.ts'
import { addPerson } from '../../src/domain/people.ts'
import { supervisorRecipients, unitRecipients } from '../../src/domain/recipients.ts'
import { importUnits, listUnits } from '../../src/domain/units.ts'
import { decideAndEnqueue, enqueueUnitMessage } from '../../src/delivery/notify.ts'

const now = new Date('2026-10-16T01:00:00Z')

describeDb('recipients', (t) => {
  const unit = new Map<string, number>()

  beforeEach(async () => {
    await t.reset()
    await importUnits(t.db, [
      { name: '台城街道', kind: 'subdistrict' },
      { name: '大江镇', kind: 'town' },
      { name: '水步镇', kind: 'town' },
      { name: '市公安局', kind: 'department' },
    ])
    unit.clear()
    for (const u of await listUnits(t.db)) unit.set(u.name, u.id)
  })

  const bindTelegram = (id: number, telegramUserId: number) =>
    t.db.update(people).set({ telegramUserId }).where(eq(people.id, id))

  it('sends to the unit’s groups and its liaisons’ email; private chats only without a group', async () => {
    await bindChat(t.db, -1001, '台城街道')
    const li = await addPerson(t.db, {
      name: '李明',
      role: 'liaison',
      unit: '台城街道',
      email: 'li@example.org',
    })
    await bindTelegram(li.id, 501)
    const wang = await addPerson(t.db, {
      name: '王芳',
      role: 'liaison',
      unit: '大江镇',
      email: 'wang@example.org',
    })
    await bindTelegram(wang.id, 502)
    await addPerson(t.db, { name: '陈强', role: 'liaison', unit: '水步镇' })

    const reach = await unitRecipients(t.db, [...unit.values()])
    const view = (name: string) => {
      const r = reach.get(unit.get(name)!)!
      return {
        telegram: r.telegram.map((x) => `${x.kind}:${x.recipient}`),
        email: r.email.map((x) => x.recipient),
        unreachable: r.unreachable,
      }
    }
    expect(view('台城街道')).toEqual({
      telegram: ['group:-1001'],
      email: ['li@example.org'],
      unreachable: null,
    })
    expect(view('大江镇')).toEqual({
      telegram: ['private:502'],
      email: ['wang@example.org'],
      unreachable: null,
    })
    expect(view('水步镇')).toEqual({ telegram: [], email: [], unreachable: 'no_channel' })
    expect(view('市公安局')).toEqual({ telegram: [], email: [], unreachable: 'no_liaison' })
  })

  it('skips what Telegram refused: a refused group falls back to private chats; a refused person keeps email', async () => {
    await bindChat(t.db, -1001, '台城街道')
    await t.db
      .update(chats)
      .set({ unreachableAt: now, unreachableReason: '403' })
      .where(eq(chats.telegramChatId, -1001))
    const li = await addPerson(t.db, {
      name: '李明',
      role: 'liaison',
      unit: '台城街道',
      email: 'li@example.org',
    })
    await bindTelegram(li.id, 501)
    const zhou = await addPerson(t.db, { name: '周华', role: 'liaison', unit: '台城街道' })
    await bindTelegram(zhou.id, 503)
    await t.db.update(people).set({ unreachableAt: now }).where(eq(people.id, zhou.id))
    const r = (await unitRecipients(t.db, [unit.get('台城街道')!])).get(unit.get('台城街道')!)!
    expect(r.telegram.map((x) => `${x.kind}:${x.recipient}`)).toEqual(['private:501'])
    expect(r.email.map((x) => x.recipient)).toEqual(['li@example.org'])
  })

  it('sends supervisors’ copies to their group and emails, or their private chats without a group', async () => {
    const a = await addPerson(t.db, { name: '张督办', role: 'supervisor', email: 'zhang@example.org' })
    await bindTelegram(a.id, 601)
    const b = await addPerson(t.db, { name: '刘督办', role: 'supervisor' })
    await bindTelegram(b.id, 602)
    const gone = await addPerson(t.db, { name: '赵督办', role: 'supervisor', email: 'zhao@example.org' })
    await t.db.update(people).set({ active: false }).where(eq(people.id, gone.id))
    await addPerson(t.db, { name: '陈管理', role: 'admin', email: 'admin@example.org' })
    const list = async () => (await supervisorRecipients(t.db)).map((r) => `${r.channel}:${r.recipient}`)
    expect(await list()).toEqual(['telegram:601', 'telegram:602', 'email:zhang@example.org'])
    await bindChat(t.db, -2000, 'supervisors')
    expect(await list()).toEqual(['telegram:-2000', 'email:zhang@example.org'])
  })

  it('writes a unit’s prompt once: a second decision adds no outbox row and no prompt row', async () => {
    await bindChat(t.db, -1001, '台城街道')
    await addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城街道', email: 'li@example.org' })
    const id = unit.get('台城街道')!
    const decide = () =>
      decideAndEnqueue(t.db, 'test', async (tx) =>
        enqueueUnitMessage(tx, {
          key: 'test:1',
          unitId: id,
          reach: (await unitRecipients(tx, [id])).get(id)!,
          template: 'notice',
          params: { title: '测试' },
          prompt: { taskIds: [], kind: 'test' },
          now,
        }),
      )
    // A prompt needs tasks: an empty list is a programming error, and nothing is written.
    await expect(decide()).rejects.toThrow('at least one task')
    expect(await t.db.select().from(deliveries)).toEqual([])

    const real = () =>
      decideAndEnqueue(t.db, 'test', async (tx) =>
        enqueueUnitMessage(tx, {
          key: 'test:1',
          unitId: id,
          reach: (await unitRecipients(tx, [id])).get(id)!,
          template: 'notice',
          params: { title: '测试' },
          prompt: { taskIds: [42], kind: 'test' },
          now,
        }),
      )
    expect(await real()).toBe(2)
    expect(await real()).toBe(0)
    const rows = await t.db.select().from(deliveries)
    expect(rows.map((r) => `${r.channel}:${r.recipient}`).sort()).toEqual([
      'email:li@example.org',
      'telegram:-1001',
    ])
    const [prompt, ...more] = await t.db.select().from(prompts)
    expect(more).toEqual([])
    expect([prompt!.taskIds, prompt!.kind, prompt!.createdAt.toISOString()]).toEqual([
      [42],
      'test',
      now.toISOString(),
    ])
    const tg = rows.find((r) => r.channel === 'telegram')!
    expect((tg.payload as { promptId?: number }).promptId).toBe(prompt!.id)
    expect(
      (rows.find((r) => r.channel === 'email')!.payload as { promptId?: number }).promptId,
    ).toBeUndefined()
  })
})
