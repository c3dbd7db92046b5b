import type zh from '../zh-CN/scheduler.ts'

export default {
  fire: {
    outsideWindow: (hours: number) => `missed by more than the catch-up window (${hours} h); not run`,
    earlierNotRecorded: (since: string) => `earlier missed fires since ${since} are not recorded one by one`,
    superseded: (at: string) => `superseded by the fire at ${at} (catch-up policy: latest only)`,
    policySkip: 'missed while the service was down; this job does not catch up',
    failed: (message: string, rerun: string) =>
      `failed: ${message}. Not retried automatically; to run it again: ${rerun}`,
    interrupted: 'still running when the service stopped; no result recorded',
    abandoned: (rerun: string) =>
      `the process running it died, and it is past the catch-up window; not run again. To run it: ${rerun}`,
  },
  list: {
    header: ['job', 'cron', 'enabled', 'last fire', 'status', 'late', 'new', 'detail'],
    yes: 'yes',
    no: 'no',
    never: 'never',
    late: 'late',
    status: { running: 'running', done: 'done', skipped: 'skipped', failed: 'failed' },
    badCron: (problem: string) => `invalid cron, not running: ${problem}`,
    notSynced: '(default; the service has not started yet)',
    noJobs: 'No scheduled jobs are registered.',
  },
  run: {
    done: (job: string, at: string, enqueued: number) =>
      `ran ${job} as at ${at}: ${enqueued} new deliveries queued`,
    skipped: (job: string, at: string, reason: string) => `ran ${job} as at ${at}: nothing done (${reason})`,
    unknownJob: (name: string, names: string) => `there is no job named "${name}"; jobs: ${names}`,
    noJobs: 'no scheduled jobs are registered',
    badAt: (value: string) =>
      `cannot read the time "${value}"; for example --at 2024-10-18T10:00 (the plan's timezone) or --at 2024-10-18T10:00+08:00`,
    failed: (job: string, message: string) => `job ${job} failed: ${message}`,
  },
} satisfies typeof zh
