/**
 * 佐证材料 (evidence): files a unit sends for a task. A row is written when the file arrives
 * (`pending`: who, which task, Telegram's file id), then the bytes once downloaded (`stored`:
 * sha256, the type sniffed from the bytes, the size) into the configured store: the database by
 * default (so every replica and every backup has it), or a directory. A download that never
 * succeeds ends `failed`, and the liaison is told; the report it came with stands either way.
 *
 * Telegram lets a bot download at most 20 MB: larger files are refused before anything is stored.
 * Liaisons who only use email upload files on the answer page of an email link
 * (`storeUploadedEvidence`): the same cap, hash, sniffed type and store, source `email`.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { evidence, people, tasks, units, type EvidenceSource, type EvidenceStatus } from '../db/schema.ts'
import { recordEvent } from './history.ts'
import { loopAssignment, loopError } from './loop.ts'

/** Telegram's limit for files a bot downloads (getFile). */
export const MAX_EVIDENCE_MB = 20
export const MAX_EVIDENCE_BYTES = MAX_EVIDENCE_MB * 1024 * 1024

/** Where evidence bytes live. */
export interface EvidenceStore {
  readonly kind: 'db' | 'dir'
  /** Keeps the bytes; returns what the row records (`bytes` for the database, a key for a directory). */
  put(sha256: string, bytes: Buffer): Promise<{ bytes: Buffer | null; storageKey: string | null }>
  /** The bytes of a stored row. */
  get(row: { bytes: Buffer | null; storageKey: string | null }): Promise<Buffer>
}

/** The default: bytes in the evidence row itself (bytea). */
export const databaseStore: EvidenceStore = {
  kind: 'db',
  put: (_sha, bytes) => Promise.resolve({ bytes, storageKey: null }),
  get: (row) => {
    if (!row.bytes) return Promise.reject(new Error('evidence row has no bytes'))
    return Promise.resolve(row.bytes)
  },
}

/** A directory store: files named by their sha256 (identical files stored once), written atomically. */
export function directoryStore(dir: string): EvidenceStore {
  return {
    kind: 'dir',
    async put(sha256, bytes) {
      const key = `${sha256.slice(0, 2)}/${sha256}`
      const file = path.join(dir, key)
      await mkdir(path.dirname(file), { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      await writeFile(tmp, bytes)
      await rename(tmp, file)
      return { bytes: null, storageKey: key }
    },
    async get(row) {
      if (!row.storageKey) throw new Error('evidence row has no storage key')
      return readFile(path.join(dir, row.storageKey))
    },
  }
}

/** The store the configuration names. */
export function evidenceStore(evidenceDir: string | undefined): EvidenceStore {
  return evidenceDir ? directoryStore(evidenceDir) : databaseStore
}

export interface IncomingFile {
  kind: 'photo' | 'document'
  fileId: string
  fileUniqueId?: string | null
  fileName?: string | null
  /** What Telegram (the sender's client) claimed; the stored type is sniffed from the bytes. */
  claimedType?: string | null
  /** As Telegram reported it; null when unknown. */
  size?: number | null
  mediaGroupId?: string | null
  caption?: string | null
}

/** Refuses a file over Telegram's bot download limit, naming the limit; nothing is written. */
export function checkEvidenceSize(size: number | null | undefined): void {
  if (size !== null && size !== undefined && size > MAX_EVIDENCE_BYTES)
    throw loopError((t) => t.evidence.tooBig(MAX_EVIDENCE_MB))
}

/**
 * Records an incoming file of `unitId` (pending download). With `taskId`, the task must be the
 * unit's and not closed (else a user error, nothing written); without, the file waits for the
 * liaison to say which task. Returns the row id.
 */
export async function receiveEvidence(
  db: Db,
  input: {
    unitId: number
    taskId: number | null
    personId: number | null
    file: IncomingFile
    reportId?: number | null
    telegramChatId?: number | null
    telegramMessageId?: number | null
    now: Date
  },
): Promise<number> {
  checkEvidenceSize(input.file.size)
  if (input.taskId !== null) await checkTaskOfUnit(db, input.taskId, input.unitId)
  const [row] = await db
    .insert(evidence)
    .values({
      taskId: input.taskId,
      unitId: input.unitId,
      reportId: input.reportId ?? null,
      personId: input.personId,
      kind: input.file.kind,
      fileName: input.file.fileName ?? null,
      claimedType: input.file.claimedType ?? null,
      size: input.file.size ?? null,
      telegramFileId: input.file.fileId,
      telegramFileUniqueId: input.file.fileUniqueId ?? null,
      mediaGroupId: input.file.mediaGroupId ?? null,
      caption: input.file.caption ?? null,
      telegramChatId: input.telegramChatId ?? null,
      telegramMessageId: input.telegramMessageId ?? null,
      createdAt: input.now,
    })
    .returning({ id: evidence.id })
  if (input.taskId !== null) await evidenceEvent(db, row!.id, input.now)
  return row!.id
}

async function checkTaskOfUnit(db: Db, taskId: number, unitId: number): Promise<void> {
  const a = await loopAssignment(db, taskId, unitId)
  if (!a) {
    const [task] = await db.select({ ref: tasks.ref }).from(tasks).where(eq(tasks.id, taskId))
    const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, unitId))
    throw loopError((t) => t.evidence.notOfUnit(task?.ref ?? `#${taskId}`, unit?.name ?? `#${unitId}`))
  }
  if (a.loopState === 'closed' || a.loopState === 'withdrawn')
    throw loopError((t) => t.evidence.closedTask(a.ref))
}

