/**
 * The latest-status record of each assignment (the 台账's read model) stays equal to the newest
 * report in the history, whichever writer wrote: a reply, an edit of the latest message, an edit
 * of an older message (which keeps its older time), and the migration's rebuild from history.
 */
import { beforeAll, expect, it } from 'vitest'
import { and, eq, sql } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignments } from '../../src/db/schema.ts'
import { latestStatus, recordEditedStatus, recordStatus } from '../../src/domain/reports.ts'
import { rebuildLatestStatus } from '../../src/domain/latest-status.ts'
import { NOW, seed, type Fixture } from '../bot/harness.ts'

const CHAT = -1_001_000_000_001
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000)

describeDb('the latest-status record of assignments', (t) => {
  let f: Fixture

  beforeAll(async () => {
    f = await seed(t.db)
  })

  /** Every assignment's record next to the newest report of its history. */
  async function records() {
    const rows = await t.db.select().from(assignments)
    return Promise.all(
      rows.map(async (a) => {
        const newest = await latestStatus(t.db, a.taskId, a.unitId)
        return {
          pair: `${a.taskId}:${a.unitId}`,
          record: [
            a.latestReportId,
            a.latestState,
            a.latestProgress,
            a.latestNote,
            a.latestReportedAt?.getTime() ?? null,
          ],
          history: newest
            ? [newest.id, newest.state, newest.progress, newest.note, newest.reportedAt.getTime()]
            : [null, null, null, null, null],
        }
      }),
    )
  }

  it('follows replies and edits, never putting an older report in front', async () => {
    const base = { taskId: f.tasks.fines, unitId: f.units.taicheng, source: 'telegram' as const }
    await recordStatus(t.db, {
      ...base,
      state: 'in_progress',
      progress: 30,
      now: minutes(1),
      telegramChatId: CHAT,
      telegramMessageId: 11,
    })
    await recordStatus(t.db, {
      ...base,
      state: 'in_progress',
      progress: 60,
      now: minutes(2),
      telegramChatId: CHAT,
      telegramMessageId: 12,
    })
    await recordStatus(t.db, {
      ...base,
      unitId: f.units.doushan,
      state: 'blocked',
      note: '缺经费',
      now: minutes(3),
    })

    // An edit of the older message keeps its time: the 60% reply stays the latest.
    await recordEditedStatus(t.db, CHAT, 11, { state: 'done', progress: null, note: null }, minutes(4))
    let [a] = await t.db
      .select()
      .from(assignments)
      .where(and(eq(assignments.unitId, f.units.taicheng), eq(assignments.taskId, f.tasks.fines)))
    expect([a!.latestState, a!.latestProgress]).toEqual(['in_progress', 60])

    // An edit of the latest message is the new latest.
    await recordEditedStatus(t.db, CHAT, 12, { state: 'in_progress', progress: 80, note: null }, minutes(5))
    ;[a] = await t.db
      .select()
      .from(assignments)
      .where(and(eq(assignments.unitId, f.units.taicheng), eq(assignments.taskId, f.tasks.fines)))
    expect([a!.latestState, a!.latestProgress, a!.latestReportedAt]).toEqual(['in_progress', 80, minutes(5)])

    for (const r of await records()) expect(r.record, r.pair).toEqual(r.history)
  })

  it("the migration's rebuild from history gives the records the writers kept", async () => {
    const kept = await records()
    await t.db
      .execute(sql`update assignments set latest_report_id = null, latest_state = null, latest_progress = null,
      latest_note = null, latest_reported_at = null, latest_person_id = null`)
    await rebuildLatestStatus(t.db)
    expect(await records()).toEqual(kept)
    expect(kept.filter((r) => r.record[0] !== null)).toHaveLength(2)
  })
})
