import type zh from '../zh-CN/paperwork.ts'

export default {
  errors: {
    planUnknown: (query: string, known: string) =>
      `No plan named "${query}". ${known ? `Plans: ${known}` : 'No plan has been imported.'}`,
    noPlan: 'No plan has been imported yet: run duban plan import <file> first.',
    asOfInvalid: (text: string) => `"${text}" is not a date: write YYYY-MM-DD, e.g. 2026-10-31.`,
    asOfBeforePlan: (date: string, title: string, year: number) =>
      `${date} is before the plan "${title}" (${year}) begins: there was no ledger then.`,
    asOfFuture: (date: string, today: string) =>
      `${date} is after today (${today}): there is no ledger of the future.`,
    periodInvalid: (text: string) =>
      `"${text}" is not a period: write 2026 (a year), 2026-Q3 (a quarter) or 2026-10 (a month).`,
    periodBeforePlan: (period: string, title: string, year: number) =>
      `The period ${period} is before the plan "${title}" (${year}) begins.`,
    outRequired: 'Name the output file with --out <file>.',
  },
  ledger: {
    sheets: { main: 'Ledger', units: 'By unit', training: 'Training hours' },
    title: (plan: string, asOf: string) => `${plan}: work ledger as of ${asOf}`,
    main: {
      seq: 'No.',
      ref: 'Task ref',
      task: 'Task',
      unit: 'Responsible unit',
      due: 'Due',
      dueText: 'Deadline as written',
      state: 'State',
      progress: 'Progress',
      color: 'Colour',
      acknowledged: 'Receipt',
      evidence: 'Evidence',
      lastReport: 'Last report',
    },
    unitsSheet: {
      unit: 'Unit',
      tasks: 'Tasks',
      done: 'Done',
      inProgress: 'In progress',
      blocked: 'Blocked',
      overdue: 'Overdue',
      silent: 'No reply',
      rate: 'Completion',
    },
    trainingSheet: {
      unit: 'Unit',
      officer: 'Officer',
      hours: 'Hours',
      pace: 'Pace',
      gap: (required: number) => `Short of ${required} h`,
      behind: 'Behind pace',
    },
    roles: { lead: 'lead', responsible: 'responsible', support: 'support' },
    colors: { green: 'green', yellow: 'yellow', red: 'red' },
    acknowledgedYes: 'acknowledged',
    acknowledgedNo: 'not acknowledged',
    yes: 'yes',
    noDue: 'ongoing',
    overdueDays: (n: number) => `${n} days overdue`,
  },
  bot: {
    supervisorsOnly: 'The ledger is for supervisors only.',
    noPlan: 'No plan has been imported yet.',
    caption: (plan: string, asOf: string, rows: number) =>
      `${plan}: work ledger as of ${asOf}, ${rows} rows.`,
  },
  cli: {
    ledgerWritten: (file: string, rows: number, asOf: string, source: string) =>
      `Wrote ${file}: ${rows} rows (as of ${asOf}, ${source}).`,
    bulletinWritten: (file: string, period: string, asOf: string, source: string) =>
      `Wrote ${file}: bulletin draft for ${period} (as of ${asOf}, ${source}).`,
    sourceSnapshot: 'from that day’s snapshot',
    sourceHistory: 'from the report history',
  },
  chart: {
    title: (asOf: string) => `Completion by unit (as of ${asOf})`,
    trendTitle: 'Weekly completion rate',
    legend: {
      done: 'done',
      in_progress: 'in progress',
      blocked: 'blocked',
      not_started: 'not started',
      no_reply: 'no reply',
    },
    more: (n: number) => `${n} more units not shown`,
    rate: (pct: string) => `${pct}%`,
    noTrend: 'No weekly snapshots yet',
  },
} satisfies typeof zh
