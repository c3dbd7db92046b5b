import type zh from '../zh-CN/loop.ts'

export default {
  states: {
    assigned: 'assigned',
    acknowledged: 'acknowledged',
    awaiting_review: 'awaiting review',
    rectifying: 'rectifying',
    closed: 'closed',
    withdrawn: 'withdrawn',
  },
  colors: { green: 'green', yellow: 'yellow', red: 'red' },
  colorCounts: (green: number, yellow: number, red: number) => `🟢 ${green} · 🟡 ${yellow} · 🔴 ${red}`,
  unacknowledged: (n: number) => `not acknowledged: ${n}`,

  receipt: {
    button: '📥 Acknowledge',
    emailLine:
      'To acknowledge: press "Acknowledge" under this message in Telegram; if you do not use Telegram, reply to this email and a supervisor records it.',
    noticeHead: '[Assigned] ',
    noticeIntro: (unit: string, n: number) =>
      `${unit}: ${n} task(s) were assigned to you; please acknowledge within one working day.`,
    secondHead: '[Acknowledge] ',
    secondIntro: (unit: string, n: number) =>
      `${unit}: ${n} task(s) assigned over a working day ago are not acknowledged yet; please acknowledge them.`,
    taskLine: (i: number, ref: string, title: string, due: string) => `${i}. ${ref} ${title} (${due})`,
    subject: (head: string, unit: string, n: number) => `${head}${unit} · ${n} task(s)`,
    acknowledged: (unit: string, n: number, by: string) => `Acknowledged: ${unit} · ${n} task(s) (${by})`,
    already: 'Already acknowledged.',
    notAllowed: (unit: string) => `Only a liaison of ${unit} can acknowledge.`,
  },

  review: {
    head: '[Review] ',
    cardTitle: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    reported: (by: string, at: string) => `${by} reported it done on ${at}`,
    note: (note: string) => `Note: ${note}`,
    evidence: (n: number) => (n > 0 ? `${n} evidence file(s) (sent below)` : 'no evidence attached'),
    returnedBefore: (n: number) => `returned for rectification ${n} time(s) before`,
    approveButton: '✅ Approve (close)',
    returnButton: '↩️ Return',
    emailHint: 'Please press "Approve" or "Return" in the supervisors\' Telegram group.',
    subject: (unit: string, title: string) => `[Review] ${unit} · ${title}`,
    fileCaption: (unit: string, ref: string, i: number, name: string) =>
      `Evidence · ${unit} · ${ref} · ${i}. ${name}`,
    askReturn: (unit: string, title: string, due: string) =>
      `Return: ${unit} · ${title}\nReply with the reason; you may end it with a new date (e.g. 12月10日); without one it is ${due} (5 working days).`,
    returned: (unit: string, title: string, due: string) =>
      `Returned: ${unit} · ${title}, to be rectified by ${due}. The unit was told.`,
    approved: (unit: string, title: string) => `Approved: ${unit} · ${title} → closed.`,
    notSupervisor: 'Only supervisors can review.',
    decided: 'This item was reviewed already.',
    reasonMissing: 'Please give the reason for the return.',
    dueInPast: (date: string) => `The date ${date} is before today; please give another.`,
    submitted: 'Sent to the supervisors for review (awaiting review).',
    closed: 'The task is closed.',
    returnedNoticeHead: '[Returned] ',
    returnedNotice: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    returnedReason: (reason: string) => `Reason: ${reason}`,
    returnedDue: (due: string) => `Rectify by: ${due}`,
    returnedHint: 'When done, reply "done" to this message with the evidence of the rectification.',
    approvedNoticeHead: '[Approved] ',
    approvedNotice: (unit: string, ref: string, title: string) =>
      `${unit} · ${ref} ${title}: approved and closed.`,
    subjectReturned: (unit: string, title: string) => `[Returned] ${unit} · ${title}`,
    subjectApproved: (unit: string, title: string) => `[Approved] ${unit} · ${title}`,
  },

  evidence: {
    received: (unit: string, ref: string, name: string) => `Evidence received: ${unit} · ${ref} · ${name}`,
    tooBig: (limitMb: number) =>
      `The file is larger than ${limitMb} MB (the most a Telegram bot can download) and was not kept. Please compress or split it and send it again.`,
    downloadFailed: (name: string, tries: number) =>
      `The evidence "${name}" could not be downloaded (${tries} tries); please send the file again. The report stands.`,
    whichTask: (unit: string) => `Which task of ${unit} is this file for?`,
    noOpenTask: (unit: string) => `${unit} has no open tasks; the file was not kept.`,
    notOfUnit: (ref: string, unit: string) => `${ref} is not a task of ${unit}; the file was not kept.`,
    unknownRef: (ref: string) => `There is no task ${ref}; the file was not kept. /tasks lists the numbers.`,
    notLiaison: "Only a unit's liaison, or their deputy during a leave, can send evidence.",
    closedTask: (ref: string) => `${ref} is closed; the file was not kept.`,
    notStored: (id: number) => `There is no stored evidence file ${id}.`,
    otherUnit: (unit: string) => `Only a liaison of ${unit} can send its evidence; the file was not kept.`,
    reportKept: 'The report was recorded.',
    alreadyFiled: 'This file is filed under a task already.',
    attached: (ref: string) => `Filed under: ${ref}`,
    untitled: 'untitled file',
  },

  extension: {
    askButton: '⏳ Ask for more time',
    ask: (ref: string, title: string) =>
      `Extension: ${ref} ${title}\nReply with the new date and the reason, e.g. 12月15日 site checks pending`,
    usage: 'Usage: /extend TASK NEW-DATE REASON, e.g. /extend 二（五）2 12月15日 site checks pending',
    dateMissing: 'Please give the new date, e.g. 12月15日.',
    pastDate: (date: string) => `The new date ${date} is before today.`,
    notLater: (date: string, due: string) => `The new date ${date} is not after the current one (${due}).`,
    requested: (ref: string, date: string) =>
      `Extension requested: ${ref} to ${date}; a supervisor will decide.`,
    cardHead: '[Extension] ',
    card: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    cardDates: (from: string, to: string) => `due ${from} → asked ${to}`,
    cardReason: (reason: string) => `Reason: ${reason}`,
    cardBy: (by: string) => `Asked by: ${by}`,
    approveButton: '✅ Approve',
    refuseButton: '❌ Refuse',
    approved: (unit: string, ref: string, date: string) =>
      `Extension approved: ${unit} · ${ref} now due ${date}.`,
    refused: (unit: string, ref: string) => `Extension refused: ${unit} · ${ref}; the date stands.`,
    notLiaison: "Only the unit's liaisons, or their deputy during a leave, can ask for an extension.",
    unknownRef: (ref: string) => `No task ${ref}; /tasks lists the numbers.`,
    notOfUnit: (ref: string) => `${ref} is not your unit's task; no extension can be asked.`,
    finished: (ref: string) => `${ref} is under review or closed; no extension is needed.`,
    pending: (ref: string) => `${ref} already has an extension request waiting for a supervisor.`,
    decided: 'This request was decided already.',
    notSupervisor: 'Only supervisors can decide extensions.',
    subject: (unit: string, ref: string) => `[Extension] ${unit} · ${ref}`,
    emailHint: "Please decide in the supervisors' Telegram group.",
    noticeApproved: (ref: string, date: string) => `[Extension] ${ref}: approved, now due ${date}.`,
    noticeRefused: (ref: string) => `[Extension] ${ref}: refused; the date stands.`,
  },

  leave: {
    usage: 'Usage: /away 12月1日-12月5日 DEPUTY-NAME',
    badRange: 'Please give the first and last day, e.g. 12月1日-12月5日.',
    endBeforeStart: 'The last day is before the first.',
    deputyUnknown: (name: string) => `No person "${name}" in the roster.`,
    deputySelf: 'The deputy cannot be yourself.',
    set: (from: string, to: string, deputy: string) =>
      `Leave recorded: ${from} to ${to}; prompts and reminders go to ${deputy} meanwhile.`,
    notLiaison: 'Only liaisons can name a deputy.',
    usageSupervisor: 'Usage: /away LIAISON-NAME 12月1日-12月5日 DEPUTY-NAME',
    personUnknown: (name: string) => `No liaison "${name}" in the roster.`,
    deputyOtherUnit: (name: string, unit: string) =>
      `The deputy "${name}" is not of ${unit}; name someone of the unit.`,
    pastEnd: (date: string) => `The leave ends on ${date}, before today.`,
  },

  history: {
    usage: 'Usage: /history UNIT TASK, e.g. /history 台城 二（五）4',
    none: 'Nothing recorded yet.',
    header: (unit: string, ref: string) => `${unit} · ${ref}: history`,
    kinds: {
      assigned: 'assigned',
      noticed: 'assignment notice sent',
      second_notice: 'second notice sent',
      acknowledged: 'acknowledged',
      evidence: 'evidence',
      submitted: 'sent for review',
      approved: 'approved (closed)',
      returned: 'returned for rectification',
      closed: 'closed',
      extension_requested: 'extension requested',
      extension_approved: 'extension approved',
      extension_refused: 'extension refused',
      escalated: 'red escalation',
      leave: 'leave and deputy',
      withdrawn: 'withdrawn',
      report: 'report',
    },
    system: 'system',
    unknownRef: (ref: string) => `No task ${ref}; /tasks lists the numbers.`,
  },

  escalation: {
    head: '[Red item] ',
    line: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    why: {
      overdue: (days: number) => `overdue by ${days} working day(s)`,
      returned: (n: number) => `returned ${n} times`,
    },
    levels: {
      1: 'Liaison: please act now.',
      2: 'Unit leader: please see that it is done.',
      3: 'Reported to the supervisors.',
    },
    subject: (unit: string, title: string) => `[Red item] ${unit} · ${title}`,
  },
} satisfies typeof zh
