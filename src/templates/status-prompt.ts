/**
 * `status-prompt`: one compact message per unit listing its open tasks, numbered 1..n in the
 * prompt's order, so one reply can answer several (`1 已完成；3 进行中 60%`). Used for the Friday
 * prompt (`weekly`), the Monday nudge (`nudge`) and a supervisor's /remind of all open tasks
 * (`manual`).
 *
 *   【进展填报】台城街道 · 未完成任务 3 项
 *   1. 开展涉企乱罚款专项整治（二（五）2）
 *       截止：10月中旬前（按10月20日计） · 当前：进行中 60%
 *   …
 *   请直接回复本消息，例如：1 已完成；2 进行中 60%；3 有困难：原因
 */
import * as z from 'zod'
import { escapeHtml } from '../telegram/html.ts'
import { messages } from '../i18n/index.ts'
import { answerableEmail } from './email-layout.ts'
import { answerLinkLines } from './answer-links.ts'
import { dueLabel, promptButtons, stateLabel, statusParams, taskParams, taskTitle } from './rhythm-parts.ts'
import type { MessageTemplate } from './types.ts'

const params = z.object({
  kind: z.enum(['weekly', 'nudge', 'manual']),
  unit: z.string(),
  tasks: z.array(taskParams.extend({ status: statusParams })).min(1),
  /** The tasks' ids in the same order, kept so Monday's nudge can ask again about the same tasks. */
  taskIds: z.array(z.number().int()).optional(),
  /** Set on Telegram prompts: the buttons name it. */
  promptId: z.number().int().positive().optional(),
})
export type StatusPromptParams = z.input<typeof params>

export const statusPrompt: MessageTemplate<z.output<typeof params>> = {
  name: 'status-prompt',
  params,
  render(p, locale, { answerLinks }) {
    const t = messages(locale).rhythm.prompt
    const n = p.tasks.length
    const head =
      p.kind === 'weekly'
        ? t.headWeekly(p.unit, n)
        : p.kind === 'nudge'
          ? t.headNudge(p.unit, n)
          : t.headManual(p.unit, n)
    const subject =
      p.kind === 'weekly'
        ? t.subjectWeekly(p.unit)
        : p.kind === 'nudge'
          ? t.subjectNudge(p.unit)
          : t.subjectManual(p.unit)
    const lines = p.tasks.map((task, i) =>
      t.line(
        i + 1,
        taskTitle(task, locale),
        task.ref,
        dueLabel(task, locale, t.noDue),
        stateLabel(task.status, locale),
      ),
    )
    const html = [`<b>${escapeHtml(head)}</b>`, ...lines.map((l) => escapeHtml(l))]
    if (p.promptId !== undefined) html.push(escapeHtml(n === 1 ? t.replyHintOne : t.replyHintMany))
    return {
      telegram: {
        html: html.join('\n'),
        // Item 0 on a prompt about several tasks: the bot first asks which task.
        ...(p.promptId !== undefined
          ? { buttons: promptButtons(p.promptId, n === 1 ? 1 : 0, locale), forceReply: true }
          : {}),
      },
      email: answerableEmail(
        subject,
        [head, ...lines.flatMap((l) => l.split('\n'))],
        t.emailHint,
        answerLinkLines(
          answerLinks,
          p.tasks.map((task, i) => ({
            label: `${i + 1}. ${task.title}（${task.ref}）`,
            id: task.id ?? p.taskIds?.[i],
          })),
          locale,
        ),
        locale,
      ),
    }
  },
}
