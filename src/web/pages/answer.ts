/**
 * One-tap answers from email: `/a/<token>` shows what the signed link stands for (unit, task,
 * state) and asks to confirm, with an optional note and percentage; the POST records it with
 * source `email` through the domain's recordAnswer (the bot's recordStatus rules). No session is
 * needed: the signed token is the authority, and the form's CSRF token is derived from it.
 * A tampered, expired or used link shows a clear page and records nothing. Opening the link
 * (GET) never records: mail scanners that follow links change nothing.
 *
 * The form is multipart and takes files (佐证材料) too: each is stored through the evidence
 * service (20 MB each, at most MAX_ANSWER_FILES), attached to the report, in the report's
 * transaction; one file over the cap records nothing. The body is capped at the server just above
 * what that allows, so a huge upload is refused before it is read.
 */
import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import * as z from 'zod'
import { messages } from '../../i18n/index.ts'
import {
  answerStanding,
  recordAnswer,
  verifyAnswer,
  type AnswerClaim,
  type AnswerRefusal,
} from '../../domain/answer-links.ts'
import {
  evidenceStore,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_MB,
  type UploadedFile,
} from '../../domain/evidence.ts'
import { localDate } from '../../domain/dates.ts'
import { ledgerPage, type LedgerRow } from '../../domain/ledger.ts'
import { formatStatus, MAX_NOTE_CHARS } from '../../domain/status-reply.ts'
import { h, messagePage, page, raw } from '../html.ts'
import { csrfMatches, csrfToken } from '../security.ts'
import { pageOpts } from '../session.ts'
import type { WebDeps, WebEnv } from '../types.ts'

const formSchema = z.object({
  _csrf: z.string().max(200).optional(),
  note: z
    .string()
    .max(MAX_NOTE_CHARS * 4)
    .optional(),
  progress: z
    .union([z.literal(''), z.coerce.number().int().min(0).max(100)])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
})

/** How many files one answer may carry. */
export const MAX_ANSWER_FILES = 5
/** The request body cap: every file at its cap, plus 1 MB for the fields and multipart framing. */
export const MAX_ANSWER_BODY_BYTES = MAX_ANSWER_FILES * MAX_EVIDENCE_BYTES + 1024 * 1024

/** The uploaded files of a parsed multipart body (an empty file input sends one nameless empty file). */
function uploadedFiles(body: Record<string, unknown>): File[] {
  const value = body.files
  const all = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value]
  return all.filter((v): v is File => v instanceof File && !(v.size === 0 && v.name === ''))
}

const statusCode: Record<AnswerRefusal, 400 | 403 | 409 | 410> = {
  invalid: 400,
  expired: 410,
  used: 409,
  not_allowed: 403,
}

