/**
 * 佐证材料 by Telegram: a photo or a document (or an album of them) from a liaison, as a reply to
 * a prompt or reminder, or with a caption naming the task (`二（五）4 已完成 清理报告见附件`, or the
 * number from /tasks). A status in the caption is recorded with the file (已完成 then goes to
 * review with the file on the card). A file whose task cannot be told gets a question with the
 * unit's open tasks as buttons, never a silent drop. Files over Telegram's 20 MB bot limit, from
 * someone not of the unit, or naming another unit's task are refused and nothing is kept.
 *
 * The download is tried a few times; if it never arrives the liaison is told, and the report
 * stays recorded either way.
 */
import { Composer, InlineKeyboard } from 'grammy'
import type { Message } from 'grammy/types'
import type { Db } from '../src/db/client.ts'
import {
  albumTask,
  evidenceDownloadFailed,
  evidenceStore,
  fileEvidenceUnder,
  MAX_EVIDENCE_BYTES,
  receiveEvidence,
  storeEvidenceBytes,
  type IncomingFile,
} from '../src/domain/evidence.ts'
import { leadingTaskRef, loopAssignment, taskByRef } from '../src/domain/loop.ts'
import { LocalizedUserError } from '../src/errors.ts'
import type { DoneOutcome } from '../src/domain/reviews.ts'
import { forwardEvidenceToReview, reportDone } from '../src/delivery/loop-notify.ts'
import { parseStatusReply, type ParsedStatus } from '../src/domain/status-reply.ts'
import { openTasksOfUnit } from '../src/domain/status-view.ts'
import { recordStatus } from '../src/domain/reports.ts'
import { downloadTelegramFile } from '../src/telegram/files.ts'
import { mayAnswerFor, standsForUnit } from '../src/domain/leaves.ts'
import { decodeLoopButton, encodeLoopButton } from '../src/telegram/loop-buttons.ts'
import { type BotContext, clip, planToday, refuse, replyHtml, viewMoment } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'
import { confirmationLine, unitNameOf } from './status-reply.ts'

/** Download attempts, and the pause before each retry (bounded: the chat waits meanwhile). */
const RETRY_DELAYS_MS = [300, 1000]

const composer = new Composer<BotContext>()

function incomingFile(msg: Message): IncomingFile | null {
  const common = {
    mediaGroupId: msg.media_group_id ?? null,
    caption: msg.caption ?? null,
  }
  if (msg.document)
    return {
      kind: 'document',
      fileId: msg.document.file_id,
      fileUniqueId: msg.document.file_unique_id,
      fileName: msg.document.file_name ?? null,
      claimedType: msg.document.mime_type ?? null,
      size: msg.document.file_size ?? null,
      ...common,
    }
  const photo = msg.photo?.at(-1)
  if (photo)
    return {
      kind: 'photo',
      fileId: photo.file_id,
      fileUniqueId: photo.file_unique_id,
      fileName: `photo-${msg.message_id}.jpg`,
      claimedType: 'image/jpeg',
      size: photo.file_size ?? null,
      ...common,
    }
  return null
}

type Target =
  | { kind: 'task'; unitId: number; taskId: number; status: ParsedStatus | null }
  | { kind: 'ask'; unitId: number }
  | { kind: 'ignore' }
  | { kind: 'refused'; text: string; reason: string }

