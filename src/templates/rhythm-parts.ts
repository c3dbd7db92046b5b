/**
 * Pieces shared by the rhythm's templates (reminders, escalations, prompts, digest, pace): the
 * parameter shapes of a task and a status, and how they read. Pure: no database, no clock.
 */
import * as z from 'zod'
import { assignmentRoles, reportStates, type Locale } from '../db/schema.ts'
import { formatMonthDay, localDate } from '../domain/dates.ts'
import { describeDeadline } from '../domain/deadline-phrase.ts'
import { formatState, formatStatus } from '../domain/status-reply.ts'
import { messages } from '../i18n/index.ts'
import { statusButtons } from '../telegram/callback-data.ts'
import type { MessageButton } from './types.ts'

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** A task as a message names it. */
export const taskParams = z.object({
  /** The task's id: lets an email carry one-tap answer links (older rows have none). */
  id: z.number().int().positive().optional(),
  ref: z.string(),
  title: z.string(),
  due: date.nullable(),
  dueText: z.string().nullable(),
  /** The unit's role when it is not simply responsible (牵头 / 配合 is shown next to the title). */
  role: z.enum(assignmentRoles).optional(),
  /** The plan's title when more than one plan is active. */
  plan: z.string().optional(),
})
export type TaskParams = z.infer<typeof taskParams>

/** The task's title as a message shows it: `《plan》title（牵头）` (plan only when several are active). */
export function taskTitle(task: Pick<TaskParams, 'title' | 'role' | 'plan'>, locale: Locale): string {
  const marks = messages(locale).planLedger.roleMark
  return `${task.plan ? `《${task.plan}》` : ''}${task.title}${task.role ? marks[task.role] : ''}`
}

/** A unit's latest report on a task, or null (no reply). */
export const statusParams = z
  .object({
    state: z.enum(reportStates),
    progress: z.number().int().min(0).max(100).nullable(),
    note: z.string().nullable(),
    at: z.iso.datetime({ offset: true }),
    by: z.string().nullable(),
  })
  .nullable()
export type StatusParams = z.infer<typeof statusParams>

/**
 * How a due date reads, in messages and bot answers alike: `10月中旬前（按10月20日计）`, the date
 * alone when the plan gave no phrase, or `noDue` when there is no date.
 */
export function dueLabel(task: Pick<TaskParams, 'due' | 'dueText'>, locale: Locale, noDue: string): string {
  if (!task.due) return noDue
  return describeDeadline({ phrase: task.dueText ?? '', date: task.due }, locale)
}

/** `进行中 60%`, `有困难：缺经费`, or `无回复`. */
export function stateLabel(status: StatusParams, locale: Locale): string {
  if (!status) return formatState('no_reply', null, locale)
  return formatStatus({ state: status.state, progress: status.progress, note: status.note }, locale)
}

/** `台城街道当前状态：进行中 60%（11月2日 李明）` or `台城街道当前状态：无回复` (plain text; escape for HTML). */
export function statusSentence(unit: string, status: StatusParams, locale: Locale, tz: string): string {
  const t = messages(locale).rhythm.reminder
  if (!status) return t.statusNone(unit)
  const day = formatMonthDay(localDate(new Date(status.at), tz), locale)
  return t.statusReported(unit, stateLabel(status, locale), day, status.by)
}

/** The status buttons of a prompt ([✅ 已完成] [🔄 进行中] [⚠️ 有困难]) as template buttons. */
export function promptButtons(promptId: number, item: number, locale: Locale): MessageButton[][] {
  return statusButtons(promptId, item, locale).inline_keyboard.map((row) =>
    row.map((b) => ({ text: b.text, callbackData: 'callback_data' in b ? (b.callback_data ?? '') : '' })),
  )
}
