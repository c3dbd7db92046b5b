import type zh from '../zh-CN/plan.ts'

export default {
  fileMissing: (file: string) => `file not found: ${file}`,
  fileNotAFile: (file: string) => `not a file: ${file}`,
  fileEmpty: (file: string) => `the file is empty: ${file}`,
  fileTooLarge: (file: string, limitMb: number) => `the file is too large: ${file} (limit ${limitMb} MB)`,
  fileBinary: (file: string) => `not a UTF-8 text file: ${file} (save it as UTF-8 .txt, .md, .yaml or .json)`,
  fileType: (file: string, accepted: string) => `unsupported file type: ${file} (accepted: ${accepted})`,
  badYaml: (where: string, detail: string) => `${where}: malformed: ${detail}`,
  badJson: (where: string, detail: string) => `${where}: malformed JSON: ${detail}`,
  unitsFileShape: (file: string) => `${file}: expected a list of units, or an object with a units list`,
  unitInvalid: (where: string, detail: string) => `${where}: ${detail}`,
  unitDuplicate: (where: string, name: string) => `${where}: duplicate unit name: ${name}`,
  csvHeader: (file: string, missing: string) =>
    `${file}: line 1 lacks the column(s) ${missing} (header: name,shortName,kind,tags,aliases)`,
  unitsImported: (created: number, updated: number, unchanged: number) =>
    `roster imported: ${created} created, ${updated} updated, ${unchanged} unchanged`,
  noUnits: 'the roster is empty: import it first, e.g. duban units import samples/taishan-units.yaml',
  unitsHeader: ['name', 'short name', 'kind', 'tags', 'aliases'],
  unitFound: (name: string) => `found: ${name}`,
  unitAmbiguous: (query: string, list: string) =>
    `"${query}" matches several units: ${list}; please be more specific`,
  unitUnknown: (query: string) => `no unit "${query}"`,
  unitUnknownSuggest: (query: string, list: string) => `no unit "${query}"; did you mean: ${list}`,
  warnLatinWord: (ref: string, word: string) => `${ref}: English word "${word}" inside Chinese text`,
  warnRepeated: (ref: string, word: string) => `${ref}: repeated word "${word}、${word}"`,
  warnBracketPair: (ref: string, open: string, close: string) =>
    `${ref}: mismatched brackets (opened with "${open}", closed with "${close}")`,
  warnBracketOpen: (ref: string) => `${ref}: the responsible-units bracket is not closed`,
  warnNoBracket: (ref: string) => `${ref}: names no responsible units; not imported as a task`,
  warnDuplicateRef: (ref: string) => `duplicate number: ${ref}`,
  warnNumbering: (ref: string, expected: string) => `${ref}: numbering skips (expected ${expected})`,
  warnNoYear: (ref: string) => `${ref}: the plan's year is unknown, so its deadline was not resolved`,
  noTasks: (file: string) =>
    `no tasks found in ${file} (numbered items with a responsible-units bracket, e.g. "1. … [市司法局负责]")`,
  noYear: 'the plan title has no year (e.g. "2024 年度"): give one with --year',
  badYear: (value: string) => `--year must be a year from 2000 to 2100, not "${value}"`,
  unknownUnits: (names: string) =>
    `responsible units not in the roster: ${names}. Add them to the roster (duban units import) or pass --create-units`,
  unknownGroups: (names: string) =>
    `unrecognized group of units: ${names}. Name the units, or use a known group (各镇（街）, 市直各行政执法部门, …)`,
  duplicateRefs: (refs: string) => `the plan numbers several tasks the same: ${refs}`,
  structuredInvalid: (where: string, detail: string) => `${where}: ${detail}`,
  warnKept: (ref: string) => `${ref}: no longer in the plan but has status reports; kept`,
  warnNoUnits: (ref: string) => `${ref}: no responsible units`,
  createdUnits: (names: string) => `units created (city departments, tagged 执法部门): ${names}`,
  importSummary: (created: number, updated: number, unchanged: number, deleted: number) =>
    `tasks: ${created} created, ${updated} updated, ${unchanged} unchanged, ${deleted} deleted`,
  planImported: (title: string, year: number, tasks: number) =>
    `plan imported: ${title} (year ${year}, ${tasks} tasks, now the active plan)`,
  warningsTitle: 'Note:',
  importHeader: ['ref', 'task', 'due', 'as written', 'units'],
  noPlan: 'no plan imported yet: run duban plan import <file>',
  showHeader: ['ref', 'task', 'due', 'responsible units'],
  showTitle: (title: string, year: number, hours: number) =>
    `${title} (run as ${year}; training: at least ${hours} hours per officer per year)`,
  unitCount: (count: number) => ` (${count} units)`,
  noDue: '—',
} satisfies typeof zh
