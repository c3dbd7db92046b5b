/**
 * A unit's timeline: every status report, every kept note and every stored evidence file
 * (佐证材料, from Telegram or the web desk), newest first, with the task and the person. What the
 * web desk's unit page lists.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { num, query } from '../db/sql.ts'
import type { ReportState } from '../db/schema.ts'

export interface TimelineEntry {
  kind: 'report' | 'note' | 'file'
  at: Date
  taskId: number | null
  taskRef: string | null
  taskTitle: string | null
  state: ReportState | null
  progress: number | null
  /** The report's note, the note's text, or the file's name. */
  text: string | null
  by: string | null
  /** Where a report or file came from (telegram, button, command, email, cli); null for notes. */
  source: string | null
}

/** The latest `limit` (default 200) reports, notes and files of a unit, newest first. */
export async function unitTimeline(db: Db, unitId: number, limit = 200): Promise<TimelineEntry[]> {
  const rows = await query<{
    kind: 'report' | 'note' | 'file'
    at: string | Date
    task_id: number | string | null
    ref: string | null
    title: string | null
    state: ReportState | null
    progress: number | null
    text: string | null
    by_name: string | null
    source: string | null
    id: number | string
  }>(
    db,
    sql`select * from (
          (select 'report' as kind, s.reported_at as at, s.task_id, t.ref, t.title, s.state, s.progress,
             s.note as text, p.name as by_name, s.source, s.id
           from status_reports s join tasks t on t.id = s.task_id left join people p on p.id = s.person_id
           where s.unit_id = ${unitId}
           order by s.reported_at desc, s.id desc limit ${limit})
          union all
          (select 'note', n.created_at, null, null, null, null, null, n.text, p.name, null, n.id
           from notes n left join people p on p.id = n.person_id
           where n.unit_id = ${unitId}
           order by n.created_at desc, n.id desc limit ${limit})
          union all
          (select 'file', ev.created_at, ev.task_id, t.ref, t.title, null, null, ev.file_name, p.name, ev.source, ev.id
           from evidence ev join tasks t on t.id = ev.task_id left join people p on p.id = ev.person_id
           where ev.unit_id = ${unitId} and ev.status = 'stored'
           order by ev.created_at desc, ev.id desc limit ${limit})
        ) e order by e.at desc, e.id desc limit ${limit}`,
  )
  return rows.map((r) => ({
    kind: r.kind,
    at: new Date(r.at),
    taskId: r.task_id === null ? null : num(r.task_id),
    taskRef: r.ref,
    taskTitle: r.title,
    state: r.state,
    progress: r.progress,
    text: r.text,
    by: r.by_name,
    source: r.source,
  }))
}
