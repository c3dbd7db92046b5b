/**
 * The emulator as a raw HTTP peer: what Telegram answers for bad HTML, long texts, limits, unknown
 * chats, blocked people, migrated groups, injected faults and getUpdates semantics.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BotApiEmulator, type EmulatorOptions } from '../../src/sandbox/emulator/index.ts'

const alice = { id: 1001, first_name: 'Alice', username: 'alice' }
const bob = { id: 1002, first_name: 'Bob' }
const group = { id: -4001, title: '城东街道' }

let emulator: BotApiEmulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function start(opts: EmulatorOptions = {}): Promise<BotApiEmulator> {
  emulator = await BotApiEmulator.start(opts)
  return emulator
}

type Msg = {
  message_id: number
  text?: string
  chat: { id: number; type: string; title?: string }
  entities?: unknown[]
  reply_to_message?: Msg
  migrate_to_chat_id?: number
  migrate_from_chat_id?: number
}
type Upd = { update_id: number; message: Msg }
type Answer<T> = {
  ok: boolean
  result: T
  error_code?: number
  description?: string
  parameters?: { retry_after?: number; migrate_to_chat_id?: number }
}

/** Calls a method with a JSON body; `T` is the shape of `result` the test reads. */
async function api<T = Msg>(
  e: BotApiEmulator,
  method: string,
  params: Record<string, unknown> = {},
  token = '123:abc',
): Promise<{ status: number; body: Answer<T> }> {
  const res = await fetch(`${e.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  })
  return { status: res.status, body: (await res.json()) as Answer<T> }
}

describe('sendMessage validation', () => {
  it('rejects unescaped HTML the way Telegram does and keeps nothing', async () => {
    const e = await start({ knownChats: [{ id: alice.id }] })
    const bad = ['<b>未闭合', '进度 < 50%', '<script>x</script>', 'R&D 科', '<b><i>x</b></i>']
    for (const text of bad) {
      const r = await api(e, 'sendMessage', { chat_id: alice.id, text, parse_mode: 'HTML' })
      expect(r.status, text).toBe(400)
      expect(r.body.description, text).toMatch(/^Bad Request: can't parse entities: /)
    }
    expect(e.sentMessages()).toEqual([])
    // Without parse_mode the same text is plain and fine.
    const plain = await api(e, 'sendMessage', { chat_id: alice.id, text: '进度 < 50% & <b>' })
    expect(plain.status).toBe(200)
    expect(plain.body.result.text).toBe('进度 < 50% & <b>')
  })

  it('accepts 4096 visible characters and rejects 4097, counting after entity parsing', async () => {
    const e = await start({ knownChats: [{ id: alice.id }], limits: { perChatPerSecond: 100 } })
    const ok = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: `<b>${'&amp;'.repeat(4096)}</b>`,
      parse_mode: 'HTML',
    })
    expect(ok.status).toBe(200)
    expect(ok.body.result.text).toBe('&'.repeat(4096))
    const long = await api(e, 'sendMessage', { chat_id: alice.id, text: 'x'.repeat(4097) })
    expect(long.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: message is too long' })
    const empty = await api(e, 'sendMessage', { chat_id: alice.id, text: ' <b> </b>\n', parse_mode: 'HTML' })
    expect(empty.body.description).toBe('Bad Request: message text is empty')
    expect(e.sentMessages()).toHaveLength(1)
    expect(e.sentMessages()[0]).toMatchObject({ text: `<b>${'&amp;'.repeat(4096)}</b>`, parse_mode: 'HTML' })
  })

  it('checks inline keyboards: callback_data must be 1–64 bytes', async () => {
    const e = await start({ knownChats: [{ id: alice.id }], limits: { perChatPerSecond: 100 } })
    const send = (data: string) =>
      api(e, 'sendMessage', {
        chat_id: alice.id,
        text: '请选择',
        reply_markup: { inline_keyboard: [[{ text: '完成', callback_data: data }]] },
      })
    expect((await send('x'.repeat(64))).status).toBe(200)
    expect((await send('办'.repeat(21))).status).toBe(200) // 63 bytes
    for (const data of ['x'.repeat(65), '办'.repeat(22), '']) {
      expect((await send(data)).body.description).toBe('Bad Request: BUTTON_DATA_INVALID')
    }
    const textOnly = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_markup: { inline_keyboard: [[{ text: 'no action' }]] },
    })
    expect(textOnly.status).toBe(400)
    const forceReply = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: '请回复进度',
      reply_markup: { force_reply: true, input_field_placeholder: '例如：已完成 80%' },
    })
    expect(forceReply.status).toBe(200)
    expect(e.sentMessages(alice.id).at(-1)?.reply_markup).toEqual({
      force_reply: true,
      input_field_placeholder: '例如：已完成 80%',
    })
  })

  it('replies only to messages that exist, unless allowed to send without the reply', async () => {
    const e = await start({ limits: { perChatPerSecond: 100 } })
    const m = e.sendText(alice, { id: alice.id }, '/start')
    const r = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: '你好',
      reply_parameters: { message_id: m.message_id },
    })
    expect(r.body.result.reply_to_message?.text).toBe('/start')
    expect(e.sentMessages(alice.id)[0]?.reply_to_message_id).toBe(m.message_id)
    const legacy = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: '旧参数',
      reply_to_message_id: m.message_id,
    })
    expect(legacy.status).toBe(200)
    const missing = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_parameters: { message_id: 999 },
    })
    expect(missing.body.description).toBe('Bad Request: message to be replied not found')
    const allowed = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_parameters: { message_id: 999, allow_sending_without_reply: true },
    })
    expect(allowed.status).toBe(200)
  })

  it('accepts form-encoded and query-string parameters with JSON-encoded objects', async () => {
    const e = await start({ knownChats: [{ id: alice.id }], limits: { perChatPerSecond: 100 } })
    const form = new URLSearchParams({
      chat_id: String(alice.id),
      text: '<i>表单</i>',
      parse_mode: 'HTML',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'a', callback_data: 'a' }]] }),
    })
    const res = await fetch(`${e.apiRoot}/bot1:x/sendmessage`, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    const q = await fetch(
      `${e.apiRoot}/bot1:x/sendMessage?chat_id=${alice.id}&text=${encodeURIComponent('查询')}`,
    )
    expect(q.status).toBe(200)
    expect(e.sentMessages().map((m) => m.visibleText)).toEqual(['表单', '查询'])
    expect(e.sentMessages()[0]?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'a', callback_data: 'a' }]],
    })
    expect(e.calls().map((c) => c.method)).toEqual(['sendMessage', 'sendMessage'])
  })
})

describe('who the bot may write to', () => {
  it('answers chat not found, 403 for people who never started the bot or blocked it', async () => {
    const e = await start({ limits: { perChatPerSecond: 100 } })
    expect((await api(e, 'sendMessage', { chat_id: 555, text: 'x' })).body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: chat not found',
    })
    // Bob spoke in a group, so Telegram knows him, but he never started the bot.
    e.sendText(bob, group, '大家好')
    const never = await api(e, 'sendMessage', { chat_id: bob.id, text: 'x' })
    expect(never.status).toBe(403)
    expect(never.body.description).toBe("Forbidden: bot can't initiate conversation with a user")
    expect((await api(e, 'sendMessage', { chat_id: group.id, text: '群消息' })).status).toBe(200)

    e.sendText(alice, { id: alice.id }, '/start')
    expect((await api(e, 'sendMessage', { chat_id: alice.id, text: '欢迎' })).status).toBe(200)
    e.blockBot(alice.id)
    const blocked = await api(e, 'sendMessage', { chat_id: alice.id, text: '提醒' })
    expect(blocked.body).toEqual({
      ok: false,
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    })
    // Writing to the bot again means she unblocked it.
    e.sendText(alice, { id: alice.id }, '/start')
    expect((await api(e, 'sendMessage', { chat_id: alice.id, text: '欢迎回来' })).status).toBe(200)
    expect(e.sentMessages().map((m) => m.visibleText)).toEqual(['群消息', '欢迎', '欢迎回来'])
  })

  it('knownChats lets the bot write first', async () => {
    const e = await start({
      knownChats: [
        { id: 2001, first_name: '张三' },
        { id: -5001, title: '督办组' },
      ],
    })
    expect((await api(e, 'sendMessage', { chat_id: 2001, text: 'a' })).status).toBe(200)
    expect((await api(e, 'sendMessage', { chat_id: -5001, text: 'b' })).status).toBe(200)
    expect((await api(e, 'getChat', { chat_id: -5001 })).body.result).toMatchObject({
      id: -5001,
      type: 'group',
      title: '督办组',
    })
  })

  it('a group that became a supergroup answers 400 with migrate_to_chat_id', async () => {
    const e = await start({ limits: { perChatPerSecond: 100 } })
    e.sendText(alice, group, '/bind')
    const newId = -1001234567890
    e.migrateGroup(group.id, newId)
    const old = await api(e, 'sendMessage', { chat_id: group.id, text: '提醒' })
    expect(old.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: newId },
    })
    const moved = await api(e, 'sendMessage', { chat_id: newId, text: '提醒' })
    expect(moved.body.result.chat).toEqual({ id: newId, type: 'supergroup', title: '城东街道' })
    const updates = (await api<Upd[]>(e, 'getUpdates')).body.result
    expect(
      updates.map((u) => u.message.migrate_to_chat_id ?? u.message.migrate_from_chat_id ?? u.message.text),
    ).toEqual(['/bind', newId, group.id])
  })

  it('leaveChat ends the membership: later sends get 403', async () => {
    const e = await start({ knownChats: [group], limits: { perChatPerSecond: 100 } })
    expect((await api(e, 'leaveChat', { chat_id: group.id })).body.result).toBe(true)
    const r = await api(e, 'sendMessage', { chat_id: group.id, text: 'x' })
    expect(r.body.description).toBe('Forbidden: bot is not a member of the group chat')
  })
})

describe('rate limits', () => {
  it('answers 429 with retry_after past the per-token budget and counts the violation', async () => {
    const e = await start({ knownChats: [1, 2, 3, 4].map((id) => ({ id })), limits: { perSecond: 3 } })
    const answers = []
    for (const id of [1, 2, 3, 4]) answers.push(await api(e, 'sendMessage', { chat_id: id, text: `#${id}` }))
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200])
    expect(answers[3]!.status).toBe(429)
    expect(answers[3]!.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    })
    expect(e.violations).toBe(1)
    expect(e.violationsByKind).toEqual({ total: 1, token: 1, chat: 0, group: 0 })
    expect(e.rateViolations()).toMatchObject([
      { chatId: 4, method: 'sendMessage', kinds: ['token'], retryAfter: 1 },
    ])
    expect(e.sentMessages(4)).toEqual([])
  })

  it('allows one message per second into a chat', async () => {
    const e = await start({ knownChats: [{ id: alice.id }] })
    expect((await api(e, 'sendMessage', { chat_id: alice.id, text: '1' })).status).toBe(200)
    const second = await api(e, 'sendMessage', { chat_id: alice.id, text: '2' })
    expect(second.status).toBe(429)
    expect(second.body.parameters?.retry_after).toBe(1)
    expect(e.violationsByKind.chat).toBe(1)
  })

  it('limits a group per minute, with retry_after up to a minute', async () => {
    const e = await start({ knownChats: [group], limits: { perGroupPerMinute: 2, perChatPerSecond: 100 } })
    expect((await api(e, 'sendMessage', { chat_id: group.id, text: '1' })).status).toBe(200)
    expect((await api(e, 'sendMessage', { chat_id: group.id, text: '2' })).status).toBe(200)
    const third = await api(e, 'sendMessage', { chat_id: group.id, text: '3' })
    expect(third.status).toBe(429)
    expect(third.body.parameters?.retry_after).toBeGreaterThan(50)
    expect(third.body.parameters?.retry_after).toBeLessThanOrEqual(60)
    expect(e.violationsByKind).toEqual({ total: 1, token: 0, chat: 0, group: 1 })
  })

  it('with enforce off delivers everything and only counts', async () => {
    const e = await start({ knownChats: [{ id: alice.id }], limits: { enforce: false } })
    for (const t of ['1', '2', '3'])
      expect((await api(e, 'sendMessage', { chat_id: alice.id, text: t })).status).toBe(200)
    expect(e.sentMessages()).toHaveLength(3)
    expect(e.violations).toBe(2)
  })
})

