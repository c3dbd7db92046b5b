/**
 * `weekly-digest`: the digest built by src/domain/digest.ts, for the supervisors.
 *
 * Telegram: compact sections with one line per unit or item (long lists capped, the rest counted
 * and left to the email); the worker splits it under 4096 characters at line boundaries.
 * Email: a readable HTML layout (the units as a table, the other sections as lists) and a
 * plain-text part with every line.
 * Both come with a picture (src/documents/digest-chart.ts): sent with sendPhoto before the text
 * in Telegram, inline at the top of the email.
 */
import * as z from 'zod'
import type { Locale } from '../db/schema.ts'
import type { Digest } from '../domain/digest.ts'
import { formatMonthDay, localDate } from '../domain/dates.ts'
import { messages } from '../i18n/index.ts'
import { escapeHtml } from '../telegram/html.ts'
import { digestChartPng } from '../documents/digest-chart.ts'
import { dueLabel, taskTitle } from './rhythm-parts.ts'
import type { EmailMessage, MessageTemplate, RenderContext } from './types.ts'

const int = z.number().int().min(0)
const isoTime = z.string()
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const counts = {
  items: int,
  done: int,
  inProgress: int,
  blocked: int,
  notStarted: int,
  noReply: int,
  overdue: int,
}
const taskRef = { ref: z.string(), title: z.string() }
const loop = z.object({ green: int, yellow: int, red: int, unacknowledged: int }).optional()
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), more: int })
const reason = z.enum(['no_liaison', 'no_channel'])

/** The digest's shape, checked again at send time. */
export const digestParams = z.object({
  week: z.string(),
  date,
  generatedAt: isoTime,
  plan: z.object({ title: z.string(), year: z.number().int() }).nullable(),
  /** Every active plan (named in the head when there are several). */
  plans: z.array(z.object({ title: z.string(), year: z.number().int() })).default([]),
  options: z.object({ upcomingDays: int, silentDays: int, changesDays: int }),
  totals: z.object({ units: int, ...counts, loop }),
  units: z.array(
    z.object({
      unitId: z.number().int(),
      name: z.string(),
      lastReplyAt: isoTime.nullable(),
      unreachable: reason.nullable(),
      ...counts,
      loop,
    }),
  ),
  blocked: list(z.object({ unit: z.string(), ...taskRef, reason: z.string().nullable(), since: isoTime })),
  silent: list(z.object({ unit: z.string(), open: int, lastReplyAt: isoTime.nullable() })),
  unreachable: z.array(z.object({ unit: z.string(), reason })),
  unreachableLiaisons: z.array(z.object({ unit: z.string(), name: z.string(), hasEmail: z.boolean() })),
  upcoming: list(
    z.object({
      ...taskRef,
      due: date,
      dueText: z.string().nullable(),
      open: int,
      total: int,
      plan: z.string().optional(),
    }),
  ),
  changes: z.object({
    reports: int,
    units: int,
    newlyDone: list(z.object({ unit: z.string(), ...taskRef, at: isoTime })),
    newlyBlocked: list(
      z.object({ unit: z.string(), ...taskRef, reason: z.string().nullable(), at: isoTime }),
    ),
  }),
  training: z.object({
    officers: int,
    belowPace: int,
    averageHours: z.number(),
    pace: z.number(),
    required: z.number(),
    units: z.array(z.object({ unit: z.string(), officers: int, belowPace: int })),
  }),
  trend: z.array(z.object({ asOf: date, rate: z.number().min(0).max(1) })).optional(),
}) satisfies z.ZodType<Digest>

/** The picture's file name in Telegram and in the email. */
export const DIGEST_CHART_FILE = 'digest.png'
/** The Content-ID the email's <img> refers to. */
export const DIGEST_CHART_CID = 'digest-chart@duban'

/**
 * The digest's picture (per-unit bars by state, weekly completion trend) as PNG, or null when
 * there is nothing to draw. A picture that fails to render is left out (a warning says why):
 * the text still goes.
 */
export function digestPicture(
  d: Digest,
  locale: Locale,
  warn: RenderContext['warn'] = () => {},
): Buffer | null {
  if (!d.plan || d.units.length === 0) return null
  try {
    return digestChartPng(
      {
        asOf: d.date,
        units: d.units.map((u) => ({
          name: u.name,
          done: u.done,
          inProgress: u.inProgress,
          blocked: u.blocked,
          notStarted: u.notStarted,
          noReply: u.noReply,
        })),
        trend: d.trend ?? [],
      },
      locale,
    ).png
  } catch (err) {
    warn({ err, week: d.week }, 'the digest picture failed to render; the digest goes as text only')
    return null
  }
}

