/**
 * One-tap answers from email: each reminder, prompt and nudge email carries, for each open task,
 * three links (已完成 / 进行中 / 有困难) signed for that person, unit, task and state with
 * HMAC-SHA256, valid 14 days. The key is `WEB_SIGNING_KEY` when set, else one generated on first
 * use and kept in the `settings` table (so every replica signs and checks alike).
 *
 * A link records at most one report: its use is written to `web_links` (by the token's hash) in
 * the same transaction as the report, so a second use finds it and records nothing.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { settings, webLinks, type ReportState } from '../db/schema.ts'
import {
  checkEvidenceSize,
  storeUploadedEvidence,
  type EvidenceStore,
  type UploadedFile,
} from './evidence.ts'
import { mayAnswerFor } from './leaves.ts'
import { findPersonById, type Person } from './people.ts'
import { recordStatus, type StatusReport } from './reports.ts'
import { tokenHash } from './web-sessions.ts'

export const ANSWER_LINK_TTL_MS = 14 * 86_400_000

/** The states an email answer can report (未开始 is not offered: it is the default). */
export const answerStates = ['done', 'in_progress', 'blocked'] as const
export type AnswerState = (typeof answerStates)[number]

const stateCode: Record<AnswerState, string> = { done: 'd', in_progress: 'i', blocked: 'b' }
const codeState = new Map(Object.entries(stateCode).map(([s, c]) => [c, s as AnswerState]))

const SETTINGS_KEY = 'web_signing_key'
const keys = new WeakMap<Db, Promise<Buffer>>()

/**
 * The signing key: `fromEnv` when given, else the database's (generated on first use; two
 * replicas racing to create it both end up with the one that was inserted first).
 */
export function signingKey(db: Db, fromEnv?: string): Promise<Buffer> {
  if (fromEnv) return Promise.resolve(Buffer.from(fromEnv, 'utf8'))
  let key = keys.get(db)
  if (!key) {
    key = (async () => {
      await db
        .insert(settings)
        .values({ key: SETTINGS_KEY, value: randomBytes(32).toString('base64url') })
        .onConflictDoNothing()
      const [row] = await db
        .select({ value: settings.value })
        .from(settings)
        .where(eq(settings.key, SETTINGS_KEY))
      if (typeof row?.value !== 'string') throw new Error('the web signing key could not be stored')
      return Buffer.from(row.value, 'base64url')
    })()
    key.catch(() => keys.delete(db))
    keys.set(db, key)
  }
  return key
}

/** HMAC-SHA256 of `purpose:text` under the key, base64url. */
export function sign(key: Buffer, purpose: string, text: string): string {
  return createHmac('sha256', key).update(`${purpose}:${text}`).digest('base64url')
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export interface AnswerClaim {
  personId: number
  unitId: number
  taskId: number
  state: AnswerState
  expiresAt: Date
}

/** A signed answer token: `person.unit.task.state.expiry.signature` (URL-safe). */
export function signAnswer(key: Buffer, claim: AnswerClaim): string {
  const body = [
    claim.personId,
    claim.unitId,
    claim.taskId,
    stateCode[claim.state],
    Math.floor(claim.expiresAt.getTime() / 1000),
  ].join('.')
  return `${body}.${sign(key, 'answer', body)}`
}

export type AnswerCheck = { ok: true; claim: AnswerClaim } | { ok: false; reason: 'invalid' | 'expired' }

/** Checks a token's shape and signature, then its expiry. */
export function verifyAnswer(key: Buffer, token: string, now: Date): AnswerCheck {
  const m = /^(\d{1,10})\.(\d{1,10})\.(\d{1,10})\.([dib])\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!m) return { ok: false, reason: 'invalid' }
  const body = token.slice(0, token.lastIndexOf('.'))
  if (!sameText(sign(key, 'answer', body), m[6]!)) return { ok: false, reason: 'invalid' }
  const claim: AnswerClaim = {
    personId: Number(m[1]),
    unitId: Number(m[2]),
    taskId: Number(m[3]),
    state: codeState.get(m[4]!)!,
    expiresAt: new Date(Number(m[5]) * 1000),
  }
  if (claim.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, claim }
}

/** The three answer URLs of one task, by state. */
export type AnswerLinks = Record<AnswerState, string>

