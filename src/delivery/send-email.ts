/**
 * Sending one claimed email row and recording the outcome (outcomes.ts). A row the worker is
 * stopping for, or whose lease no longer covers a send, is given back unsent.
 */
import { observeSend } from '../metrics.ts'
import type { Logger } from '../log.ts'
import type { EmailMessage } from '../templates/types.ts'
import { leaseAllows, type ClaimedDelivery } from './claim.ts'
import type { EmailSender } from './email.ts'
import { describeError, SendError, type SendFailure } from './errors.ts'
import type { Outcomes } from './outcomes.ts'

export interface EmailDeliveryOptions {
  logger: Logger
  sender: EmailSender
  outcomes: Outcomes
  leaseMs: number
  /** Aborts when the worker stops. */
  signal: () => AbortSignal
}

/** Sends claimed email rows; see the module comment. */
export function createEmailDelivery(options: EmailDeliveryOptions) {
  const { logger, sender, outcomes, leaseMs } = options

  async function deliver(job: ClaimedDelivery, message: EmailMessage): Promise<void> {
    if (options.signal().aborted || !leaseAllows(job, sender.timeoutMs, leaseMs))
      return outcomes.giveBack(job, 0)
    let messageId: string
    job.onWire = true
    job.attempted = true
    const sendStarted = performance.now()
    try {
      messageId = await sender.send({ deliveryId: job.id, key: job.key, to: job.recipient, message })
      observeSend('email', (performance.now() - sendStarted) / 1000)
    } catch (err) {
      const failure: SendFailure =
        err instanceof SendError
          ? err.failure
          : { kind: 'retry', reason: describeError(err), ambiguous: true }
      return outcomes.failed(job, failure, job.recipient, [])
    } finally {
      job.onWire = false
    }
    await outcomes.markSent(job, [messageId], job.recipient)
    logger.debug({ delivery: job.id }, 'email sent')
  }

  return { deliver }
}
