/**
 * The service's Prometheus metrics, counted where things happen (delivery worker, scheduler,
 * status reports) and read at `/metrics` on the web desk.
 *
 * Nothing is counted until `enableMetrics()` ran (the web role calls it at start): until then
 * every counting function is one null check, and prom-client is not even loaded, so the CLI and
 * benchmarks pay nothing. Counts are per process (per replica): Prometheus sums the replicas.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client'

interface Collectors {
  registry: Registry
  deliveries: Counter<'channel' | 'status'>
  sendSeconds: Histogram<'channel'>
  outboxLag: Gauge
  rateLimited: Counter
  replies: Counter<'source'>
  jobFires: Counter<'job' | 'status'>
}

let collectors: Collectors | null = null

/** Loads prom-client and creates the collectors (idempotent); returns the registry. */
export async function enableMetrics(): Promise<Registry> {
  if (collectors) return collectors.registry
  const prom = await import('prom-client')
  const registry = new prom.Registry()
  prom.collectDefaultMetrics({ register: registry, prefix: 'duban_' })
  collectors = {
    registry,
    deliveries: new prom.Counter({
      name: 'duban_deliveries_total',
      help: 'Delivery attempts that ended, by channel and outcome (sent, failed, dead)',
      labelNames: ['channel', 'status'],
      registers: [registry],
    }),
    sendSeconds: new prom.Histogram({
      name: 'duban_send_seconds',
      help: 'Time one send took (Bot API call or SMTP transaction), by channel',
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    outboxLag: new prom.Gauge({
      name: 'duban_outbox_lag_seconds',
      help: 'Age of the oldest pending delivery that is due (0 when none)',
      registers: [registry],
    }),
    rateLimited: new prom.Counter({
      name: 'duban_telegram_429_total',
      help: 'Telegram answers 429 Too Many Requests',
      registers: [registry],
    }),
    replies: new prom.Counter({
      name: 'duban_replies_recorded_total',
      help: 'Status reports recorded, by source (telegram, button, command, email, cli)',
      labelNames: ['source'],
      registers: [registry],
    }),
    jobFires: new prom.Counter({
      name: 'duban_job_fires_total',
      help: 'Scheduled job fires that finished, by job and outcome (done, failed)',
      labelNames: ['job', 'status'],
      registers: [registry],
    }),
  }
  return registry
}

/** A delivery attempt ended: sent, failed (will retry) or dead. */
export function countDelivery(channel: string, status: 'sent' | 'failed' | 'dead'): void {
  collectors?.deliveries.inc({ channel, status })
}

/** One send took `seconds`. */
export function observeSend(channel: string, seconds: number): void {
  collectors?.sendSeconds.observe({ channel }, seconds)
}

/** Telegram answered 429. */
export function count429(): void {
  collectors?.rateLimited.inc()
}

/** A status report was recorded. */
export function countReply(source: string): void {
  collectors?.replies.inc({ source })
}

/** A scheduled job's fire finished. */
export function countJobFire(job: string, status: string): void {
  collectors?.jobFires.inc({ job, status })
}

/** Sets the outbox lag gauge (read from the database at scrape time). */
export function setOutboxLag(seconds: number): void {
  collectors?.outboxLag.set(seconds)
}
