import type zh from '../zh-CN/plan-ledger.ts'

/** Plans in the ledger: several plans, roles, withdrawn tasks, preview, archive, export. */
export default {
  noPlans: 'no plan imported yet: run duban plan import <file>',
  noActivePlan: 'no plan is active: name one with --plan',
  whichPlan: (list: string) => `several plans are active, name one with --plan: ${list}`,
  planUnknown: (query: string, list: string) => `no plan "${query}"${list ? `. Plans: ${list}` : ''}`,
  planAmbiguous: (query: string, list: string) =>
    `"${query}" matches several plans, add the year or the id: ${list}`,
  archived: (title: string, year: number) =>
    `plan archived: ${title} (${year}). Tasks and reports stay readable; nobody is chased`,
  imported: (title: string, year: number, tasks: number, activePlans: number) =>
    `plan imported: ${title} (${year}, ${tasks} tasks)` +
    (activePlans > 1 ? `; ${activePlans} plans are active` : ''),
  summary: (created: number, updated: number, unchanged: number, withdrawn: number) =>
    `tasks: ${created} created, ${updated} updated, ${unchanged} unchanged, ${withdrawn} withdrawn`,
  withdrawnNote: (refs: string) =>
    `tasks no longer in the file were withdrawn (history kept, not chased): ${refs}`,
  dryRunTitle: (title: string, year: number, tasks: number) =>
    `preview (nothing written): ${title} (${year}, ${tasks} tasks)`,
  previewHeader: ['ref', 'task', 'units', 'deadline', 'source'],
  doubtsTitle: (n: number) => `to check (${n}):`,
  noDoubts: 'nothing to check',
  doubt: (ref: string | null, kind: string, quote: string, where: string) =>
    `- ${ref ? `${ref}: ` : ''}${kind}: "${quote}"${where ? ` (${where})` : ''}`,
  doubtKinds: {
    unknown_unit: 'unit not in the roster',
    unread_phrase: 'phrase not understood',
    past_date: 'deadline already past',
    numbering_gap: 'numbering gap',
    bracket: 'bracket not understood',
    no_units: 'no responsible units',
    duplicate_ref: 'duplicate number',
    latin_word: 'a Latin word inside Chinese text',
    repeated_word: 'a word repeated',
    other: 'other',
  },
  unknownUnitQuote: (name: string, guess: string) => (guess ? `${name} (${guess}?)` : name),
  pastDateQuote: (text: string, date: string) => `${text} → ${date}, already past at import`,
  explicitYearQuote: (text: string, date: string) => `${text} → ${date} (names a year other than the plan's)`,
  multiYearQuote: (first: number, last: number, year: number) =>
    `a plan for ${first}–${last}, run as ${year}; import it with --year for another year`,
  lineWhere: (line: number) => `line ${line}`,
  roleLabels: { lead: 'lead', responsible: 'responsible', support: 'support' },
  roleMark: { lead: ' (lead)', responsible: '', support: ' (support)' },
  ongoing: 'ongoing',
  series: (n: number) => `${n} due dates`,
  exported: (file: string, rows: number) => `task sheet written: ${file} (${rows} rows)`,
  exportHeader: ['No.', 'Ref', 'Task', 'Measures', 'Unit', 'Role', 'Deadline', 'Due date'],
  exportSheet: 'Tasks',
  exportPlanNote: (title: string, year: number) => `${title} (${year})`,
  planLine: (title: string) => `Plan: ${title}`,
  supportInfo: 'Your unit supports this task: for your information; the lead (responsible) unit reports.',
  listHeader: ['id', 'plan', 'year', 'state', 'tasks'],
  stateActive: 'active',
  stateArchived: 'archived',
  stateInactive: 'inactive',
} satisfies typeof zh
