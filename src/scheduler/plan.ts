/**
 * Which fires a schedule owes between the last one it considered and now, and what to do with each:
 * run it on time, run it late, or record it skipped (and why). Pure: the scheduler does the I/O.
 */
import type { CatchUpPolicy } from './job.ts'
import { firesDescending } from './cron.ts'

export type SkipReason =
  { kind: 'outside-window'; hours: number } | { kind: 'superseded'; by: Date } | { kind: 'policy-skip' }

export interface PlannedFire {
  at: Date
  /** Found after its time (more than the on-time tolerance): missed while the service was down or busy. */
  late: boolean
  action: 'run' | 'skip'
  reason?: SkipReason
  /** On the oldest recorded fire only: even older missed fires exist that get no row of their own. */
  earlierNotRecorded?: boolean
}

export interface PlanInput {
  cron: string
  timeZone: string
  /** Fires at or before this instant were already considered (recorded, or before the schedule existed). */
  after: Date
  now: Date
  catchUp: CatchUpPolicy
  catchUpWindowHours: number
  /** A fire found within this long after its time counts as on time (the tick is once a minute). */
  onTimeToleranceMs: number
  /** At most this many fires older than the catch-up window get a row each. */
  maxOutsideWindowRows: number
}

/** The fires in (after, now], oldest first, each with its decision. */
export function planFires(input: PlanInput): PlannedFire[] {
  const now = input.now.getTime()
  const windowStart = now - input.catchUpWindowHours * 3_600_000
  const onTimeFrom = now - input.onTimeToleranceMs

  const found: Date[] = []
  let outside = 0
  let moreOutside = false
  for (const fire of firesDescending(input.cron, input.timeZone, input.after, input.now)) {
    if (fire.getTime() < windowStart && fire.getTime() < onTimeFrom) {
      if (outside === input.maxOutsideWindowRows) {
        moreOutside = true
        break
      }
      outside++
    }
    found.push(fire)
  }
  found.reverse()

  const onTime = (d: Date) => d.getTime() >= onTimeFrom
  const inWindow = (d: Date) => d.getTime() >= windowStart
  const newestOnTime = found.filter(onTime).at(-1)
  const newestMissed = found.filter((d) => !onTime(d) && inWindow(d)).at(-1)
  // Under 'latest', the one fire that still runs: an on-time fire if there is one, else the newest missed.
  const latestRun = newestOnTime ?? newestMissed

  const planned = found.map((at): PlannedFire => {
    if (onTime(at)) return { at, late: false, action: 'run' }
    if (!inWindow(at))
      return {
        at,
        late: true,
        action: 'skip',
        reason: { kind: 'outside-window', hours: input.catchUpWindowHours },
      }
    switch (input.catchUp) {
      case 'each':
        return { at, late: true, action: 'run' }
      case 'skip':
        return { at, late: true, action: 'skip', reason: { kind: 'policy-skip' } }
      case 'latest':
        return at === latestRun
          ? { at, late: true, action: 'run' }
          : { at, late: true, action: 'skip', reason: { kind: 'superseded', by: latestRun ?? at } }
    }
  })
  const oldest = planned[0]
  if (moreOutside && oldest) oldest.earlierNotRecorded = true
  return planned
}