async function evidenceEvent(db: Db, evidenceId: number, at: Date): Promise<void> {
  const [e] = await db.select().from(evidence).where(eq(evidence.id, evidenceId))
  if (!e) return
  await recordEvent(db, {
    kind: 'evidence',
    taskId: e.taskId,
    unitId: e.unitId,
    personId: e.personId,
    at,
    telegramChatId: e.telegramChatId,
    telegramMessageId: e.telegramMessageId,
    payload: { evidenceId: e.id, fileName: e.fileName, kind: e.kind, source: e.source },
  })
}

/** A file uploaded through the web desk, its bytes in hand. */
export interface UploadedFile {
  fileName: string | null
  /** What the browser claimed; the stored type is sniffed from the bytes. */
  claimedType: string | null
  bytes: Buffer
}

/**
 * Stores a file uploaded through the web desk for (task, unit): the same 20 MB cap (a user error
 * naming the limit, nothing written), sha256, type sniffed from the bytes, and store as a Telegram
 * file, but stored at once (no download). Attached to `reportId`, with the person as uploader and
 * source `email`; the history records an evidence event. Run it in the report's transaction so
 * that a refused file leaves no report either. Returns the row id.
 */
export async function storeUploadedEvidence(
  db: Db,
  store: EvidenceStore,
  input: {
    taskId: number
    unitId: number
    personId: number
    reportId: number | null
    file: UploadedFile
    source: Exclude<EvidenceSource, 'telegram'>
    now: Date
  },
): Promise<number> {
  const { bytes } = input.file
  checkEvidenceSize(bytes.length)
  await checkTaskOfUnit(db, input.taskId, input.unitId)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const contentType = await sniffContentType(bytes)
  const kept = await store.put(sha256, bytes)
  const [row] = await db
    .insert(evidence)
    .values({
      taskId: input.taskId,
      unitId: input.unitId,
      reportId: input.reportId,
      personId: input.personId,
      kind: contentType?.startsWith('image/') ? 'photo' : 'document',
      fileName: input.file.fileName,
      claimedType: input.file.claimedType,
      status: 'stored',
      sha256,
      contentType,
      size: bytes.length,
      store: store.kind,
      bytes: kept.bytes,
      storageKey: kept.storageKey,
      source: input.source,
      createdAt: input.now,
      storedAt: input.now,
    })
    .returning({ id: evidence.id })
  await evidenceEvent(db, row!.id, input.now)
  return row!.id
}

/** Files a waiting evidence row under a task of its unit (the liaison chose it). */
export async function fileEvidenceUnder(
  db: Db,
  evidenceId: number,
  taskId: number,
  unitId: number,
  now: Date,
): Promise<void> {
  const [e] = await db.select().from(evidence).where(eq(evidence.id, evidenceId))
  if (!e || e.unitId !== unitId) throw loopError((t) => t.evidence.notLiaison)
  if (e.taskId !== null) throw loopError((t) => t.evidence.alreadyFiled)
  await checkTaskOfUnit(db, taskId, e.unitId)
  await db.update(evidence).set({ taskId }).where(eq(evidence.id, evidenceId))
  await evidenceEvent(db, evidenceId, now)
}

