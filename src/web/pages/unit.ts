/**
 * A unit's page (its tasks, its liaisons and channels and whether they are reachable, and the
 * timeline of every report and note) and a task's page (every unit's state on it).
 * Liaisons see their own unit only: another unit's page is 403.
 */
import type { Hono } from 'hono'
import * as z from 'zod'
import { messages } from '../../i18n/index.ts'
import { mayReview, readsAllUnits } from '../../domain/access.ts'
import { localDate } from '../../domain/dates.ts'
import { defaultRectifyDue, openReview } from '../../domain/reviews.ts'
import { chinaCalendar } from '../../domain/working-days.ts'
import { approveReview, returnReview } from '../../delivery/loop-notify.ts'
import { chatsOfUnit } from '../../domain/chats.ts'
import { ledgerPage, type LedgerRow } from '../../domain/ledger.ts'
import { liaisonsOf } from '../../domain/people.ts'
import { unitStatus } from '../../domain/status-view.ts'
import { unitTimeline } from '../../domain/timeline.ts'
import { listUnits } from '../../domain/units.ts'
import { formatTime, h, messagePage, page, stateBadge } from '../html.ts'
import {
  csrfRefused,
  forbidden,
  notFound,
  pageOpts,
  requirePerson,
  requireUnitReader,
  sessionCsrfOk,
} from '../session.ts'
import type { WebDeps, WebEnv } from '../types.ts'

const idParam = z.coerce.number().int().positive().max(2_147_483_647)

