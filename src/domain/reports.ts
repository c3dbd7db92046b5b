/**
 * Status reports: what units say about their tasks. Reports are append-only: every reply is kept
 * with who, when and from which message, and the latest report per (task, unit), ordered by
 * `reportedAt` then `id`, is the unit's status (kept on the assignment, see latest-status.ts).
 * A (task, unit) without any report is `no_reply`.
 */
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'
import { advanceFrom, advanceLatestStatus } from './latest-status.ts'
import {
  latestReportFirst,
  notes,
  reportStates,
  statusReports,
  tasks,
  units,
  type ReportState,
} from '../db/schema.ts'
import { stripControls } from './people.ts'
import { userError } from '../errors.ts'
import { MAX_NOTE_CHARS, type ParsedStatus } from './status-reply.ts'
import { countReply } from '../metrics.ts'

export type TaskState = ReportState | 'no_reply'
export const taskStates: readonly TaskState[] = [...reportStates, 'no_reply']

export type StatusReport = typeof statusReports.$inferSelect
export type StatusSource = StatusReport['source']

/** Raw text kept with a report is capped like a Telegram message. */
const MAX_RAW_CHARS = 4096

function cleanText(text: string | null | undefined, max: number): string | null {
  const t = stripControls(text ?? '').trim()
  return t ? [...t].slice(0, max).join('') : null
}

function checkProgress(progress: number | null | undefined): number | null {
  if (progress === null || progress === undefined) return null
  if (!Number.isInteger(progress) || progress < 0 || progress > 100)
    throw userError('statusView', (t) => t.status.progressInvalid(String(progress)))
  return progress
}

export interface StatusInput {
  taskId: number
  unitId: number
  state: ReportState
  progress?: number | null
  note?: string | null
  personId?: number | null
  source: StatusSource
  promptId?: number | null
  telegramChatId?: number | null
  telegramMessageId?: number | null
  rawText?: string | null
  now: Date
}

/**
 * Appends a status report for (task, unit), which becomes the unit's latest status. A user error
 * (nothing written) when the task does not exist or is not assigned to the unit, or the progress
 * is not a whole number 0–100.
 */
export async function recordStatus(db: Db, input: StatusInput): Promise<StatusReport> {
  if (!(reportStates as readonly string[]).includes(input.state)) throw new Error(`bad state ${input.state}`)
  const progress = checkProgress(input.progress)
  const note = cleanText(input.note, MAX_NOTE_CHARS)
  const rawText = cleanText(input.rawText, MAX_RAW_CHARS)
  // One statement: the assignment check, the insert and the assignment's latest-status record
  // together (a reply is on the bot's hot path).
  const [inserted] = await query<{ id: number | string }>(
    db,
    sql`with r as (
          insert into status_reports (task_id, unit_id, state, progress, note, person_id, reported_at, source,
            prompt_id, telegram_chat_id, telegram_message_id, raw_text)
          select ${input.taskId}, ${input.unitId}, ${input.state}, ${progress}, ${note}, ${input.personId ?? null},
            ${input.now.toISOString()}::timestamptz, ${input.source}, ${input.promptId ?? null},
            ${input.telegramChatId ?? null}, ${input.telegramMessageId ?? null}, ${rawText}
          where exists (select 1 from assignments where task_id = ${input.taskId} and unit_id = ${input.unitId})
          returning id, task_id, unit_id, state, progress, note, person_id, reported_at
        ),
        latest as (${advanceFrom(sql`r`)} returning 1)
        select id from r`,
  )
  if (!inserted) {
    // Nothing written: say why.
    const [task] = await db.select({ ref: tasks.ref }).from(tasks).where(eq(tasks.id, input.taskId))
    if (!task) throw userError('statusView', (t) => t.status.taskUnknown(input.taskId))
    const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, input.unitId))
    throw userError('statusView', (t) => t.status.notAssigned(task.ref, unit?.name ?? `#${input.unitId}`))
  }
  countReply(input.source)
  return {
    id: Number(inserted.id),
    taskId: input.taskId,
    unitId: input.unitId,
    state: input.state,
    progress,
    note,
    personId: input.personId ?? null,
    reportedAt: input.now,
    source: input.source,
    promptId: input.promptId ?? null,
    telegramChatId: input.telegramChatId ?? null,
    telegramMessageId: input.telegramMessageId ?? null,
    supersedesId: null,
    rawText,
  }
}

