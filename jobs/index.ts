/**
 * Every scheduled job, one file each under jobs/. Only the composition root (bin/root.ts) reads
 * this list and hands it to the scheduler and the command line.
 */
import type { Job } from './types.ts'
import { deadlineReminders } from './deadline-reminders.ts'
import { statusPrompts } from './status-prompts.ts'
import { promptNudges } from './prompt-nudges.ts'
import { weeklyDigestJob } from './weekly-digest.ts'
import { trainingPaceJob } from './training-pace.ts'
import { ledgerSnapshotJob } from './ledger-snapshot.ts'
import { assignmentReceipts } from './assignment-receipts.ts'
import { redEscalation } from './red-escalation.ts'

export type { Job, JobContext, JobFire, JobResult, CatchUpPolicy } from './types.ts'

export const jobs: readonly Job[] = [
  deadlineReminders,
  statusPrompts,
  promptNudges,
  weeklyDigestJob,
  trainingPaceJob,
  ledgerSnapshotJob,
  assignmentReceipts,
  redEscalation,
]
