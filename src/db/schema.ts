/**
 * The one database schema, shared by both drivers (postgres.js and embedded PGlite).
 * Times are `timestamptz` (UTC instants); due dates are plain `date`s in the plan's timezone.
 * Migrations are generated from this file by `npm run db:generate` into `drizzle/`.
 */
import { sql } from 'drizzle-orm'
import {
  customType,
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const createdAt = () => ts('created_at').notNull().defaultNow()

export const unitKinds = ['subdistrict', 'town', 'department', 'county'] as const
export type UnitKind = (typeof unitKinds)[number]

/** How a unit answers for a task (see src/domain/plan-draft.ts: 牵头, 负责/落实, 配合/协助/参与). */
export const assignmentRoles = ['lead', 'responsible', 'support'] as const
export type AssignmentRole = (typeof assignmentRoles)[number]

/** How a task's deadline runs. */
export const deadlineKinds = ['date', 'series', 'ongoing'] as const
export type DeadlineKind = (typeof deadlineKinds)[number]

/** `leader`: a unit's responsible leader (分管领导), second on the red-item escalation ladder. */
export const roles = ['liaison', 'supervisor', 'admin', 'leader'] as const
export type Role = (typeof roles)[number]

export const locales = ['zh-CN', 'en'] as const
export type Locale = (typeof locales)[number]

/** A status report's state. `no_reply` is derived (no report yet), never stored. */
export const reportStates = ['not_started', 'in_progress', 'done', 'blocked'] as const
export type ReportState = (typeof reportStates)[number]

export const deliveryStatuses = ['pending', 'sending', 'sent', 'failed', 'dead', 'ambiguous'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]

export const channels = ['telegram', 'email'] as const
export type Channel = (typeof channels)[number]

/**
 * A plan as issued by the bureau: the annual plan, or a 专项整治 campaign. (`key`, `year`)
 * identifies it across re-imports; next year's plan is a new row, last year's stays readable.
 */
export const plans = pgTable(
  'plans',
  {
    id: serial('id').primaryKey(),
    /** The title without the year (planKey). */
    key: text('key').notNull(),
    title: text('title').notNull(),
    year: integer('year').notNull(),
    /** Minimum training hours per officer per year (the plan's quantitative rule). */
    trainingHoursPerYear: integer('training_hours_per_year').notNull().default(60),
    /** Jobs, /status and the digest cover every active plan; archiving clears it. */
    active: boolean('active').notNull().default(true),
    /** Whether 已完成 needs a supervisor's review (待审核); null: tasks with a deadline do. */
    reviewRequired: boolean('review_required'),
    sourceName: text('source_name'),
    importedAt: ts('imported_at').notNull().defaultNow(),
    /** Set by `duban plan archive`: retired, still readable. */
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
  },
  (t) => [unique('plans_key_year').on(t.key, t.year)],
)

/**
 * A roster's group phrases (`各镇（街）`, `各县（市、区）政府`, `市直各行政执法部门`): what a plan's
 * responsibility clause means by them. A phrase selects the units carrying any of `tags`, of any
 * of `kinds`, or named in `unitNames`; `aliases` are other spellings of the phrase.
 */
export const unitGroups = pgTable('unit_groups', {
  phrase: text('phrase').primaryKey(),
  aliases: jsonb('aliases').$type<string[]>().notNull().default([]),
  tags: jsonb('tags').$type<string[]>().notNull().default([]),
  kinds: jsonb('kinds').$type<UnitKind[]>().notNull().default([]),
  unitNames: jsonb('unit_names').$type<string[]>().notNull().default([]),
  createdAt: createdAt(),
})

export const units = pgTable('units', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  shortName: text('short_name').notNull(),
  kind: text('kind', { enum: unitKinds }).notNull(),
  tags: jsonb('tags').$type<string[]>().notNull().default([]),
  aliases: jsonb('aliases').$type<string[]>().notNull().default([]),
  createdAt: createdAt(),
})

