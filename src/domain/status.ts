/**
 * What units say about their tasks, and the status view built from it.
 *
 * Status reports are append-only: every reply is kept with who, when and from which message, and
 * the latest report per (task, unit), ordered by `reportedAt` then `id`, is the unit's status.
 * A (task, unit) without any report is `no_reply`. Prompts are the bot's messages asking a unit
 * about some tasks; a reply to one is matched through its (chat, message) ids.
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { query } from '../db/sql.ts'
import { advanceFrom, advanceLatestStatus } from './latest-status.ts'
import {
  assignments,
  latestReportFirst,
  notes,
  people,
  prompts,
  reportStates,
  statusReports,
  tasks,
  units,
  type ReportState,
} from '../db/schema.ts'
import { daysBetween, localDate } from './dates.ts'
import { liaisonsOf, stripControls } from './people.ts'
import { userError } from '../errors.ts'
import { MAX_NOTE_CHARS, type ParsedStatus } from './status-reply.ts'
import { trainingSummary } from './training.ts'
import type { TaskLoop, UnitLoop } from './loop-types.ts'
import { countReply } from '../metrics.ts'
import { listUnits, type Unit } from './units.ts'
import { activePlan, activePlans, isChased, type Plan } from './plans.ts'
import type { AssignmentRole } from '../db/schema.ts'

export type TaskState = ReportState | 'no_reply'
export const taskStates: readonly TaskState[] = [...reportStates, 'no_reply']

export type StatusReport = typeof statusReports.$inferSelect
export type StatusSource = StatusReport['source']

/** Raw text kept with a report is capped like a Telegram message. */
const MAX_RAW_CHARS = 4096

/** The most recent active plan (kept here for its callers; the one reader lives in plans.ts). */
export { activePlan }

function cleanText(text: string | null | undefined, max: number): string | null {
  const t = stripControls(text ?? '').trim()
  return t ? [...t].slice(0, max).join('') : null
}

function checkProgress(progress: number | null | undefined): number | null {
  if (progress === null || progress === undefined) return null
  if (!Number.isInteger(progress) || progress < 0 || progress > 100)
    throw userError('statusView', (t) => t.status.progressInvalid(String(progress)))
  return progress
}

export interface StatusInput {
  taskId: number
  unitId: number
  state: ReportState
  progress?: number | null
  note?: string | null
  personId?: number | null
  source: StatusSource
  promptId?: number | null
  telegramChatId?: number | null
  telegramMessageId?: number | null
  rawText?: string | null
  now: Date
}

/**
 * Appends a status report for (task, unit), which becomes the unit's latest status. A user error
 * (nothing written) when the task does not exist or is not assigned to the unit, or the progress
 * is not a whole number 0–100.
 */
export async function recordStatus(db: Db, input: StatusInput): Promise<StatusReport> {
  if (!(reportStates as readonly string[]).includes(input.state)) throw new Error(`bad state ${input.state}`)
  const progress = checkProgress(input.progress)
  const note = cleanText(input.note, MAX_NOTE_CHARS)
  const rawText = cleanText(input.rawText, MAX_RAW_CHARS)
  // One statement: the assignment check, the insert and the assignment's latest-status record
  // together (a reply is on the bot's hot path).
  const [inserted] = await query<{ id: number | string }>(
    db,
    sql`with r as (
          insert into status_reports (task_id, unit_id, state, progress, note, person_id, reported_at, source,
            prompt_id, telegram_chat_id, telegram_message_id, raw_text)
          select ${input.taskId}, ${input.unitId}, ${input.state}, ${progress}, ${note}, ${input.personId ?? null},
            ${input.now.toISOString()}::timestamptz, ${input.source}, ${input.promptId ?? null},
            ${input.telegramChatId ?? null}, ${input.telegramMessageId ?? null}, ${rawText}
          where exists (select 1 from assignments where task_id = ${input.taskId} and unit_id = ${input.unitId})
          returning id, task_id, unit_id, state, progress, note, person_id, reported_at
        ),
        latest as (${advanceFrom(sql`r`)} returning 1)
        select id from r`,
  )
  if (!inserted) {
    // Nothing written: say why.
    const [task] = await db.select({ ref: tasks.ref }).from(tasks).where(eq(tasks.id, input.taskId))
    if (!task) throw userError('statusView', (t) => t.status.taskUnknown(input.taskId))
    const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, input.unitId))
    throw userError('statusView', (t) => t.status.notAssigned(task.ref, unit?.name ?? `#${input.unitId}`))
  }
  countReply(input.source)
  return {
    id: Number(inserted.id),
    taskId: input.taskId,
    unitId: input.unitId,
    state: input.state,
    progress,
    note,
    personId: input.personId ?? null,
    reportedAt: input.now,
    source: input.source,
    promptId: input.promptId ?? null,
    telegramChatId: input.telegramChatId ?? null,
    telegramMessageId: input.telegramMessageId ?? null,
    supersedesId: null,
    rawText,
  }
}

