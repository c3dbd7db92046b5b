/**
 * TEMPORARY ADAPTER, delete at merge: the current parser's `ParsedPlan` as a `PlanDraft`, so the
 * CLI and the tests keep working until the document readers (src/documents, issue 9) produce
 * PlanDrafts themselves. Every name is 'responsible'; every deadline is kind 'date'; the
 * parser's warnings become doubts of kind 'other'.
 */
import type { ParsedPlan } from './plan-parser.ts'
import type { PlanDraft } from './plan-draft.ts'
import { splitBracket } from './units.ts'

export function legacyParsedPlanToDraft(parsed: ParsedPlan, format = 'text'): PlanDraft {
  return {
    title: parsed.title,
    year: parsed.year,
    trainingHoursPerYear: parsed.trainingHoursPerYear,
    format,
    tasks: parsed.tasks.map((t) => ({
      ref: t.ref,
      section: t.section,
      title: t.title,
      body: t.body,
      responsibility: splitBracket(t.unitsText ?? '').map((phrase) => ({ phrase, role: 'responsible' })),
      unitsText: t.unitsText,
      deadline: t.deadline
        ? { kind: 'date', text: t.deadline.phrase, date: t.deadline.date, explicitYear: false }
        : null,
      source: { text: t.title },
    })),
    doubts: parsed.warnings.map((w) => ({ kind: 'other', taskRef: null, quote: w })),
  }
}
