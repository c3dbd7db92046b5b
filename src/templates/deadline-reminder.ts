/**
 * `deadline-reminder`: one task, one unit, the moment in working days and the unit's current
 * status, as product.md shows it:
 *
 *   【督办提醒】开展涉企乱罚款专项整治（二（五）2）
 *   截止：10月中旬前（按10月20日计），还有 3 个工作日。
 *   台城街道当前状态：进行中 60%（11月2日 李明）
 *   请直接回复本消息：已完成 / 进行中 80% / 有困难：原因
 *   [✅ 已完成] [🔄 进行中] [⚠️ 有困难]
 *
 * Overdue: 【逾期提醒】… 已逾期 N 个工作日. With `promptId` (a Telegram prompt) it carries the
 * status buttons and asks for a reply; the email twin says how to reply instead.
 *
 * `deadline-escalation`: the supervisors' copy from the second overdue reminder on, one message
 * per task and day listing the units escalated that day.
 */
import * as z from 'zod'
import { escapeHtml } from '../telegram/html.ts'
import { messages } from '../i18n/index.ts'
import { formatMonthDay, localDate } from '../domain/dates.ts'
import { answerableEmail, plainEmail } from './email-layout.ts'
import { answerLinkLines } from './answer-links.ts'
import {
  dueLabel,
  promptButtons,
  stateLabel,
  statusParams,
  statusSentence,
  taskParams,
  taskTitle,
} from './rhythm-parts.ts'
import type { MessageTemplate } from './types.ts'
import { ackButtons, extendAskButtons } from './loop.ts'

/** Where the day of sending stands against the deadline (decided with the working calendar). */
export const momentParams = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('before'), workingDaysLeft: z.number().int().min(1) }),
  z.object({ kind: z.literal('today') }),
  z.object({ kind: z.literal('overdue'), workingDaysOverdue: z.number().int().min(0) }),
  /** The task has no deadline (a supervisor's /remind). */
  z.object({ kind: z.literal('none') }),
])
export type MomentParams = z.infer<typeof momentParams>

const reminderParams = z.object({
  unit: z.string(),
  task: taskParams,
  moment: momentParams,
  status: statusParams,
  /** Sent by a supervisor's /remind rather than the ladder. */
  manual: z.boolean().default(false),
  /** Set on Telegram prompts: the buttons name it. */
  promptId: z.number().int().positive().optional(),
  /** The unit has not signed for the task yet: a 签收 button (and, by email, how to sign). */
  ack: z.boolean().default(false),
})
export type DeadlineReminderParams = z.input<typeof reminderParams>

export const deadlineReminder: MessageTemplate<z.output<typeof reminderParams>> = {
  name: 'deadline-reminder',
  params: reminderParams,
  render(p, locale, { tz, answerLinks }) {
    const t = messages(locale).rhythm.reminder
    const due = dueLabel(p.task, locale, '')
    const head = p.manual ? t.headManual : p.moment.kind === 'overdue' ? t.headOverdue : t.headBefore
    const title = t.title(head, taskTitle(p.task, locale), p.task.ref)
    let dueLine: string
    switch (p.moment.kind) {
      case 'before':
        dueLine = t.dueLeft(due, p.moment.workingDaysLeft)
        break
      case 'today':
        dueLine = t.dueToday(due)
        break
      case 'overdue':
        dueLine =
          p.moment.workingDaysOverdue > 0 ? t.dueOverdue(due, p.moment.workingDaysOverdue) : t.duePassed(due)
        break
      case 'none':
        dueLine = t.noDue
        break
    }
    const status = statusSentence(p.unit, p.status, locale, tz)
    const lines = [`<b>${escapeHtml(title)}</b>`, escapeHtml(dueLine), escapeHtml(status)]
    // A support unit is informed, not asked: no buttons, no reply expected.
    const supportInfo = p.task.role === 'support' ? messages(locale).planLedger.supportInfo : null
    if (supportInfo) lines.push(escapeHtml(supportInfo))
    else if (p.promptId !== undefined) lines.push(escapeHtml(t.replyHint))
    return {
      telegram: {
        html: lines.join('\n'),
        ...(p.promptId !== undefined
          ? {
              buttons: [
                ...promptButtons(p.promptId, 1, locale),
                ...(p.ack ? ackButtons(p.promptId, locale) : []),
                // A dated reminder from the ladder may ask for more time.
                ...(!p.manual && p.task.due ? extendAskButtons(p.promptId, locale) : []),
              ],
              forceReply: true,
            }
          : {}),
      },
      email: answerableEmail(
        t.subject(head, p.unit, p.task.title),
        [title, dueLine, status, ...(p.ack ? [messages(locale).loop.receipt.emailLine] : [])],
        supportInfo ?? t.emailHint,
        // A support unit is informed, not asked: no answer links.
        supportInfo
          ? { html: [], text: [] }
          : answerLinkLines(
              answerLinks,
              [{ label: `${p.task.title}（${p.task.ref}）`, id: p.task.id }],
              locale,
            ),
        locale,
      ),
    }
  },
}

const escalationParams = z.object({
  task: taskParams,
  units: z
    .array(
      z.object({
        /** Kept so later runs know who was escalated at which level; not shown. */
        unitId: z.number().int().optional(),
        level: z.number().int().optional(),
        /** The occurrence of a recurring deadline the unit is escalated for; not shown. */
        due: z.string().optional(),
        name: z.string(),
        workingDaysOverdue: z.number().int().min(0),
        status: statusParams,
        reachable: z.boolean(),
      }),
    )
    .min(1),
})
export type DeadlineEscalationParams = z.input<typeof escalationParams>

export const deadlineEscalation: MessageTemplate<z.output<typeof escalationParams>> = {
  name: 'deadline-escalation',
  params: escalationParams,
  render(p, locale, { tz }) {
    const r = messages(locale).rhythm
    const t = r.escalation
    const sep = locale === 'en' ? ', ' : '，'
    const title = r.reminder.title(t.head, taskTitle(p.task, locale), p.task.ref)
    const intro = t.intro(dueLabel(p.task, locale, r.prompt.noDue), p.units.length)
    const unitLines = p.units.map((u) => {
      const extra = [
        u.status ? t.lastReply(formatMonthDay(localDate(new Date(u.status.at), tz), locale)) : '',
        u.reachable ? '' : t.unreachable,
      ].filter(Boolean)
      const line = t.unit(u.name, u.workingDaysOverdue, stateLabel(u.status, locale))
      return extra.length ? `${line}${sep}${extra.join(sep)}` : line
    })
    return {
      telegram: {
        html: [
          `<b>${escapeHtml(title)}</b>`,
          escapeHtml(intro),
          ...unitLines.map((l) => escapeHtml(l)),
          escapeHtml(t.hint),
        ].join('\n'),
      },
      email: plainEmail(t.subject(p.task.title, p.units.length), [title, intro, ...unitLines], locale),
    }
  },
}
