/**
 * Where templates report what they had to leave out while rendering (the digest's picture that
 * failed to draw): the composition root points it at the service's logger. Rendering goes on
 * without the part; the warning says why. Until set, warnings go nowhere (the CLI renders none).
 */
import type { Logger } from '../log.ts'

type Warn = (fields: Record<string, unknown>, message: string) => void

let sink: Warn = () => {}

/** Sends render warnings to `logger` (warn level). */
export function logRenderWarningsTo(logger: Pick<Logger, 'warn'>): void {
  sink = (fields, message) => logger.warn(fields, message)
}

/** A part of a message was left out: say so, with the error. */
export function renderWarning(fields: Record<string, unknown>, message: string): void {
  sink(fields, message)
}
