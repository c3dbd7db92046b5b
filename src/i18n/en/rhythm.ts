import type zh from '../zh-CN/rhythm.ts'

export default {
  jobs: {
    deadlineReminders:
      'Deadline reminders: 14, 7, 3 and 1 working days before and on the day to units not done; every 3 working days when overdue',
    statusPrompts: "Friday: each unit's status prompt for its open tasks",
    promptNudges: 'Monday: a nudge to units that did not answer last week’s prompt',
    weeklyDigest: 'Monday: the weekly digest to supervisors',
    trainingPace: 'Start of each month: training-hours pace check',
    ledgerSnapshot:
      'After each Sunday and each month’s last day, keep a snapshot of the work ledger (for trends and bulletins)',
    assignmentReceipts:
      'Assignment notices with 签收, and one second notice a working day later when not signed',
    redEscalation:
      'Red items escalate one step per working day: liaison, then the unit leader, then the supervisors',
  },

  skipped: {
    nonWorkingDay: 'non-working day',
    notYet: (day: string) => `this period acts on ${day}`,
    noRoundDay: 'no working day in this period',
    alreadyDone: (period: string) => `already done for ${period}`,
    noPlan: 'no plan imported yet',
  },

  detail: {
    unreachable: (units: string) => `units that cannot be reached: ${units}`,
  },

  reminder: {
    headBefore: '[Reminder] ',
    headOverdue: '[Overdue] ',
    headManual: '[Reminder] ',
    title: (head: string, title: string, ref: string) => `${head}${title} (${ref})`,
    dueLeft: (due: string, n: number) => `Due: ${due}, ${n} working day${n === 1 ? '' : 's'} left.`,
    dueToday: (due: string) => `Due: ${due}, today.`,
    dueOverdue: (due: string, n: number) => `Due: ${due}, overdue by ${n} working day${n === 1 ? '' : 's'}.`,
    duePassed: (due: string) => `Due: ${due}, the deadline has passed.`,
    noDue: 'Due: not set.',
    statusReported: (unit: string, state: string, date: string, by: string | null) =>
      `${unit} status: ${state} (${date}${by ? `, ${by}` : ''})`,
    statusNone: (unit: string) => `${unit} status: no reply`,
    replyHint: 'Reply to this message: done / in progress 80% / blocked: reason',
    emailHint: "To reply: answer the reminder in your unit's Telegram group, or send /report to the bot.",
    subject: (head: string, unit: string, title: string) => `${head}${unit} · ${title}`,
  },

  escalation: {
    head: '[Escalation] ',
    intro: (due: string, n: number) => `Due: ${due}. ${n} unit${n === 1 ? ' is' : 's are'} overdue:`,
    unit: (unit: string, days: number, state: string) =>
      `${unit}: ${days} working day${days === 1 ? '' : 's'} overdue · ${state}`,
    lastReply: (date: string) => `last reply ${date}`,
    unreachable: 'cannot be reached',
    hint: 'Send /remind <unit> to remind a unit again.',
    subject: (title: string, n: number) => `[Escalation] ${title}: ${n} unit${n === 1 ? '' : 's'} overdue`,
  },

  prompt: {
    headWeekly: (unit: string, n: number) => `[Status] ${unit} · ${n} open task${n === 1 ? '' : 's'}`,
    headNudge: (unit: string, n: number) =>
      `[Status reminder] ${unit} · last week’s prompt is unanswered (${n})`,
    headManual: (unit: string, n: number) => `[Reminder] ${unit} · ${n} open task${n === 1 ? '' : 's'}`,
    line: (i: number, title: string, ref: string, due: string, state: string) =>
      `${i}. ${title} (${ref})\n    Due: ${due} · now: ${state}`,
    noDue: 'not set',
    replyHintOne: 'Reply to this message: done / in progress 80% / blocked: reason',
    replyHintMany: 'Reply to this message, e.g. 1 done; 2 in progress 60%; 3 blocked: reason',
    emailHint: "To reply: answer the prompt in your unit's Telegram group, or send /report to the bot.",
    subjectWeekly: (unit: string) => `[Status] ${unit}: this week`,
    subjectNudge: (unit: string) => `[Status reminder] ${unit} has not answered`,
    subjectManual: (unit: string) => `[Reminder] ${unit}: open tasks`,
  },

  pace: {
    head: (unit: string, month: string) => `[Training hours] ${unit} · ${month}`,
    intro: (date: string, pace: string, required: number, n: number) =>
      `On pace, each officer should have ${pace} hours by ${date} (at least ${required} a year). ${n} below pace:`,
    officer: (name: string, hours: string, gap: string) => `${name}: ${hours} h (${gap} h short)`,
    hint: 'Log hours: /hours <name> <hours> [date] [course]',
    month: (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`,
  },

  risk: {
    head: (n: number, required: number) =>
      `[Training hours warning] ${n} officer${n === 1 ? '' : 's'} cannot reach ${required} hours this year at the current pace`,
    officer: (unit: string, name: string, hours: string, projected: string) =>
      `${unit} · ${name}: ${hours} h so far, about ${projected} h for the year at this pace`,
  },

  digest: {
    week: (year: number, n: number) => `${year}-W${String(n).padStart(2, '0')}`,
    title: (week: string, date: string) => `[Weekly digest] ${week} (${date})`,
    plan: (title: string) => `Plan: ${title}`,
    noPlan: 'No plan imported yet.',
    summary: (units: number, items: number) => `${units} units · ${items} task assignments`,
    counts: (
      done: number,
      inProgress: number,
      blocked: number,
      notStarted: number,
      noReply: number,
      overdue: number,
    ) =>
      `done ${done} · in progress ${inProgress} · blocked ${blocked} · not started ${notStarted} · no reply ${noReply} · overdue ${overdue}`,
    sectionUnits: 'Units (most overdue first)',
    loopLine: (green: number, yellow: number, red: number, unacknowledged: number) =>
      `Colours: 🟢 ${green} · 🟡 ${yellow} · 🔴 ${red} · not acknowledged ${unacknowledged}`,
    unitLoop: (red: number, yellow: number, unacknowledged: number) =>
      ` · 🔴 ${red} · 🟡 ${yellow} · not acknowledged ${unacknowledged}`,
    unitLine: (
      rank: number,
      unit: string,
      overdue: number,
      blocked: number,
      inProgress: number,
      done: number,
      items: number,
      noReply: number,
    ) =>
      `${rank}. ${unit}: overdue ${overdue} · blocked ${blocked} · in progress ${inProgress} · done ${done}/${items} · no reply ${noReply}`,
    columns: {
      unit: 'Unit',
      overdue: 'Overdue',
      blocked: 'Blocked',
      inProgress: 'In progress',
      notStarted: 'Not started',
      done: 'Done',
      noReply: 'No reply',
      items: 'Tasks',
      lastReply: 'Last report',
      red: 'Red',
      yellow: 'Yellow',
      unacknowledged: 'Not acknowledged',
    },
    sectionBlocked: 'Blocked items',
    blockedLine: (unit: string, title: string, ref: string, reason: string) =>
      `${unit} · ${title} (${ref}): ${reason}`,
    noReason: 'no reason given',
    sectionSilent: (days: number) => `Silent units (no report in ${days} days)`,
    silentLine: (unit: string, open: number, last: string) => `${unit}: ${open} open, last report ${last}`,
    never: 'never',
    sectionUnreachable: 'Units that cannot be reached',
    unreachableLine: (unit: string, reason: string) => `${unit}: ${reason}`,
    refusedLiaison: (unit: string, name: string, email: boolean) =>
      `${unit} · liaison ${name}: Telegram cannot deliver${email ? ', email is used instead' : ' and there is no email'}`,
    reasons: {
      no_liaison: 'no liaison registered and no group bound',
      no_channel: 'liaisons have neither Telegram nor email, and no group is bound',
    },
    sectionUpcoming: (days: number) => `Due in the next ${days} days`,
    upcomingLine: (due: string, title: string, ref: string, open: number, total: number) =>
      `${due} · ${title} (${ref}): ${open}/${total} units not done`,
    sectionChanges: (days: number) => `Changes in the last ${days} days`,
    changesLine: (reports: number, units: number) => `${reports} status reports from ${units} units`,
    newlyDone: (unit: string, title: string, ref: string) => `Newly done: ${unit} · ${title} (${ref})`,
    newlyBlocked: (unit: string, title: string, ref: string, reason: string) =>
      `Newly blocked: ${unit} · ${title} (${ref}): ${reason}`,
    sectionTraining: 'Training hours',
    trainingLine: (officers: number, average: string, pace: string, below: number) =>
      `${officers} officers, ${average} h on average; pace ${pace} h, ${below} below pace`,
    trainingUnit: (unit: string, below: number, officers: number) =>
      `${unit}: ${below}/${officers} below pace`,
    noOfficers: 'No officers on record.',
    none: 'none',
    more: (n: number) => `… and ${n} more, see the email digest`,
    subject: (week: string) => `[Weekly digest] ${week}`,
  },

  remind: {
    usage: 'Usage: /remind <unit> [task ref], e.g. /remind taicheng 二（五）2',
    sent: (unit: string, n: number, channels: string) =>
      `Reminder sent to ${unit} (${n} task${n === 1 ? '' : 's'}; ${channels}).`,
    channels: (groups: number, chats: number, emails: number) =>
      [
        groups ? `${groups} group${groups === 1 ? '' : 's'}` : '',
        chats ? `${chats} private chat${chats === 1 ? '' : 's'}` : '',
        emails ? `${emails} email${emails === 1 ? '' : 's'}` : '',
      ]
        .filter(Boolean)
        .join(', '),
    alreadySent: (unit: string, time: string) =>
      `A reminder was already sent to ${unit} at ${time} this hour. Please try again later.`,
    nothingOpen: (unit: string) => `${unit} has no open tasks; nothing to remind.`,
    taskUnknown: (ref: string, unit: string) =>
      `${unit} has no task “${ref}”. Send /status ${unit} to see the task refs.`,
    taskDone: (ref: string, unit: string) => `${unit} has done ${ref}; nothing to remind.`,
    unreachable: (unit: string) =>
      `${unit} cannot be reached (no group bound, liaisons have neither Telegram nor email); no reminder was sent.`,
    noPlan: 'No plan imported yet.',
  },
} satisfies typeof zh