/**
 * A builder of answer links for one recipient and unit, as the email templates receive it:
 * `links(taskId)` gives the three signed URLs under `baseUrl` (`<baseUrl>/a/<token>`).
 */
export function answerLinkBuilder(opts: {
  key: Buffer
  baseUrl: string
  personId: number
  unitId: number
  now: Date
}): (taskId: number) => AnswerLinks {
  const expiresAt = new Date(opts.now.getTime() + ANSWER_LINK_TTL_MS)
  return (taskId) => {
    const url = (state: AnswerState) =>
      `${opts.baseUrl}/a/${signAnswer(opts.key, { personId: opts.personId, unitId: opts.unitId, taskId, state, expiresAt })}`
    return { done: url('done'), in_progress: url('in_progress'), blocked: url('blocked') }
  }
}

export type AnswerRefusal = 'invalid' | 'expired' | 'used' | 'not_allowed'

/**
 * Whether a verified claim can still be used: not used before, person active and allowed on `day`
 * (the unit's liaison, a supervisor, or the deputy of a liaison on leave that day).
 */
export async function answerStanding(
  db: Db,
  token: string,
  claim: AnswerClaim,
  day: string,
): Promise<{ ok: true; person: Person } | { ok: false; reason: AnswerRefusal; usedAt?: Date }> {
  const [used] = await db
    .select({ usedAt: webLinks.usedAt })
    .from(webLinks)
    .where(eq(webLinks.tokenHash, tokenHash(token)))
  if (used) return { ok: false, reason: 'used', usedAt: used.usedAt ?? undefined }
  const person = await findPersonById(db, claim.personId)
  if (!person?.active || !(await mayAnswerFor(db, person, claim.unitId, day)))
    return { ok: false, reason: 'not_allowed' }
  return { ok: true, person }
}

/**
 * Records the report a verified answer link stands for, with source `email`, through the same
 * `recordStatus` the bot uses (same rules: the task must be assigned to the unit, progress 0–100).
 * The link's use, the report and its files (佐证材料, source `email`, attached to the report) are
 * one transaction: a used link, an inactive person, a report the rules refuse, or a file over the
 * 20 MB cap (a user error naming it) records nothing at all.
 */
export async function recordAnswer(
  db: Db,
  input: {
    token: string
    claim: AnswerClaim
    progress?: number | null
    note?: string | null
    files?: readonly UploadedFile[]
    /** Where uploaded files go; required when there are files. */
    store?: EvidenceStore
    now: Date
    /** `now`'s day in the plan's timezone (a deputy answers only during the leave). */
    day: string
  },
): Promise<{ ok: true; report: StatusReport; evidenceIds: number[] } | { ok: false; reason: AnswerRefusal }> {
  const { claim } = input
  const files = input.files ?? []
  // Before anything is written (a directory store writes outside the transaction).
  for (const f of files) checkEvidenceSize(f.bytes.length)
  if (files.length > 0 && !input.store) throw new Error('recordAnswer: files need an evidence store')
  return db.transaction(async (tx) => {
    const standing = await answerStanding(tx, input.token, claim, input.day)
    if (!standing.ok) return { ok: false, reason: standing.reason } as const
    const [use] = await tx
      .insert(webLinks)
      .values({
        tokenHash: tokenHash(input.token),
        kind: 'answer',
        personId: claim.personId,
        expiresAt: claim.expiresAt,
        usedAt: input.now,
        createdAt: input.now,
      })
      .onConflictDoNothing()
      .returning({ tokenHash: webLinks.tokenHash })
    if (!use) return { ok: false, reason: 'used' } as const
    const report = await recordStatus(tx, {
      taskId: claim.taskId,
      unitId: claim.unitId,
      state: claim.state,
      progress: claim.state === 'in_progress' ? (input.progress ?? null) : null,
      note: input.note ?? null,
      personId: claim.personId,
      source: 'email',
      now: input.now,
    })
    await tx.update(webLinks).set({ reportId: report.id }).where(eq(webLinks.tokenHash, use.tokenHash))
    const evidenceIds: number[] = []
    for (const file of files)
      evidenceIds.push(
        await storeUploadedEvidence(tx, input.store!, {
          taskId: claim.taskId,
          unitId: claim.unitId,
          personId: claim.personId,
          reportId: report.id,
          file,
          source: 'email',
          now: input.now,
        }),
      )
    return { ok: true, report, evidenceIds } as const
  })
}

export type { ReportState }
