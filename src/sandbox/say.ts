/**
 * `duban sandbox say`: plays a person in the running sandbox. Sends their text to the emulator
 * (privately, or into a unit's or the supervisors' group), then collects what the bot answers in
 * that chat until it has been quiet for a moment, and returns it as plain text.
 */
import { readFile } from 'node:fs/promises'
import type { Db } from '../db/client.ts'
import { UserError } from '../errors.ts'
import { findPerson } from '../domain/people.ts'
import { findUnit, formatSuggestions } from '../domain/units.ts'
import { chatsOfUnit, supervisorChats } from '../domain/chats.ts'
import type { SentMessage } from './emulator/index.ts'
import { sandboxStateFile, type SandboxState } from './sandbox.ts'

export interface SayOptions {
  as: string
  chat?: string | undefined
  /** 'last' (the bot's latest message in that chat) or a message id. */
  reply?: string | undefined
  text: string
  quietMs?: number
  timeoutMs?: number
}

async function readState(dataDir: string): Promise<SandboxState> {
  try {
    return JSON.parse(await readFile(sandboxStateFile(dataDir), 'utf8')) as SandboxState
  } catch {
    throw new UserError(
      '沙盒未运行，请先执行 npm start / the sandbox is not running: start it with `npm start` first',
    )
  }
}

async function control<T>(apiRoot: string, action: string, body?: unknown, query = ''): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${apiRoot}/_emulator/${action}${query}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new UserError(
      '无法连接沙盒，请确认 npm start 仍在运行 / cannot reach the sandbox: is `npm start` still running?',
    )
  }
  const answer = (await res.json()) as { ok: boolean; result?: T; description?: string }
  if (!answer.ok)
    throw new UserError(`沙盒拒绝了请求 / the sandbox refused: ${answer.description ?? res.status}`)
  return answer.result as T
}

/** Telegram HTML as a terminal shows it. */
export function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
}

function render(m: SentMessage): string {
  const lines = [
    m.text ? plainText(m.text) : m.document ? `[文件 / file] ${m.document.file_name ?? ''}` : '[…]',
  ]
  const markup = m.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined
  for (const row of markup?.inline_keyboard ?? []) lines.push(row.map((b) => `[${b.text}]`).join(' '))
  return lines.join('\n')
}

export async function say(db: Db, dataDir: string, opts: SayOptions): Promise<string[]> {
  const state = await readState(dataDir)
  const person = await findPerson(db, opts.as)
  if (!person.telegramUserId)
    throw new UserError(`${person.name} 尚未绑定 Telegram / has no Telegram account bound`)
  let chatId = person.telegramUserId
  let chat: { id: number; type: 'private' | 'group'; title?: string } = { id: chatId, type: 'private' }
  if (opts.chat) {
    const target = opts.chat.trim()
    const bound = ['supervisors', '督办', '督办组', '督办群'].includes(target)
      ? await supervisorChats(db)
      : await (async () => {
          const m = await findUnit(db, target)
          if (m.kind === 'found') return chatsOfUnit(db, m.unit.id)
          const options = m.kind === 'ambiguous' ? m.candidates : m.suggestions
          throw new UserError(
            `找不到唯一的单位“${target}”/ no single unit matches “${target}”` +
              (options.length ? `；您是否指 / did you mean: ${formatSuggestions(options)}` : ''),
          )
        })()
    const first = bound[0]
    if (!first) throw new UserError(`“${target}”没有绑定的工作群 / has no bound group`)
    chatId = first.telegramChatId
    chat = { id: chatId, type: 'group', title: first.title ?? target }
  }

  const before = await control<SentMessage[]>(state.apiRoot, 'sentMessages', undefined, `?chatId=${chatId}`)
  let replyTo: number | undefined
  if (opts.reply) {
    if (opts.reply === 'last') {
      const last = before.filter((m) => !m.edited).at(-1)
      if (!last)
        throw new UserError(
          '该会话中还没有机器人的消息可回复 / the bot has sent nothing in that chat to reply to',
        )
      replyTo = last.message_id
    } else if (/^\d+$/.test(opts.reply)) replyTo = Number(opts.reply)
    else throw new UserError('--reply 需要 last 或消息编号 / --reply takes "last" or a message id')
  }
  const since = Math.max(0, ...before.map((m) => m.sentAt))
  await control(state.apiRoot, 'sendText', {
    from: {
      id: person.telegramUserId,
      first_name: person.name,
      language_code: person.locale === 'en' ? 'en' : 'zh-hans',
    },
    chat,
    text: opts.text,
    replyTo,
  })

  // Collect the bot's answers until it has been quiet for a moment.
  const quietMs = opts.quietMs ?? 1200
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  let seen: SentMessage[] = []
  let lastChange = Date.now()
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150))
    const now = await control<SentMessage[]>(
      state.apiRoot,
      'sentMessages',
      undefined,
      `?chatId=${chatId}&after=${since}`,
    )
    if (now.length !== seen.length) {
      seen = now
      lastChange = Date.now()
    } else if (seen.length > 0 && Date.now() - lastChange >= quietMs) break
  }
  return seen.map(render)
}
