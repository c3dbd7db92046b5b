/**
 * Replies to prompts. A message that replies to one of the bot's prompts, from a liaison of the
 * prompt's unit (or a supervisor/admin), is read as a status: a prompt about one task takes a
 * plain reply (`进行中 60%`); a prompt about several takes numbered items (`1 已完成；3 进行中
 * 60%`), and a plain reply to it gets a question back and records nothing. Each recorded item
 * is confirmed in one line. A reply that is not understood is kept as a note and answered with
 * the accepted forms. An edited reply updates the record (the history keeps both). A reply to
 * one of the bot's messages that is not a prompt is told so and changes nothing; replies to
 * other people's messages are group chatter and are left alone.
 */
import { Composer } from 'grammy'
import type { Message } from 'grammy/types'
import { eq } from 'drizzle-orm'
import type { Db } from '../src/db/client.ts'
import { units } from '../src/db/schema.ts'
import {
  MAX_NOTE_CHARS,
  parseStatusReply,
  formatStatus,
  type ParsedStatus,
} from '../src/domain/status-reply.ts'
import { keepNote, recordEditedStatus, recordStatus, type StatusSource } from '../src/domain/reports.ts'
import { type Prompt } from '../src/domain/prompts.ts'
import { type BotContext, clip, logRefusal, planToday, refuse, replyHtml } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import type { PromptTask, PromptWithTasks } from '../src/telegram/lookups.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { mayAnswerFor } from '../src/domain/leaves.ts'
import type { DoneOutcome } from '../src/domain/reviews.ts'
import { reportDone } from '../src/delivery/loop-notify.ts'

export type { PromptTask }

/**
 * The unit's name, for confirmations and refusals: usually known already (the group's unit or
 * the liaison's own), else read from the roster.
 */
export async function unitNameOf(ctx: BotContext, unitId: number): Promise<string> {
  if (ctx.boundChat?.unitId === unitId && ctx.boundChat.unitName) return ctx.boundChat.unitName
  if (ctx.person?.unitId === unitId && ctx.person.unitName) return ctx.person.unitName
  const [row] = await ctx.deps.db.select({ name: units.name }).from(units).where(eq(units.id, unitId))
  return row?.name ?? `#${unitId}`
}

/** `已记录：台城街道 · 开展涉企乱罚款专项整治 → 进行中 80%` (escaped HTML). */
export function confirmationLine(
  ctx: BotContext,
  unit: string,
  task: PromptTask,
  status: ParsedStatus,
  updated = false,
): string {
  const state = escapeHtml(clip(formatStatus(status, ctx.locale), 200))
  const [u, title] = [escapeHtml(clip(unit, 60)), escapeHtml(clip(task.title))]
  return updated ? ctx.t.replies.updated(u, title, state) : ctx.t.replies.recorded(u, title, state)
}

export interface RecordItem {
  task: PromptTask
  status: ParsedStatus
}

/**
 * Records several items of one prompt all or nothing (a task no longer assigned to the unit
 * refuses the whole reply). Returns the confirmation, or the refusal text.
 */
