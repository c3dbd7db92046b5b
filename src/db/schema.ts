/**
 * The one database schema, shared by both drivers (postgres.js and embedded PGlite).
 * Times are `timestamptz` (UTC instants); due dates are plain `date`s in the plan's timezone.
 * Migrations are generated from this file by `npm run db:generate` into `drizzle/`.
 */
import { sql } from 'drizzle-orm'
import {
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

export const unitKinds = ['subdistrict', 'town', 'department'] as const
export type UnitKind = (typeof unitKinds)[number]

export const roles = ['liaison', 'supervisor', 'admin'] as const
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

/** A yearly plan as issued by the bureau. `key` identifies it across re-imports. */
export const plans = pgTable('plans', {
  id: serial('id').primaryKey(),
  key: text('key').notNull().unique(),
  title: text('title').notNull(),
  year: integer('year').notNull(),
  /** Minimum training hours per officer per year (the plan's quantitative rule). */
  trainingHoursPerYear: integer('training_hours_per_year').notNull().default(60),
  /** The plan that jobs and /status work on; at most one. */
  active: boolean('active').notNull().default(true),
  sourceName: text('source_name'),
  importedAt: ts('imported_at').notNull().defaultNow(),
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
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [unique('tasks_plan_ref').on(t.planId, t.ref), index('tasks_due_idx').on(t.dueDate)],
)

/** Which unit answers for which task. */
export const assignments = pgTable(
  'assignments',
  {
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.unitId] }), index('assignments_unit_idx').on(t.unitId)],
)

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
    source: text('source', { enum: ['telegram', 'button', 'command', 'email', 'cli'] }).notNull(),
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
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.schedule, t.fireAt] })],
)

/** Telegram update ids already handled (webhook retries and replays are processed once). */
export const processedUpdates = pgTable('processed_updates', {
  updateId: bigint('update_id', { mode: 'number' }).primaryKey(),
  processedAt: ts('processed_at').notNull().defaultNow(),
})

/** Small key/value facts the service keeps (e.g. the bot's username for invite links). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

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
