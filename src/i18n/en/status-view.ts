import type zh from '../zh-CN/status-view.ts'

export default {
  card: {
    liaisonLabel: 'Liaison',
    liaisonBound: 'bound',
    liaisonNotBound: 'not bound',
    liaisonEmailOnly: 'not bound, email only',
    liaisonUnreachable: 'unreachable',
    noLiaison: 'no liaison',
    overdueCount: (n: number) => `⚠️ Overdue ${n}`,
    stateCount: (state: string, n: number) => `${state.charAt(0).toUpperCase()}${state.slice(1)} ${n}`,
    noTasks: 'No tasks of the current plan are assigned to this unit.',
    due: (date: string) => `due ${date}`,
    noDue: 'no deadline',
    overdueDays: (days: number, date: string) =>
      `${days} ${days === 1 ? 'day' : 'days'} overdue (due ${date})`,
    lastReply: (date: string, who: string | null, age: string) => `${date}${who ? ` ${who}` : ''} (${age})`,
    noReplyYet: 'no reply yet',
    age: (days: number) => (days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`),
    training: (officers: number, average: string, belowPace: number) =>
      `Officer training: ${officers} officers, average ${average} hours, ${belowPace} below pace`,
    trainingNone: 'Officer training: no officers imported yet',
  },
  overview: {
    title: (units: number) => `Supervision overview (${units} ${units === 1 ? 'unit' : 'units'})`,
    none: 'No unit has tasks in the current plan yet.',
    overdue: (n: number) => `⚠️ overdue ${n}`,
    state: (state: string, n: number) => `${state} ${n}`,
    liaisons: (n: number) =>
      n > 0 ? `${n} ${n === 1 ? 'liaison' : 'liaisons'} reachable` : 'no liaison reachable',
    lastReply: (date: string) => `last reply ${date}`,
    neverReplied: 'never replied',
    more: (n: number) =>
      `… and ${n} more ${n === 1 ? 'unit' : 'units'} (the most overdue, blocked and silent come first). One unit: /status unit; everything: /ledger`,
  },
  csv: {
    line: (line: number, problem: string) => `line ${line}: ${problem}`,
    more: (n: number) => `${n} more ${n === 1 ? 'error' : 'errors'}`,
    empty: 'The CSV file has no data rows.',
    header: (expected: string, got: string) => `The CSV header must be ${expected}, not ${got}.`,
    unclosedQuote: 'unclosed quote',
    columns: (expected: number, got: number) => `expected ${expected} columns, got ${got}`,
    duplicate: (line: number) => `repeats line ${line}`,
    nothingChanged: 'Nothing was changed.',
  },
  people: {
    nameRequired: 'Give a name.',
    nameInvalid: 'A name has at most 50 characters and no control characters.',
    roleInvalid: (role: string) => `Role "${role}" is not valid: use liaison, supervisor or admin.`,
    localeInvalid: (locale: string) => `Language "${locale}" is not valid: use zh-CN or en.`,
    emailInvalid: (email: string) =>
      `Email "${email}" is not a valid address, e.g. lianluoyuan.taicheng@example.gov.cn.`,
    emailTaken: (email: string, name: string) => `Email ${email} already belongs to ${name}.`,
    unitRequired: 'A liaison needs a unit.',
    unitUnknown: (query: string, suggestions: string) =>
      suggestions
        ? `No unit "${query}". Did you mean: ${suggestions}?`
        : `No unit "${query}". See the roster with duban units list.`,
    unitAmbiguous: (query: string, candidates: string) =>
      `Unit "${query}" is ambiguous: ${candidates}. Give the full name.`,
    duplicate: (name: string) => `${name} is already on the roster (same name, role and unit).`,
    notFound: (query: string) => `No person "${query}": use the number (e.g. #12), the name or the email.`,
    ambiguous: (query: string, candidates: string) =>
      `"${query}" matches several people: ${candidates}. Use the number, e.g. #12.`,
  },
  invites: {
    inactive: (name: string) => `${name} is deactivated and cannot be invited.`,
    ttlInvalid: 'An invite is valid for 1 to 90 days.',
  },
  chats: {
    chatIdInvalid: (id: string) =>
      `Telegram chat id "${id}" is not valid: give an integer, e.g. -1001234567890.`,
  },
  status: {
    notAssigned: (ref: string, unit: string) => `Task ${ref} is not assigned to ${unit}.`,
    taskUnknown: (id: number) => `There is no task number ${id}.`,
    progressInvalid: (progress: string) =>
      `Progress "${progress}" is not valid: give a whole number from 0 to 100.`,
  },
  training: {
    hoursInvalid: (hours: string) => `Hours "${hours}" is not valid: each entry is 0.5 to 24 hours.`,
    totalInvalid: (hours: string) => `Hours "${hours}" is not valid: give a number from 0 to 2000.`,
    dateInvalid: (date: string) => `Date "${date}" is not valid: use YYYY-MM-DD, e.g. 2026-07-02.`,
    officerNameRequired: "Give the officer's name.",
    officerUnknown: (name: string, unit: string, suggestions: string) =>
      suggestions
        ? `${unit} has no officer "${name}". Did you mean: ${suggestions}?`
        : `${unit} has no officer "${name}". Officers are added by an admin's import.`,
  },
  cli: {
    fileMissing: (file: string) => `File ${file} not found.`,
    fileUnreadable: (file: string) => `Cannot read file ${file}.`,
    fileTooLarge: (file: string, mb: number) =>
      `File ${file} is larger than ${mb} MB; check that it is the right file.`,
    fileNotText: (file: string) => `File ${file} is not CSV text in UTF-8; save it as CSV (UTF-8).`,
    personAdded: (person: string) => `Added: ${person}`,
    person: (id: number, name: string, role: string, unit: string | null) =>
      `#${id} ${name} (${role}${unit ? `, ${unit}` : ''})`,
    peopleImported: (created: number, updated: number) =>
      `People imported: ${created} created, ${updated} updated.`,
    peopleHeader: ['No.', 'Name', 'Role', 'Unit', 'Email', 'Telegram', 'Status'],
    active: 'active',
    inactive: 'deactivated',
    noPeople: 'The roster of people is empty: add people with duban people add or duban people import.',
    officersImported: (officers: number, records: number) =>
      `Officers imported: ${officers}; training records created or updated: ${records}.`,
    inviteCreated: (person: string) => `One-time invite for ${person}:`,
    inviteCode: (code: string) => `Code: ${code}`,
    inviteLink: (link: string) => `Link: ${link}`,
    inviteExpires: (at: string) => `Valid until: ${at}`,
    inviteHint: 'Send the link to this person privately; opening it and pressing Start binds their account.',
    chatBound: (chatId: number, target: string) => `Chat ${chatId} bound → ${target}`,
    chatsHeader: ['Chat id', 'Purpose', 'Unit', 'Title', 'Status'],
    purposeUnit: 'unit group',
    purposeSupervisors: 'supervisors group',
    supervisors: 'supervisors',
    reachable: 'ok',
    unreachable: (reason: string) => `unreachable: ${reason}`,
    noChats: 'No chat is bound yet: use duban chats bind <chat id> <unit | supervisors>.',
  },
} satisfies typeof zh
