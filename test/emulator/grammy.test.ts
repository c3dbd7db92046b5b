/**
 * grammY against the emulator over real HTTP, as the service will run: long polling with offsets,
 * commands, callback queries, uploads, commands menus, a second poller, webhooks and rate limits.
 */
import { createServer } from 'node:http'
import { Bot, GrammyError, InputFile, webhookCallback } from 'grammy'
import { afterEach, describe, expect, it } from 'vitest'
import { BotApiEmulator, type EmulatorOptions } from '../../src/sandbox/emulator/index.ts'
import { escapeHtml } from '../../src/telegram/html.ts'

const liaison = {
  id: 3001,
  first_name: '李',
  last_name: '联络员',
  username: 'li_liaison',
  language_code: 'zh-hans',
}
const supervisor = { id: 3002, first_name: '王', language_code: 'zh-hans' }
const unitGroup = { id: -100200300, title: '台城街道' }

let emulator: BotApiEmulator | undefined
const bots: Bot[] = []
/** Errors thrown inside bot handlers; every test expects none. */
let handlerErrors: string[] = []
afterEach(async () => {
  for (const b of bots.splice(0)) if (b.isRunning()) await b.stop()
  await emulator?.stop()
  emulator = undefined
  const errors = handlerErrors
  handlerErrors = []
  expect(errors).toEqual([])
})

function newBot(e: BotApiEmulator): Bot {
  const bot = new Bot('123456:TEST-token', { client: { apiRoot: e.apiRoot } })
  bot.catch((err) => void handlerErrors.push(err.message))
  bots.push(bot)
  return bot
}

async function setup(opts: EmulatorOptions = {}) {
  emulator = await BotApiEmulator.start(opts)
  return { e: emulator, bot: newBot(emulator) }
}

/** Starts long polling and resolves once the first getUpdates is waiting at the emulator. */
async function poll(e: BotApiEmulator, bot: Bot): Promise<{ running: Promise<void> }> {
  const since = Date.now()
  const running = bot.start({ timeout: 10 })
  await e.waitForCall('getUpdates', 5000, since)
  return { running }
}

