/** Training hours: a unit's officers against the pace (liaisons), or every unit (supervisors, admins). */
import type { Hono } from 'hono'
import { messages } from '../../i18n/index.ts'
import { readsAllUnits } from '../../domain/access.ts'
import { localDate } from '../../domain/dates.ts'
import { requiredHoursPerYear, trainingPace, trainingSummary } from '../../domain/training.ts'
import { trainingOverview } from '../../domain/training-overview.ts'
import { h, page } from '../html.ts'
import { pageOpts, requirePerson } from '../session.ts'
import type { WebDeps, WebEnv } from '../types.ts'

export function registerTraining(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/training', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const locale = c.get('locale')
    const t = messages(locale).web.training
    const today = localDate(c.get('now'), deps.config.timezone)
    const year = Number(today.slice(0, 4))
    const required = await requiredHoursPerYear(deps.db)
    const pace = trainingPace(required, today)
    let body
    if (readsAllUnits(person)) {
      const rows = await trainingOverview(deps.db, year, pace)
      body =
        rows.length === 0
          ? h`<p>${t.empty}</p>`
          : h`<div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${t.unit}</th><th scope="col">${t.officers}</th><th scope="col">${t.average}</th><th scope="col">${t.belowPace}</th></tr></thead>
          <tbody>${rows.map((r) => h`<tr><td data-label="${t.unit}"><a href="/units/${r.unitId}">${r.unitName}</a></td><td data-label="${t.officers}">${r.officers}</td><td data-label="${t.average}">${r.averageHours}</td><td data-label="${t.belowPace}" class="${r.belowPace > 0 ? 'overdue' : ''}">${r.belowPace}</td></tr>`)}</tbody></table></div>`
    } else if (person.unitId !== null) {
      const s = await trainingSummary(deps.db, person.unitId, year, today, required)
      body =
        s.officers.length === 0
          ? h`<p>${t.empty}</p>`
          : h`<div class="table-wrap"><table class="ledger"><thead><tr><th scope="col">${t.officer}</th><th scope="col">${t.hours}</th></tr></thead>
          <tbody>${s.officers.map((o) => h`<tr><td data-label="${t.officer}">${o.name}</td><td data-label="${t.hours}" class="${o.belowPace ? 'overdue' : ''}">${o.hours}</td></tr>`)}</tbody></table></div>`
    } else body = h`<p>${t.empty}</p>`
    return c.html(page(pageOpts(c, t.title, 'training'), h`<p>${t.pace(pace, required)}</p>${body}`))
  })
}
