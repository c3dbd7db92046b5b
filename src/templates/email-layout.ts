/**
 * The one look of every email: a title, paragraphs or lines, and the footer saying it was sent
 * automatically. Templates pass already-escaped HTML fragments and plain-text lines.
 */
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { EmailMessage } from './types.ts'

/** An email with `subject` as its title and `lines` as its body (plain text, escaped here). */
export function plainEmail(subject: string, lines: string[], locale: Locale): EmailMessage {
  return layoutEmail(
    subject,
    lines.map((l) => escapeHtml(l)),
    lines,
    locale,
  )
}

/**
 * A plain email whose closing `hint` (how to reply in Telegram) is followed by the one-tap answer
 * lines when there are any (they end with their own hint, which replaces it).
 */
export function answerableEmail(
  subject: string,
  lines: string[],
  hint: string,
  links: { html: string[]; text: string[] },
  locale: Locale,
): EmailMessage {
  if (links.text.length === 0) return plainEmail(subject, [...lines, hint], locale)
  return layoutEmail(
    subject,
    [...lines.map((l) => escapeHtml(l)), ...links.html],
    [...lines, '', ...links.text],
    locale,
  )
}

/** An email from body lines given twice: as HTML fragments (escaped by the caller) and as text. */
export function layoutEmail(
  subject: string,
  htmlLines: string[],
  textLines: string[],
  locale: Locale,
): EmailMessage {
  const footer = messages(locale).delivery.email.footer
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.6">',
    `<h2>${escapeHtml(subject)}</h2>`,
    ...htmlLines.map((l) => `<p>${l}</p>`),
    `<hr><p style="color: #888; font-size: small">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n')
  const text = [subject, '', ...textLines, '', '--', footer].join('\n')
  return { subject, html, text }
}

/** Puts a note line before an email's body (e.g. why it came by email instead of Telegram). */
export function prependEmailNote(email: EmailMessage, note: string): EmailMessage {
  return {
    ...email,
    html: email.html.replace(/(<body[^>]*>\n?)/, `$1<p><em>${escapeHtml(note)}</em></p>\n`),
    text: `${note}\n\n${email.text}`,
  }
}