describe('grammY over HTTP', () => {
  it('gets its identity from getMe', async () => {
    const { bot } = await setup()
    await bot.init()
    expect(bot.botInfo).toMatchObject({
      id: 7000000001,
      username: 'duban_sandbox_bot',
      first_name: '督办助手',
      is_bot: true,
    })
  })

  it('answers a command received by long polling, and confirms the offset on stop', async () => {
    const { e, bot } = await setup({ limits: { perChatPerSecond: 100 } })
    bot.command('start', (ctx) =>
      ctx.reply(
        `您好，<b>${escapeHtml(ctx.from?.first_name ?? '')}</b>！回复 <code>/status</code> 查看进度 &lt;示例&gt;`,
        {
          parse_mode: 'HTML',
        },
      ),
    )
    bot.on('message:text', (ctx) =>
      ctx.reply(`收到：${ctx.message.text}`, { reply_parameters: { message_id: ctx.message.message_id } }),
    )
    await poll(e, bot)
    e.sendText(liaison, { id: liaison.id }, '/start')
    const reply = await e.waitFor((sent) => sent.find((m) => m.chat_id === liaison.id))
    expect(reply.visibleText).toBe('您好，李！回复 /status 查看进度 <示例>')
    expect(reply.parse_mode).toBe('HTML')

    const m = e.sendText(liaison, { id: liaison.id }, '任务一 已完成 <80%> & 继续')
    const echo = await e.waitFor((sent) => sent.find((s) => s.reply_to_message_id === m.message_id))
    expect(echo.text).toBe('收到：任务一 已完成 <80%> & 继续')

    await bot.stop()
    expect(e.pendingUpdates).toBe(0)
    const offsets = e.calls('getUpdates').map((c) => c.params.offset)
    expect(offsets.at(-1)).toBe((m.updateId ?? 0) + 1)
  })

  it('does not lose updates that arrive while the bot is down', async () => {
    const { e, bot } = await setup({ limits: { perChatPerSecond: 100 } })
    bot.on('message:text', (ctx) => ctx.reply(`第一实例：${ctx.message.text}`))
    await poll(e, bot)
    e.sendText(liaison, { id: liaison.id }, 'a')
    await e.waitFor((sent) => sent.length === 1)
    await bot.stop()

    e.sendText(liaison, { id: liaison.id }, 'b')
    const second = newBot(e)
    second.on('message:text', (ctx) => ctx.reply(`第二实例：${ctx.message.text}`))
    await poll(e, second)
    await e.waitFor((sent) => sent.length === 2)
    expect(e.sentMessages().map((m) => m.text)).toEqual(['第一实例：a', '第二实例：b'])
  })

  it('handles an inline button press: callback answer and an edit in place', async () => {
    const { e, bot } = await setup({ limits: { perChatPerSecond: 100 } })
    bot.command('confirm', (ctx) =>
      ctx.reply('请确认任务二（三）1 已完成', {
        reply_markup: {
          inline_keyboard: [
            [
              { text: '确认', callback_data: 'done:42' },
              { text: '取消', callback_data: 'no:42' },
            ],
          ],
        },
      }),
    )
    bot.callbackQuery(/^done:(\d+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: '已记录' })
      await ctx.editMessageText(`已确认（${ctx.from.first_name}）`)
    })
    await poll(e, bot)
    e.sendText(liaison, unitGroup, '/confirm')
    const prompt = await e.waitFor((sent) => sent.find((m) => m.chat_id === unitGroup.id))
    expect(() => e.pressButton(supervisor, unitGroup.id, prompt.message_id, 'forged')).toThrow(/no button/)
    const { callbackQueryId } = e.pressButton(supervisor, unitGroup.id, prompt.message_id, 'done:42')
    const edited = await e.waitFor((sent) => sent.find((m) => m.edited))
    expect(edited).toMatchObject({ message_id: prompt.message_id, visibleText: '已确认（王）' })
    expect(edited.reply_markup).toBeUndefined()
    expect(e.callbackAnswers()).toEqual([{ callbackQueryId, text: '已记录' }])
    expect(e.sentMessages()).toHaveLength(1)
  })

  it('uploads documents and photos as multipart/form-data', async () => {
    const { e, bot } = await setup({ knownChats: [{ id: supervisor.id }], limits: { perChatPerSecond: 100 } })
    const csv = Buffer.from('单位,任务,进度\n台城街道,二（五）2,80%\n', 'utf8')
    const doc = await bot.api.sendDocument(supervisor.id, new InputFile(csv, '周报.csv'), {
      caption: '<b>本周汇总</b>',
      parse_mode: 'HTML',
    })
    expect(doc.caption).toBe('本周汇总')
    expect(doc.document?.file_name).toBe('周报.csv')
    const photo = await bot.api.sendPhoto(supervisor.id, new InputFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0])))
    expect(photo.photo?.[0]?.file_size).toBe(4)
    const sent = e.sentMessages(supervisor.id)
    expect(sent.map((m) => m.kind)).toEqual(['document', 'photo'])
    expect(sent[0]!.document!.data.toString('utf8')).toBe(csv.toString('utf8'))
    expect(sent[0]!.visibleText).toBe('本周汇总')
    expect(e.calls('sendDocument')[0]!.params.document).toEqual({ file_name: '周报.csv', size: csv.length })
    // A file_id is accepted as a reference.
    await bot.api.sendDocument(supervisor.id, doc.document.file_id)
    expect(e.sentMessages(supervisor.id)[2]!.document!.file_id).toBe(doc.document.file_id)
  })

  it('stores the command menu per scope and language', async () => {
    const { e, bot } = await setup()
    await bot.api.setMyCommands([
      { command: 'status', description: '查看进度' },
      { command: 'help', description: '帮助' },
    ])
    await bot.api.setMyCommands([{ command: 'status', description: 'Show progress' }], {
      language_code: 'en',
    })
    await bot.api.setMyCommands([{ command: 'digest', description: '周报' }], {
      scope: { type: 'chat', chat_id: -100200300 },
    })
    expect(e.commands()).toEqual({
      default: [
        { command: 'status', description: '查看进度' },
        { command: 'help', description: '帮助' },
      ],
      'default@en': [{ command: 'status', description: 'Show progress' }],
      'chat:-100200300': [{ command: 'digest', description: '周报' }],
    })
    expect(await bot.api.getMyCommands({ language_code: 'en' })).toEqual([
      { command: 'status', description: 'Show progress' },
    ])
    await bot.api.deleteMyCommands({ language_code: 'en' })
    expect(await bot.api.getMyCommands({ language_code: 'en' })).toEqual([])
    await expect(bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }])).rejects.toThrow(
      /BOT_COMMAND_INVALID/,
    )
  })

  it('a second polling instance takes over: the first stops with 409', async () => {
    const { e, bot } = await setup()
    const { running: first } = await poll(e, bot)
    const second = newBot(e)
    second.on('message:text', (ctx) => ctx.reply('second'))
    void second.start({ timeout: 10 })
    const err = await first.then(
      () => null,
      (x: unknown) => x,
    )
    expect(err).toBeInstanceOf(GrammyError)
    expect((err as GrammyError).error_code).toBe(409)
    e.sendText(liaison, { id: liaison.id }, 'hi')
    await e.waitFor((sent) => sent.find((m) => m.text === 'second'))
  })

  it('surfaces 403 and 429 to the caller as GrammyError with parameters', async () => {
    const { e, bot } = await setup({ knownChats: [{ id: liaison.id }] })
    await bot.api.sendMessage(liaison.id, '一')
    const tooFast = await bot.api.sendMessage(liaison.id, '二').catch((x: unknown) => x)
    expect(tooFast).toBeInstanceOf(GrammyError)
    expect((tooFast as GrammyError).error_code).toBe(429)
    expect((tooFast as GrammyError).parameters.retry_after).toBe(1)
    e.blockBot(liaison.id)
    const blocked = await bot.api.sendMessage(liaison.id, '三').catch((x: unknown) => x)
    expect((blocked as GrammyError).description).toBe('Forbidden: bot was blocked by the user')
    expect(e.sentMessages().map((m) => m.text)).toEqual(['一'])
  })
})

