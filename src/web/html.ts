/**
 * HTML for the web desk: hono's `html` tagged template escapes every interpolated string
 * (& < > " '), so values are never trusted; fragments built with `h` nest without double
 * escaping. `page()` is the one layout: header with navigation, main, no inline script or style.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import type { Person } from '../domain/people.ts'
import type { TaskState } from '../domain/reports.ts'

export type Html = HtmlEscapedString

/** Escaping template for synchronous fragments. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return html(strings, ...values) as Html
}

export { raw }

export interface PageOptions {
  title: string
  locale: Locale
  person: Person | null
  /** The session's CSRF token, for the sign-out form. */
  csrf?: string
  /** Marks the current navigation item. */
  current?: 'ledger' | 'training' | 'deliveries'
}

/**
 * A whole page: header (name, role, navigation, sign-out) and `body`. Returned as a primitive
 * string, so `c.html(page(…))` answers synchronously (hono resolves escaped-string objects in a
 * promise, and guards return their Response directly).
 */
export function page(o: PageOptions, body: Html): string {
  const t = messages(o.locale).web
  const roles = messages(o.locale).common.roles
  const navItem = (key: 'ledger' | 'training' | 'deliveries', href: string) =>
    h`<a href="${href}"${o.current === key ? raw(' aria-current="page"') : ''}>${t.nav[key]}</a>`
  const nav = o.person
    ? h`<nav>
        ${navItem('ledger', '/ledger')}
        ${navItem('training', '/training')}
        ${o.person.role === 'admin' ? navItem('deliveries', '/deliveries') : ''}
        <span class="who">${t.signedInAs(o.person.name, roles[o.person.role])}</span>
        <form method="post" action="/signout" class="inline">
          <input type="hidden" name="_csrf" value="${o.csrf ?? ''}">
          <button type="submit" class="link">${t.nav.signOut}</button>
        </form>
      </nav>`
    : ''
  return String(h`<!doctype html>
<html lang="${o.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · ${t.title}</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">${t.title}</a>${nav}</header>
<main>
<h1>${o.title}</h1>
${body}
</main>
</body>
</html>`)
}

/** A page with one message (errors, confirmations). */
export function messagePage(o: PageOptions, text: string, kind: 'info' | 'error' = 'info'): string {
  return page(o, h`<p class="message ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`)
}

/** `2024-10-15 10:00` in the time zone. */
export function formatTime(at: Date | null, tz: string): string {
  if (!at) return '—'
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at)
}

/** A state as a labelled badge (`进行中 60%`). */
export function stateBadge(state: TaskState, progress: number | null, locale: Locale): Html {
  const word = messages(locale).common.states[state]
  return h`<span class="state state-${state}">${word}${progress !== null && state === 'in_progress' ? ` ${progress}%` : ''}</span>`
}
