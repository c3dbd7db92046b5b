CREATE TABLE "ledger_snapshots" (
	"plan_id" integer NOT NULL,
	"as_of" date NOT NULL,
	"task_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"state" text NOT NULL,
	"progress" integer,
	"note" text,
	"last_report_at" timestamp with time zone,
	"last_report_by" text,
	"role" text,
	"color" text,
	"acknowledged_at" timestamp with time zone,
	"evidence_count" integer,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_snapshots_plan_id_as_of_task_id_unit_id_pk" PRIMARY KEY("plan_id","as_of","task_id","unit_id")
);
--> statement-breakpoint
ALTER TABLE "ledger_snapshots" ADD CONSTRAINT "ledger_snapshots_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_snapshots" ADD CONSTRAINT "ledger_snapshots_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_snapshots" ADD CONSTRAINT "ledger_snapshots_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_snapshots_task_idx" ON "ledger_snapshots" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "ledger_snapshots_unit_idx" ON "ledger_snapshots" USING btree ("unit_id");