export function registerAnswers(app: Hono<WebEnv>, deps: WebDeps): void {
  const tz = deps.config.timezone

  const refuse = (c: Context<WebEnv>, reason: AnswerRefusal) => {
    const t = messages(c.get('locale')).web.answer
    const text = { invalid: t.invalid, expired: t.expired, used: t.used, not_allowed: t.notAllowed }[reason]
    return c.html(messagePage(pageOpts(c, t.title), text, 'error'), statusCode[reason])
  }

  /** The assignment the claim is about, or null when the task is no longer assigned to the unit. */
  const assignmentOf = async (c: Context<WebEnv>, claim: AnswerClaim): Promise<LedgerRow | null> => {
    const view = await ledgerPage(
      deps.db,
      { taskId: claim.taskId, unitId: claim.unitId, pageSize: 0 },
      c.get('now'),
      tz,
    )
    return view.rows[0] ?? null
  }

  app.get('/a/:token', async (c) => {
    const token = c.req.param('token')
    const check = verifyAnswer(c.get('key'), token, c.get('now'))
    if (!check.ok) return refuse(c, check.reason)
    const standing = await answerStanding(deps.db, token, check.claim, localDate(c.get('now'), tz))
    if (!standing.ok) return refuse(c, standing.reason)
    c.set('locale', standing.person.locale)
    const row = await assignmentOf(c, check.claim)
    if (!row) return refuse(c, 'not_allowed')
    const locale = c.get('locale')
    const t = messages(locale).web.answer
    const state = check.claim.state
    const word = messages(locale).common.states[state]
    const body = h`<p class="confirm">${t.confirm(row.unit, `${row.title}（${row.ref}）`, word)}</p>
    <p><small>${messages(locale).web.ledger.columns.state}: ${formatStatus({ state: row.state === 'no_reply' ? 'not_started' : row.state, progress: row.progress, note: row.note }, locale)}</small></p>
    <form method="post" action="/a/${token}" class="answer" enctype="multipart/form-data">
      <input type="hidden" name="_csrf" value="${csrfToken(c.get('key'), 'answer', token)}">
      ${
        state === 'in_progress'
          ? h`<label>${t.progress}<input type="number" name="progress" min="0" max="100" step="1" inputmode="numeric"${row.progress !== null ? raw(` value="${row.progress}"`) : ''}></label>`
          : ''
      }
      <label>${state === 'blocked' ? t.reason : t.note}<textarea name="note" rows="3" maxlength="${MAX_NOTE_CHARS}"></textarea></label>
      <label>${t.files(MAX_ANSWER_FILES, MAX_EVIDENCE_MB)}<input type="file" name="files" multiple></label>
      <button type="submit" class="state-${state}">${t.submit}：${word}</button>
    </form>`
    return c.html(page(pageOpts(c, t.title), body))
  })

  const tooLarge = (c: Context<WebEnv>) => {
    const t = messages(c.get('locale')).web.answer
    return c.html(messagePage(pageOpts(c, t.title), t.tooLarge(MAX_EVIDENCE_MB), 'error'), 413)
  }

  const limit = bodyLimit({ maxSize: MAX_ANSWER_BODY_BYTES, onError: tooLarge })

  app.post('/a/:token', limit, async (c) => {
    const token = c.req.param('token')
    const check = verifyAnswer(c.get('key'), token, c.get('now'))
    if (!check.ok) return refuse(c, check.reason)
    const body = await c.req.parseBody({ all: true })
    const files = uploadedFiles(body)
    const form = formSchema.safeParse(body)
    if (!form.success || !csrfMatches(csrfToken(c.get('key'), 'answer', token), form.data._csrf)) {
      const t = messages(c.get('locale')).web.errors
      return c.html(
        messagePage(pageOpts(c, t.csrf), form.success ? t.csrf : t.badRequest, 'error'),
        form.success ? 403 : 400,
      )
    }
    if (files.length > MAX_ANSWER_FILES) {
      const t = messages(c.get('locale')).web.answer
      return c.html(messagePage(pageOpts(c, t.title), t.tooManyFiles(MAX_ANSWER_FILES), 'error'), 400)
    }
    if (files.some((f) => f.size > MAX_EVIDENCE_BYTES)) return tooLarge(c)
    const row = await assignmentOf(c, check.claim)
    if (!row) return refuse(c, 'not_allowed')
    const uploads: UploadedFile[] = await Promise.all(
      files.map(async (f) => ({
        fileName: f.name || null,
        claimedType: f.type || null,
        bytes: Buffer.from(await f.arrayBuffer()),
      })),
    )
    const outcome = await recordAnswer(deps.db, {
      token,
      claim: check.claim,
      progress: form.data.progress,
      note: form.data.note ?? null,
      files: uploads,
      store: evidenceStore(deps.config.evidenceDir),
      now: c.get('now'),
      day: localDate(c.get('now'), tz),
    })
    if (!outcome.ok) return refuse(c, outcome.reason)
    const person = outcome.report.personId
    deps.logger.info(
      { personId: person, taskId: row.taskId, unitId: row.unitId, evidenceIds: outcome.evidenceIds },
      'status recorded from an email link',
    )
    const locale = c.get('locale')
    const t = messages(locale).web.answer
    const r = outcome.report
    return c.html(
      messagePage(
        pageOpts(c, t.title),
        t.recorded(
          row.unit,
          `${row.title}（${row.ref}）`,
          formatStatus({ state: r.state, progress: r.progress, note: r.note }, locale),
        ) + (outcome.evidenceIds.length > 0 ? ` ${t.filesRecorded(outcome.evidenceIds.length)}` : ''),
      ),
    )
  })
}