export async function recordPromptItems(
  ctx: BotContext,
  prompt: Prompt,
  items: RecordItem[],
  source: StatusSource,
  message: { chatId: number; messageId: number | null; rawText: string | null },
): Promise<{ ok: true; text: string } | { ok: false; text: string }> {
  const { db, now } = ctx.deps
  const at = now()
  const unit = await unitNameOf(ctx, prompt.unitId)
  const outcomes: DoneOutcome[] = []
  const record = async (tx: Db, { task, status }: RecordItem) => {
    const report = await recordStatus(tx, {
      taskId: task.id,
      unitId: prompt.unitId,
      state: status.state,
      progress: status.progress,
      note: status.note,
      personId: ctx.person?.id ?? null,
      source,
      promptId: prompt.id,
      telegramChatId: message.chatId,
      telegramMessageId: message.messageId,
      rawText: message.rawText,
      now: at,
    })
    // 已完成 moves the 督办 loop on (待审核 or 已办结) with the report, in one transaction.
    if (status.state === 'done')
      outcomes.push(
        await reportDone(tx, {
          taskId: task.id,
          unitId: prompt.unitId,
          reportId: report.id,
          personId: ctx.person?.id ?? null,
          now: at,
          telegramChatId: message.chatId,
          telegramMessageId: message.messageId,
        }),
      )
  }
  try {
    // Several items, or a 已完成 (report and loop step), are all or nothing.
    if (items.length === 1 && items[0]!.status.state !== 'done') await record(db, items[0]!)
    else
      await db.transaction(async (tx) => {
        for (const item of items) await record(tx, item)
      })
  } catch (err) {
    if (err instanceof LocalizedUserError) {
      logRefusal(ctx, 'task_not_assigned', { promptId: prompt.id })
      return { ok: false, text: ctx.t.replies.promptGone }
    }
    throw err
  }
  ctx.deps.logger.info(
    { personId: ctx.person?.id, unitId: prompt.unitId, promptId: prompt.id, items: items.length, source },
    'status recorded',
  )
  const lines = items.map((i) => confirmationLine(ctx, unit, i.task, i.status))
  if (outcomes.includes('awaiting_review')) lines.push(ctx.texts.loop.review.submitted)
  else if (outcomes.includes('closed')) lines.push(ctx.texts.loop.review.closed)
  return { ok: true, text: lines.join('\n') }
}

/** Text of a message (or its caption); '' for stickers and the like. */
function messageText(msg: Message): string {
  return msg.text ?? msg.caption ?? ''
}

/** The prompt a message replies to, or null (not a reply to the bot, or not a prompt). */
async function repliedPrompt(
  ctx: BotContext,
  msg: Message,
): Promise<PromptWithTasks | 'not_a_prompt' | null> {
  const target = msg.reply_to_message
  if (!target || target.from?.id !== ctx.me.id) return null
  return (await ctx.lookups.prompt(msg.chat.id, target.message_id)) ?? 'not_a_prompt'
}

/** Decides what a reply means for the prompt: items to record, or a question back. */
function readReply(
  ctx: BotContext,
  prompt: Prompt,
  tasks: (PromptTask | null)[],
  text: string,
): { items: RecordItem[] } | { question: string } {
  // The answer to "what is blocking it?": the whole text is the reason.
  if (prompt.kind === 'reason') {
    const task = tasks[0]
    if (!task) return { question: ctx.t.replies.promptGone }
    const parsed = parseStatusReply(text)
    // A state after all (`已完成`, `有困难：缺经费`) counts as written; a bare `有困难` asks again.
    if (parsed.kind === 'single' && (parsed.status.state !== 'blocked' || parsed.status.note))
      return { items: [{ task, status: parsed.status }] }
    const reason = [...text.trim()].slice(0, MAX_NOTE_CHARS).join('')
    if (!reason || parsed.kind === 'single')
      return { question: ctx.t.report.askReason(escapeHtml(clip(task.title))) }
    return { items: [{ task, status: { state: 'blocked', progress: null, note: reason } }] }
  }
  const parsed = parseStatusReply(text)
  if (parsed.kind === 'unknown') return { question: ctx.t.replies.notUnderstood }
  if (parsed.kind === 'single') {
    if (tasks.length !== 1) return { question: ctx.t.replies.needNumbers(tasks.length) }
    const task = tasks[0]
    if (!task) return { question: ctx.t.replies.promptGone }
    return { items: [{ task, status: parsed.status }] }
  }
  const items: RecordItem[] = []
  for (const { n, status } of parsed.items) {
    if (n < 1 || n > tasks.length)
      return { question: `${ctx.t.replies.badNumber(n, tasks.length)}\n${ctx.t.replies.notUnderstood}` }
    const task = tasks[n - 1]
    if (!task) return { question: ctx.t.replies.promptGone }
    items.push({ task, status })
  }
  return { items }
}