/**
 * An edited Telegram message: appends a report that supersedes the one recorded from that message
 * (history kept; `supersedesId` points at it). Returns null when that message recorded nothing.
 *
 * A message that answered several tasks (`1 已完成；3 进行中`) needs `opts.taskId`: the bot
 * re-parses the edit and calls this once per task; without it such a message throws.
 * If the edited report was the unit's latest for the task, the edit is reported at `now`;
 * otherwise it keeps the original's time, so editing an old message never overrides a newer
 * report. An edit that changes nothing returns the current report and writes nothing.
 */
export async function recordEditedStatus(
  db: Db,
  telegramChatId: number,
  telegramMessageId: number,
  parsed: ParsedStatus,
  now: Date,
  opts: { taskId?: number; rawText?: string | null } = {},
): Promise<StatusReport | null> {
  const fromMessage = await db
    .select()
    .from(statusReports)
    .where(
      and(
        eq(statusReports.telegramChatId, telegramChatId),
        eq(statusReports.telegramMessageId, telegramMessageId),
        opts.taskId === undefined ? undefined : eq(statusReports.taskId, opts.taskId),
      ),
    )
    .orderBy(desc(statusReports.id))
  const previous = fromMessage[0]
  if (!previous) return null
  if (new Set(fromMessage.map((r) => r.taskId)).size > 1)
    throw new Error('this message reported on several tasks: pass opts.taskId')
  const progress = checkProgress(parsed.progress)
  const note = cleanText(parsed.note, MAX_NOTE_CHARS)
  if (previous.state === parsed.state && previous.progress === progress && previous.note === note)
    return previous
  const latest = await latestStatus(db, previous.taskId, previous.unitId)
  const reportedAt = latest?.id === previous.id ? now : previous.reportedAt
  // The report and the assignment's latest-status record together.
  return db.transaction(async (tx) => {
    const [report] = await tx
      .insert(statusReports)
      .values({
        taskId: previous.taskId,
        unitId: previous.unitId,
        state: parsed.state,
        progress,
        note,
        personId: previous.personId,
        reportedAt,
        source: previous.source,
        promptId: previous.promptId,
        telegramChatId,
        telegramMessageId,
        supersedesId: previous.id,
        rawText: opts.rawText === undefined ? previous.rawText : cleanText(opts.rawText, MAX_RAW_CHARS),
      })
      .returning()
    await advanceLatestStatus(tx, report!.id)
    return report!
  })
}

/** Keeps text from a unit that was not understood as a status (never dropped). */
export async function keepNote(
  db: Db,
  input: {
    unitId: number | null
    personId: number | null
    promptId?: number | null
    text: string
    telegramChatId?: number | null
    telegramMessageId?: number | null
    now: Date
  },
): Promise<void> {
  await db.insert(notes).values({
    unitId: input.unitId,
    personId: input.personId,
    promptId: input.promptId ?? null,
    text: cleanText(input.text, MAX_RAW_CHARS) ?? '',
    telegramChatId: input.telegramChatId ?? null,
    telegramMessageId: input.telegramMessageId ?? null,
    createdAt: input.now,
  })
}

/** The unit's latest report on a task, or null when it never replied. */
export async function latestStatus(db: Db, taskId: number, unitId: number): Promise<StatusReport | null> {
  const [report] = await db
    .select()
    .from(statusReports)
    .where(and(eq(statusReports.unitId, unitId), eq(statusReports.taskId, taskId)))
    .orderBy(...latestReportFirst)
    .limit(1)
  return report ?? null
}

