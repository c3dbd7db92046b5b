/** The bureau's paperwork: 工作台账, 通报 draft, digest chart. */
export default {
  errors: {
    planUnknown: (query: string, known: string) =>
      `没有名为“${query}”的工作方案。${known ? `现有方案：${known}` : '尚未导入任何方案。'}`,
    noPlan: '尚未导入工作方案，请先运行 duban plan import <文件>。',
    asOfInvalid: (text: string) => `日期“${text}”无效，请写成 YYYY-MM-DD，例如 2026-10-31。`,
    asOfBeforePlan: (date: string, title: string, year: number) =>
      `${date} 早于工作方案“${title}”（${year} 年度）的起始日，台账当时尚不存在。`,
    asOfFuture: (date: string, today: string) => `${date} 晚于今天（${today}），无法提供将来的台账。`,
    periodInvalid: (text: string) =>
      `期间“${text}”无效，请写成 2026（全年）、2026-Q3（季度）或 2026-10（月份）。`,
    periodBeforePlan: (period: string, title: string, year: number) =>
      `期间 ${period} 在工作方案“${title}”（${year} 年度）开始之前。`,
    outRequired: '请用 --out <文件> 指定输出文件。',
  },
  ledger: {
    sheets: { main: '总表', units: '单位汇总', training: '培训学时' },
    title: (plan: string, asOf: string) => `${plan}工作台账（截至${asOf}）`,
    main: {
      seq: '序号',
      ref: '任务编号',
      task: '工作任务',
      unit: '责任单位',
      due: '完成时限',
      dueText: '时限原文',
      state: '当前状态',
      progress: '进展情况',
      color: '颜色',
      acknowledged: '签收',
      evidence: '佐证材料',
      lastReport: '最近报告',
    },
    unitsSheet: {
      unit: '单位',
      tasks: '任务数',
      done: '已完成',
      inProgress: '进行中',
      blocked: '有困难',
      overdue: '逾期',
      silent: '无回复',
      rate: '完成率',
    },
    trainingSheet: {
      unit: '单位',
      officer: '执法人员',
      hours: '已完成学时',
      pace: '应达进度',
      gap: (required: number) => `距${required}学时差额`,
      behind: '低于进度',
    },
    roles: { lead: '牵头', responsible: '负责', support: '配合' } as Record<string, string>,
    colors: { green: '绿', yellow: '黄', red: '红' } as Record<string, string>,
    acknowledgedYes: '已签收',
    acknowledgedNo: '未签收',
    yes: '是',
    noDue: '长期坚持',
    overdueDays: (n: number) => `逾期${n}天`,
  },
  bot: {
    supervisorsOnly: '台账仅供督办人员查看。',
    noPlan: '尚未导入工作方案。',
    caption: (plan: string, asOf: string, rows: number) => `${plan} 工作台账（截至${asOf}），共 ${rows} 条。`,
  },
  cli: {
    ledgerWritten: (file: string, rows: number, asOf: string, source: string) =>
      `已写出 ${file}：${rows} 条（截至 ${asOf}，${source}）。`,
    bulletinWritten: (file: string, period: string, asOf: string, source: string) =>
      `已写出 ${file}：${period}通报草稿（截至 ${asOf}，${source}）。`,
    sourceSnapshot: '取自当日快照',
    sourceHistory: '按报告记录推算',
  },
  bulletin: {
    period: {
      year: (y: number) => `${y}年度`,
      quarter: (y: number, q: number) => `${y}年第${['一', '二', '三', '四'][q - 1] ?? q}季度`,
      month: (y: number, m: number) => `${y}年${m}月`,
    },
    date: (y: number, m: number, d: number) => `${y}年${m}月${d}日`,
    title: (period: string) => `关于${period}行政执法监督工作进展情况的通报`,
    addressee: '各镇（街）、市直各行政执法部门：',
    intro: (plan: string, period: string, asOf: string) =>
      `根据《${plan}》要求，现将${period}行政执法监督工作进展情况通报如下（数据截至${asOf}）。`,
    headings: ['一、总体情况', '二、各单位进展情况', '三、存在的问题', '四、下一步工作安排'],
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
      `截至${o.asOf}，方案共部署任务${o.tasks}项，分解到各责任单位${o.assignments}项。其中已完成${o.done}项，完成率${o.rate}%；进行中${o.inProgress}项，有困难${o.blocked}项，未开始${o.notStarted}项，未报送进展${o.noReply}项。逾期未完成${o.overdue}项，涉及${o.overdueUnits}个单位。`,
    front: '（一）进展较快的单位',
    back: '（二）进展较慢的单位',
    unitLine: (rank: number, unit: string, done: number, tasks: number, rate: string, overdue: number) =>
      `第${rank}名 ${unit}：完成${done}项/共${tasks}项，完成率${rate}%，逾期${overdue}项。`,
    problems: '（一）各单位反映的困难',
    problemLine: (reason: string, units: number, items: number, named: string) =>
      `${reason}（${units}个单位${items}项：${named}）。`,
    overdueItems: '（二）逾期未完成事项',
    returnedItems: '（三）退回整改事项',
    itemLine: (ref: string, title: string, units: string) => `${ref} ${title}：${units}。`,
    overdueUnit: (unit: string, days: number) => `${unit}（逾期${days}天）`,
    andMore: (n: number) => `等${n}个单位`,
    listSep: '、',
    none: '无。',
    noReason: '未说明原因',
    nextSteps: '下一步工作安排：（请补充）',
    signature: '（发文单位）',
    pageNumber: (n: string) => `— ${n} —`,
  },
  chart: {
    title: (asOf: string) => `各单位任务完成情况（截至${asOf}）`,
    trendTitle: '完成率周趋势',
    legend: {
      done: '已完成',
      in_progress: '进行中',
      blocked: '有困难',
      not_started: '未开始',
      no_reply: '无回复',
    },
    more: (n: number) => `另有 ${n} 个单位未列出`,
    rate: (pct: string) => `${pct}%`,
    noTrend: '暂无周快照',
  },
}
