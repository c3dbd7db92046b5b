/**
 * The 台账 page: every assignment of a plan with its latest state and 三色 colour, filtered by
 * plan, unit, state, colour and overdue, sorted by any column, paged; and the same view as a CSV download. Liaisons see
 * their own unit only.
 */
import type { Context, Hono } from 'hono'
import * as z from 'zod'
import type { Locale } from '../../db/schema.ts'
import { messages } from '../../i18n/index.ts'
import { readsAllUnits } from '../../domain/access.ts'
import {
  filteredLedger,
  ledgerPage,
  ledgerSorts,
  listPlans,
  type LedgerFilter,
  type LedgerPage,
} from '../../domain/ledger.ts'
import { taskStates } from '../../domain/reports.ts'
import { colors } from '../../domain/colors.ts'
import { listUnits } from '../../domain/units.ts'
import { formatTime, h, page, raw, stateBadge, type Html } from '../html.ts'
import { toCsv } from '../csv.ts'
import { loopCells } from '../../documents/ledger-xlsx.ts'
import { forbidden, notFound, pageOpts, requirePerson } from '../session.ts'
import { localDate } from '../../domain/dates.ts'
import type { WebDeps, WebEnv } from '../types.ts'

const id = z.coerce.number().int().positive().max(2_147_483_647)
const querySchema = z.object({
  plan: id.optional().catch(undefined),
  unit: id.optional().catch(undefined),
  state: z
    .enum(taskStates as [string, ...string[]])
    .optional()
    .catch(undefined),
  overdue: z.literal('1').optional().catch(undefined),
  color: z.enum(colors).optional().catch(undefined),
  sort: z.enum(ledgerSorts).optional().catch(undefined),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
})
type LedgerQuery = z.infer<typeof querySchema>

export const LEDGER_PAGE_SIZE = 50

/** The query as a filter; null when a liaison asks for another unit. */
function filterFor(c: Context<WebEnv>, q: LedgerQuery): LedgerFilter | null {
  const person = c.get('person')!
  let unitId = q.unit
  if (!readsAllUnits(person)) {
    if (person.unitId === null) return null
    if (unitId !== undefined && unitId !== person.unitId) return null
    unitId = person.unitId
  }
  return {
    ...(q.plan ? { planId: q.plan } : {}),
    ...(unitId ? { unitId } : {}),
    ...(q.state ? { state: q.state as LedgerFilter['state'] } : {}),
    ...(q.overdue ? { overdue: true } : {}),
    ...(q.color ? { color: q.color } : {}),
    sort: q.sort ?? 'task',
    dir: q.dir ?? 'asc',
    page: q.page ?? 1,
    pageSize: LEDGER_PAGE_SIZE,
  }
}

/** `/ledger?…` with the query changed by `patch` (undefined removes a key). */
function link(
  q: LedgerQuery,
  patch: Partial<Record<keyof LedgerQuery, string | number | undefined>>,
  base = '/ledger',
): string {
  const params = new URLSearchParams()
  const merged: Record<string, string | number | undefined> = { ...q, ...patch }
  for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '') params.set(k, String(v))
  const s = params.toString()
  return s ? `${base}?${s}` : base
}

function dueCell(due: string | null, dueText: string | null, overdueDays: number, locale: Locale): Html {
  const t = messages(locale).web.ledger
  return h`${due ?? '—'}${dueText ? h`<br><small>${dueText}</small>` : ''}${
    overdueDays > 0 ? h`<br><small class="overdue">${t.overdueDays(overdueDays)}</small>` : ''
  }`
}

