/**
 * The latest-status record of each assignment (assignments.latest_*): a copy of the unit's newest
 * status report on the task, newest by (reported_at, id) exactly as status_reports_latest_idx
 * orders them. The 台账 (web page, xlsx/csv, bulletin) reads it instead of probing the history
 * for every assignment.
 *
 * Every writer of status_reports moves the record in the same statement or transaction:
 * recordStatus and recordEditedStatus (reports.ts), a review's return (reviews.ts). The move is
 * conditional on the report being newer than the one recorded, so an edit that keeps an older
 * time, or two replies racing (the second UPDATE re-checks the condition on the row the first
 * wrote), never put an older report in front of a newer one.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'

/**
 * An UPDATE of `assignments a` from `reports` (a relation with columns id, task_id, unit_id,
 * state, progress, note, person_id, reported_at; aliased `r`): each assignment takes its report
 * when that report is newer than the one recorded.
 */
export function advanceFrom(reports: SQL): SQL {
  return sql`update assignments a set latest_report_id = r.id, latest_state = r.state,
      latest_progress = r.progress, latest_note = r.note, latest_person_id = r.person_id,
      latest_reported_at = r.reported_at
    from ${reports}
    where a.task_id = r.task_id and a.unit_id = r.unit_id
      and (a.latest_report_id is null or (r.reported_at, r.id) > (a.latest_reported_at, a.latest_report_id))`
}

/** Moves the assignment's record to this report when it is newer than the one recorded. */
export async function advanceLatestStatus(db: Db, reportId: number): Promise<void> {
  await db.execute(
    advanceFrom(sql`(select id, task_id, unit_id, state, progress, note, person_id, reported_at
      from status_reports where id = ${reportId}) r`),
  )
}

/**
 * Sets the record of (task, units) from their history: an assignment dropped and given again by a
 * re-import finds the reports it kept (status reports reference the task and unit, not the row).
 */
export async function restoreLatestStatus(db: Db, taskId: number, unitIds: number[]): Promise<void> {
  if (unitIds.length === 0) return
  const units = sql.join(
    unitIds.map((id) => sql`${id}`),
    sql`, `,
  )
  await db.execute(
    advanceFrom(sql`(select distinct on (s.unit_id) s.id, s.task_id, s.unit_id, s.state, s.progress, s.note,
        s.person_id, s.reported_at
      from status_reports s where s.task_id = ${taskId} and s.unit_id in (${units})
      order by s.unit_id, s.reported_at desc nulls last, s.id desc nulls last) r`),
  )
}

/**
 * Rebuilds the record of every assignment from the whole history: for the
 * migration's backfill and for data loaded in bulk past the writers (benchmarks).
 */
export async function rebuildLatestStatus(db: Db): Promise<void> {
  await db.execute(sql.raw(REBUILD_SQL))
}

/** The rebuild as one statement (the same text the migration 0007 runs). */
export const REBUILD_SQL = `update assignments a set latest_report_id = l.id, latest_state = l.state,
  latest_progress = l.progress, latest_note = l.note, latest_person_id = l.person_id,
  latest_reported_at = l.reported_at
from (
  select distinct on (s.unit_id, s.task_id) s.id, s.task_id, s.unit_id, s.state, s.progress, s.note,
    s.person_id, s.reported_at
  from status_reports s
  order by s.unit_id, s.task_id, s.reported_at desc nulls last, s.id desc nulls last
) l
where a.task_id = l.task_id and a.unit_id = l.unit_id`