describe('getUpdates', () => {
  it('confirms updates below the offset, honours limit and negative offsets', async () => {
    const e = await start()
    for (const t of ['a', 'b', 'c', 'd']) e.sendText(alice, { id: alice.id }, t)
    const all = (await api<Upd[]>(e, 'getUpdates')).body.result
    expect(all.map((u) => u.message.text)).toEqual(['a', 'b', 'c', 'd'])
    const ids = all.map((u) => u.update_id)
    const fromThird = (await api<Upd[]>(e, 'getUpdates', { offset: ids[2], limit: 1 })).body.result
    expect(fromThird.map((u) => u.message.text)).toEqual(['c'])
    // a and b are confirmed and gone for good.
    expect((await api<Upd[]>(e, 'getUpdates')).body.result.map((u) => u.message.text)).toEqual(['c', 'd'])
    expect(
      (await api<Upd[]>(e, 'getUpdates', { offset: -1 })).body.result.map((u) => u.message.text),
    ).toEqual(['d'])
    expect((await api<Upd[]>(e, 'getUpdates')).body.result.map((u) => u.message.text)).toEqual(['d'])
    expect((await api(e, 'getUpdates', { offset: ids[3]! + 1 })).body.result).toEqual([])
    expect(e.pendingUpdates).toBe(0)
  })

  it('long-polls until an update arrives', async () => {
    const e = await start()
    const poll = api<Upd[]>(e, 'getUpdates', { timeout: 20 })
    await e.waitForCall('getUpdates')
    e.sendText(alice, { id: alice.id }, '进度 80%')
    const r = await poll
    expect(r.body.result.map((u) => u.message.text)).toEqual(['进度 80%'])
  })

  it('drops updates of types not in allowed_updates', async () => {
    const e = await start()
    e.sendText(alice, { id: alice.id }, 'hello')
    e.pushUpdate({
      callback_query: {
        id: 'q1',
        from: { id: alice.id, is_bot: false, first_name: 'A' },
        chat_instance: '1',
        data: 'x',
      },
    })
    const r = await api<Upd[]>(e, 'getUpdates', { allowed_updates: ['callback_query'] })
    expect(r.body.result.map((u) => Object.keys(u).sort())).toEqual([['callback_query', 'update_id']])
  })

  it('a second concurrent getUpdates terminates the waiting one with 409', async () => {
    const e = await start()
    const first = api(e, 'getUpdates', { timeout: 20 })
    await e.waitForCall('getUpdates')
    const second = api(e, 'getUpdates', { timeout: 0 })
    const [a, b] = await Promise.all([first, second])
    expect(a.status).toBe(409)
    expect(a.body.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    )
    expect(b.status).toBe(200)
  })
})