export function renderLedger(
  view: LedgerPage,
  q: LedgerQuery,
  opts: {
    locale: Locale
    tz: string
    units: { id: number; name: string }[] | null
    plans: { id: number; title: string }[]
  },
): Html {
  const { locale } = opts
  const t = messages(locale).web.ledger
  const states = messages(locale).common.states
  const cols = t.columns
  const sortHeader = (key: (typeof ledgerSorts)[number], label: string) => {
    const active = (q.sort ?? 'task') === key
    const dir = active && (q.dir ?? 'asc') === 'asc' ? 'desc' : 'asc'
    return h`<th scope="col"${active ? raw(` aria-sort="${(q.dir ?? 'asc') === 'asc' ? 'ascending' : 'descending'}"`) : ''}><a href="${link(q, { sort: key, dir, page: undefined })}" title="${t.sortBy(label)}">${label}</a></th>`
  }
  const counts = view.counts
  const chip = (key: keyof typeof counts, label: string) =>
    h`<a class="chip state-${key}" href="${key === 'overdue' ? link(q, { overdue: '1', state: undefined, page: undefined }) : link(q, { state: key, overdue: undefined, page: undefined })}" data-count="${key}">${label} <b>${counts[key]}</b></a>`
  const pages = view.pageSize > 0 ? Math.max(1, Math.ceil(view.total / view.pageSize)) : 1
  const pager = messages(locale).web.pager
  const filters = h`<form method="get" action="/ledger" class="filters">
    ${opts.plans.length > 1 ? h`<label>${t.plan} <select name="plan">${opts.plans.map((p) => h`<option value="${p.id}"${view.plan?.id === p.id ? raw(' selected') : ''}>${p.title}</option>`)}</select></label>` : ''}
    ${opts.units ? h`<label>${t.unit} <select name="unit"><option value="">${t.allUnits}</option>${opts.units.map((u) => h`<option value="${u.id}"${q.unit === u.id ? raw(' selected') : ''}>${u.name}</option>`)}</select></label>` : ''}
    <label>${t.state} <select name="state"><option value="">${t.allStates}</option>${taskStates.map((s) => h`<option value="${s}"${q.state === s ? raw(' selected') : ''}>${states[s]}</option>`)}</select></label>
    <label>${t.color} <select name="color"><option value="">${t.allColors}</option>${colors.map((k) => h`<option value="${k}"${q.color === k ? raw(' selected') : ''}>${t.colors[k]}</option>`)}</select></label>
    <label class="check"><input type="checkbox" name="overdue" value="1"${q.overdue ? raw(' checked') : ''}> ${t.overdueOnly}</label>
    ${q.sort ? h`<input type="hidden" name="sort" value="${q.sort}">` : ''}${q.dir ? h`<input type="hidden" name="dir" value="${q.dir}">` : ''}
    <button type="submit">${t.apply}</button>
    <a class="button secondary" href="${link(q, { page: undefined }, '/ledger.xlsx')}" download>${t.downloadXlsx}</a>
    <a class="button secondary" href="${link(q, { page: undefined }, '/ledger.csv')}" download>${t.download}</a>
  </form>`
  if (!view.plan) return h`${filters}<p class="message info">${t.noPlan}</p>`
  return h`${filters}
  <p class="chips">${chip('not_started', states.not_started)}${chip('in_progress', states.in_progress)}${chip('done', states.done)}${chip('blocked', states.blocked)}${chip('no_reply', states.no_reply)}${chip('overdue', t.overdue)}</p>
  <p class="total" id="total" data-total="${view.total}">${view.plan.title} · ${t.total(view.total)}</p>
  ${
    view.rows.length === 0
      ? h`<p class="message info">${t.empty}</p>`
      : h`<div class="table-wrap"><table class="ledger">
    <thead><tr>${sortHeader('task', cols.task)}${sortHeader('unit', cols.unit)}${sortHeader('due', cols.due)}${sortHeader('state', cols.state)}<th scope="col">${cols.color}</th>${sortHeader('last', cols.lastReport)}<th scope="col">${cols.note}</th></tr></thead>
    <tbody>${view.rows.map(
      (r) => h`<tr class="${r.overdueDays > 0 ? 'is-overdue' : ''}">
      <td data-label="${cols.task}"><a href="/tasks/${r.taskId}">${r.title}</a> <small class="ref">${r.ref}</small></td>
      <td data-label="${cols.unit}"><a href="/units/${r.unitId}">${r.unit}</a></td>
      <td data-label="${cols.due}">${dueCell(r.due, r.dueText, r.overdueDays, locale)}</td>
      <td data-label="${cols.state}">${stateBadge(r.state, r.progress, locale)}</td>
      <td data-label="${cols.color}">${r.color ? h`<span class="color color-${r.color}" data-color="${r.color}">${t.colors[r.color]}</span>` : ''}</td>
      <td data-label="${cols.lastReport}">${formatTime(r.lastReportAt, opts.tz)}${r.lastReportBy ? h`<br><small>${r.lastReportBy}</small>` : ''}</td>
      <td data-label="${cols.note}">${r.note ?? ''}</td>
    </tr>`,
    )}</tbody></table></div>`
  }
  ${
    pages > 1
      ? h`<nav class="pager">${view.page > 1 ? h`<a rel="prev" href="${link(q, { page: view.page - 1 })}">${pager.previous}</a>` : ''}
      <span>${pager.page(view.page, pages)}</span>
      ${view.page < pages ? h`<a rel="next" href="${link(q, { page: view.page + 1 })}">${pager.next}</a>` : ''}</nav>`
      : ''
  }`
}