/** The email with the picture inline (cid) at the top of its body. */
export function withInlineChart(email: EmailMessage, png: Buffer, alt: string): EmailMessage {
  const img = `<p><img src="cid:${DIGEST_CHART_CID}" alt="${escapeHtml(alt)}" width="720" style="max-width: 100%; height: auto"></p>`
  return {
    ...email,
    html: email.html.replace(/(<body[^>]*>\n?)/, `$1${img}\n`),
    attachments: [
      ...(email.attachments ?? []),
      { filename: DIGEST_CHART_FILE, content: png, contentType: 'image/png', cid: DIGEST_CHART_CID },
    ],
  }
}

/** At most this many lines per section in Telegram; the email has them all. */
export const TELEGRAM_SECTION_LINES = 30

interface Section {
  title: string
  lines: string[]
  /** Entries left out by the digest itself (its list limit). */
  more: number
}

/** The week as people say it: `2026年第41周`, `2026-W41`. */
function weekLabel(week: string, locale: Locale): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(week)
  return m ? messages(locale).rhythm.digest.week(Number(m[1]), Number(m[2])) : week
}

/** The digest's header lines and sections, as plain text (escape for HTML). */
export function digestSections(
  d: Digest,
  locale: Locale,
  tz: string,
): { title: string; head: string[]; sections: Section[] } {
  const t = messages(locale).rhythm.digest
  const day = (iso: string) => formatMonthDay(localDate(new Date(iso), tz), locale)
  const title = t.title(weekLabel(d.week, locale), formatMonthDay(d.date, locale))
  const tt = d.totals
  const head = d.plan
    ? [
        ...(d.plans.length > 1 ? d.plans.map((p) => t.plan(p.title)) : [t.plan(d.plan.title)]),
        t.summary(tt.units, tt.items),
        t.counts(tt.done, tt.inProgress, tt.blocked, tt.notStarted, tt.noReply, tt.overdue),
        ...(tt.loop ? [t.loopLine(tt.loop.green, tt.loop.yellow, tt.loop.red, tt.loop.unacknowledged)] : []),
      ]
    : [t.noPlan]
  const noDue = messages(locale).rhythm.prompt.noDue
  const sections: Section[] = [
    {
      title: t.sectionUnits,
      lines: d.units.map(
        (u, i) =>
          t.unitLine(i + 1, u.name, u.overdue, u.blocked, u.inProgress, u.done, u.items, u.noReply) +
          (u.loop ? t.unitLoop(u.loop.red, u.loop.yellow, u.loop.unacknowledged) : ''),
      ),
      more: 0,
    },
    {
      title: t.sectionBlocked,
      lines: d.blocked.items.map((b) => t.blockedLine(b.unit, b.title, b.ref, b.reason ?? t.noReason)),
      more: d.blocked.more,
    },
    {
      title: t.sectionSilent(d.options.silentDays),
      lines: d.silent.items.map((s) =>
        t.silentLine(s.unit, s.open, s.lastReplyAt ? day(s.lastReplyAt) : t.never),
      ),
      more: d.silent.more,
    },
    {
      title: t.sectionUnreachable,
      lines: [
        ...d.unreachable.map((u) => t.unreachableLine(u.unit, t.reasons[u.reason])),
        ...d.unreachableLiaisons.map((l) => t.refusedLiaison(l.unit, l.name, l.hasEmail)),
      ],
      more: 0,
    },
    {
      title: t.sectionUpcoming(d.options.upcomingDays),
      lines: d.upcoming.items.map((u) =>
        t.upcomingLine(dueLabel(u, locale, noDue), taskTitle(u, locale), u.ref, u.open, u.total),
      ),
      more: d.upcoming.more,
    },
    {
      title: t.sectionChanges(d.options.changesDays),
      lines: [
        t.changesLine(d.changes.reports, d.changes.units),
        ...d.changes.newlyDone.items.map((n) => t.newlyDone(n.unit, n.title, n.ref)),
        ...d.changes.newlyBlocked.items.map((n) =>
          t.newlyBlocked(n.unit, n.title, n.ref, n.reason ?? t.noReason),
        ),
      ],
      more: d.changes.newlyDone.more + d.changes.newlyBlocked.more,
    },
    {
      title: t.sectionTraining,
      lines:
        d.training.officers > 0
          ? [
              t.trainingLine(
                d.training.officers,
                d.training.averageHours.toFixed(1),
                d.training.pace.toFixed(1),
                d.training.belowPace,
              ),
              ...d.training.units.map((u) => t.trainingUnit(u.unit, u.belowPace, u.officers)),
            ]
          : [t.noOfficers],
      more: 0,
    },
  ]
  return { title, head, sections }
}

