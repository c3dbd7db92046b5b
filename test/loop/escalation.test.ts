/**
 * 红色督办 escalation through the real red-escalation job and the worker on a simulated clock: an
 * overdue item climbs liaison → the unit's leader → the supervisors, one working day a step, each
 * step once; a unit without a leader goes from the liaison straight to the supervisors.
 */
import { expect, it } from 'vitest'
import { and, asc, eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { assignmentEvents, assignments } from '../../src/db/schema.ts'
import { createInvite } from '../../src/domain/invites.ts'
import { addPerson } from '../../src/domain/people.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { groups, NOW, users } from '../bot/harness.ts'
import { deliver, runJobAt, useLoopHarness } from './helpers.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })
const leaderUser: EmulatorUser = { id: 5_000_011, first_name: '钱七', username: 'qianqi' }
/** 三（二）1 (组织执法人员培训) was due 10月10日: on 10月15日 斗山镇 is 4 working days overdue (10月12日, a Saturday, was a working day). */
const TRAINING = '斗山镇 · 三（二）1 组织执法人员培训'

describeDb('红色督办 escalation', (t) => {
  const loop = useLoopHarness(t, (f) => [
    [users.supervisor, f.invites.supervisor],
    [users.doushanLiaison, f.invites.doushanLiaison],
  ])

  /** Runs the job on each day; the red messages about 斗山镇's training task each chat got that day. */
  const ladderOver = async (days: string[]) => {
    const chats = {
      liaison: users.doushanLiaison.id,
      leader: leaderUser.id,
      supervisors: groups.supervisors.id,
    }
    const out: Record<string, string[]> = {}
    for (const day of days) {
      const before = Object.fromEntries(
        Object.entries(chats).map(([k, id]) => [k, loop.h.emulator.sentMessages(id).length]),
      )
      await runJobAt(t.db, loop.h, loop.clock, 'red-escalation', day, '09:30')
      await deliver(t.db, loop.h, loop.clock)
      out[day] = Object.entries(chats).flatMap(([k, id]) =>
        loop.h.emulator
          .sentMessages(id)
          .slice(before[k])
          .filter((m) => m.visibleText.includes(TRAINING))
          .map((m) => `${k}: ${m.visibleText.split('\n').at(-1)}`),
      )
    }
    return out
  }
  const levels = async () =>
    (
      await t.db
        .select()
        .from(assignmentEvents)
        .where(
          and(
            eq(assignmentEvents.kind, 'escalated'),
            eq(assignmentEvents.unitId, loop.f.units.doushan),
            eq(assignmentEvents.taskId, loop.f.tasks.training),
          ),
        )
        .orderBy(asc(assignmentEvents.id))
    ).map((e) => e.payload.step)

  it("reaches the unit's leader before the supervisors, one step a working day, each once", async () => {
    const leader = await addPerson(t.db, { name: '钱七', role: 'leader', unit: '斗山镇' })
    await loop.h.say(leaderUser, dm(leaderUser), `/start ${(await createInvite(t.db, leader.id, NOW)).code}`)

    const days = await ladderOver(['2024-10-15', '2024-10-16', '2024-10-17', '2024-10-18', '2024-10-21'])
    expect(days).toEqual({
      '2024-10-15': ['liaison: 请联络员立即办理。'],
      '2024-10-16': ['leader: 请单位分管领导督促办理。'],
      '2024-10-17': ['supervisors: 已报督办人员。'],
      '2024-10-18': [],
      '2024-10-21': [],
    })
    const first = loop.h.emulator
      .sentMessages(users.doushanLiaison.id)
      .find((m) => m.visibleText.includes(TRAINING))!
    expect(first.visibleText).toBe(`🔴 【红色督办】\n${TRAINING}\n已逾期 4 个工作日\n请联络员立即办理。`)
    // Running a day again sends nothing new.
    expect((await runJobAt(t.db, loop.h, loop.clock, 'red-escalation', '2024-10-17', '09:30')).enqueued).toBe(
      0,
    )
    expect(await levels()).toEqual(['liaison', 'leader', 'supervisors'])
    const [mark] = await t.db
      .select({ redSince: assignments.redSince })
      .from(assignments)
      .where(and(eq(assignments.taskId, loop.f.tasks.training), eq(assignments.unitId, loop.f.units.doushan)))
    expect(mark!.redSince).toBe('2024-10-15')
  })

  it('skips the leader step when the unit has none', async () => {
    const days = await ladderOver(['2024-10-15', '2024-10-16', '2024-10-17'])
    expect(days).toEqual({
      '2024-10-15': ['liaison: 请联络员立即办理。'],
      '2024-10-16': ['supervisors: 已报督办人员。'],
      '2024-10-17': [],
    })
    expect(await levels()).toEqual(['liaison', 'supervisors'])
  })
})