export function registerLedger(app: Hono<WebEnv>, deps: WebDeps): void {
  const tz = deps.config.timezone

  app.get('/ledger', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const q = querySchema.parse(c.req.query())
    const filter = filterFor(c, q)
    if (!filter) return forbidden(c)
    const [view, units, plans] = await Promise.all([
      ledgerPage(deps.db, filter, c.get('now'), tz),
      readsAllUnits(person) ? listUnits(deps.db) : Promise.resolve(null),
      listPlans(deps.db),
    ])
    const locale = c.get('locale')
    return c.html(
      page(
        pageOpts(c, messages(locale).web.ledger.title, 'ledger'),
        renderLedger(view, q, { locale, tz, units, plans }),
      ),
    )
  })

  // The view on screen (every page of it) as the 工作台账 workbook the CLI and /ledger write.
  app.get('/ledger.xlsx', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const q = querySchema.parse(c.req.query())
    const filter = filterFor(c, q)
    if (!filter) return forbidden(c)
    const view = await filteredLedger(deps.db, filter, c.get('now'), tz)
    if (!view) return notFound(c)
    const locale = c.get('locale')
    const { ledgerXlsxBuffer, workbookDataOf } = await import('../../documents/ledger-xlsx.ts')
    const bytes = await ledgerXlsxBuffer(
      await workbookDataOf(deps.db, view, tz, locale, filter.unitId !== undefined),
    )
    const day = localDate(c.get('now'), tz)
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="ledger-${day}.xlsx"; filename*=UTF-8''${encodeURIComponent(`台账-${day}.xlsx`)}`,
    })
  })

  app.get('/ledger.csv', async (c) => {
    const person = requirePerson(c)
    if (person instanceof Response) return person
    const q = querySchema.parse(c.req.query())
    const filter = filterFor(c, q)
    if (!filter) return forbidden(c)
    const view = await ledgerPage(deps.db, { ...filter, page: 1, pageSize: 0 }, c.get('now'), tz)
    const locale = c.get('locale')
    const t = messages(locale)
    const cols = t.web.ledger.columns
    // The 台账 workbook's headings and words for colour, receipt and evidence.
    const book = t.paperwork.ledger
    const time = (instant: Date) => formatTime(instant, tz)
    const csv = toCsv(
      [
        cols.ref,
        cols.task,
        cols.unit,
        cols.due,
        cols.state,
        cols.note,
        cols.lastReport,
        t.web.ledger.overdue,
        book.main.color,
        book.main.acknowledged,
        book.main.evidence,
      ],
      view.rows.map((r) => {
        const loop = loopCells(r, locale, time)
        return [
          r.ref,
          r.title,
          r.unit,
          r.due ?? r.dueText ?? '',
          t.common.states[r.state] +
            (r.progress !== null && r.state === 'in_progress' ? ` ${r.progress}%` : ''),
          r.note,
          r.lastReportAt
            ? `${formatTime(r.lastReportAt, tz)}${r.lastReportBy ? ` ${r.lastReportBy}` : ''}`
            : '',
          r.overdueDays,
          loop.color ?? '',
          loop.acknowledged ?? '',
          r.evidenceCount ?? '',
        ]
      }),
    )
    const day = c.get('now').toISOString().slice(0, 10)
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="ledger-${day}.csv"; filename*=UTF-8''${encodeURIComponent(`台账-${day}.csv`)}`,
    })
  })
}