export const tasks = pgTable(
  'tasks',
  {
    id: serial('id').primaryKey(),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    /** The plan's own numbering, e.g. `二（五）2`. */
    ref: text('ref').notNull(),
    section: text('section'),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    dueDate: date('due_date', { mode: 'string' }),
    /** The deadline as the plan wrote it, e.g. `今年10月中旬前`. */
    dueText: text('due_text'),
    /** The responsible-units bracket as written. */
    unitsText: text('units_text'),
    position: integer('position').notNull(),
    /** How the deadline runs: one date, a series of dates (task_deadlines), or ongoing (no ladder). */
    deadlineKind: text('deadline_kind', { enum: deadlineKinds }).notNull().default('date'),
    /** Set when a re-import no longer finds the task: kept with its history, nobody chased. */
    withdrawnAt: ts('withdrawn_at'),
    /** Overrides the plan's review setting for this task; null: the plan's (or the default). */
    reviewRequired: boolean('review_required'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [unique('tasks_plan_ref').on(t.planId, t.ref), index('tasks_due_idx').on(t.dueDate)],
)

/**
 * The due dates of a task whose deadline recurs (`每月10日前`): one row per occurrence, each with
 * its own reminders. A 'date' task keeps its one date on `tasks.due_date` and has no rows here.
 */
export const taskDeadlines = pgTable(
  'task_deadlines',
  {
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.dueDate] }), index('task_deadlines_due_idx').on(t.dueDate)],
)

/**
 * Where an assignment stands in the 督办 loop. The report states (not_started, in_progress,
 * blocked) come from status reports; the loop keeps what only the loop knows: 已交办, 已签收,
 * 待审核, 整改中, 已办结, 已撤销.
 */
export const loopStates = [
  'assigned',
  'acknowledged',
  'awaiting_review',
  'rectifying',
  'closed',
  'withdrawn',
] as const
export type LoopState = (typeof loopStates)[number]

/**
 * Which unit answers for which task, how (牵头 lead, 负责 responsible, 配合 support), and where
 * that assignment stands in the 督办 loop.
 */
export const assignments = pgTable(
  'assignments',
  {
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    role: text('role', { enum: assignmentRoles }).notNull().default('responsible'),
    createdAt: createdAt(),
    loopState: text('loop_state', { enum: loopStates }).notNull().default('assigned'),
    /** The receipt (签收): when, by whom, from which message. */
    acknowledgedAt: ts('acknowledged_at'),
    acknowledgedBy: integer('acknowledged_by').references(() => people.id, { onDelete: 'set null' }),
    acknowledgedChatId: bigint('acknowledged_chat_id', { mode: 'number' }),
    acknowledgedMessageId: integer('acknowledged_message_id'),
    /** This unit's own due date (an approved extension, a rectification date); the plan's stays on tasks. */
    dueOverride: date('due_override', { mode: 'string' }),
    /** Times a supervisor returned it for rectification (退回整改). */
    returnedCount: integer('returned_count').notNull().default(0),
    /** When the assignment notice (with the 签收 button) was decided, and the one second notice. */
    noticedAt: ts('noticed_at'),
    secondNoticeAt: ts('second_notice_at'),
    /** The first day (plan timezone) the assignment was seen red; null when not red. */
    redSince: date('red_since', { mode: 'string' }),
    /**
     * The unit's latest report on the task (the read model of the 台账): a copy of the newest
     * status_reports row by (reported_at, id), written in the same statement as the report
     * (src/domain/latest-status.ts). Null while the unit never reported (no_reply).
     */
    latestReportId: bigint('latest_report_id', { mode: 'number' }),
    latestState: text('latest_state', { enum: reportStates }),
    latestProgress: integer('latest_progress'),
    latestNote: text('latest_note'),
    latestReportedAt: ts('latest_reported_at'),
    latestPersonId: integer('latest_person_id'),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.unitId] }), index('assignments_unit_idx').on(t.unitId)],
)

/**
 * An assignment's date as YYYY-MM-DD text: the unit's approved extension (due_override) or else
 * the task's. Every view that says "due" or "overdue" for a unit reads this one expression.
 */
export const assignmentDue = sql<string | null>`coalesce(${assignments.dueOverride}, ${tasks.dueDate})::text`

/**
 * The same date, typed `date`, for the hand-written queries of the digest and the ledger, which
 * name assignments `a` and tasks `t`.
 */
export const dueOfAliased = sql`coalesce(a.due_override, t.due_date)`

export const people = pgTable(
  'people',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'set null' }),
    email: text('email'),
    telegramUserId: bigint('telegram_user_id', { mode: 'number' }).unique(),
    locale: text('locale', { enum: locales }).notNull().default('zh-CN'),
    active: boolean('active').notNull().default(true),
    /** Set when Telegram refused to deliver to this person (403, chat not found). */
    unreachableAt: ts('unreachable_at'),
    unreachableReason: text('unreachable_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('people_name_role_unit').on(t.name, t.role, t.unitId).nullsNotDistinct(),
    index('people_unit_idx').on(t.unitId),
  ],
)

