/**
 * The bot's answers and the outbox share one Telegram budget: a flood of commands in a group
 * gets only its share of the group's messages per minute (the rest of the answers are dropped
 * and logged), the outbox's reminders into that group still go out, and nothing is answered 429.
 * The emulator enforces the limits; the group's minute is 8 messages here (Telegram's is 20) to
 * keep the test short, with the answers' headroom of 5 that leaves them 3.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { inArray } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { createLogger } from '../../src/log.ts'
import { deliveries } from '../../src/db/schema.ts'
import { enqueue } from '../../src/delivery/outbox.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import { redeemInvite } from '../../src/domain/invites.ts'
import { countByKey, notice } from '../delivery/harness.ts'
import { groups, NOW, seed, startHarness, TOKEN, users, type Harness } from './harness.ts'

const limits = { perSecond: 30, perChatPerSecond: 1, groupPerMinute: 8 }

describeDb('the bot’s answers in the shared rate budget', (t) => {
  let h: Harness
  const lines: { msg: string; chatId?: number }[] = []

  beforeAll(async () => {
    h = await startHarness(t.db, {
      logger: createLogger('warn', { write: (s: string) => void lines.push(JSON.parse(s)) }),
      pacing: { limits },
      limits: { perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 8 },
    })
  })
  afterAll(async () => {
    await h.stop()
  })

  it('a flood of commands in one group leaves the outbox its reminders there, and nothing meets a 429', async () => {
    const f = await seed(t.db)
    await redeemInvite(t.db, f.invites.liaison, users.liaison.id, NOW)
    const reminders = [1, 2, 3, 4].map((n) => notice(`flood-reminder-${n}`, groups.taicheng.id))
    await enqueue(t.db, reminders)

    for (let i = 0; i < 12; i++) h.emulator.sendText(users.liaison, groups.taicheng, '/help')
    // The flood is under way (its first answer is in) when the outbox starts on the group.
    await h.waitForCount(groups.taicheng.id, 1)
    const worker = createDeliveryWorker({
      db: t.db,
      config: {
        timezone: 'Asia/Shanghai',
        botToken: undefined,
        telegramApiRoot: h.emulator.apiRoot,
        smtpUrl: undefined,
        mailFrom: 'duban@localhost',
        dataDir: '/nonexistent',
      },
      logger: createLogger('silent'),
      telegram: createTelegramSender({ token: TOKEN, apiRoot: h.emulator.apiRoot, timeoutSeconds: 15 }),
      email: null,
      limits,
      idlePollMs: 50,
    })
    await worker.runUntilIdle()
    await h.settle()

    // Every reminder went out once, as its row says.
    const counts = countByKey(h.emulator)
    expect(reminders.map((r) => counts.get(r.key))).toEqual([1, 1, 1, 1])
    const rows = await t.db
      .select({ status: deliveries.status })
      .from(deliveries)
      .where(
        inArray(
          deliveries.key,
          reminders.map((r) => r.key),
        ),
      )
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent'])

    // The answers took at most their share of the group's minute; the rest were dropped and logged.
    const inGroup = h.emulator.sentMessages(groups.taicheng.id)
    const answers = inGroup.filter((m) => !m.visibleText.includes('key=flood-reminder-'))
    expect(answers.length).toBeGreaterThanOrEqual(1)
    expect(answers.length).toBeLessThanOrEqual(limits.groupPerMinute - 5)
    expect(lines.filter((l) => l.msg === 'answer dropped: no rate slot in time')).toHaveLength(
      12 - answers.length,
    )
    expect(inGroup.length).toBeLessThanOrEqual(limits.groupPerMinute)

    // Nothing was answered 429: the budget held for both.
    expect(h.emulator.violationsByKind).toEqual({ total: 0, token: 0, chat: 0, group: 0 })
    expect(h.emulator.calls('sendMessage').every((c) => c.code === 200)).toBe(true)
  })
})
