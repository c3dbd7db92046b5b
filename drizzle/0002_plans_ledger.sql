CREATE TABLE "task_deadlines" (
	"task_id" integer NOT NULL,
	"due_date" date NOT NULL,
	CONSTRAINT "task_deadlines_task_id_due_date_pk" PRIMARY KEY("task_id","due_date")
);
--> statement-breakpoint
CREATE TABLE "unit_groups" (
	"phrase" text PRIMARY KEY NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kinds" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"unit_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plans" DROP CONSTRAINT "plans_key_unique";--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "role" text DEFAULT 'responsible' NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "deadline_kind" text DEFAULT 'date' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_deadlines" ADD CONSTRAINT "task_deadlines_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_deadlines_due_idx" ON "task_deadlines" USING btree ("due_date");--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_key_year" UNIQUE("key","year");