/** The scheduler's public face: see scheduler.ts for how fires are claimed and caught up. */
export { createScheduler, syncSchedules, type Scheduler, type SchedulerOptions } from './scheduler.ts'
export { runJob, loadJobOptions, jobOptions, type JobDeps } from './run.ts'
export { latestFires, firesOf, type FireRow } from './fires.ts'
export { cronProblem } from './cron.ts'
export { parseInstant, formatInstant } from './time.ts'
export {
  jobByName,
  type Job,
  type JobContext,
  type JobFire,
  type JobResult,
  type CatchUpPolicy,
} from './job.ts'
