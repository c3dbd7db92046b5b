/** `duban chats bind|list`: Telegram groups bound to a unit or to the supervisors. */
import type { Command } from 'commander'
import { bindChat, listChats, parseTelegramChatId, type BoundChat } from '../../domain/chats.ts'
import { messages } from '../../i18n/index.ts'
import type { CliContext } from '../context.ts'
import { formatTable, printJson } from '../io.ts'
import { audited } from '../actor.ts'
import { chatState } from '../../domain/lifecycle.ts'
import { bilingual } from '../../errors.ts'

function chatJson(c: BoundChat) {
  return {
    telegramChatId: c.telegramChatId,
    purpose: c.purpose,
    unit: c.unitName,
    title: c.title,
    reachable: c.unreachableAt === null,
    unreachableReason: c.unreachableReason,
  }
}

export function registerChats(program: Command, ctx: CliContext): void {
  const chats = program.command('chats').description('Telegram groups bound to a unit or to the supervisors')

  chats
    .command('bind <chatId> <target>')
    .description('bind a Telegram group (its numeric id, e.g. -1001234567890) to a unit or to "supervisors"')
    .option('--title <title>', "the group's name, for listings")
    .option('--json', 'print the binding as JSON')
    .action(async (rawId: string, target: string, opts: { title?: string; json?: boolean }) => {
      const chatId = parseTelegramChatId(rawId)
      const chat = await audited(
        await ctx.db(),
        (tx) => bindChat(tx, chatId, target, { title: opts.title ?? null }),
        (c) => ({ action: 'chats.bind', target: `chat ${c.telegramChatId}`, after: chatState(c) }),
        ctx.now(),
      )
      if (opts.json) {
        printJson(ctx.output, chatJson(chat))
        return
      }
      ctx.output.out(
        bilingual('statusView', (t) =>
          t.cli.chatBound(chat.telegramChatId, chat.unitName ?? t.cli.supervisors),
        ),
      )
    })

  chats
    .command('list')
    .description('every bound chat')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await listChats(await ctx.db())
      if (opts.json) {
        printJson(ctx.output, list.map(chatJson))
        return
      }
      if (list.length === 0) {
        ctx.output.out(bilingual('statusView', (t) => t.cli.noChats))
        return
      }
      const v = messages('zh-CN').statusView.cli
      ctx.output.out(
        formatTable(
          v.chatsHeader,
          list.map((c) => [
            c.telegramChatId,
            c.purpose === 'unit' ? v.purposeUnit : v.purposeSupervisors,
            c.unitName ?? '',
            c.title ?? '',
            c.unreachableAt ? v.unreachable(c.unreachableReason ?? '') : v.reachable,
          ]),
        ),
      )
    })
}
