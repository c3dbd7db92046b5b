/** For admins: deliveries that failed, were given up or may have arrived twice, with a retry button. */
import type { Hono } from 'hono'
import * as z from 'zod'
import { messages } from '../../i18n/index.ts'
import { isAdmin } from '../../domain/access.ts'
import { listDeliveries, retryDelivery, type DeliveryRow } from '../../delivery/outbox.ts'
import { formatTime, h, messagePage, page } from '../html.ts'
import { csrfRefused, forbidden, pageOpts, requirePerson, sessionCsrfOk } from '../session.ts'
import type { WebDeps, WebEnv } from '../types.ts'

const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)

export function registerDeliveries(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/deliveries', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    if (!isAdmin(person)) return forbidden(c)
    const locale = c.get('locale')
    const t = messages(locale).web.deliveries
    const words = messages(locale).delivery
    const lists = await Promise.all(
      (['failed', 'dead', 'ambiguous'] as const).map((status) =>
        listDeliveries(deps.db, { status, limit: 500 }),
      ),
    )
    const seen = new Set<number>()
    const rows: DeliveryRow[] = lists.flat().filter((d) => !seen.has(d.id) && seen.add(d.id))
    const body =
      rows.length === 0
        ? h`<p>${t.empty}</p>`
        : h`<div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${t.id}</th><th scope="col">${t.channel}</th><th scope="col">${t.recipient}</th><th scope="col">${t.status}</th><th scope="col">${t.attempts}</th><th scope="col">${t.error}</th><th scope="col">${t.updated}</th><th scope="col"></th></tr></thead>
      <tbody>${rows.map(
        (
          d,
        ) => h`<tr><td data-label="${t.id}">${d.id}</td><td data-label="${t.channel}">${words.channels[d.channel]}</td><td data-label="${t.recipient}">${d.recipient}</td>
        <td data-label="${t.status}">${words.statuses[d.status]}${d.ambiguous ? t.ambiguous : ''}</td><td data-label="${t.attempts}">${d.attempts}</td>
        <td data-label="${t.error}">${d.lastError ?? ''}</td><td data-label="${t.updated}">${formatTime(d.updatedAt, deps.config.timezone)}</td>
        <td>${d.status === 'sent' || d.status === 'pending' || d.status === 'sending' ? '' : h`<form method="post" action="/deliveries/${d.id}/retry"><input type="hidden" name="_csrf" value="${c.get('csrf')}"><button type="submit">${t.retry}</button></form>`}</td></tr>`,
      )}</tbody></table></div>`
    return c.html(page(pageOpts(c, t.title, 'deliveries'), body))
  })

  app.post('/deliveries/:id/retry', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const form = await c.req.parseBody()
    if (!sessionCsrfOk(c, form)) return csrfRefused(c)
    if (!isAdmin(person)) return forbidden(c)
    const parsed = idParam.safeParse(c.req.param('id'))
    if (!parsed.success) return c.notFound()
    await retryDelivery(deps.db, parsed.data, c.get('now'))
    deps.logger.info({ personId: person.id, delivery: parsed.data }, 'delivery retried from the web desk')
    const t = messages(c.get('locale')).web.deliveries
    return c.html(messagePage(pageOpts(c, t.title, 'deliveries'), t.retried(parsed.data)))
  })
}
