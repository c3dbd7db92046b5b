/**
 * Cron expressions of the schedules: five fields (minute hour day-of-month month day-of-week),
 * evaluated in the plan's timezone by cron-parser (which follows daylight-saving changes: a
 * wall time that does not exist runs once after the jump, one that exists twice runs once).
 */
import { CronExpressionParser } from 'cron-parser'

/** Why `expr` is not a usable five-field cron expression, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/)
  if (fields.length !== 5)
    return 'expected five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * *"'
  // H picks a random value per parse: every replica would fire at a different time.
  if (fields.some((f) => /(^|,)h/i.test(f))) return 'H (randomized) values are not supported'
  try {
    CronExpressionParser.parse(expr, { strict: false })
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/**
 * The fires of `expr` in `timeZone` that fall in (after, until], latest first. Lazy: the caller
 * stops pulling when it has seen enough, so a long gap never enumerates more than it needs.
 */
export function* firesDescending(expr: string, timeZone: string, after: Date, until: Date): Generator<Date> {
  if (until.getTime() <= after.getTime()) return
  const it = CronExpressionParser.parse(expr, { tz: timeZone, currentDate: new Date(until.getTime() + 1) })
  for (;;) {
    let fire: Date
    try {
      fire = it.prev().toDate()
    } catch {
      return // out of the expression's range
    }
    if (fire.getTime() <= after.getTime()) return
    if (fire.getTime() <= until.getTime()) yield fire
  }
}