describe('grammY in webhook mode', () => {
  it('receives updates through webhookCallback with the secret token', async () => {
    const { e, bot } = await setup({ webhook: { retryMs: 20 } })
    bot.on('message:text', (ctx) => ctx.reply(`webhook：${ctx.message.text}`))
    const handle = webhookCallback(bot, 'http', { secretToken: 'hook_secret' })
    const server = createServer((req, res) => void handle(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
      await bot.init()
      await bot.api.setWebhook(url, { secret_token: 'hook_secret' })
      e.sendText(liaison, { id: liaison.id }, '已提交')
      const reply = await e.waitFor((sent) => sent.find((m) => m.chat_id === liaison.id))
      expect(reply.text).toBe('webhook：已提交')
      expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0)

      // With the wrong secret grammY refuses the update, so the emulator keeps retrying it.
      await bot.api.setWebhook(url, { secret_token: 'wrong_secret' })
      e.sendText(liaison, { id: liaison.id }, '被拒绝')
      await waitUntil(async () => (await bot.api.getWebhookInfo()).last_error_message !== undefined)
      expect((await bot.api.getWebhookInfo()).last_error_message).toMatch(
        /^Wrong response from the webhook: 401/,
      )
      expect(e.sentMessages()).toHaveLength(1)
      await bot.api.deleteWebhook()
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})

async function waitUntil(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