/** The task an earlier file of the same album was filed under, if any. */
export async function albumTask(db: Db, mediaGroupId: string, unitId: number): Promise<number | null> {
  const [row] = await db
    .select({ taskId: evidence.taskId })
    .from(evidence)
    .where(and(eq(evidence.mediaGroupId, mediaGroupId), eq(evidence.unitId, unitId)))
    .orderBy(asc(evidence.id))
    .limit(1)
  return row?.taskId ?? null
}

/** Sniffs the content type from the first bytes (file-type), null when unknown (plain text, say). */
export async function sniffContentType(bytes: Buffer): Promise<string | null> {
  const { fileTypeFromBuffer } = await import('file-type')
  return (await fileTypeFromBuffer(bytes))?.mime ?? null
}

/**
 * Stores the downloaded bytes of a pending row: sha256, sniffed type, size; the bytes into the
 * store. Over the size cap: refused (a user error) and nothing stored.
 */
export async function storeEvidenceBytes(
  db: Db,
  store: EvidenceStore,
  evidenceId: number,
  bytes: Buffer,
  now: Date,
): Promise<{ sha256: string; contentType: string | null; size: number }> {
  checkEvidenceSize(bytes.length)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const contentType = await sniffContentType(bytes)
  const kept = await store.put(sha256, bytes)
  await db
    .update(evidence)
    .set({
      status: 'stored',
      sha256,
      contentType,
      size: bytes.length,
      store: store.kind,
      bytes: kept.bytes,
      storageKey: kept.storageKey,
      storedAt: now,
      lastError: null,
    })
    .where(eq(evidence.id, evidenceId))
  return { sha256, contentType, size: bytes.length }
}

/** Counts a failed download attempt; `final` marks the row failed (no more tries). */
export async function evidenceDownloadFailed(
  db: Db,
  evidenceId: number,
  error: string,
  attempts: number,
  final: boolean,
): Promise<void> {
  await db
    .update(evidence)
    .set({ attempts, lastError: error.slice(0, 500), ...(final ? { status: 'failed' as const } : {}) })
    .where(eq(evidence.id, evidenceId))
}

export interface EvidenceRow {
  id: number
  unit: string
  ref: string | null
  task: string | null
  kind: 'photo' | 'document'
  fileName: string | null
  contentType: string | null
  size: number | null
  sha256: string | null
  status: EvidenceStatus
  by: string | null
  at: Date
  /** telegram, or email (uploaded on the answer page of an email link). */
  source: EvidenceSource
}

/** Evidence of one unit or all units, oldest first. */
export async function listEvidence(db: Db, filter: { unitId?: number } = {}): Promise<EvidenceRow[]> {
  const rows = await db
    .select({
      id: evidence.id,
      unit: units.name,
      ref: tasks.ref,
      task: tasks.title,
      kind: evidence.kind,
      fileName: evidence.fileName,
      contentType: evidence.contentType,
      size: evidence.size,
      sha256: evidence.sha256,
      status: evidence.status,
      by: people.name,
      at: evidence.createdAt,
      source: evidence.source,
    })
    .from(evidence)
    .innerJoin(units, eq(units.id, evidence.unitId))
    .leftJoin(tasks, eq(tasks.id, evidence.taskId))
    .leftJoin(people, eq(people.id, evidence.personId))
    .where(filter.unitId === undefined ? undefined : eq(evidence.unitId, filter.unitId))
    .orderBy(asc(evidence.id))
  return rows
}

/** The stored bytes of evidence `id` (a user error when there is no such stored file). */
export async function evidenceBytes(
  db: Db,
  store: EvidenceStore,
  id: number,
): Promise<{ fileName: string | null; contentType: string | null; bytes: Buffer }> {
  const [row] = await db
    .select({
      status: evidence.status,
      store: evidence.store,
      bytes: evidence.bytes,
      storageKey: evidence.storageKey,
      fileName: evidence.fileName,
      contentType: evidence.contentType,
    })
    .from(evidence)
    .where(eq(evidence.id, id))
  if (!row || row.status !== 'stored') throw loopError((t) => t.evidence.notStored(id))
  // A row keeps the store it was written to, whatever the configuration says now.
  const from = row.store === 'db' ? databaseStore : store
  return { fileName: row.fileName, contentType: row.contentType, bytes: await from.get(row) }
}
