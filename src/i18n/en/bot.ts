import type zh from '../zh-CN/bot.ts'

export default {
  apology: 'Sorry, something went wrong. Please try again later.',
  rateLimited: 'Please try again in a moment.',
  unknownCommand: 'Unknown command. Send /help to see what you can do.',

  digestInGroup: {
    sentPrivately: "This week's digest has been sent to you in a private chat.",
    openPrivateChat:
      "This week's digest is sent privately only. Open a private chat with this bot, send /start, then /digest.",
  },

  commands: {
    start: 'Start / link your account',
    help: 'How to use this bot',
    status: 'Progress: /status [unit]',
    tasks: "My unit's open tasks",
    report: 'Report progress on a task',
    hours: 'Log or view training hours',
    deadlines: 'Deadlines in the next 30 days',
    overdue: 'Overdue items',
    remind: 'Remind a unit: /remind unit [task ref]',
    digest: "This week's digest",
    bind: 'Bind this group: /bind code',
    bindcode: 'Get a group binding code: /bindcode unit|supervisors',
    web: 'sign-in link to the web desk',
    extend: 'Ask for an extension: /extend task new-date reason',
    away: 'Leave and deputy: /away 12月1日-12月5日 deputy',
    history: 'History: /history unit task',
  },

  start: {
    stranger:
      'Hello, this is the supervision assistant of the Taishan Justice Bureau. It is for registered liaisons and supervisors only.\nPlease ask the bureau’s administrator for an invite link; opening it links your account.',
    bound: (name: string, role: string, unit: string | null) =>
      `Linked: ${name} (${role}${unit ? ` · ${unit}` : ''}).`,
    alreadyBound: (name: string) => `You are already linked as ${name}.`,
    expired: 'This invite code has expired. Please ask the bureau’s administrator for a new invite link.',
    used: 'This invite code has already been used. To link again, please ask the bureau’s administrator.',
    unknown:
      'This invite code is not valid. Check that the link is complete, or ask the bureau’s administrator.',
    otherAccount:
      'This Telegram account is already linked to another person. If that is wrong, please ask the bureau’s administrator.',
    inGroup: 'Please open the invite link in a private chat with the bot.',
  },

  help: {
    liaison: (unit: string) =>
      [
        `<b>duban · liaison (${unit})</b>`,
        "/tasks my unit's open tasks",
        '/report report progress on a task',
        "/status my unit's progress",
        '/deadlines deadlines in the next 30 days',
        '/overdue overdue items',
        "/hours name hours [date] [course] logs training hours; /hours alone shows my unit's training",
        '/extend task new-date reason asks for an extension (e.g. /extend 二（五）2 12月15日 checks pending)',
        '/away 12月1日-12月5日 deputy records your leave; reminders go to the deputy meanwhile',
        "/history task shows a task's history",
        'When a prompt arrives, reply to it: done / in progress 60% / blocked: reason / not started',
      ].join('\n'),
    supervisor: [
      '<b>duban · supervisor</b>',
      '/status overview of all units; /status unit for one unit',
      '/deadlines deadlines in the next 30 days',
      '/overdue overdue items',
      "/hours unit shows that unit's training",
      '/remind unit [task ref] reminds that unit now',
      '/history unit task shows the history of a task in a unit',
      "/away liaison 12月1日-12月5日 deputy records a liaison's leave and deputy",
      "/digest this week's digest",
      '/ledger [date] the work ledger (Excel file)',
      '/bindcode unit|supervisors gives a group binding code; then send /bind code in the group',
    ].join('\n'),
    admin: [
      '<b>duban · admin</b>',
      '/status overview of all units; /status unit for one unit',
      '/deadlines deadlines in the next 30 days',
      '/overdue overdue items',
      "/hours unit shows that unit's training",
      '/remind unit [task ref] reminds that unit now',
      '/history unit task shows the history of a task in a unit',
      "/away liaison 12月1日-12月5日 deputy records a liaison's leave and deputy",
      "/digest this week's digest",
      '/ledger [date] the work ledger (Excel file)',
      '/bindcode unit|supervisors gives a group binding code; then send /bind code in the group',
      'Manage the roster, the plan and invites with the duban command line.',
    ].join('\n'),
  },

  groups: {
    unknown:
      'This group is not bound to a unit, so the bot does not act here. An admin or supervisor can bind it by sending /bind code in this group.',
    bindUsage: 'Usage: /bind code (get a code with /bindcode in a private chat with the bot).',
    bindNotAllowed: 'Only admins and supervisors can bind groups.',
    bindPrivate: 'Send /bind in the group you want to bind.',
    boundUnit: (unit: string) =>
      `This group is now bound to ${unit}. Prompts and reminders will be sent here.`,
    boundSupervisors: 'This group is now the supervisors’ group.',
    codeExpired: 'This binding code has expired; please get a new one.',
    codeUsed: 'This binding code has already been used; please get a new one.',
    codeUnknown: 'This binding code is not valid; please check it and try again.',
    bindcodeUsage: 'Usage: /bindcode unit name, or /bindcode supervisors (the supervisors’ group).',
    bindcodeNotAllowed: 'Only admins and supervisors can get group binding codes.',
    bindcodeGroup: 'Please use /bindcode in a private chat with the bot.',
    bindcode: (code: string, target: string, expires: string) =>
      `Binding code: <code>${code}</code> (${target}, valid until ${expires})\nAdd the bot to that group, then send in the group:\n<code>/bind ${code}</code>`,
    supervisorsTarget: 'supervisors’ group',
  },

  refusals: {
    notRegistered:
      'Your account is not linked yet. Please ask the bureau’s administrator for an invite link.',
    noUnit: 'Your account has no unit. Please contact the bureau’s administrator.',
    otherUnit: (unit: string) => `You can only view and report on your own unit (${unit}).`,
    notForUnit: (unit: string) => `Only liaisons of ${unit} and supervisors can report for that unit.`,
    supervisorsOnly: 'Only supervisors and admins can do that.',
  },

  units: {
    ambiguous: (query: string, list: string) => `“${query}” could mean: ${list}. Please be more specific.`,
    unknown: (query: string, list: string) =>
      list ? `No unit “${query}” found. Did you mean: ${list}?` : `No unit “${query}” found.`,
  },

  tasks: {
    header: (unit: string, n: number) => `<b>${unit} · ${n} open task${n === 1 ? '' : 's'}</b>`,
    line: (n: number, title: string, ref: string, due: string, state: string) =>
      `${n}. ${title} (${ref})\n    due: ${due} · now: ${state}`,
    noDue: 'not set',
    none: (unit: string) => `${unit} has no open tasks.`,
    chooseUnit: 'Please name the unit, for example: /tasks taicheng',
    replyHint: 'Reply to this message, for example: 1 done; 2 in progress 60%; 3 blocked: reason',
  },

  report: {
    chooseTask: (unit: string) => `${unit}: choose the task to report on`,
    chooseState: (title: string) => `${title}\nChoose the current state:`,
    choosePercent: (title: string) => `${title}\nChoose the progress:`,
    askReason: (title: string) => `${title}\nReply to this message with what is blocking it:`,
    none: (unit: string) => `${unit} has no open tasks; nothing to report.`,
    groupUnit: "Use /report in a unit's group, or let the unit's liaison report.",
    buttonDone: '✅ Done',
    buttonInProgress: '🔄 In progress',
    buttonBlocked: '⚠️ Blocked',
    buttonNotStarted: 'Not started',
  },

  replies: {
    recorded: (unit: string, title: string, state: string) => `Recorded: ${unit} · ${title} → ${state}`,
    updated: (unit: string, title: string, state: string) => `Updated: ${unit} · ${title} → ${state}`,
    needNumbers: (n: number) =>
      `This prompt covers ${n} tasks; please number your answers, for example: 1 done; 2 in progress 60%. Your reply was kept as a note.`,
    badNumber: (k: number, n: number) => `There is no item ${k} (this prompt has ${n}).`,
    notUnderstood:
      'Your reply was not understood; it was kept as a note. Accepted forms:\ndone / in progress 60% / blocked: reason / not started\nFor several tasks, number them: 1 done; 2 in progress 60%',
    notAPrompt:
      'This message is not a progress prompt. To report progress, send /report or reply to a prompt message.',
    freeText: 'To report progress, reply to a prompt message or send /report. Send /help for instructions.',
    noChange: 'That reply was already recorded; nothing changed.',
    editNotFound: 'No earlier record was found for that reply; please reply to the prompt again.',
    promptGone: 'That task is no longer assigned to this unit; nothing was recorded.',
  },

  buttons: {
    recorded: 'Recorded',
    alreadySo: 'It is already in that state; nothing recorded.',
    expired: 'This prompt is no longer valid; send /report to report again.',
    notAllowed: (unit: string) => `Only liaisons of ${unit} and supervisors can do that.`,
    notRegistered: 'Your account is not linked, so you cannot do that.',
  },

  hours: {
    usage:
      "Usage: /hours name hours [date] [course], for example: /hours Zhang San 4 2024-05-10 enforcement training\nSend /hours alone to see your unit's training.",
    badDate: 'The date must be YYYY-MM-DD, for example 2024-05-10, and not in the future.',
    recorded: (officer: string, hours: string, date: string, total: string) =>
      `Recorded: ${officer} ${hours} hours (${date}). ${total} hours this year.`,
    summaryHeader: (unit: string, officers: number, average: string, below: number) =>
      `<b>${unit} · officer training</b>\n${officers} officers, average ${average} hours, ${below} below pace`,
    officerLine: (name: string, hours: string, below: boolean) =>
      `${below ? '⚠️ ' : ''}${name}: ${hours} hours`,
    noOfficers: (unit: string) => `${unit} has no officer roster yet.`,
    chooseUnit: 'Please name the unit: /hours unit',
  },

  deadlines: {
    header: (days: number) => `<b>Deadlines in the next ${days} days</b>`,
    line: (due: string, title: string, ref: string, detail: string) =>
      `${due} · ${title} (${ref})\n    ${detail}`,
    pendingUnits: (n: number, list: string) => `${n} unit${n === 1 ? '' : 's'} not done: ${list}`,
    none: (days: number) => `No deadlines in the next ${days} days.`,
  },

  overdue: {
    header: '<b>Overdue items</b>',
    line: (title: string, ref: string, unit: string, days: number, state: string) =>
      `${unit} · ${title} (${ref}) ${days} day${days === 1 ? '' : 's'} overdue · ${state}`,
    none: 'Nothing is overdue.',
    more: (omitted: number, total: number, units: number) =>
      `… and ${omitted} more (${total} overdue in ${units} ${units === 1 ? 'unit' : 'units'}, the longest overdue first). One unit: /overdue unit; everything: /ledger`,
  },

  status: {
    usage: 'Usage: /status unit, or /status for an overview of all units.',
  },
} satisfies typeof zh