/** One-time, expiring codes that bind a Telegram user id to a person. */
export const invites = pgTable('invites', {
  code: text('code').primaryKey(),
  personId: integer('person_id')
    .notNull()
    .references(() => people.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  usedByTelegramUserId: bigint('used_by_telegram_user_id', { mode: 'number' }),
  createdAt: createdAt(),
})

/** Telegram groups bound to a unit or to the supervisors. */
export const chats = pgTable(
  'chats',
  {
    id: serial('id').primaryKey(),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }).notNull().unique(),
    purpose: text('purpose', { enum: ['unit', 'supervisors'] }).notNull(),
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
    title: text('title'),
    boundByPersonId: integer('bound_by_person_id').references(() => people.id, { onDelete: 'set null' }),
    unreachableAt: ts('unreachable_at'),
    unreachableReason: text('unreachable_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('chats_unit_idx').on(t.unitId)],
)

/** Short-lived codes an admin or supervisor uses to bind a group from inside the group. */
export const chatBindCodes = pgTable('chat_bind_codes', {
  code: text('code').primaryKey(),
  purpose: text('purpose', { enum: ['unit', 'supervisors'] }).notNull(),
  unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
  createdByPersonId: integer('created_by_person_id').references(() => people.id, { onDelete: 'set null' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: createdAt(),
})

/**
 * A message that asks a unit for status on one or more tasks (numbered 1..n in `taskIds` order).
 * A reply to (chat, message) is matched to its prompt; `messageId` is set once Telegram accepted it.
 */
export const prompts = pgTable(
  'prompts',
  {
    id: serial('id').primaryKey(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    taskIds: jsonb('task_ids').$type<number[]>().notNull(),
    kind: text('kind').notNull(),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }),
    telegramMessageId: integer('telegram_message_id'),
    deliveryId: bigint('delivery_id', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('prompts_message_idx').on(t.telegramChatId, t.telegramMessageId),
    index('prompts_unit_idx').on(t.unitId, t.createdAt),
  ],
)

/** Append-only history of what units said about their tasks; the latest row per (task, unit) counts. */
export const statusReports = pgTable(
  'status_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    state: text('state', { enum: reportStates }).notNull(),
    progress: integer('progress'),
    /** Free text: the reason when blocked, or what else the liaison wrote. */
    note: text('note'),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    reportedAt: ts('reported_at').notNull().defaultNow(),
    /** `review`: a supervisor returned the item (退回整改), which reopens it for every chase. */
    source: text('source', { enum: ['telegram', 'button', 'command', 'email', 'cli', 'review'] }).notNull(),
    promptId: integer('prompt_id').references(() => prompts.id, { onDelete: 'set null' }),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }),
    telegramMessageId: integer('telegram_message_id'),
    /** When an edited message changes an earlier report, the report it replaces. */
    supersedesId: bigint('supersedes_id', { mode: 'number' }),
    rawText: text('raw_text'),
  },
  (t) => [
    index('status_reports_latest_idx').on(t.unitId, t.taskId, t.reportedAt.desc(), t.id.desc()),
    index('status_reports_reported_at_idx').on(t.reportedAt),
    index('status_reports_message_idx').on(t.telegramChatId, t.telegramMessageId),
  ],
)

/**
 * "Latest report first", in exactly the order of status_reports_latest_idx (DESC NULLS LAST):
 * a plain DESC means NULLS FIRST, and PostgreSQL then cannot walk the index and sorts every report.
 */
export const latestReportFirst = [
  sql`${statusReports.reportedAt} desc nulls last`,
  sql`${statusReports.id} desc nulls last`,
] as const

/** Text from a unit that was not understood as a status: kept, never dropped. */
export const notes = pgTable(
  'notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    promptId: integer('prompt_id').references(() => prompts.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }),
    telegramMessageId: integer('telegram_message_id'),
    createdAt: createdAt(),
  },
  (t) => [index('notes_unit_idx').on(t.unitId, t.createdAt)],
)

