/** The people's side of the emulator: what users do and what reaches the bot. */
import { afterEach, describe, expect, it } from 'vitest'
import { BotApiEmulator, type EmulatorOptions } from '../../src/sandbox/emulator/index.ts'

const liaison = { id: 5001, first_name: '陈', username: 'chen_unit' }
const stranger = { id: 5002, first_name: '路人' }
const group = { id: -6001, title: '水步镇' }

let emulator: BotApiEmulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function start(opts: EmulatorOptions = {}) {
  emulator = await BotApiEmulator.start({ limits: { perChatPerSecond: 100 }, ...opts })
  return emulator
}

type Msg = { message_id: number; text?: string; edit_date?: number; new_chat_members?: unknown[] }
type ChatMemberUpdate = {
  chat: unknown
  old_chat_member: { status: string }
  new_chat_member: { status: string }
}
type Update = { update_id: number; message?: Msg; edited_message?: Msg; my_chat_member?: ChatMemberUpdate }

async function call<T = Record<string, unknown>>(
  e: BotApiEmulator,
  method: string,
  params: Record<string, unknown> = {},
) {
  const res = await fetch(`${e.apiRoot}/bot1:t/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  })
  return (await res.json()) as { ok: boolean; result: T; description?: string }
}

const updates = async (e: BotApiEmulator) => (await call<Update[]>(e, 'getUpdates')).result

describe('people', () => {
  it('marks commands and mentions in what people write, as Telegram does', async () => {
    const e = await start()
    const m = e.sendText(liaison, { id: liaison.id }, '/start abc123 @duban_sandbox_bot see https://e.cn/x')
    expect(m.message.entities).toEqual([
      { type: 'bot_command', offset: 0, length: 6 },
      { type: 'mention', offset: 14, length: 18 },
      { type: 'url', offset: 37, length: 14 },
    ])
    expect(m.message.chat).toEqual({
      id: liaison.id,
      type: 'private',
      first_name: '陈',
      username: 'chen_unit',
    })
    expect((await updates(e)).map((u) => u.update_id)).toEqual([m.updateId])
  })

  it('delivers an edit as edited_message', async () => {
    const e = await start()
    const m = e.sendText(liaison, group, '进行中 60%')
    e.editText(group.id, m.message_id, '进行中 70%')
    const [first, edited] = await updates(e)
    expect(first!.message?.text).toBe('进行中 70%') // the stored message is the same object, now edited
    expect(edited!.edited_message).toMatchObject({ message_id: m.message_id, text: '进行中 70%' })
    expect(typeof edited!.edited_message?.edit_date).toBe('number')
    expect(() => e.editText(group.id, 999, 'x')).toThrow(/not found/)
  })

  it('with group privacy on, hands the bot only commands, replies to it and mentions', async () => {
    const e = await start({ groupPrivacy: true })
    expect(e.sendText(liaison, group, '大家好').updateId).toBeNull()
    expect(e.sendText(liaison, group, '/status').updateId).not.toBeNull()
    expect(e.sendText(liaison, group, '问一下 @duban_sandbox_bot').updateId).not.toBeNull()
    const prompt = await call<Msg>(e, 'sendMessage', { chat_id: group.id, text: '请回复本周进度' })
    expect(
      e.sendText(liaison, group, '已完成', { replyTo: prompt.result.message_id }).updateId,
    ).not.toBeNull()
    expect((await call(e, 'getMe')).result.can_read_all_group_messages).toBe(false)
    // An administrator bot sees everything.
    e.setMemberStatus(group.id, 7000000001, 'administrator')
    expect(e.sendText(liaison, group, '闲聊').updateId).not.toBeNull()
    expect((await updates(e)).map((u) => u.message?.text)).toEqual([
      '/status',
      '问一下 @duban_sandbox_bot',
      '已完成',
      '闲聊',
    ])
  })

  it('adding the bot to a group delivers my_chat_member and new_chat_members, and opens the group', async () => {
    const e = await start()
    const fresh = { id: -6002, title: '赤溪镇' }
    expect((await call(e, 'sendMessage', { chat_id: fresh.id, text: 'x' })).description).toBe(
      'Bad Request: chat not found',
    )
    e.addBotToGroup(liaison, fresh)
    const [member, joined] = await updates(e)
    expect(member!.my_chat_member).toMatchObject({
      chat: { id: fresh.id, type: 'group', title: '赤溪镇' },
      old_chat_member: { status: 'left' },
      new_chat_member: { status: 'member', user: { id: 7000000001, is_bot: true } },
    })
    expect(joined!.message?.new_chat_members).toEqual([
      { id: 7000000001, is_bot: true, first_name: '督办助手', username: 'duban_sandbox_bot' },
    ])
    expect((await call(e, 'sendMessage', { chat_id: fresh.id, text: '已加入' })).ok).toBe(true)
  })

  it('blocking the bot delivers my_chat_member kicked', async () => {
    const e = await start()
    e.sendText(liaison, { id: liaison.id }, '/start')
    e.blockBot(liaison.id)
    const all = await updates(e)
    expect(all.at(-1)!.my_chat_member?.new_chat_member).toMatchObject({ status: 'kicked' })
    expect((await call(e, 'getChatMember', { chat_id: liaison.id, user_id: 7000000001 })).result.status).toBe(
      'kicked',
    )
  })

  it('answers getChat and getChatMember from what it has seen', async () => {
    const e = await start()
    e.sendText(liaison, group, 'hi')
    e.sendText(stranger, { id: stranger.id }, '/start')
    expect((await call(e, 'getChatMember', { chat_id: group.id, user_id: liaison.id })).result).toEqual({
      user: { id: liaison.id, is_bot: false, first_name: '陈', username: 'chen_unit' },
      status: 'member',
    })
    expect((await call(e, 'getChatMember', { chat_id: group.id, user_id: stranger.id })).result.status).toBe(
      'left',
    )
    e.setMemberStatus(group.id, liaison.id, 'administrator')
    expect((await call(e, 'getChatMember', { chat_id: group.id, user_id: liaison.id })).result.status).toBe(
      'administrator',
    )
    expect((await call(e, 'getChatMember', { chat_id: group.id, user_id: 999 })).description).toBe(
      'Bad Request: user not found',
    )
    expect((await call(e, 'getChat', { chat_id: liaison.id })).description).toBe(
      "Forbidden: bot can't initiate conversation with a user",
    )
    expect((await call(e, 'getChat', { chat_id: stranger.id })).result).toMatchObject({
      id: stranger.id,
      type: 'private',
    })
  })

  it('assigns its own update_id to pushed raw updates, and lets a pushed callback query be answered once', async () => {
    const e = await start()
    const id = e.pushUpdate({
      update_id: 1,
      callback_query: {
        id: 'forged-1',
        from: { id: 9, is_bot: false, first_name: 'x' },
        chat_instance: '1',
        data: 'x'.repeat(80),
      },
    })
    const [u] = await updates(e)
    expect(u!.update_id).toBe(id)
    expect((await call(e, 'answerCallbackQuery', { callback_query_id: 'forged-1', text: '无效' })).ok).toBe(
      true,
    )
    expect((await call(e, 'answerCallbackQuery', { callback_query_id: 'forged-1' })).description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    )
    expect(e.callbackAnswers()).toEqual([{ callbackQueryId: 'forged-1', text: '无效' }])
  })

  it('deleteMessage removes a bot message', async () => {
    const e = await start({ knownChats: [{ id: liaison.id }] })
    const sent = await call<Msg>(e, 'sendMessage', { chat_id: liaison.id, text: '临时' })
    expect(
      (await call(e, 'deleteMessage', { chat_id: liaison.id, message_id: sent.result.message_id })).result,
    ).toBe(true)
    expect(e.sentMessages()[0]!.deleted).toBe(true)
    expect(
      (await call(e, 'deleteMessage', { chat_id: liaison.id, message_id: sent.result.message_id }))
        .description,
    ).toBe('Bad Request: message to delete not found')
  })

  it('with control on, serves the people’s side over HTTP for another process', async () => {
    const e = await start({ control: true })
    const post = (action: string, body: unknown) =>
      fetch(`${e.apiRoot}/_emulator/${action}`, { method: 'POST', body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ ok: boolean; result: { message: Msg }; description?: string }>,
      )
    const said = await post('sendText', { from: liaison, chat: { id: liaison.id }, text: '/start' })
    expect(said.result.message.text).toBe('/start')
    const since = Date.now() - 1
    await call(e, 'sendMessage', { chat_id: liaison.id, text: '欢迎' })
    const list = (await fetch(`${e.apiRoot}/_emulator/sentMessages?chatId=${liaison.id}&after=${since}`).then(
      (r) => r.json(),
    )) as { result: { visibleText: string }[] }
    expect(list.result.map((m) => m.visibleText)).toEqual(['欢迎'])
    expect(
      (await post('pressButton', { from: liaison, chatId: liaison.id, messageId: 2, callbackData: 'x' })).ok,
    ).toBe(false)

    // Without control the routes do not exist.
    const plain = await BotApiEmulator.start()
    try {
      expect((await fetch(`${plain.apiRoot}/_emulator/sentMessages`)).status).toBe(404)
    } finally {
      await plain.stop()
    }
  })
})
