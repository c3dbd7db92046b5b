/**
 * The 督办 loop's messages: the assignment notice with its 签收 button and the one second notice,
 * the supervisors' review card (通过（销号） / 退回整改) and the evidence files re-sent by Telegram
 * file id, the unit's notice of a decision, the extension request and its answer, and the red
 * item's escalation. Pure: parameters in, Telegram HTML and email out.
 */
import * as z from 'zod'
import type { Locale } from '../db/schema.ts'
import { formatMonthDay, localDate } from '../domain/dates.ts'
import { messages } from '../i18n/index.ts'
import { encodeLoopButton } from '../telegram/loop-buttons.ts'
import { escapeHtml } from '../telegram/html.ts'
import { plainEmail } from './email-layout.ts'
import { dueLabel, promptButtons, taskParams } from './rhythm-parts.ts'
import type { MessageButton, MessageTemplate } from './types.ts'

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const taskRef = z.object({ ref: z.string(), title: z.string() })

const b = (lines: string[]) => lines.map((l) => escapeHtml(l))

/** The 签收 button row of a prompt. */
export function ackButtons(promptId: number, locale: Locale): MessageButton[][] {
  return [
    [
      {
        text: messages(locale).loop.receipt.button,
        callbackData: encodeLoopButton({ kind: 'ack', promptId }),
      },
    ],
  ]
}

/** The 申请延期 button row of a reminder about one task. */
export function extendAskButtons(promptId: number, locale: Locale): MessageButton[][] {
  return [
    [
      {
        text: messages(locale).loop.extension.askButton,
        callbackData: encodeLoopButton({ kind: 'extendAsk', promptId }),
      },
    ],
  ]
}

const noticeParams = z.object({
  second: z.boolean().default(false),
  unit: z.string(),
  tasks: z.array(taskParams).min(1),
  promptId: z.number().int().positive().optional(),
})

/** `assignment-notice`: 交办 (or, with `second`, the one 签收 reminder), with the 签收 button. */
export const assignmentNotice: MessageTemplate<z.output<typeof noticeParams>> = {
  name: 'assignment-notice',
  params: noticeParams,
  render(p, locale) {
    const t = messages(locale).loop.receipt
    const noDue = messages(locale).rhythm.prompt.noDue
    const head = p.second ? t.secondHead : t.noticeHead
    const intro = p.second ? t.secondIntro(p.unit, p.tasks.length) : t.noticeIntro(p.unit, p.tasks.length)
    const lines = p.tasks.map((task, i) =>
      t.taskLine(i + 1, task.ref, task.title, dueLabel(task, locale, noDue)),
    )
    return {
      telegram: {
        html: [`<b>${escapeHtml(head.trim())}</b>`, escapeHtml(intro), ...b(lines)].join('\n'),
        ...(p.promptId !== undefined ? { buttons: ackButtons(p.promptId, locale) } : {}),
      },
      email: plainEmail(t.subject(head, p.unit, p.tasks.length), [intro, ...lines, t.emailLine], locale),
    }
  },
}

const cardParams = z.object({
  reviewId: z.number().int().positive(),
  unit: z.string(),
  task: taskRef,
  note: z.string().nullable(),
  by: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
  returnedCount: z.number().int().min(0).default(0),
  files: z.array(z.object({ kind: z.enum(['photo', 'document']), name: z.string().nullable() })).default([]),
})

/** `review-card`: 待审核 with 通过（销号） and 退回整改 for the supervisors. */
export const reviewCard: MessageTemplate<z.output<typeof cardParams>> = {
  name: 'review-card',
  params: cardParams,
  render(p, locale, { tz }) {
    const t = messages(locale).loop.review
    const at = formatMonthDay(localDate(new Date(p.at), tz), locale)
    const lines = [
      t.cardTitle(p.unit, p.task.ref, p.task.title),
      t.reported(p.by ?? p.unit, at),
      ...(p.note ? [t.note(p.note)] : []),
      t.evidence(p.files.length),
      ...(p.returnedCount > 0 ? [t.returnedBefore(p.returnedCount)] : []),
    ]
    const untitled = messages(locale).loop.evidence.untitled
    const fileLines = p.files.map((f, i) => `${i + 1}. ${f.name ?? untitled}`)
    return {
      telegram: {
        html: [`<b>${escapeHtml(t.head.trim())}</b>`, ...b(lines)].join('\n'),
        buttons: [
          [
            {
              text: t.approveButton,
              callbackData: encodeLoopButton({ kind: 'review', reviewId: p.reviewId, approve: true }),
            },
            {
              text: t.returnButton,
              callbackData: encodeLoopButton({ kind: 'review', reviewId: p.reviewId, approve: false }),
            },
          ],
        ],
      },
      email: plainEmail(t.subject(p.unit, p.task.title), [...lines, ...fileLines, t.emailHint], locale),
    }
  },
}

const fileParams = z.object({
  kind: z.enum(['photo', 'document']),
  fileId: z.string().min(1),
  unit: z.string(),
  ref: z.string(),
  n: z.number().int().min(1),
  name: z.string().nullable(),
})

/** `evidence-file`: one evidence file re-sent to the supervisors by its Telegram file id (Telegram only). */
export const evidenceFile: MessageTemplate<z.output<typeof fileParams>> = {
  name: 'evidence-file',
  params: fileParams,
  render(p, locale) {
    const t = messages(locale).loop
    return {
      telegram: {
        html: escapeHtml(t.review.fileCaption(p.unit, p.ref, p.n, p.name ?? t.evidence.untitled)),
        file: { kind: p.kind, fileId: p.fileId },
      },
    }
  },
}

