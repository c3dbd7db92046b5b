/**
 * `duban deliveries [--status S] [--json]` lists the outbox; `duban deliveries retry <id>` puts a
 * failed or dead delivery back in the queue.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { deliveryStatuses, type DeliveryStatus } from '../../db/schema.ts'
import { listDeliveries, retryDelivery, type DeliveryRow } from '../../delivery/outbox.ts'
import { messages } from '../../i18n/index.ts'
import type { CliContext } from '../context.ts'
import { audited } from '../actor.ts'
import { formatTable, printJson } from '../io.ts'
import { UserError } from '../../errors.ts'

const zh = messages('zh-CN').delivery
const en = messages('en').delivery

/** The JSON form of a delivery (fields may be added, never removed). */
export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    key: d.key,
    channel: d.channel,
    recipient: d.recipient,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    ambiguous: d.ambiguous,
    nextAttemptAt: d.nextAttemptAt.toISOString(),
    sentAt: d.sentAt ? d.sentAt.toISOString() : null,
    externalId: d.externalId,
  }
}

function parseStatus(value: string): DeliveryStatus {
  if ((deliveryStatuses as readonly string[]).includes(value)) return value as DeliveryStatus
  throw new InvalidArgumentError(`expected one of ${deliveryStatuses.join(', ')}`)
}

function parseLimit(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number')
  return n
}

export function registerDeliveries(program: Command, ctx: CliContext): void {
  const deliveries = program
    .command('deliveries')
    .description('the outbox: every notification and what became of it')
    .option(
      '--status <status>',
      `only rows in this state (${deliveryStatuses.join(', ')}; ambiguous: may have arrived twice)`,
      parseStatus,
    )
    .option('--limit <n>', 'at most this many rows (oldest first)', parseLimit)
    .option('--json', 'print JSON')
    .action(async (opts: { status?: DeliveryStatus; limit?: number; json?: boolean }) => {
      const db = await ctx.db()
      const rows = await listDeliveries(db, {
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      })
      if (opts.json) {
        printJson(ctx.output, rows.map(deliveryJson))
        return
      }
      if (rows.length === 0) {
        ctx.output.out(`${zh.list.empty} / ${en.list.empty}`)
        return
      }
      ctx.output.out(
        formatTable(
          zh.list.header,
          rows.map((d) => [
            d.id,
            zh.channels[d.channel],
            d.recipient,
            zh.statuses[d.status] + (d.ambiguous ? zh.list.ambiguousMark : ''),
            d.attempts,
            d.key,
            d.lastError ?? '',
          ]),
        ),
      )
    })

  deliveries
    .command('retry <id>')
    .description('queue a failed or dead delivery again')
    .action(async (id: string) => {
      if (!/^\d{1,15}$/.test(id)) throw new UserError(`${zh.retry.unknown(id)} / ${en.retry.unknown(id)}`)
      const n = Number(id)
      const db = await ctx.db()
      await audited(
        db,
        (tx) => retryDelivery(tx, n, ctx.now()),
        () => ({ action: 'deliveries.retry', target: `delivery ${n}` }),
        ctx.now(),
      )
      ctx.output.out(`${zh.retry.done(n)} / ${en.retry.done(n)}`)
    })
}
