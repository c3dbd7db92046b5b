ALTER TABLE "assignments" ADD COLUMN "latest_report_id" bigint;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "latest_state" text;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "latest_progress" integer;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "latest_note" text;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "latest_reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "latest_person_id" integer;;--> statement-breakpoint
-- Backfill (hand-written): each assignment's latest report, newest by (reported_at, id) as
-- status_reports_latest_idx orders them; src/domain/latest-status.ts REBUILD_SQL is the same.
update assignments a set latest_report_id = l.id, latest_state = l.state,
  latest_progress = l.progress, latest_note = l.note, latest_person_id = l.person_id,
  latest_reported_at = l.reported_at
from (
  select distinct on (s.unit_id, s.task_id) s.id, s.task_id, s.unit_id, s.state, s.progress, s.note,
    s.person_id, s.reported_at
  from status_reports s
  order by s.unit_id, s.task_id, s.reported_at desc nulls last, s.id desc nulls last
) l
where a.task_id = l.task_id and a.unit_id = l.unit_id;
