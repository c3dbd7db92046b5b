/**
 * The 督办 loop's history: every step of an assignment (交办, 签收, evidence, 审核, 退回, 延期,
 * leave …) is an append-only `assignment_events` row with who, when and the source message.
 * Status reports keep their own append-only history (status_reports); the timeline merges both,
 * so nothing is written twice.
 */
import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import {
  assignmentEvents,
  evidence,
  people,
  statusReports,
  tasks,
  units,
  type AssignmentEventKind,
} from '../db/schema.ts'

export interface EventInput {
  kind: AssignmentEventKind
  taskId: number | null
  unitId: number | null
  personId?: number | null
  at: Date
  telegramChatId?: number | null
  telegramMessageId?: number | null
  payload?: Record<string, unknown>
}

/** Appends one step to the history (never updated, never deleted). */
export async function recordEvent(db: Db, e: EventInput): Promise<void> {
  await db.insert(assignmentEvents).values({
    kind: e.kind,
    taskId: e.taskId,
    unitId: e.unitId,
    personId: e.personId ?? null,
    at: e.at,
    telegramChatId: e.telegramChatId ?? null,
    telegramMessageId: e.telegramMessageId ?? null,
    payload: e.payload ?? {},
  })
}

/** One line of a timeline. `kind` is an event kind or `report` (a status report). */
export interface TimelineEntry {
  at: Date
  kind: AssignmentEventKind | 'report'
  unit: string
  unitId: number
  ref: string
  taskId: number
  /** Who did it, by name (null: the service itself, or a person since removed). */
  by: string | null
  /** What else the step carries: the state and note of a report, a reason, a date, a file name. */
  detail: Record<string, unknown>
  source: { chatId: number | null; messageId: number | null }
}

/**
 * The timeline of the assignments of a unit (optionally one task), oldest first: every loop event
 * and every status report, with who and when. Without a unit, every unit's.
 */
export async function timeline(
  db: Db,
  filter: { unitId?: number; taskId?: number } = {},
): Promise<TimelineEntry[]> {
  const eventRows = await db
    .select({
      at: assignmentEvents.at,
      kind: assignmentEvents.kind,
      unitId: assignmentEvents.unitId,
      taskId: assignmentEvents.taskId,
      by: people.name,
      payload: assignmentEvents.payload,
      chatId: assignmentEvents.telegramChatId,
      messageId: assignmentEvents.telegramMessageId,
      id: assignmentEvents.id,
    })
    .from(assignmentEvents)
    .leftJoin(people, eq(people.id, assignmentEvents.personId))
    .where(
      and(
        filter.unitId === undefined ? undefined : eq(assignmentEvents.unitId, filter.unitId),
        filter.taskId === undefined ? undefined : eq(assignmentEvents.taskId, filter.taskId),
      ),
    )
    .orderBy(asc(assignmentEvents.at), asc(assignmentEvents.id))
  const reportRows = await db
    .select({
      at: statusReports.reportedAt,
      unitId: statusReports.unitId,
      taskId: statusReports.taskId,
      by: people.name,
      state: statusReports.state,
      progress: statusReports.progress,
      note: statusReports.note,
      source: statusReports.source,
      chatId: statusReports.telegramChatId,
      messageId: statusReports.telegramMessageId,
      id: statusReports.id,
    })
    .from(statusReports)
    .leftJoin(people, eq(people.id, statusReports.personId))
    .where(
      and(
        filter.unitId === undefined ? undefined : eq(statusReports.unitId, filter.unitId),
        filter.taskId === undefined ? undefined : eq(statusReports.taskId, filter.taskId),
      ),
    )
    .orderBy(asc(statusReports.reportedAt), asc(statusReports.id))
  // Returns are recorded both as an event and as the report that reopens the item: show the event.
  const reports = reportRows.filter((r) => r.source !== 'review')
  const unitIds = [...new Set([...eventRows, ...reports].map((r) => r.unitId).filter((x) => x !== null))]
  const taskIds = [...new Set([...eventRows, ...reports].map((r) => r.taskId).filter((x) => x !== null))]
  const unitNames = new Map(
    unitIds.length
      ? (
          await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, unitIds))
        ).map((u) => [u.id, u.name])
      : [],
  )
  const refs = new Map(
    taskIds.length
      ? (await db.select({ id: tasks.id, ref: tasks.ref }).from(tasks).where(inArray(tasks.id, taskIds))).map(
          (t) => [t.id, t.ref],
        )
      : [],
  )
  const entries: (TimelineEntry & { order: number })[] = []
  for (const e of eventRows) {
    if (e.unitId === null || e.taskId === null) continue
    entries.push({
      at: e.at,
      kind: e.kind,
      unitId: e.unitId,
      unit: unitNames.get(e.unitId) ?? `#${e.unitId}`,
      taskId: e.taskId,
      ref: refs.get(e.taskId) ?? `#${e.taskId}`,
      by: e.by,
      detail: e.payload,
      source: { chatId: e.chatId, messageId: e.messageId },
      order: 1,
    })
  }
  for (const r of reports)
    entries.push({
      at: r.at,
      kind: 'report',
      unitId: r.unitId,
      unit: unitNames.get(r.unitId) ?? `#${r.unitId}`,
      taskId: r.taskId,
      ref: refs.get(r.taskId) ?? `#${r.taskId}`,
      by: r.by,
      detail: { state: r.state, progress: r.progress, note: r.note, via: r.source },
      source: { chatId: r.chatId, messageId: r.messageId },
      order: 0,
    })
  // Same instant: the report comes before the steps it caused (已完成 → 待审核).
  entries.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order)
  return entries.map(({ order: _order, ...e }) => e)
}

/** How many stored evidence files each of a unit's tasks has. */
export async function evidenceCounts(db: Db, unitId: number): Promise<Map<number, number>> {
  const rows = await db
    .select({ taskId: evidence.taskId })
    .from(evidence)
    .where(and(eq(evidence.unitId, unitId), eq(evidence.status, 'stored')))
  const out = new Map<number, number>()
  for (const r of rows) if (r.taskId !== null) out.set(r.taskId, (out.get(r.taskId) ?? 0) + 1)
  return out
}