export const officers = pgTable(
  'officers',
  {
    id: serial('id').primaryKey(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [unique('officers_unit_name').on(t.unitId, t.name)],
)

/** Training hours; `importKey` makes a CSV import of totals idempotent. */
export const trainingRecords = pgTable(
  'training_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    officerId: integer('officer_id')
      .notNull()
      .references(() => officers.id, { onDelete: 'cascade' }),
    hours: numeric('hours', { precision: 6, scale: 1, mode: 'number' }).notNull(),
    takenOn: date('taken_on', { mode: 'string' }).notNull(),
    course: text('course'),
    source: text('source', { enum: ['telegram', 'import', 'cli'] }).notNull(),
    importKey: text('import_key').unique(),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('training_records_officer_idx').on(t.officerId, t.takenOn)],
)

/**
 * The outbox. One row per (occurrence key, recipient, channel), written in the same transaction as
 * the decision to notify. `payload` names a message template and its parameters; the worker renders
 * it in the recipient's locale at send time.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    channel: text('channel', { enum: channels }).notNull(),
    /** Telegram chat id (as text) or email address. */
    recipient: text('recipient').notNull(),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'set null' }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    attemptId: text('attempt_id'),
    lastError: text('last_error'),
    /** Telegram message id or email Message-ID, once sent. */
    externalId: text('external_id'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /**
     * Set when an attempt's outcome could not be known (the worker died mid-send, the connection
     * dropped after the request went out): the message was sent again and may have arrived twice.
     */
    ambiguousAt: ts('ambiguous_at'),
  },
  (t) => [
    unique('deliveries_key_recipient_channel').on(t.key, t.recipient, t.channel),
    index('deliveries_claim_idx')
      .on(t.nextAttemptAt)
      .where(sql`status in ('pending', 'failed')`),
    index('deliveries_status_idx').on(t.status),
  ],
)

/** Shared rate-limit state per scope (the bot token, a chat), so replicas share one budget. */
export const rateScopes = pgTable('rate_scopes', {
  scope: text('scope').primaryKey(),
  /** Earliest time the next send in this scope may start. */
  nextAt: ts('next_at').notNull().defaultNow(),
  /** Set from a 429's retry_after: nobody sends in this scope before then. */
  pausedUntil: ts('paused_until'),
  /** Recent send times (ms epoch) for window limits such as 20 per minute per group. */
  window: jsonb('window').$type<number[]>().notNull().default([]),
})

