/**
 * The 督办 loop's notifications: each loop step (src/domain/reviews.ts decides it) together with
 * its outbox rows, in one transaction. The review card and the evidence files (re-sent by Telegram
 * file id) go to the supervisors; the decision goes back to the unit.
 */
import { and, asc, desc, eq, gt, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { evidence, people, reviews, statusReports } from '../db/schema.ts'
import { loopAssignment } from '../domain/loop.ts'
import { supervisorRecipients, unitReach } from '../domain/recipients.ts'
import {
  decideApproval,
  decideReturn,
  openReview,
  reportedDone,
  type DoneOutcome,
  type ReviewTarget,
} from '../domain/reviews.ts'
import { decideExtension, requestExtension, type ExtensionRequest } from '../domain/extensions.ts'
import { enqueueToSupervisors, enqueueUnitMessage } from './notify.ts'
import { outboxKey } from '../domain/outbox-keys.ts'
import { evidenceFile, extensionRequest, reviewCard } from '../templates/loop.ts'

/** Evidence of an assignment since its last decided review (what the next review looks at). */
async function evidenceForReview(db: Db, taskId: number, unitId: number) {
  const [last] = await db
    .select({ at: reviews.decidedAt })
    .from(reviews)
    .where(and(eq(reviews.taskId, taskId), eq(reviews.unitId, unitId), sql`${reviews.decision} is not null`))
    .orderBy(desc(reviews.decidedAt))
    .limit(1)
  return db
    .select({
      id: evidence.id,
      kind: evidence.kind,
      fileId: evidence.telegramFileId,
      fileName: evidence.fileName,
    })
    .from(evidence)
    .where(
      and(
        eq(evidence.taskId, taskId),
        eq(evidence.unitId, unitId),
        ne(evidence.status, 'failed'),
        last?.at ? gt(evidence.createdAt, last.at) : undefined,
      ),
    )
    .orderBy(asc(evidence.id))
}

/** Writes the review card and each evidence file (re-sent by Telegram file id) for the supervisors. */
export async function enqueueReviewCard(db: Db, reviewId: number): Promise<number> {
  const [review] = await db.select().from(reviews).where(eq(reviews.id, reviewId))
  if (!review) return 0
  const a = (await loopAssignment(db, review.taskId, review.unitId))!
  const [report] = review.reportId
    ? await db
        .select({ note: statusReports.note, at: statusReports.reportedAt, by: people.name })
        .from(statusReports)
        .leftJoin(people, eq(people.id, statusReports.personId))
        .where(eq(statusReports.id, review.reportId))
    : []
  const files = await evidenceForReview(db, review.taskId, review.unitId)
  const recipients = await supervisorRecipients(db)
  let n = await enqueueToSupervisors(db, outboxKey.review(reviewId), recipients, reviewCard, {
    reviewId,
    unit: a.unit,
    task: { ref: a.ref, title: a.title },
    note: report?.note ?? null,
    by: report?.by ?? null,
    at: (report?.at ?? review.requestedAt).toISOString(),
    returnedCount: a.returnedCount,
    files: files.map((f) => ({ kind: f.kind, name: f.fileName })),
  })
  const telegram = recipients.filter((r) => r.channel === 'telegram')
  for (const [i, f] of files.entries()) {
    // Files uploaded on the web desk have no Telegram copy: the card lists them by name.
    if (!f.fileId) continue
    n += await enqueueToSupervisors(db, outboxKey.reviewFile(reviewId, f.id), telegram, evidenceFile, {
      kind: f.kind,
      fileId: f.fileId,
      unit: a.unit,
      ref: a.ref,
      n: i + 1,
      name: f.fileName,
    })
  }
  return n
}

/** Evidence that arrives while a review is open goes to the supervisors too. */
export async function forwardEvidenceToReview(db: Db, evidenceId: number): Promise<number> {
  const [e] = await db.select().from(evidence).where(eq(evidence.id, evidenceId))
  if (!e?.taskId || !e.telegramFileId) return 0
  const open = await openReview(db, e.taskId, e.unitId)
  if (!open) return 0
  const a = (await loopAssignment(db, e.taskId, e.unitId))!
  const telegram = (await supervisorRecipients(db)).filter((r) => r.channel === 'telegram')
  const count = (await evidenceForReview(db, e.taskId, e.unitId)).findIndex((f) => f.id === e.id) + 1
  return enqueueToSupervisors(db, outboxKey.reviewFile(open.id, e.id), telegram, evidenceFile, {
    kind: e.kind,
    fileId: e.telegramFileId,
    unit: a.unit,
    ref: a.ref,
    n: Math.max(1, count),
    name: e.fileName,
  })
}

/** 已完成 moves the loop on (see reportedDone); a new review sends its card. Call in the report's transaction. */
export async function reportDone(db: Db, input: Parameters<typeof reportedDone>[1]): Promise<DoneOutcome> {
  const outcome = await reportedDone(db, input)
  if (outcome === 'awaiting_review') {
    const open = await openReview(db, input.taskId, input.unitId)
    if (open) await enqueueReviewCard(db, open.id)
  }
  return outcome
}

/** 通过（销号）: closed, out of every chase; the unit is told. One transaction. */
export async function approveReview(
  db: Db,
  input: Parameters<typeof decideApproval>[1],
): Promise<ReviewTarget> {
  return db.transaction(async (tx) => {
    const target = await decideApproval(tx, input)
    const { review, assignment: a } = target
    await enqueueUnitMessage(tx, {
      key: outboxKey.reviewDecision(review.id, 'approved'),
      unitId: review.unitId,
      reach: await unitReach(tx, review.unitId, input.today),
      template: 'review-decision',
      params: { decision: 'approved', unit: a.unit, task: { ref: a.ref, title: a.title } },
      now: input.now,
    })
    return target
  })
}

/** 退回整改: 整改中 with the reason and the unit's new date; the unit is told, as a prompt it can answer. */
export async function returnReview(
  db: Db,
  input: Parameters<typeof decideReturn>[1],
): Promise<ReviewTarget & { due: string }> {
  return db.transaction(async (tx) => {
    const target = await decideReturn(tx, input)
    const { review, assignment: a } = target
    await enqueueUnitMessage(tx, {
      key: outboxKey.reviewDecision(review.id, 'returned'),
      unitId: review.unitId,
      reach: await unitReach(tx, review.unitId, input.today),
      template: 'review-decision',
      params: {
        decision: 'returned',
        unit: a.unit,
        task: { ref: a.ref, title: a.title },
        reason: target.reason,
        due: target.due,
      },
      prompt: { taskIds: [review.taskId], kind: 'rectify' },
      now: input.now,
    })
    return target
  })
}

/** 延期申请: the request and the supervisors' card (批准 / 不批准), in one transaction. */
export async function askExtension(
  db: Db,
  input: Parameters<typeof requestExtension>[1],
): Promise<ExtensionRequest> {
  return db.transaction(async (tx) => {
    const req = await requestExtension(tx, input)
    const a = req.assignment
    await enqueueToSupervisors(
      tx,
      outboxKey.extension(req.id),
      await supervisorRecipients(tx),
      extensionRequest,
      {
        requestId: req.id,
        unit: a.unit,
        task: { ref: a.ref, title: a.title },
        from: req.previousDue,
        to: req.newDue,
        reason: req.reason,
        by: req.by,
      },
    )
    return req
  })
}

/** 批准 / 不批准 an extension: the decision, the unit's date when approved, and the unit told; one transaction. */
export async function answerExtension(
  db: Db,
  input: Parameters<typeof decideExtension>[1] & { today: string },
): Promise<Awaited<ReturnType<typeof decideExtension>>> {
  return db.transaction(async (tx) => {
    const decided = await decideExtension(tx, input)
    const a = decided.assignment
    await enqueueUnitMessage(tx, {
      key: outboxKey.extensionDecision(decided.id),
      unitId: a.unitId,
      reach: await unitReach(tx, a.unitId, input.today),
      template: 'extension-decision',
      params: { approved: decided.approved, ref: a.ref, due: decided.newDue },
      now: input.now,
    })
    return decided
  })
}
