/**
 * Operations endpoints for the supervising process, a load balancer and Prometheus: `/healthz`
 * (database reachable, this process's worker and scheduler alive, outbox lag; 200 or 503, JSON)
 * and `/metrics` (Prometheus text format). No session; only addresses in METRICS_ALLOW.
 */
import type { Context, Hono } from 'hono'
import { outboxLagSeconds, pingDatabase } from '../delivery/health.ts'
import { enableMetrics, setOutboxLag } from '../metrics.ts'
import { addressAllowed } from './security.ts'
import type { WebDeps, WebEnv } from './types.ts'

export function registerOps(app: Hono<WebEnv>, deps: WebDeps): void {
  const allowed = (c: Context<WebEnv>) =>
    addressAllowed(c.env.incoming.socket.remoteAddress, deps.config.metricsAllow)

  app.get('/healthz', async (c) => {
    if (!allowed(c)) return c.text('Forbidden', 403)
    const report: Record<string, unknown> = {}
    let ok = true
    try {
      await pingDatabase(deps.db)
      report.database = 'ok'
      report.outboxLagSeconds = Math.round(await outboxLagSeconds(deps.db))
    } catch (err) {
      ok = false
      report.database = 'unreachable'
      report.error = err instanceof Error ? err.message : String(err)
    }
    for (const role of ['worker', 'scheduler'] as const) {
      const probe = deps.health?.[role]
      if (!probe) continue
      const alive = probe()
      report[role] = alive ? 'alive' : 'stopped'
      if (!alive) ok = false
    }
    return c.json({ ok, ...report }, ok ? 200 : 503)
  })

  app.get('/metrics', async (c) => {
    if (!allowed(c)) return c.text('Forbidden', 403)
    const registry = await enableMetrics()
    try {
      setOutboxLag(await outboxLagSeconds(deps.db))
    } catch {
      // The database is down: the other metrics are still worth reading; /healthz says why.
    }
    return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType })
  })
}
