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
  bulletin: {
    period: {
      year: (y: number) => `${y}`,
      quarter: (y: number, q: number) => `Q${q} ${y}`,
      month: (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`,
    },
    date: (y: number, m: number, d: number) =>
      `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    title: (period: string) => `Progress of the law-enforcement supervision work in ${period}`,
    addressee: 'To the towns and subdistricts and the city law-enforcement departments:',
    intro: (plan: string, period: string, asOf: string) =>
      `As the plan "${plan}" requires, this bulletin reports the progress of ${period} (figures as of ${asOf}).`,
    headings: ['1. Overall', '2. Progress by unit', '3. Problems', '4. Next steps'],
    overall: (o: {
      asOf: string
      tasks: number
      assignments: number
      done: number
      rate: string
      inProgress: number
      blocked: number
      notStarted: number
      noReply: number
      overdue: number
      overdueUnits: number
    }) =>
      `As of ${o.asOf} the plan has ${o.tasks} tasks, assigned as ${o.assignments} unit tasks: ${o.done} done (${o.rate}%), ${o.inProgress} in progress, ${o.blocked} blocked, ${o.notStarted} not started, ${o.noReply} without a report. ${o.overdue} are overdue, in ${o.overdueUnits} units.`,
    front: '(1) Units ahead',
    back: '(2) Units behind',
    unitLine: (rank: number, unit: string, done: number, tasks: number, rate: string, overdue: number) =>
      `No. ${rank} ${unit}: ${done} of ${tasks} done, ${rate}%, ${overdue} overdue.`,
    problems: '(1) Difficulties units reported',
    problemLine: (reason: string, units: number, items: number, named: string) =>
      `${reason} (${units} units, ${items} items: ${named}).`,
    overdueItems: '(2) Overdue items',
    returnedItems: '(3) Items returned for rectification',
    itemLine: (ref: string, title: string, units: string) => `${ref} ${title}: ${units}.`,
    overdueUnit: (unit: string, days: number) => `${unit} (${days} days overdue)`,
    andMore: (n: number) => `and ${n} more units`,
    listSep: ', ',
    none: 'None.',
    noReason: 'no reason given',
    nextSteps: 'Next steps: (to be completed)',
    signature: '(issuing office)',
    pageNumber: (n: string) => `— ${n} —`,
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