/** The editable rhythm: one row per job schedule; seeded from the jobs' defaults. */
export const schedules = pgTable('schedules', {
  name: text('name').primaryKey(),
  cron: text('cron').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

/** Every schedule fire, claimed once under (schedule, fire time) and never released. */
export const scheduleFires = pgTable(
  'schedule_fires',
  {
    schedule: text('schedule').notNull(),
    fireAt: ts('fire_at').notNull(),
    status: text('status', { enum: ['running', 'done', 'skipped', 'failed'] }).notNull(),
    late: boolean('late').notNull().default(false),
    enqueued: integer('enqueued').notNull().default(0),
    detail: text('detail'),
    /** When the run began; also the owner's token: a takeover writes a new one. */
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    /** Stamped every tick by the process running the fire; a stale one means that process died. */
    heartbeatAt: ts('heartbeat_at'),
  },
  (t) => [
    primaryKey({ columns: [t.schedule, t.fireAt] }),
    // Each tick looks for abandoned fires: only the few still running, not a year of history.
    index('schedule_fires_running_idx')
      .on(t.schedule)
      .where(sql`status = 'running'`),
  ],
)

/**
 * Telegram updates the webhook accepted, by update id (retries and replays are processed once).
 * An update is stored here, with its body, before Telegram gets its 200, and marked handled after
 * the bot handled it, so a crash in between loses nothing: the next start (or another replica,
 * once the lease ran out) handles what is left. Rows from before the body was kept count as
 * handled.
 */
export const processedUpdates = pgTable(
  'processed_updates',
  {
    updateId: bigint('update_id', { mode: 'number' }).primaryKey(),
    processedAt: ts('processed_at').notNull().defaultNow(),
    /** The update as Telegram sent it; cleared once handled. */
    payload: jsonb('payload'),
    /** Until when the process that accepted (or recovered) the update owns its handling. */
    leaseUntil: ts('lease_until'),
    /** When the bot finished handling it; null while it waits. */
    handledAt: ts('handled_at').defaultNow(),
  },
  (t) => [
    index('processed_updates_unhandled_idx')
      .on(t.updateId)
      .where(sql`${t.handledAt} is null`),
  ],
)

/** Small key/value facts the service keeps (e.g. the bot's username for invite links). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

/**
 * The ledger as it stood at the end of a day (each Sunday and each month's last day, written by
 * the `ledger-snapshot` job): one row per assignment, so trends and a period's 通报 read what the
 * ledger said then instead of recomputing history. Idempotent per (plan, date): a second run of
 * the same day writes nothing. Loop columns (role, colour, receipt, evidence) are null until the
 * ledger knows them.
 */
export const ledgerSnapshots = pgTable(
  'ledger_snapshots',
  {
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    /** The day whose end the snapshot records (plan timezone). */
    asOf: date('as_of', { mode: 'string' }).notNull(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    /** The assignment's state then (`no_reply` included: a snapshot stores what the ledger showed). */
    state: text('state').notNull(),
    progress: integer('progress'),
    note: text('note'),
    lastReportAt: ts('last_report_at'),
    lastReportBy: text('last_report_by'),
    role: text('role'),
    color: text('color'),
    acknowledgedAt: ts('acknowledged_at'),
    evidenceCount: integer('evidence_count'),
    takenAt: ts('taken_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.asOf, t.taskId, t.unitId] }),
    index('ledger_snapshots_task_idx').on(t.taskId),
    index('ledger_snapshots_unit_idx').on(t.unitId),
  ],
)

// ---------------------------------------------------------------------------------------------
// The 督办 loop: history, evidence, reviews, extensions, leave

/** Raw bytes (PostgreSQL bytea); both drivers hand back a Buffer or Uint8Array, read as Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array | string }>({
  dataType: () => 'bytea',
  toDriver: (v) => v,
  fromDriver: (v) =>
    typeof v === 'string' ? Buffer.from(v.replace(/^\\x/, ''), 'hex') : Buffer.from(v as Uint8Array),
})

export const assignmentEventKinds = [
  'assigned',
  'noticed',
  'second_notice',
  'acknowledged',
  'evidence',
  'submitted',
  'approved',
  'returned',
  'closed',
  'extension_requested',
  'extension_approved',
  'extension_refused',
  'escalated',
  'leave',
  'withdrawn',
] as const
export type AssignmentEventKind = (typeof assignmentEventKinds)[number]

/**
 * The loop's append-only history: one row per step (who, when, from which message). Status
 * reports are their own append-only history (status_reports); the timeline reads both.
 */
export const assignmentEvents = pgTable(
  'assignment_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: assignmentEventKinds }).notNull(),
    taskId: integer('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    at: ts('at').notNull(),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }),
    telegramMessageId: integer('telegram_message_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('assignment_events_pair_idx').on(t.unitId, t.taskId, t.at)],
)

export const evidenceStatuses = ['pending', 'stored', 'failed'] as const
export const evidenceSources = ['telegram', 'email'] as const
export type EvidenceSource = (typeof evidenceSources)[number]
export type EvidenceStatus = (typeof evidenceStatuses)[number]

/**
 * 佐证材料: a file a unit sent for a task. The row is written when the file arrives (pending) and
 * its bytes once downloaded (stored); a download that never succeeds ends failed, the liaison told.
 */
export const evidence = pgTable(
  'evidence',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Null while the liaison has not said which task the file belongs to. */
    taskId: integer('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    reportId: bigint('report_id', { mode: 'number' }),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: ['photo', 'document'] }).notNull(),
    fileName: text('file_name'),
    /** Sniffed from the bytes (file-type); what Telegram claimed is kept apart. */
    contentType: text('content_type'),
    claimedType: text('claimed_type'),
    size: integer('size'),
    sha256: text('sha256'),
    status: text('status', { enum: evidenceStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Where the bytes are: in `bytes` (store `db`), or under `storageKey` in a directory store. */
    store: text('store', { enum: ['db', 'dir'] }),
    bytes: bytea('bytes'),
    storageKey: text('storage_key'),
    /** Null for files uploaded through the web desk (there is no Telegram copy to re-send). */
    telegramFileId: text('telegram_file_id'),
    /** How the file came: a Telegram message, or the web desk's answer page of an email link. */
    source: text('source', { enum: evidenceSources }).notNull().default('telegram'),
    telegramFileUniqueId: text('telegram_file_unique_id'),
    mediaGroupId: text('media_group_id'),
    caption: text('caption'),
    telegramChatId: bigint('telegram_chat_id', { mode: 'number' }),
    telegramMessageId: integer('telegram_message_id'),
    createdAt: createdAt(),
    storedAt: ts('stored_at'),
  },
  (t) => [
    index('evidence_pair_idx').on(t.unitId, t.taskId),
    index('evidence_media_group_idx').on(t.mediaGroupId),
  ],
)

/** A review (审核) of a unit's 已完成: open until a supervisor passes or returns it. */
export const reviews = pgTable(
  'reviews',
  {
    id: serial('id').primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    reportId: bigint('report_id', { mode: 'number' }),
    requestedAt: ts('requested_at').notNull(),
    decision: text('decision', { enum: ['approved', 'returned'] }),
    decidedAt: ts('decided_at'),
    decidedBy: integer('decided_by').references(() => people.id, { onDelete: 'set null' }),
    reason: text('reason'),
    newDue: date('new_due', { mode: 'string' }),
    /** The force-reply question asking a supervisor for the return reason. */
    askChatId: bigint('ask_chat_id', { mode: 'number' }),
    askMessageId: integer('ask_message_id'),
    askedBy: integer('asked_by').references(() => people.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('reviews_pair_idx').on(t.unitId, t.taskId),
    uniqueIndex('reviews_ask_idx').on(t.askChatId, t.askMessageId),
  ],
)

/** 延期申请: a unit asks for a later due date; a supervisor approves or refuses. */
export const extensionRequests = pgTable(
  'extension_requests',
  {
    id: serial('id').primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    requestedBy: integer('requested_by').references(() => people.id, { onDelete: 'set null' }),
    requestedAt: ts('requested_at').notNull(),
    newDue: date('new_due', { mode: 'string' }).notNull(),
    /** The due date when asked (the plan's or an earlier override). */
    previousDue: date('previous_due', { mode: 'string' }),
    reason: text('reason'),
    status: text('status', { enum: ['pending', 'approved', 'refused'] })
      .notNull()
      .default('pending'),
    decidedBy: integer('decided_by').references(() => people.id, { onDelete: 'set null' }),
    decidedAt: ts('decided_at'),
  },
  (t) => [index('extension_requests_pair_idx').on(t.unitId, t.taskId)],
)

/** A liaison's leave: prompts and reminders go to the deputy from `fromDate` to `toDate` inclusive. */
export const leaves = pgTable(
  'leaves',
  {
    id: serial('id').primaryKey(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    deputyId: integer('deputy_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }).notNull(),
    createdBy: integer('created_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('leaves_person_idx').on(t.personId, t.fromDate)],
)

/**
 * Web desk sessions. Only the SHA-256 of the session token is stored, so every replica knows a
 * session and a database dump reveals none. A session ends at `expiresAt` or when revoked.
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [index('web_sessions_person_idx').on(t.personId)],
)

export const webLinkKinds = ['signin', 'answer'] as const

/**
 * One-time web links, by the SHA-256 of their token: sign-in links (written when issued, used
 * once) and email answer links (signed, not stored until used: the row records the use, so a
 * second use finds it).
 */
export const webLinks = pgTable(
  'web_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    kind: text('kind', { enum: webLinkKinds }).notNull(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    revokedAt: ts('revoked_at'),
    /** The status report an answer link recorded. */
    reportId: bigint('report_id', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [index('web_links_person_idx').on(t.personId)],
)

export const auditSources = ['cli', 'telegram', 'web'] as const
export type AuditSource = (typeof auditSources)[number]

/**
 * Every administrative change (roster, plans, bindings, invites, jobs run by hand, retries), written
 * in the same transaction as the change: who (an OS user on the command line, a Telegram user and
 * their person), from where, what, on what, and the row before and after.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    source: text('source', { enum: auditSources }).notNull(),
    /** The OS user (cli), `tg:<user id>` (telegram) or the web login. */
    actor: text('actor').notNull(),
    personId: integer('person_id').references(() => people.id, { onDelete: 'set null' }),
    /** e.g. `people.deactivate`, `chats.unbind`, `invites.revoke`. */
    action: text('action').notNull(),
    /** What was changed, as a person reads it: `#12 李明`, `chat -100…`, a file name. */
    target: text('target'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
)