export function registerUnitPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const tz = deps.config.timezone

  app.get('/units/:id', async (c) => {
    const parsed = idParam.safeParse(c.req.param('id'))
    if (!parsed.success) return notFound(c)
    const unitId = parsed.data
    const person = requireUnitReader(c, unitId)
    if (person instanceof Response) return person
    if (!(await listUnits(deps.db)).some((u) => u.id === unitId)) return notFound(c)
    const locale = c.get('locale')
    const t = messages(locale).web
    const u = t.unit
    const [status, liaisons, groups, timeline] = await Promise.all([
      unitStatus(deps.db, unitId, c.get('now'), tz),
      liaisonsOf(deps.db, unitId),
      chatsOfUnit(deps.db, unitId),
      unitTimeline(deps.db, unitId),
    ])
    const reach = (ok: boolean) =>
      h`<span class="reach ${ok ? 'ok' : 'bad'}">${ok ? u.reachable : u.unreachable}</span>`
    const cols = t.ledger.columns
    const body = h`
    <section><h2>${u.liaisons}</h2>
      ${
        liaisons.length === 0
          ? h`<p>${u.none}</p>`
          : h`<ul class="people">${liaisons.map(
              (p) => h`<li><b>${p.name}</b>
          · ${u.telegram}: ${p.telegramUserId === null ? h`<span class="reach bad">${u.notBound}</span>` : reach(p.unreachableAt === null)}
          · ${u.email}: ${p.email ? h`${p.email}` : h`<span class="reach bad">${u.none}</span>`}</li>`,
            )}</ul>`
      }
      <h3>${u.groups}</h3>
      ${
        groups.length === 0
          ? h`<p>${u.none}</p>`
          : h`<ul class="people">${groups.map(
              (g) => h`<li>${g.title ?? String(g.telegramChatId)} · ${reach(g.unreachableAt === null)}</li>`,
            )}</ul>`
      }
    </section>
    <section><h2>${u.tasks}</h2>
      <div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${cols.task}</th><th scope="col">${cols.due}</th><th scope="col">${cols.state}</th><th scope="col">${cols.lastReport}</th></tr></thead>
      <tbody>${status.tasks.map(
        (
          r,
        ) => h`<tr class="${r.overdueDays > 0 ? 'is-overdue' : ''}"><td data-label="${cols.task}"><a href="/tasks/${r.taskId}">${r.title}</a> <small class="ref">${r.ref}</small></td>
        <td data-label="${cols.due}">${r.due ?? '—'}${r.overdueDays > 0 ? h`<br><small class="overdue">${t.ledger.overdueDays(r.overdueDays)}</small>` : ''}</td>
        <td data-label="${cols.state}">${stateBadge(r.state, r.progress, locale)}</td>
        <td data-label="${cols.lastReport}">${formatTime(r.lastReplyAt, tz)}${r.lastReplyBy ? h`<br><small>${r.lastReplyBy}</small>` : ''}</td></tr>`,
      )}</tbody></table></div>
    </section>
    <section><h2>${u.timeline}</h2>
      ${
        timeline.length === 0
          ? h`<p>${u.noTimeline}</p>`
          : h`<ol class="timeline" id="timeline">${timeline.map(
              (e) => h`<li class="entry entry-${e.kind}"><time>${formatTime(e.at, tz)}</time>
          ${
            e.kind === 'report'
              ? h`<span class="what">${e.taskTitle} <small class="ref">${e.taskRef}</small> → ${stateBadge(e.state ?? 'no_reply', e.progress, locale)}</span>`
              : e.kind === 'file'
                ? h`<span class="what">${e.taskTitle} <small class="ref">${e.taskRef}</small> · ${u.file}</span>`
                : h`<span class="what">${u.note}</span>`
          }
          ${e.text ? h`<q>${e.text}</q>` : ''}
          <small>${e.by ?? ''}${e.source ? h` · ${u.via(t.sources[e.source as keyof typeof t.sources] ?? e.source)}` : ''}</small></li>`,
            )}</ol>`
      }
    </section>`
    return c.html(page(pageOpts(c, status.unit.name), body))
  })

  app.get('/tasks/:id', async (c) => {
    const parsed = idParam.safeParse(c.req.param('id'))
    if (!parsed.success) return notFound(c)
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const all = readsAllUnits(person)
    if (!all && person.unitId === null) return notFound(c)
    const view = await ledgerPage(
      deps.db,
      { taskId: parsed.data, ...(all ? {} : { unitId: person.unitId! }), sort: 'unit', pageSize: 0 },
      c.get('now'),
      tz,
    )
    const first = view.rows[0]
    if (!first) return notFound(c)
    const locale = c.get('locale')
    const t = messages(locale).web
    const cols = t.ledger.columns
    const reviewer = mayReview(person)
    const rectifyDue = defaultRectifyDue(chinaCalendar, localDate(c.get('now'), tz))
    const reviewCell = (r: LedgerRow) =>
      reviewer && r.loopState === 'awaiting_review'
        ? h`<td data-label="${t.task.review}" class="review">
        <form method="post" action="/tasks/${r.taskId}/review"><input type="hidden" name="_csrf" value="${c.get('csrf')}"><input type="hidden" name="unit" value="${r.unitId}"><input type="hidden" name="decision" value="approve"><button type="submit">${t.task.approve}</button></form>
        <form method="post" action="/tasks/${r.taskId}/review"><input type="hidden" name="_csrf" value="${c.get('csrf')}"><input type="hidden" name="unit" value="${r.unitId}"><input type="hidden" name="decision" value="return">
          <label>${t.task.reason}<textarea name="reason" rows="2" maxlength="500" required></textarea></label>
          <label>${t.task.newDue}<input type="date" name="due" value="${rectifyDue}" required></label>
          <button type="submit" class="secondary">${t.task.return}</button></form></td>`
        : reviewer
          ? h`<td></td>`
          : ''
    const body = h`<p><small class="ref">${first.ref}</small> · ${t.task.due}: ${first.due ?? '—'}${first.dueText ? ` （${first.dueText}）` : ''}</p>
    <h2>${t.task.units}</h2>
    <div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${cols.unit}</th><th scope="col">${cols.state}</th><th scope="col">${cols.lastReport}</th><th scope="col">${cols.note}</th>${reviewer ? h`<th scope="col">${t.task.review}</th>` : ''}</tr></thead>
    <tbody>${view.rows.map(
      (
        r,
      ) => h`<tr class="${r.overdueDays > 0 ? 'is-overdue' : ''}"><td data-label="${cols.unit}"><a href="/units/${r.unitId}">${r.unit}</a></td>
      <td data-label="${cols.state}">${stateBadge(r.state, r.progress, locale)}${r.overdueDays > 0 ? h`<br><small class="overdue">${t.ledger.overdueDays(r.overdueDays)}</small>` : ''}</td>
      <td data-label="${cols.lastReport}">${formatTime(r.lastReportAt, tz)}${r.lastReportBy ? h`<br><small>${r.lastReportBy}</small>` : ''}</td>
      <td data-label="${cols.note}">${r.note ?? ''}</td>${reviewCell(r)}</tr>`,
    )}</tbody></table></div>`
    return c.html(page(pageOpts(c, first.title, 'ledger'), body))
  })

  // 通过（销号） / 退回整改 from the task page: the bot's review decisions (same domain calls, same
  // outbox message to the unit), for supervisors and admins, with the session's CSRF token.
  app.post('/tasks/:id/review', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const form = await c.req.parseBody()
    if (!sessionCsrfOk(c, form)) return csrfRefused(c)
    if (!mayReview(person)) return forbidden(c)
    const taskId = idParam.safeParse(c.req.param('id'))
    const input = reviewForm.safeParse(form)
    if (!taskId.success || !input.success) {
      const e = messages(c.get('locale')).web.errors
      return c.html(messagePage(pageOpts(c, e.badRequest), e.badRequest, 'error'), 400)
    }
    const locale = c.get('locale')
    const t = messages(locale).web.task
    const open = await openReview(deps.db, taskId.data, input.data.unit)
    if (!open) return c.html(messagePage(pageOpts(c, t.review), t.noOpenReview, 'error'), 409)
    const now = c.get('now')
    const today = localDate(now, tz)
    const actor = { id: person.id, role: person.role }
    const unit = (await listUnits(deps.db)).find((u) => u.id === input.data.unit)?.name ?? ''
    if (input.data.decision === 'approve') {
      await approveReview(deps.db, { reviewId: open.id, actor, now, today })
      deps.logger.info({ personId: person.id, reviewId: open.id }, 'review approved from the web desk')
      return c.html(messagePage(pageOpts(c, t.review), t.approved(unit)))
    }
    const { due } = await returnReview(deps.db, {
      reviewId: open.id,
      actor,
      reason: input.data.reason ?? '',
      due: input.data.due ?? defaultRectifyDue(chinaCalendar, today),
      today,
      now,
    })
    deps.logger.info({ personId: person.id, reviewId: open.id }, 'review returned from the web desk')
    return c.html(messagePage(pageOpts(c, t.review), t.returned(unit, due)))
  })
}

const reviewForm = z.object({
  unit: idParam,
  decision: z.enum(['approve', 'return']),
  reason: z.string().max(2000).optional(),
  due: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .or(z.literal('').transform(() => undefined)),
})