// ---------------------------------------------------------------------------------------------
// The status view

/** One task of a unit as the status view shows it. */
export interface OpenTask {
  taskId: number
  ref: string
  title: string
  /** Resolved due date (YYYY-MM-DD) or null. */
  due: string | null
  /** The deadline as the plan wrote it. */
  dueText: string | null
  state: TaskState
  progress: number | null
  note: string | null
  lastReplyAt: Date | null
  lastReplyBy: string | null
  /** How the unit answers for the task: lead and responsible units are chased, support units informed. */
  role?: AssignmentRole
  /** The plan's title when more than one plan is active (null otherwise). */
  plan?: string | null
}

export interface TaskStatusLine extends OpenTask {
  /** Calendar days past the due date (in the plan's timezone) when not done; else 0. */
  overdueDays: number
  /** Where the assignment stands in the 督办 loop (state, colour, receipt, evidence). */
  loop?: TaskLoop
}

export type StatusCounts = Record<TaskState | 'overdue', number>

export interface LiaisonReach {
  name: string
  /** Telegram bound and not marked unreachable, or an email address to fall back on. */
  reachable: boolean
  telegramBound: boolean
  /** Telegram refused delivery to them (403, chat not found). */
  telegramUnreachable: boolean
}

export interface UnitStatus {
  unit: Unit
  liaisons: LiaisonReach[]
  tasks: TaskStatusLine[]
  counts: StatusCounts
  training: { officers: number; averageHours: number; belowPace: number }
  /** Colour counts and unsigned tasks (the 督办 loop). */
  loop?: UnitLoop
}

export function emptyCounts(): StatusCounts {
  return { not_started: 0, in_progress: 0, done: 0, blocked: 0, no_reply: 0, overdue: 0 }
}

/**
 * Tasks of the given plans assigned to the unit (withdrawn tasks left out), plan by plan in plan
 * order, each with the unit's role and latest report.
 */
