/** The roster and the plan: import, lookup and listing texts (CLI and anything that quotes them). */
export default {
  // reading files
  fileMissing: (file: string) => `找不到文件：${file}`,
  fileNotAFile: (file: string) => `不是文件：${file}`,
  fileEmpty: (file: string) => `文件为空：${file}`,
  fileTooLarge: (file: string, limitMb: number) => `文件过大：${file}（上限 ${limitMb} MB）`,
  fileBinary: (file: string) =>
    `不是 UTF-8 文本文件：${file}（请另存为 UTF-8 编码的 .txt、.md、.yaml 或 .json）`,
  fileType: (file: string, accepted: string) => `不支持的文件类型：${file}（可用：${accepted}）`,
  badYaml: (where: string, detail: string) => `${where}：格式错误：${detail}`,
  badJson: (where: string, detail: string) => `${where}：JSON 格式错误：${detail}`,
  // roster
  unitsFileShape: (file: string) => `${file}：应为单位列表，或含 units 列表的对象`,
  unitInvalid: (where: string, detail: string) => `${where}：${detail}`,
  unitDuplicate: (where: string, name: string) => `${where}：单位名称重复：${name}`,
  csvHeader: (file: string, missing: string) =>
    `${file}：第 1 行表头缺少列：${missing}（表头：name,shortName,kind,tags,aliases）`,
  unitsImported: (created: number, updated: number, unchanged: number) =>
    `单位名册已导入：新增 ${created}，更新 ${updated}，未变 ${unchanged}`,
  noUnits: '名册为空：请先导入单位名册，例如 duban units import samples/taishan-units.yaml',
  unitsHeader: ['名称', '简称', '类型', '标签', '别名'],
  unitFound: (name: string) => `找到：${name}`,
  unitAmbiguous: (query: string, list: string) => `“${query}”对应多个单位：${list}，请说得更具体些`,
  unitUnknown: (query: string) => `没有找到单位“${query}”`,
  unitUnknownSuggest: (query: string, list: string) => `没有找到单位“${query}”，您是否要找：${list}`,
  // plan parsing
  warnLatinWord: (ref: string, word: string) => `${ref}：中文正文中夹有英文单词“${word}”`,
  warnRepeated: (ref: string, word: string) => `${ref}：词语重复“${word}、${word}”`,
  warnBracketPair: (ref: string, open: string, close: string) =>
    `${ref}：括号不配对（以“${open}”开始，以“${close}”结束）`,
  warnBracketOpen: (ref: string) => `${ref}：责任单位括号未闭合`,
  warnNoBracket: (ref: string) => `${ref}：未写明责任单位，未作为任务导入`,
  warnDuplicateRef: (ref: string) => `编号重复：${ref}`,
  warnNumbering: (ref: string, expected: string) => `${ref}：编号不连续（应为 ${expected}）`,
  warnNoYear: (ref: string) => `${ref}：方案年份不明，期限未能换算`,
  // plan import
  noTasks: (file: string) => `${file} 中没有找到任务（带责任单位括号的编号条目，如“1. …［市司法局负责］”）`,
  noYear: '方案标题中没有年份（如“2024 年度”）：请用 --year 指定',
  badYear: (value: string) => `--year 应为 2000 至 2100 之间的年份，而不是“${value}”`,
  unknownUnits: (names: string) =>
    `责任单位不在名册中：${names}。请先加入名册（duban units import），或加 --create-units 自动新增`,
  unknownGroups: (names: string) =>
    `无法识别的单位统称：${names}。请改写为具体单位或已知统称（各镇（街）、市直各行政执法部门等）`,
  duplicateRefs: (refs: string) => `方案中任务编号重复：${refs}`,
  structuredInvalid: (where: string, detail: string) => `${where}：${detail}`,
  warnKept: (ref: string) => `${ref}：已不在方案中，但已有进度报告，予以保留`,
  warnNoUnits: (ref: string) => `${ref}：没有责任单位`,
  createdUnits: (names: string) => `已新增单位（市直部门，标签“执法部门”）：${names}`,
  importSummary: (created: number, updated: number, unchanged: number, deleted: number) =>
    `任务：新增 ${created}，更新 ${updated}，未变 ${unchanged}，删除 ${deleted}`,
  planImported: (title: string, year: number, tasks: number) =>
    `已导入方案：${title}（${year} 年，${tasks} 项任务，已设为当前方案）`,
  warningsTitle: '注意：',
  importHeader: ['编号', '任务', '期限', '原文', '单位数'],
  // plan show
  noPlan: '尚未导入方案：请运行 duban plan import <文件>',
  showHeader: ['编号', '任务', '期限', '责任单位'],
  showTitle: (title: string, year: number, hours: number) =>
    `${title}（按 ${year} 年执行；培训要求：每人每年不少于 ${hours} 学时）`,
  unitCount: (count: number) => `（${count} 个单位）`,
  noDue: '—',
}
