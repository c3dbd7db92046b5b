/**
 * Inline buttons on prompts. Every message that carries status buttons is a prompt (a `prompts`
 * row attached to its chat and message id), and a button's callback data names that prompt, the
 * item (1..n in the prompt's numbering; 0 = "which task?") and the action:
 *
 *   s:<promptId>:<item>:<action>   action: d done · n not started · b blocked (asks the reason)
 *                                          i in progress (asks the percentage) · i60 in progress 60%
 *                                          c choose this task (shows the state buttons)
 *
 * The data is only a pointer, never trusted: the handler checks that the pressed message IS
 * that prompt, and re-authorizes the presser and the current state on every press. At most
 * 2 + 10 + 1 + 3 + 1 + 3 = 20 bytes, well under Telegram's 64.
 *
 * The delivery worker builds outbox prompts' buttons with `statusButtons(promptId, …)` too, so a
 * press on a reminder and a press in /report take the same path.
 */
import { InlineKeyboard } from 'grammy'
import { messages } from '../i18n/index.ts'
import type { Locale } from '../db/schema.ts'

export type StatusAction =
  | { kind: 'done' }
  | { kind: 'not_started' }
  | { kind: 'blocked' }
  | { kind: 'in_progress'; progress: number | null }
  | { kind: 'choose' }

export interface StatusButton {
  promptId: number
  /** 1-based item of the prompt; 0 when the prompt covers several tasks and none is chosen yet. */
  item: number
  action: StatusAction
}

/** The percentages offered for "in progress". */
export const progressChoices = [20, 40, 60, 80] as const

function actionCode(a: StatusAction): string {
  switch (a.kind) {
    case 'done':
      return 'd'
    case 'not_started':
      return 'n'
    case 'blocked':
      return 'b'
    case 'choose':
      return 'c'
    case 'in_progress':
      return a.progress === null ? 'i' : `i${a.progress}`
  }
}

/** Callback data for a status button. */
export function encodeStatusButton(b: StatusButton): string {
  return `s:${b.promptId}:${b.item}:${actionCode(b.action)}`
}

const pattern = /^s:(\d{1,10}):(\d{1,3}):(d|n|b|c|i(?:\d{1,3})?)$/

/** Reads callback data; null for anything that is not a well-formed status button. */
export function decodeStatusButton(data: string): StatusButton | null {
  const m = pattern.exec(data)
  if (!m) return null
  const promptId = Number(m[1])
  const item = Number(m[2])
  const code = m[3]!
  if (!Number.isSafeInteger(promptId) || promptId < 1) return null
  let action: StatusAction
  if (code === 'd') action = { kind: 'done' }
  else if (code === 'n') action = { kind: 'not_started' }
  else if (code === 'b') action = { kind: 'blocked' }
  else if (code === 'c') action = { kind: 'choose' }
  else {
    const progress = code.length > 1 ? Number(code.slice(1)) : null
    if (progress !== null && (progress < 0 || progress > 100)) return null
    action = { kind: 'in_progress', progress }
  }
  return { promptId, item, action }
}

/** The product's three buttons under a prompt: [✅ 已完成] [🔄 进行中] [⚠️ 有困难]. */
export function statusButtons(
  promptId: number,
  item: number,
  locale: Locale,
  withNotStarted = false,
): InlineKeyboard {
  const t = messages(locale).bot.report
  const kb = new InlineKeyboard()
    .text(t.buttonDone, encodeStatusButton({ promptId, item, action: { kind: 'done' } }))
    .text(
      t.buttonInProgress,
      encodeStatusButton({ promptId, item, action: { kind: 'in_progress', progress: null } }),
    )
    .text(t.buttonBlocked, encodeStatusButton({ promptId, item, action: { kind: 'blocked' } }))
  if (withNotStarted)
    kb.row().text(t.buttonNotStarted, encodeStatusButton({ promptId, item, action: { kind: 'not_started' } }))
  return kb
}

/** 20% 40% 60% 80% for one item. */
export function progressButtons(promptId: number, item: number): InlineKeyboard {
  const kb = new InlineKeyboard()
  for (const p of progressChoices)
    kb.text(`${p}%`, encodeStatusButton({ promptId, item, action: { kind: 'in_progress', progress: p } }))
  return kb
}

/** One button per task (`1. title`), each carrying `action` for that item. */
export function taskButtons(promptId: number, titles: string[], action: StatusAction): InlineKeyboard {
  const kb = new InlineKeyboard()
  titles.forEach((title, i) => {
    if (i > 0) kb.row()
    const label = `${i + 1}. ${title}`
    kb.text(
      [...label].length > 40 ? `${[...label].slice(0, 39).join('')}…` : label,
      encodeStatusButton({ promptId, item: i + 1, action }),
    )
  })
  return kb
}
