/**
 * A digest picture that fails to render (here: a unit name with a control character, which the
 * SVG renderer refuses) is logged as a warning with the error, and the digest still goes as text:
 * no photo in Telegram, no inline picture in the email, every unit in the text.
 */
import { Writable } from 'node:stream'
import { expect, it } from 'vitest'
import type { Digest } from '../../src/domain/digest.ts'
import { createLogger } from '../../src/log.ts'
import { renderPayload } from '../../src/templates/index.ts'

const counts = { items: 2, done: 1, inProgress: 1, blocked: 0, notStarted: 0, noReply: 0, overdue: 0 }

const digest: Digest = {
  week: '2026-W10',
  date: '2026-03-02',
  generatedAt: '2026-03-02T00:30:00.000Z',
  plan: { title: '2026 年度行政执法监督工作方案', year: 2026 },
  plans: [{ title: '2026 年度行政执法监督工作方案', year: 2026 }],
  options: { upcomingDays: 14, silentDays: 14, changesDays: 7 },
  totals: { ...counts, items: 4, done: 2, inProgress: 2, units: 2 },
  units: [
    { ...counts, unitId: 1, name: '台城街道', lastReplyAt: null, unreachable: null },
    { ...counts, unitId: 2, name: '斗山\u0001镇', lastReplyAt: null, unreachable: null },
  ],
  blocked: { items: [], more: 0 },
  silent: { items: [], more: 0 },
  unreachable: [],
  unreachableLiaisons: [],
  upcoming: { items: [], more: 0 },
  changes: { reports: 0, units: 0, newlyDone: { items: [], more: 0 }, newlyBlocked: { items: [], more: 0 } },
  training: { officers: 0, belowPace: 0, averageHours: 0, pace: 10, required: 60, units: [] },
  trend: [{ asOf: '2026-03-02', rate: 0.5 }],
}

it('logs a picture that fails to render and sends the digest as text', () => {
  const lines: string[] = []
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      },
    }),
  )
  const rendered = renderPayload(
    { template: 'weekly-digest', params: digest as unknown as Record<string, unknown> },
    'zh-CN',
    { now: new Date('2026-03-02T00:30:00Z'), tz: 'Asia/Shanghai', warn: (f, m) => logger.warn(f, m) },
  )
  expect(rendered.telegram?.photo).toBeUndefined()
  expect(rendered.telegram?.html).toContain('台城街道')
  expect(rendered.email?.attachments ?? []).toHaveLength(0)
  expect(rendered.email?.text).toContain('台城街道')

  const warnings = lines.map(
    (l) => JSON.parse(l) as { level: string; msg: string; err?: { message: string } },
  )
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('digest picture failed') })
  expect(warnings[0]!.err?.message).toContain('SVG data parsing failed')
})
