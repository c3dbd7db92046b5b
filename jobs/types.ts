/** The job contract, owned by the scheduler; re-exported so a job file imports it from next door. */
export type { CatchUpPolicy, Job, JobContext, JobFire, JobResult } from '../src/scheduler/job.ts'