/**
 * An edited Telegram message: appends a report that supersedes the one recorded from that message
 * (history kept; `supersedesId` points at it). Returns null when that message recorded nothing.
 *
 * A message that answered several tasks (`1 已完成；3 进行中`) needs `opts.taskId`: the bot
 * re-parses the edit and calls this once per task; without it such a message throws.
 * If the edited report was the unit's latest for the task, the edit is reported at `now`;
 * otherwise it keeps the original's time, so editing an old message never overrides a newer
 * report. An edit that changes nothing returns the current report and writes nothing.
 */
export async function recordEditedStatus(
  db: Db,
  telegramChatId: number,
  telegramMessageId: number,
  parsed: ParsedStatus,
  now: Date,
  opts: { taskId?: number; rawText?: string | null } = {},
): Promise<StatusReport | null> {
  const fromMessage = await db
    .select()
    .from(statusReports)
    .where(
      and(
        eq(statusReports.telegramChatId, telegramChatId),
        eq(statusReports.telegramMessageId, telegramMessageId),
        opts.taskId === undefined ? undefined : eq(statusReports.taskId, opts.taskId),
      ),
    )
    .orderBy(desc(statusReports.id))
  const previous = fromMessage[0]
  if (!previous) return null
  if (new Set(fromMessage.map((r) => r.taskId)).size > 1)
    throw new Error('this message reported on several tasks: pass opts.taskId')
  const progress = checkProgress(parsed.progress)
  const note = cleanText(parsed.note, MAX_NOTE_CHARS)
  if (previous.state === parsed.state && previous.progress === progress && previous.note === note)
    return previous
  const latest = await latestStatus(db, previous.taskId, previous.unitId)
  const reportedAt = latest?.id === previous.id ? now : previous.reportedAt
  // The report and the assignment's latest-status record together.
  return db.transaction(async (tx) => {
    const [report] = await tx
      .insert(statusReports)
      .values({
        taskId: previous.taskId,
        unitId: previous.unitId,
        state: parsed.state,
        progress,
        note,
        personId: previous.personId,
        reportedAt,
        source: previous.source,
        promptId: previous.promptId,
        telegramChatId,
        telegramMessageId,
        supersedesId: previous.id,
        rawText: opts.rawText === undefined ? previous.rawText : cleanText(opts.rawText, MAX_RAW_CHARS),
      })
      .returning()
    await advanceLatestStatus(tx, report!.id)
    return report!
  })
}

/** Keeps text from a unit that was not understood as a status (never dropped). */
export async function keepNote(
  db: Db,
  input: {
    unitId: number | null
    personId: number | null
    promptId?: number | null
    text: string
    telegramChatId?: number | null
    telegramMessageId?: number | null
    now: Date
  },
): Promise<void> {
  await db.insert(notes).values({
    unitId: input.unitId,
    personId: input.personId,
    promptId: input.promptId ?? null,
    text: cleanText(input.text, MAX_RAW_CHARS) ?? '',
    telegramChatId: input.telegramChatId ?? null,
    telegramMessageId: input.telegramMessageId ?? null,
    createdAt: input.now,
  })
}

/** The unit's latest report on a task, or null when it never replied. */
export async function latestStatus(db: Db, taskId: number, unitId: number): Promise<StatusReport | null> {
  const [report] = await db
    .select()
    .from(statusReports)
    .where(and(eq(statusReports.unitId, unitId), eq(statusReports.taskId, taskId)))
    .orderBy(...latestReportFirst)
    .limit(1)
  return report ?? null
}