/** Which unit and task the file is for, and the status its caption gives. */
async function targetOf(ctx: BotContext, msg: Message, file: IncomingFile): Promise<Target> {
  const { db } = ctx.deps
  const person = ctx.person!
  const caption = leadingTaskRef(file.caption ?? '')
  const parsed = caption.rest ? parseStatusReply(caption.rest) : null
  const status = parsed?.kind === 'single' ? parsed.status : null

  let unitId: number | null = null
  let promptTasks: number[] = []
  const replyTo = msg.reply_to_message
  // In a group, a picture that neither answers the bot nor names a task (nor continues an album
  // that did) is chatter, not evidence.
  if (
    msg.chat.type !== 'private' &&
    replyTo?.from?.id !== ctx.me.id &&
    !caption.ref &&
    caption.number === undefined &&
    !(
      file.mediaGroupId &&
      person.unitId !== null &&
      (await albumTask(db, file.mediaGroupId, person.unitId)) !== null
    )
  )
    return { kind: 'ignore' }
  if (replyTo && replyTo.from?.id === ctx.me.id) {
    const found = await ctx.lookups.prompt(msg.chat.id, replyTo.message_id)
    if (found) {
      unitId = found.prompt.unitId
      promptTasks = found.prompt.taskIds
    }
  }
  const day = planToday(ctx)
  if (unitId === null) {
    // Files with no prompt to answer are for the sender's own unit, as its liaison or deputy
    // (which is also all that answering for it asks); a prompt's unit is checked below.
    if (person.unitId === null || !(await standsForUnit(db, person, person.unitId, day)))
      return { kind: 'refused', text: ctx.texts.loop.evidence.notLiaison, reason: 'evidence_not_liaison' }
    unitId = person.unitId
  } else if (!(await mayAnswerFor(db, person, unitId, day))) {
    const unit = await unitNameOf(ctx, unitId)
    return { kind: 'refused', text: ctx.texts.loop.evidence.otherUnit(unit), reason: 'evidence_other_unit' }
  }

  if (caption.ref) {
    const task = await taskByRef(db, caption.ref)
    if (!task)
      return {
        kind: 'refused',
        text: ctx.texts.loop.evidence.unknownRef(caption.ref),
        reason: 'evidence_unknown_ref',
      }
    if (!(await loopAssignment(db, task.id, unitId))) {
      const unit = await unitNameOf(ctx, unitId)
      return {
        kind: 'refused',
        text: ctx.texts.loop.evidence.notOfUnit(task.ref, unit),
        reason: 'evidence_not_of_unit',
      }
    }
    return { kind: 'task', unitId, taskId: task.id, status }
  }
  if (caption.number !== undefined) {
    const list = promptTasks.length
      ? promptTasks
      : (await openTasksOfUnit(db, unitId, viewMoment(ctx))).map((t) => t.taskId)
    const taskId = list[caption.number - 1]
    if (taskId !== undefined) return { kind: 'task', unitId, taskId, status }
  }
  if (promptTasks.length === 1) return { kind: 'task', unitId, taskId: promptTasks[0]!, status }
  if (file.mediaGroupId) {
    const taskId = await albumTask(db, file.mediaGroupId, unitId)
    if (taskId !== null) return { kind: 'task', unitId, taskId, status }
  }
  return { kind: 'ask', unitId }
}

/** Downloads and stores the file, a few tries; false when it never arrived (the row is then failed). */
async function fetchAndStore(ctx: BotContext, evidenceId: number, fileId: string): Promise<boolean> {
  const { db, config, now, logger } = ctx.deps
  const store = evidenceStore(config.evidenceDir)
  let attempts = 0
  for (;;) {
    attempts++
    try {
      const bytes = await downloadTelegramFile({
        apiRoot: config.telegramApiRoot,
        token: ctx.api.token,
        fileId,
        maxBytes: MAX_EVIDENCE_BYTES,
      })
      await storeEvidenceBytes(db, store, evidenceId, bytes, now())
      return true
    } catch (err) {
      const final = attempts > RETRY_DELAYS_MS.length
      const reason = err instanceof Error ? err.message : String(err)
      await evidenceDownloadFailed(db, evidenceId, reason, attempts, final)
      logger.warn({ evidenceId, attempts, err: reason, final }, 'evidence download failed')
      if (final) return false
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempts - 1]))
    }
  }
}

