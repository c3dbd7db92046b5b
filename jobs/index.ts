/**
 * The job registry: every scheduled job, one file each under jobs/. The scheduler and the CLI read
 * it through `registeredJobs()`, so a test can put its own jobs in place with `useJobs`.
 */
import type { Job } from './types.ts'
import { deadlineReminders } from './deadline-reminders.ts'
import { statusPrompts } from './status-prompts.ts'
import { promptNudges } from './prompt-nudges.ts'
import { weeklyDigestJob } from './weekly-digest.ts'
import { trainingPaceJob } from './training-pace.ts'
import { assignmentReceipts } from './assignment-receipts.ts'

export type { Job, JobContext, JobFire, JobResult, CatchUpPolicy } from './types.ts'

export const jobs: Job[] = [
  deadlineReminders,
  statusPrompts,
  promptNudges,
  weeklyDigestJob,
  trainingPaceJob,
  assignmentReceipts,
]

let substitute: readonly Job[] | undefined

/** The jobs in force: the registry above, or what `useJobs` put in its place. */
export function registeredJobs(): readonly Job[] {
  return substitute ?? jobs
}

/** Replaces the registry for this process (tests); `undefined` restores the real one. */
export function useJobs(list: readonly Job[] | undefined): void {
  substitute = list
}

/** The registered job with that name, if any. */
export function jobByName(name: string, list: readonly Job[] = registeredJobs()): Job | undefined {
  return list.find((j) => j.name === name)
}