describe('protocol', () => {
  it('answers 404 for unknown methods and paths, 401 for a wrong token', async () => {
    const e = await start({ token: '42:right' })
    expect((await api(e, 'sendTelepathy', {}, '42:right')).body).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found: method not found',
    })
    expect((await api(e, 'getMe', {}, '42:wrong')).body).toEqual({
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    })
    expect((await api(e, 'getMe', {}, '42:right')).body.result).toMatchObject({
      id: 7000000001,
      is_bot: true,
      username: 'duban_sandbox_bot',
      first_name: '督办助手',
    })
    expect((await fetch(`${e.apiRoot}/elsewhere`)).status).toBe(404)
    expect(e.calls().map((c) => [c.method, c.code])).toEqual([
      ['sendTelepathy', 404],
      ['getMe', 401],
      ['getMe', 200],
    ])
  })

  it('edits bot messages in place; an edit without reply_markup removes the keyboard', async () => {
    const e = await start({ knownChats: [{ id: alice.id }] })
    const sent = await api(e, 'sendMessage', {
      chat_id: alice.id,
      text: '待确认',
      reply_markup: { inline_keyboard: [[{ text: '确认', callback_data: 'ok' }]] },
    })
    const id = sent.body.result.message_id
    const same = await api(e, 'editMessageText', {
      chat_id: alice.id,
      message_id: id,
      text: '待确认',
      reply_markup: { inline_keyboard: [[{ text: '确认', callback_data: 'ok' }]] },
    })
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/)
    const edited = await api(e, 'editMessageText', {
      chat_id: alice.id,
      message_id: id,
      text: '<b>已确认</b>',
      parse_mode: 'HTML',
    })
    expect(edited.body.result).toMatchObject({
      text: '已确认',
      entities: [{ type: 'bold', offset: 0, length: 3 }],
    })
    expect(e.sentMessages()).toHaveLength(1)
    expect(e.sentMessages()[0]).toMatchObject({ visibleText: '已确认', edited: true, editCount: 1 })
    expect(e.sentMessages()[0]!.reply_markup).toBeUndefined()
    const keyboard = { inline_keyboard: [[{ text: '撤销', callback_data: 'undo' }]] }
    await api(e, 'editMessageReplyMarkup', { chat_id: alice.id, message_id: id, reply_markup: keyboard })
    expect(e.sentMessages()[0]).toMatchObject({ visibleText: '已确认', reply_markup: keyboard, editCount: 2 })
    await api(e, 'editMessageReplyMarkup', { chat_id: alice.id, message_id: id })
    expect(e.sentMessages()[0]!.reply_markup).toBeUndefined()
    expect(
      (await api(e, 'editMessageText', { chat_id: alice.id, message_id: 99, text: 'x' })).body.description,
    ).toBe('Bad Request: message to edit not found')
  })
})