async function keepAsNote(ctx: BotContext, prompt: Prompt, msg: Message, text: string): Promise<void> {
  if (!text.trim()) return
  await keepNote(ctx.deps.db, {
    unitId: prompt.unitId,
    personId: ctx.person?.id ?? null,
    promptId: prompt.id,
    text,
    telegramChatId: msg.chat.id,
    telegramMessageId: msg.message_id,
    now: ctx.deps.now(),
  })
}

/** Checks the replier may report for the prompt's unit; answers and logs when not. */
async function authorized(ctx: BotContext, prompt: Prompt): Promise<boolean> {
  if (!ctx.person) {
    await refuse(ctx, ctx.t.refusals.notRegistered, 'stranger_reply', { promptId: prompt.id })
    return false
  }
  if (!(await mayAnswerFor(ctx.deps.db, ctx.person, prompt.unitId, planToday(ctx)))) {
    const unit = await unitNameOf(ctx, prompt.unitId)
    await refuse(ctx, ctx.t.refusals.notForUnit(escapeHtml(unit)), 'reply_other_unit', {
      promptId: prompt.id,
      unitId: prompt.unitId,
    })
    return false
  }
  return true
}

const composer = new Composer<BotContext>()

composer.on('message', async (ctx, next) => {
  const msg = ctx.message
  const found = await repliedPrompt(ctx, msg)
  if (found === null) return next()
  if (found === 'not_a_prompt') {
    // Commands that happen to reply to the bot are still commands.
    if (msg.entities?.some((e) => e.type === 'bot_command' && e.offset === 0)) return next()
    if (!ctx.person) return refuse(ctx, ctx.t.refusals.notRegistered, 'stranger_reply')
    logRefusal(ctx, 'reply_not_a_prompt')
    await replyHtml(ctx, ctx.t.replies.notAPrompt)
    return
  }
  const { prompt, tasks } = found
  if (!(await authorized(ctx, prompt))) return
  const text = messageText(msg)
  const reading = readReply(ctx, prompt, tasks, text)
  if ('question' in reading) {
    await keepAsNote(ctx, prompt, msg, text)
    logRefusal(ctx, 'reply_not_understood', { promptId: prompt.id })
    await replyHtml(ctx, reading.question)
    return
  }
  const result = await recordPromptItems(ctx, prompt, reading.items, 'telegram', {
    chatId: msg.chat.id,
    messageId: msg.message_id,
    rawText: text,
  })
  await replyHtml(ctx, result.text)
})

composer.on('edited_message', async (ctx) => {
  const msg = ctx.editedMessage
  const found = await repliedPrompt(ctx, msg)
  // Edits of anything but a reply to a prompt change nothing and need no answer.
  if (found === null || found === 'not_a_prompt') return
  const { prompt, tasks } = found
  if (!(await authorized(ctx, prompt))) return
  const text = messageText(msg)
  const reading = readReply(ctx, prompt, tasks, text)
  if ('question' in reading) {
    await keepAsNote(ctx, prompt, msg, text)
    logRefusal(ctx, 'edit_not_understood', { promptId: prompt.id })
    await replyHtml(ctx, reading.question)
    return
  }
  const { db, now } = ctx.deps
  const at = now()
  const unit = await unitNameOf(ctx, prompt.unitId)
  const lines: string[] = []
  const fresh: RecordItem[] = []
  for (const item of reading.items) {
    const report = await recordEditedStatus(db, msg.chat.id, msg.message_id, item.status, at, {
      taskId: item.task.id,
      rawText: text,
    })
    // The original message recorded nothing for this task (it was not understood): record it now.
    if (report === null) fresh.push(item)
    else lines.push(confirmationLine(ctx, unit, item.task, item.status, true))
  }
  if (fresh.length > 0) {
    const result = await recordPromptItems(ctx, prompt, fresh, 'telegram', {
      chatId: msg.chat.id,
      messageId: msg.message_id,
      rawText: text,
    })
    lines.push(result.text)
  }
  ctx.deps.logger.info(
    { personId: ctx.person?.id, promptId: prompt.id, items: reading.items.length },
    'status edited',
  )
  await replyHtml(ctx, lines.join('\n'))
})

export { composer as statusReplyFeature }