const decisionParams = z.object({
  decision: z.enum(['approved', 'returned']),
  unit: z.string(),
  task: taskRef,
  reason: z.string().optional(),
  due: date.optional(),
  promptId: z.number().int().positive().optional(),
})

/** `review-decision`: the unit is told 通过 (closed), or 退回整改 with the reason and the date. */
export const reviewDecision: MessageTemplate<z.output<typeof decisionParams>> = {
  name: 'review-decision',
  params: decisionParams,
  render(p, locale) {
    const t = messages(locale).loop.review
    if (p.decision === 'approved') {
      const line = t.approvedNotice(p.unit, p.task.ref, p.task.title)
      return {
        telegram: { html: `<b>${escapeHtml(t.approvedNoticeHead.trim())}</b>\n${escapeHtml(line)}` },
        email: plainEmail(t.subjectApproved(p.unit, p.task.title), [line], locale),
      }
    }
    const due = p.due ? formatMonthDay(p.due, locale) : ''
    const lines = [
      t.returnedNotice(p.unit, p.task.ref, p.task.title),
      t.returnedReason(p.reason ?? ''),
      t.returnedDue(due),
      t.returnedHint,
    ]
    return {
      telegram: {
        html: [`<b>${escapeHtml(t.returnedNoticeHead.trim())}</b>`, ...b(lines)].join('\n'),
        ...(p.promptId !== undefined
          ? { buttons: promptButtons(p.promptId, 1, locale), forceReply: true }
          : {}),
      },
      email: plainEmail(t.subjectReturned(p.unit, p.task.title), lines, locale),
    }
  },
}

const extensionParams = z.object({
  requestId: z.number().int().positive(),
  unit: z.string(),
  task: taskRef,
  from: date.nullable(),
  to: date,
  reason: z.string().nullable(),
  by: z.string().nullable(),
})

/** `extension-request`: 延期申请 for the supervisors, with approve / refuse. */
export const extensionRequest: MessageTemplate<z.output<typeof extensionParams>> = {
  name: 'extension-request',
  params: extensionParams,
  render(p, locale) {
    const t = messages(locale).loop.extension
    const none = messages(locale).rhythm.prompt.noDue
    const lines = [
      t.card(p.unit, p.task.ref, p.task.title),
      t.cardDates(p.from ? formatMonthDay(p.from, locale) : none, formatMonthDay(p.to, locale)),
      ...(p.reason ? [t.cardReason(p.reason)] : []),
      ...(p.by ? [t.cardBy(p.by)] : []),
    ]
    return {
      telegram: {
        html: [`<b>${escapeHtml(t.cardHead.trim())}</b>`, ...b(lines)].join('\n'),
        buttons: [
          [
            {
              text: t.approveButton,
              callbackData: encodeLoopButton({ kind: 'extension', requestId: p.requestId, approve: true }),
            },
            {
              text: t.refuseButton,
              callbackData: encodeLoopButton({ kind: 'extension', requestId: p.requestId, approve: false }),
            },
          ],
        ],
      },
      email: plainEmail(t.subject(p.unit, p.task.ref), [...lines, t.emailHint], locale),
    }
  },
}

const extensionDecisionParams = z.object({
  approved: z.boolean(),
  ref: z.string(),
  due: date.optional(),
})

/** `extension-decision`: the unit is told whether its extension was approved. */
export const extensionDecision: MessageTemplate<z.output<typeof extensionDecisionParams>> = {
  name: 'extension-decision',
  params: extensionDecisionParams,
  render(p, locale) {
    const t = messages(locale).loop.extension
    const line =
      p.approved && p.due ? t.noticeApproved(p.ref, formatMonthDay(p.due, locale)) : t.noticeRefused(p.ref)
    return { telegram: { html: escapeHtml(line) }, email: plainEmail(line, [line], locale) }
  },
}

const escalationParams = z.object({
  level: z.number().int().min(1).max(3),
  unit: z.string(),
  task: taskRef,
  overdueWorkingDays: z.number().int().min(0),
  returnedCount: z.number().int().min(0),
})

/** `red-escalation`: a red item, to the liaison (1), the unit's leader (2) or the supervisors (3). */
export const redEscalation: MessageTemplate<z.output<typeof escalationParams>> = {
  name: 'red-escalation',
  params: escalationParams,
  render(p, locale) {
    const t = messages(locale).loop.escalation
    const why = [
      ...(p.overdueWorkingDays > 0 ? [t.why.overdue(p.overdueWorkingDays)] : []),
      ...(p.returnedCount >= 2 ? [t.why.returned(p.returnedCount)] : []),
    ].join(locale === 'en' ? '; ' : '；')
    const lines = [t.line(p.unit, p.task.ref, p.task.title), why, t.levels[p.level] ?? '']
    return {
      telegram: { html: [`<b>🔴 ${escapeHtml(t.head.trim())}</b>`, ...b(lines.filter(Boolean))].join('\n') },
      email: plainEmail(t.subject(p.unit, p.task.title), lines.filter(Boolean), locale),
    }
  },
}

export const loopTemplates = [
  assignmentNotice,
  reviewCard,
  evidenceFile,
  reviewDecision,
  extensionRequest,
  extensionDecision,
  redEscalation,
]
