/**
 * A unit's page (its tasks, its liaisons and channels and whether they are reachable, and the
 * timeline of every report and note) and a task's page (every unit's state on it).
 * Liaisons see their own unit only: another unit's page is 403.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { messages } from '../../i18n/index.ts'
import { readsAllUnits } from '../../domain/access.ts'
import { chatsOfUnit } from '../../domain/chats.ts'
import { ledgerPage } from '../../domain/ledger.ts'
import { liaisonsOf } from '../../domain/people.ts'
import { unitStatus } from '../../domain/status.ts'
import { unitTimeline } from '../../domain/timeline.ts'
import { listUnits } from '../../domain/units.ts'
import { formatTime, h, page, stateBadge } from '../html.ts'
import { notFound, pageOpts, requirePerson, requireUnitReader } from '../session.ts'
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
    const body = h`<p><small class="ref">${first.ref}</small> · ${t.task.due}: ${first.due ?? '—'}${first.dueText ? ` （${first.dueText}）` : ''}</p>
    <h2>${t.task.units}</h2>
    <div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${cols.unit}</th><th scope="col">${cols.state}</th><th scope="col">${cols.lastReport}</th><th scope="col">${cols.note}</th></tr></thead>
    <tbody>${view.rows.map(
      (
        r,
      ) => h`<tr class="${r.overdueDays > 0 ? 'is-overdue' : ''}"><td data-label="${cols.unit}"><a href="/units/${r.unitId}">${r.unit}</a></td>
      <td data-label="${cols.state}">${stateBadge(r.state, r.progress, locale)}${r.overdueDays > 0 ? h`<br><small class="overdue">${t.ledger.overdueDays(r.overdueDays)}</small>` : ''}</td>
      <td data-label="${cols.lastReport}">${formatTime(r.lastReportAt, tz)}${r.lastReportBy ? h`<br><small>${r.lastReportBy}</small>` : ''}</td>
      <td data-label="${cols.note}">${r.note ?? ''}</td></tr>`,
    )}</tbody></table></div>`
    return c.html(page(pageOpts(c, first.title, 'ledger'), body))
  })
}