function telegramHtml(d: Digest, locale: Locale, tz: string): string {
  const t = messages(locale).rhythm.digest
  const { title, head, sections } = digestSections(d, locale, tz)
  const out = [`<b>${escapeHtml(title)}</b>`, ...head.map((l) => escapeHtml(l))]
  if (!d.plan) return out.join('\n')
  for (const s of sections) {
    out.push('', `<b>${escapeHtml(s.title)}</b>`)
    const shown = s.lines.slice(0, TELEGRAM_SECTION_LINES)
    out.push(...(shown.length ? shown.map((l) => escapeHtml(l)) : [t.none]))
    const more = s.lines.length - shown.length + s.more
    if (more > 0) out.push(escapeHtml(t.more(more)))
  }
  return out.join('\n')
}

function plainText(d: Digest, locale: Locale, tz: string): string[] {
  const t = messages(locale).rhythm.digest
  const { head, sections } = digestSections(d, locale, tz)
  const out = [...head]
  if (!d.plan) return out
  for (const s of sections) {
    out.push('', s.title, ...(s.lines.length ? s.lines : [t.none]))
    if (s.more > 0) out.push(t.more(s.more))
  }
  return out
}

const cell = 'style="border: 1px solid #ccc; padding: 4px 8px"'
const num = 'style="border: 1px solid #ccc; padding: 4px 8px; text-align: right"'

function emailHtml(d: Digest, locale: Locale, tz: string, subject: string): string {
  const r = messages(locale).rhythm.digest
  const c = r.columns
  const footer = messages(locale).delivery.email.footer
  const { title, head, sections } = digestSections(d, locale, tz)
  const e = escapeHtml
  const body: string[] = [`<h2>${e(title)}</h2>`, ...head.map((l) => `<p>${e(l)}</p>`)]
  if (d.plan) {
    const [unitsSection, ...rest] = sections
    body.push(`<h3>${e(unitsSection!.title)}</h3>`)
    const headers = [
      c.unit,
      c.overdue,
      c.blocked,
      c.inProgress,
      c.notStarted,
      c.done,
      c.noReply,
      c.items,
      c.red,
      c.yellow,
      c.unacknowledged,
      c.lastReply,
    ]
    body.push(
      '<table style="border-collapse: collapse">',
      `<tr>${headers.map((h) => `<th ${cell}>${e(h)}</th>`).join('')}</tr>`,
      ...d.units.map((u) => {
        const values = [
          u.overdue,
          u.blocked,
          u.inProgress,
          u.notStarted,
          u.done,
          u.noReply,
          u.items,
          u.loop?.red ?? '',
          u.loop?.yellow ?? '',
          u.loop?.unacknowledged ?? '',
        ].map((v) => `<td ${num}>${v}</td>`)
        const last = u.lastReplyAt ? formatMonthDay(localDate(new Date(u.lastReplyAt), tz), locale) : r.never
        return `<tr><td ${cell}>${e(u.name)}</td>${values.join('')}<td ${cell}>${e(last)}</td></tr>`
      }),
      '</table>',
    )
    for (const s of rest) {
      body.push(`<h3>${e(s.title)}</h3>`)
      body.push(
        s.lines.length
          ? `<ul>${s.lines.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`
          : `<p>${e(r.none)}</p>`,
      )
      if (s.more > 0) body.push(`<p>${e(r.more(s.more))}</p>`)
    }
  }
  return [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.6">',
    ...body,
    `<hr><p style="color: #888; font-size: small">${e(footer)}</p>`,
    '</body></html>',
  ].join('\n')
}

export const weeklyDigest: MessageTemplate<Digest> = {
  name: 'weekly-digest',
  params: digestParams,
  render(d, locale, { tz, warn }) {
    const t = messages(locale).rhythm.digest
    const subject = t.subject(weekLabel(d.week, locale))
    const footer = messages(locale).delivery.email.footer
    const email = {
      subject,
      html: emailHtml(d, locale, tz, subject),
      text: [digestSections(d, locale, tz).title, '', ...plainText(d, locale, tz), '', '--', footer].join(
        '\n',
      ),
    }
    // The picture goes before the text: sendPhoto first in Telegram, inline (cid) atop the email.
    const png = digestPicture(d, locale, warn)
    return {
      telegram: {
        html: telegramHtml(d, locale, tz),
        ...(png ? { photo: { data: png, fileName: DIGEST_CHART_FILE } } : {}),
      },
      email: png ? withInlineChart(email, png, digestSections(d, locale, tz).title) : email,
    }
  },
}

/** The Telegram rendering of a digest (what `/digest` answers). */
export function renderDigestTelegram(d: Digest, locale: Locale, tz: string): string {
  return telegramHtml(d, locale, tz)
}