composer.on(['message:photo', 'message:document'], async (ctx) => {
  const msg = ctx.msg
  const file = incomingFile(msg)
  if (!file) return
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'evidence_stranger')
  const { db, now } = ctx.deps
  const at = now()
  try {
    const target = await targetOf(ctx, msg, file)
    if (target.kind === 'ignore') return
    if (target.kind === 'refused') return refuse(ctx, escapeHtml(target.text), target.reason)
    const unit = await unitNameOf(ctx, target.unitId)
    const source = { telegramChatId: msg.chat.id, telegramMessageId: msg.message_id }

    if (target.kind === 'ask') {
      const open = await openTasksOfUnit(db, target.unitId, viewMoment(ctx))
      if (open.length === 0)
        return refuse(ctx, escapeHtml(ctx.texts.loop.evidence.noOpenTask(unit)), 'evidence_no_task')
      const id = await receiveEvidence(db, {
        unitId: target.unitId,
        taskId: null,
        personId: person.id,
        file,
        ...source,
        now: at,
      })
      const kb = new InlineKeyboard()
      open.slice(0, 30).forEach((t, i) => {
        if (i > 0) kb.row()
        kb.text(
          clip(`${i + 1}. ${t.ref} ${t.title}`, 40),
          encodeLoopButton({ kind: 'evidence', evidenceId: id, taskId: t.taskId }),
        )
      })
      await replyHtml(ctx, escapeHtml(ctx.texts.loop.evidence.whichTask(unit)), { reply_markup: kb })
      await fetchAndStore(ctx, id, file.fileId)
      return
    }

    // The file, its status and the loop step together: all or nothing.
    const { id, outcome, task } = await db.transaction(async (tx: Db) => {
      const evidenceId = await receiveEvidence(tx, {
        unitId: target.unitId,
        taskId: target.taskId,
        personId: person.id,
        file,
        ...source,
        now: at,
      })
      let result: DoneOutcome | null = null
      if (target.status) {
        const report = await recordStatus(tx, {
          taskId: target.taskId,
          unitId: target.unitId,
          state: target.status.state,
          progress: target.status.progress,
          note: target.status.note,
          personId: person.id,
          source: 'telegram',
          ...source,
          rawText: file.caption,
          now: at,
        })
        if (target.status.state === 'done')
          result = await reportDone(tx, {
            taskId: target.taskId,
            unitId: target.unitId,
            reportId: report.id,
            personId: person.id,
            now: at,
            ...source,
          })
      }
      if (result !== 'awaiting_review') await forwardEvidenceToReview(tx, evidenceId)
      return {
        id: evidenceId,
        outcome: result,
        task: (await loopAssignment(tx, target.taskId, target.unitId))!,
      }
    })
    const lines: string[] = []
    if (target.status)
      lines.push(
        confirmationLine(ctx, unit, { id: task.taskId, ref: task.ref, title: task.title }, target.status),
      )
    if (outcome === 'awaiting_review') lines.push(escapeHtml(ctx.texts.loop.review.submitted))
    if (outcome === 'closed') lines.push(escapeHtml(ctx.texts.loop.review.closed))
    const stored = await fetchAndStore(ctx, id, file.fileId)
    const name = file.fileName ?? ctx.texts.loop.evidence.untitled
    lines.push(
      escapeHtml(
        stored
          ? ctx.texts.loop.evidence.received(unit, task.ref, name)
          : ctx.texts.loop.evidence.downloadFailed(name, RETRY_DELAYS_MS.length + 1),
      ),
    )
    await replyHtml(ctx, lines.join('\n'))
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'evidence_refused')
    throw err
  }
})

composer.on('callback_query:data', async (ctx, next) => {
  const button = decodeLoopButton(ctx.callbackQuery.data)
  if (button?.kind !== 'evidence') return next()
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.buttons.notRegistered, 'evidence_stranger')
  const { db, now } = ctx.deps
  const a = await loopAssignment(db, button.taskId, person.unitId ?? -1)
  const day = planToday(ctx)
  if (!a || !(await mayAnswerFor(db, person, a.unitId, day)))
    return refuse(ctx, escapeHtml(ctx.texts.loop.evidence.notLiaison), 'evidence_button_other')
  try {
    await db.transaction(async (tx: Db) => {
      await fileEvidenceUnder(tx, button.evidenceId, button.taskId, a.unitId, now())
      await forwardEvidenceToReview(tx, button.evidenceId)
    })
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'evidence_button_refused')
    throw err
  }
  await ctx.answerCallbackQuery({ text: clip(ctx.texts.loop.evidence.attached(a.ref), 190) })
  if (ctx.callbackQuery.message)
    await ctx.editMessageText(escapeHtml(ctx.texts.loop.evidence.attached(`${a.ref} ${clip(a.title)}`)), {
      parse_mode: 'HTML',
    })
})

export { composer as evidenceFeature }