describe('fault injection', () => {
  it('fails the next calls with the given HTTP error, then recovers', async () => {
    const e = await start({ knownChats: [{ id: alice.id }] })
    e.failNext('sendMessage', { kind: 'http', code: 500 })
    e.failNext('sendMessage', { kind: 'http', code: 429, retryAfter: 7 })
    const a = await api(e, 'sendMessage', { chat_id: alice.id, text: 'x' })
    expect(a.body).toEqual({ ok: false, error_code: 500, description: 'Internal Server Error' })
    const b = await api(e, 'sendMessage', { chat_id: alice.id, text: 'x' })
    expect(b.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    })
    expect(e.violations).toBe(0)
    expect((await api(e, 'sendMessage', { chat_id: alice.id, text: 'ok' })).status).toBe(200)
    expect(e.sentMessages().map((m) => m.text)).toEqual(['ok'])
    expect(e.calls('sendMessage').map((c) => [c.code, c.fault])).toEqual([
      [500, 'http'],
      [429, 'http'],
      [200, undefined],
    ])
  })

  it("'*' fails any method; a 403 fault carries the blocked description", async () => {
    const e = await start()
    e.failNext('*', { kind: 'http', code: 403 }, 2)
    expect((await api(e, 'getMe')).body.description).toBe('Forbidden: bot was blocked by the user')
    expect((await api(e, 'getWebhookInfo')).status).toBe(403)
    expect((await api(e, 'getMe')).status).toBe(200)
  })

  it('drop closes the connection and changes nothing; drop-after-accept sends and then closes', async () => {
    const e = await start({ knownChats: [{ id: alice.id }], limits: { perChatPerSecond: 100 } })
    e.failNext('sendMessage', { kind: 'drop' })
    await expect(api(e, 'sendMessage', { chat_id: alice.id, text: '丢失' })).rejects.toThrow()
    expect(e.sentMessages()).toEqual([])
    e.failNext('sendMessage', { kind: 'drop-after-accept' })
    await expect(api(e, 'sendMessage', { chat_id: alice.id, text: '已送达但无回应' })).rejects.toThrow()
    expect(e.sentMessages().map((m) => m.text)).toEqual(['已送达但无回应'])
    expect(e.calls('sendMessage').map((c) => [c.code, c.fault])).toEqual([
      [null, 'drop'],
      [null, 'drop-after-accept'],
    ])
  })

  it('reset clears messages, calls, faults and counts but keeps the chats', async () => {
    const e = await start({ knownChats: [{ id: alice.id }] })
    await api(e, 'sendMessage', { chat_id: alice.id, text: '1' })
    await api(e, 'sendMessage', { chat_id: alice.id, text: '2' })
    e.failNext('getMe', { kind: 'http', code: 500 })
    e.reset()
    expect([e.sentMessages(), e.calls(), e.violations]).toEqual([[], [], 0])
    expect((await api(e, 'getMe')).status).toBe(200)
    expect((await api(e, 'sendMessage', { chat_id: alice.id, text: '3' })).status).toBe(200)
  })
})

