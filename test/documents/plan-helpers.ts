import type { DeadlineDraft, PlanDraft } from '../../src/domain/plan-draft.ts'

/** A deadline as a clerk would say it: `2024-08-20`, `2024-08-20 (2024年写明)`, `每月: 12×`, `长期`. */
export function due(d: DeadlineDraft | null): string | null {
  if (d === null) return null
  if (d.kind === 'date') return d.explicitYear ? `${d.date} explicit` : d.date
  if (d.kind === 'series') return `${d.every}: ${d.dates.join(' ')}`
  return d.date ? `ongoing from ${d.date}` : 'ongoing'
}

/** Each task as [ref, title, units with roles, deadline]. */
export function rows(plan: PlanDraft): [string, string, string, string | null][] {
  return plan.tasks.map((t) => [
    t.ref,
    t.title,
    t.responsibility.map((e) => `${e.phrase}:${e.role}`).join(' '),
    due(t.deadline),
  ])
}

export function doubts(plan: PlanDraft): string[] {
  return plan.doubts.map((d) => `${d.kind} ${d.taskRef ?? '-'} ${d.quote}`)
}