async function unitTasks(
  db: Db,
  planList: Plan[],
  unitId: number,
): Promise<(OpenTask & { position: number })[]> {
  if (planList.length === 0) return []
  const titles = new Map(planList.map((p) => [p.id, p.title]))
  const rows = await db
    .select({
      taskId: tasks.id,
      planId: tasks.planId,
      ref: tasks.ref,
      title: tasks.title,
      due: tasks.dueDate,
      dueText: tasks.dueText,
      position: tasks.position,
      role: assignments.role,
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .where(
      and(
        eq(assignments.unitId, unitId),
        inArray(tasks.planId, [...titles.keys()]),
        isNull(tasks.withdrawnAt),
      ),
    )
    .orderBy(asc(tasks.planId), asc(tasks.position), asc(tasks.id))
  const assigned = rows.map(({ planId, ...r }) => ({
    ...r,
    plan: planList.length > 1 ? (titles.get(planId) ?? null) : null,
  }))
  if (assigned.length === 0) return []
  const latest = await db
    .selectDistinctOn([statusReports.taskId], {
      taskId: statusReports.taskId,
      state: statusReports.state,
      progress: statusReports.progress,
      note: statusReports.note,
      reportedAt: statusReports.reportedAt,
      by: people.name,
    })
    .from(statusReports)
    .leftJoin(people, eq(people.id, statusReports.personId))
    .where(
      and(
        eq(statusReports.unitId, unitId),
        inArray(
          statusReports.taskId,
          assigned.map((a) => a.taskId),
        ),
      ),
    )
    .orderBy(statusReports.taskId, ...latestReportFirst)
  const byTask = new Map(latest.map((r) => [r.taskId, r]))
  return assigned.map((a) => {
    const r = byTask.get(a.taskId)
    return {
      ...a,
      state: r?.state ?? 'no_reply',
      progress: r?.progress ?? null,
      note: r?.note ?? null,
      lastReplyAt: r?.reportedAt ?? null,
      lastReplyBy: r?.by ?? null,
    }
  })
}

/** Calendar days `today` is past `due` for a task not done; 0 otherwise, and 0 for a support unit (not chased). */
export function overdueDays(
  due: string | null,
  state: TaskState,
  today: string,
  role: AssignmentRole = 'responsible',
): number {
  if (!due || state === 'done' || !isChased(role)) return 0
  return Math.max(0, daysBetween(due, today))
}

/** Whether a liaison can be reached: Telegram bound and deliverable, or an email to fall back on. */
function reach(p: {
  name: string
  telegramUserId: number | null
  unreachableAt: Date | null
  email: string | null
}): LiaisonReach {
  const telegramBound = p.telegramUserId !== null
  const telegramUnreachable = telegramBound && p.unreachableAt !== null
  return {
    name: p.name,
    telegramBound,
    telegramUnreachable,
    reachable: (telegramBound && !telegramUnreachable) || p.email !== null,
  }
}

async function unitById(db: Db, unitId: number): Promise<Unit> {
  const unit = (await listUnits(db)).find((u) => u.id === unitId)
  if (!unit) throw userError('statusView', (t) => t.people.unitUnknown(`#${unitId}`, ''))
  return unit
}

/**
 * The status card of one unit: its liaisons and how reachable they are, the tasks of the ACTIVE
 * plan assigned to it with their latest state and days overdue, counts by state, and training.
 * `now` is read in the plan's timezone `tz` for "today".
 */
export async function unitStatus(db: Db, unitId: number, now: Date, tz: string): Promise<UnitStatus> {
  const unit = await unitById(db, unitId)
  const today = localDate(now, tz)
  const plan = await activePlan(db)
  const lines: TaskStatusLine[] = (await unitTasks(db, await activePlans(db), unitId)).map(
    ({ position: _position, ...t }) => ({
      ...t,
      overdueDays: overdueDays(t.due, t.state, today, t.role),
    }),
  )
  const counts = emptyCounts()
  for (const line of lines) {
    counts[line.state]++
    if (line.overdueDays > 0) counts.overdue++
  }
  const liaisons = (await liaisonsOf(db, unitId)).map(reach)
  const summary = await trainingSummary(
    db,
    unitId,
    Number(today.slice(0, 4)),
    today,
    plan?.trainingHoursPerYear,
  )
  return {
    unit,
    liaisons,
    tasks: lines,
    counts,
    training: {
      officers: summary.officers.length,
      averageHours: summary.averageHours,
      belowPace: summary.belowPace,
    },
  }
}

export interface UnitOverview {
  unit: Unit
  /** Tasks of the active plan assigned to the unit. */
  tasks: number
  counts: StatusCounts
  liaisons: number
  liaisonsReachable: number
  lastReplyAt: Date | null
}

/**
 * One line per unit with assignments in the active plan (roster order), for /status without a
 * unit and the digest: counts by latest state, overdue (due before today in `tz`, not done),
 * reachable liaisons, and the time of the unit's latest reply. Aggregated in SQL: one pass over
 * the assignments with the latest report per (task, unit) through the status_reports index.
 */
export async function overviewStatus(db: Db, now: Date, tz: string): Promise<UnitOverview[]> {
  const planIds = (await activePlans(db)).map((p) => p.id)
  if (planIds.length === 0) return []
  const today = localDate(now, tz)
  const latest = db
    .select({ state: statusReports.state, reportedAt: statusReports.reportedAt })
    .from(statusReports)
    .where(and(eq(statusReports.unitId, assignments.unitId), eq(statusReports.taskId, assignments.taskId)))
    .orderBy(...latestReportFirst)
    .limit(1)
    .as('latest')
  const count = (condition: ReturnType<typeof sql>) =>
    sql<number>`(count(*) filter (where ${condition}))::int`.mapWith(Number)
  const rows = await db
    .select({
      unitId: assignments.unitId,
      tasks: sql<number>`count(*)::int`.mapWith(Number),
      not_started: count(sql`${latest.state} = 'not_started'`),
      in_progress: count(sql`${latest.state} = 'in_progress'`),
      done: count(sql`${latest.state} = 'done'`),
      blocked: count(sql`${latest.state} = 'blocked'`),
      no_reply: count(sql`${latest.state} is null`),
      // Support units are informed, not chased: never counted overdue.
      overdue: count(
        sql`${tasks.dueDate} < ${today}::date and ${latest.state} is distinct from 'done' and ${assignments.role} <> 'support'`,
      ),
      lastReplyAt: sql<Date | null>`max(${latest.reportedAt})`.mapWith(statusReports.reportedAt),
    })
    .from(assignments)
    .innerJoin(tasks, eq(tasks.id, assignments.taskId))
    .leftJoinLateral(latest, sql`true`)
    .where(and(inArray(tasks.planId, planIds), isNull(tasks.withdrawnAt)))
    .groupBy(assignments.unitId)
  const reachRows = await db
    .select({
      unitId: people.unitId,
      liaisons: sql<number>`count(*)::int`.mapWith(Number),
      reachable: sql<number>`(count(*) filter (where ${or(
        and(isNotNull(people.telegramUserId), isNull(people.unreachableAt)),
        isNotNull(people.email),
      )}))::int`.mapWith(Number),
    })
    .from(people)
    .where(and(eq(people.role, 'liaison'), eq(people.active, true), isNotNull(people.unitId)))
    .groupBy(people.unitId)
  const reachByUnit = new Map(reachRows.map((r) => [r.unitId, r]))
  const byUnit = new Map(rows.map((r) => [r.unitId, r]))
  return (await listUnits(db)).flatMap((unit) => {
    const r = byUnit.get(unit.id)
    if (!r) return []
    const reachOf = reachByUnit.get(unit.id)
    return [
      {
        unit,
        tasks: r.tasks,
        counts: {
          not_started: r.not_started,
          in_progress: r.in_progress,
          done: r.done,
          blocked: r.blocked,
          no_reply: r.no_reply,
          overdue: r.overdue,
        },
        liaisons: reachOf?.liaisons ?? 0,
        liaisonsReachable: reachOf?.reachable ?? 0,
        lastReplyAt: r.lastReplyAt,
      },
    ]
  })
}

/** The unit's tasks in the active plans that are not done, by due date (none last), then plan order. */
export async function openTasksOfUnit(db: Db, unitId: number): Promise<OpenTask[]> {
  return (await unitTasks(db, await activePlans(db), unitId))
    .filter((t) => t.state !== 'done')
    .sort((a, b) => {
      if (a.due !== b.due) {
        if (a.due === null) return 1
        if (b.due === null) return -1
        return a.due < b.due ? -1 : 1
      }
      return a.position - b.position
    })
    .map(({ position: _position, ...t }) => t)
}

// ---------------------------------------------------------------------------------------------
// Prompts

export interface Prompt {
  id: number
  unitId: number
  /** The tasks asked about, numbered 1..n in this order in the message. */
  taskIds: number[]
  kind: string
  telegramChatId: number | null
  telegramMessageId: number | null
  createdAt: Date
}

/** Records a prompt before it is sent; the message ids are attached once Telegram accepted it. */
export async function createPrompt(
  db: Db,
  input: { unitId: number; taskIds: number[]; kind: string; now?: Date },
): Promise<{ id: number }> {
  if (input.taskIds.length === 0) throw new Error('a prompt asks about at least one task')
  const [row] = await db
    .insert(prompts)
    .values({ unitId: input.unitId, taskIds: input.taskIds, kind: input.kind, createdAt: input.now })
    .returning({ id: prompts.id })
  return row!
}

/** The prompt a (chat, message) is, or null when that message is not a prompt. */
export async function promptByMessage(
  db: Db,
  telegramChatId: number,
  telegramMessageId: number,
): Promise<Prompt | null> {
  const [row] = await db
    .select({
      id: prompts.id,
      unitId: prompts.unitId,
      taskIds: prompts.taskIds,
      kind: prompts.kind,
      telegramChatId: prompts.telegramChatId,
      telegramMessageId: prompts.telegramMessageId,
      createdAt: prompts.createdAt,
    })
    .from(prompts)
    .where(and(eq(prompts.telegramChatId, telegramChatId), eq(prompts.telegramMessageId, telegramMessageId)))
  return row ?? null
}

/** Stores where a prompt landed so replies to it can be matched. */
export async function attachPromptMessage(
  db: Db,
  promptId: number,
  telegramChatId: number,
  telegramMessageId: number,
): Promise<void> {
  await db.update(prompts).set({ telegramChatId, telegramMessageId }).where(eq(prompts.id, promptId))
}