describe('webhook', () => {
  it('posts updates with the secret header, retries failures, and blocks getUpdates while set', async () => {
    const { createServer } = await import('node:http')
    const received: { secret: string | undefined; body: Upd }[] = []
    let failFirst = true
    const server = createServer((req, res) => {
      let data = ''
      req.on('data', (c: Buffer) => (data += c.toString()))
      req.on('end', () => {
        if (failFirst) {
          failFirst = false
          res.writeHead(500).end()
          return
        }
        received.push({
          secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined,
          body: JSON.parse(data),
        })
        res.writeHead(200).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`
    try {
      const e = await start({ webhook: { retryMs: 20 } })
      expect((await api(e, 'setWebhook', { url, secret_token: 's3cr3t-token_1' })).body.result).toBe(true)
      e.sendText(alice, { id: alice.id }, '第一条')
      e.sendText(alice, { id: alice.id }, '第二条')
      await waitUntil(() => received.length === 2)
      expect(received.map((r) => [r.secret, r.body.message.text])).toEqual([
        ['s3cr3t-token_1', '第一条'],
        ['s3cr3t-token_1', '第二条'],
      ])
      const info = (await api(e, 'getWebhookInfo')).body.result
      expect(info).toMatchObject({
        url,
        pending_update_count: 0,
        last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
      })
      const conflict = await api(e, 'getUpdates')
      expect(conflict.status).toBe(409)
      expect(conflict.body.description).toMatch(
        /^Conflict: can't use getUpdates method while webhook is active/,
      )
      await api(e, 'deleteWebhook')
      e.sendText(alice, { id: alice.id }, '第三条')
      expect((await api<Upd[]>(e, 'getUpdates')).body.result.map((u) => u.message.text)).toEqual(['第三条'])
      expect((await api(e, 'setWebhook', { url, secret_token: 'bad token!' })).body.description).toBe(
        'Bad Request: secret token contains unallowed characters',
      )
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})

describe('webhook reply', () => {
  it('runs a method the webhook answers with, as Telegram does', async () => {
    const { createServer } = await import('node:http')
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            method: 'sendMessage',
            chat_id: alice.id,
            text: '<i>直接回复</i>',
            parse_mode: 'HTML',
          }),
        )
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const e = await start()
      await api(e, 'setWebhook', { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })
      e.sendText(alice, { id: alice.id }, '/start')
      const reply = await e.waitFor((sent) => sent[0])
      expect(reply).toMatchObject({ chat_id: alice.id, visibleText: '直接回复' })
      // Its answer goes nowhere, but the call is logged with it.
      expect(await e.waitFor(() => e.calls('sendMessage')[0]?.code ?? undefined)).toBe(200)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
