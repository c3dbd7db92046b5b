/** Plans in the ledger: several plans, roles, withdrawn tasks, preview, archive, export. */
export default {
  noPlans: '尚未导入任何方案：请运行 duban plan import <文件>',
  noActivePlan: '没有正在执行的方案：请用 --plan 指定方案',
  whichPlan: (list: string) => `有多个方案正在执行，请用 --plan 指定：${list}`,
  planUnknown: (query: string, list: string) => `没有找到方案“${query}”${list ? `。现有方案：${list}` : ''}`,
  planAmbiguous: (query: string, list: string) => `“${query}”对应多个方案，请写明年份或编号：${list}`,
  archived: (title: string, year: number) =>
    `方案已归档：${title}（${year} 年）。任务与进度保留可查，不再督办`,
  imported: (title: string, year: number, tasks: number, activePlans: number) =>
    `已导入方案：${title}（${year} 年，${tasks} 项任务）` +
    (activePlans > 1 ? `；当前共有 ${activePlans} 个方案在执行` : ''),
  summary: (created: number, updated: number, unchanged: number, withdrawn: number) =>
    `任务：新增 ${created}，更新 ${updated}，未变 ${unchanged}，撤销 ${withdrawn}`,
  withdrawnNote: (refs: string) => `已不在文件中的任务已撤销（保留历史，不再督办）：${refs}`,
  dryRunTitle: (title: string, year: number, tasks: number) =>
    `预览（未写入）：${title}（${year} 年，${tasks} 项任务）`,
  previewHeader: ['编号', '任务', '责任单位', '期限', '来源'],
  doubtsTitle: (n: number) => `需要核对（${n} 处）：`,
  noDoubts: '没有需要核对之处',
  doubt: (ref: string | null, kind: string, quote: string, where: string) =>
    `- ${ref ? `${ref}：` : ''}${kind}：“${quote}”${where ? `（${where}）` : ''}`,
  doubtKinds: {
    unknown_unit: '名册中没有此单位',
    unread_phrase: '未能识别的表述',
    past_date: '期限已过',
    numbering_gap: '编号不连续',
    bracket: '括号无法解析',
    no_units: '没有责任单位',
    duplicate_ref: '编号重复',
    latin_word: '中文正文中夹有英文单词',
    repeated_word: '词语重复',
    other: '其他',
  },
  unknownUnitQuote: (name: string, guess: string) => (guess ? `${name}（是否为 ${guess}？）` : name),
  pastDateQuote: (text: string, date: string) => `${text} → ${date}，导入时已过期`,
  explicitYearQuote: (text: string, date: string) => `${text} → ${date}（写明了年份，与方案年份不同）`,
  multiYearQuote: (first: number, last: number, year: number) =>
    `${first}—${last}年的多年度方案，按 ${year} 年执行；其他年份请用 --year 导入`,
  lineWhere: (line: number) => `第 ${line} 行`,
  roleLabels: { lead: '牵头', responsible: '负责', support: '配合' },
  roleMark: { lead: '（牵头）', responsible: '', support: '（配合）' },
  ongoing: '长期',
  series: (n: number) => `共 ${n} 个节点`,
  exported: (file: string, rows: number) => `已导出任务分解表：${file}（${rows} 行）`,
  exportHeader: ['序号', '任务编号', '工作任务', '具体措施', '责任单位', '角色', '完成时限', '截止日期'],
  exportSheet: '任务分解表',
  exportPlanNote: (title: string, year: number) => `${title}（${year} 年）`,
  planLine: (title: string) => `所属方案：${title}`,
  supportInfo: '贵单位为配合单位，本提醒供知悉，由牵头（负责）单位报送进度。',
  listHeader: ['编号', '方案', '年份', '状态', '任务数'],
  stateActive: '执行中',
  stateArchived: '已归档',
  stateInactive: '未执行',
}
