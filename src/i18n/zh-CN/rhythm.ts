/**
 * Texts of the rhythm: deadline reminders, escalations, weekly prompts and nudges, the weekly
 * digest, training-hours pace, and the supervisors' /remind and /digest. Values passed in must
 * already be escaped where the text goes into HTML; these texts contain no markup.
 */
export default {
  jobs: {
    deadlineReminders:
      '截止提醒：截止前 14、7、3、1 个工作日及当天提醒未完成的单位，逾期后每 3 个工作日再提醒',
    statusPrompts: '每周五向各单位发送未完成任务的进展填报提示',
    promptNudges: '每周一提醒上周未回复填报提示的单位',
    weeklyDigest: '每周一向督办人员发送督办周报',
    trainingPace: '每月初核对执法人员培训学时进度',
    ledgerSnapshot: '每周日和每月最后一天结束后保存工作台账快照（供趋势和通报使用）',
    assignmentReceipts: '交办通知与签收催办（交办后 1 个工作日未签收，再通知一次）',
    redEscalation: '红色督办逐级上报：联络员 → 单位分管领导 → 督办人员，每个工作日上升一级',
  },

  /** Reasons a job did not act, recorded with the schedule fire. */
  skipped: {
    nonWorkingDay: '非工作日',
    notYet: (day: string) => `本期在 ${day} 执行`,
    noRoundDay: '本期没有工作日',
    alreadyDone: (period: string) => `${period} 已执行`,
    noPlan: '尚未导入工作方案',
  },

  /** Job details: what a run decided. */
  detail: {
    unreachable: (units: string) => `无法联系的单位：${units}`,
  },

  reminder: {
    headBefore: '【督办提醒】',
    headOverdue: '【逾期提醒】',
    headManual: '【督办提醒】',
    title: (head: string, title: string, ref: string) => `${head}${title}（${ref}）`,
    dueLeft: (due: string, n: number) => `截止：${due}，还有 ${n} 个工作日。`,
    dueToday: (due: string) => `截止：${due}，今天到期。`,
    dueOverdue: (due: string, n: number) => `截止：${due}，已逾期 ${n} 个工作日。`,
    duePassed: (due: string) => `截止：${due}，已过截止日期。`,
    noDue: '截止：未定。',
    statusReported: (unit: string, state: string, date: string, by: string | null) =>
      `${unit}当前状态：${state}（${date}${by ? ` ${by}` : ''}）`,
    statusNone: (unit: string) => `${unit}当前状态：无回复`,
    replyHint: '请直接回复本消息：已完成 / 进行中 80% / 有困难：原因',
    emailHint: '回复方式：在本单位 Telegram 群中直接回复提醒消息，或私聊督办助手发送 /report。',
    subject: (head: string, unit: string, title: string) => `${head}${unit} · ${title}`,
  },

  escalation: {
    head: '【督办升级】',
    intro: (due: string, n: number) => `截止：${due}。以下 ${n} 个单位逾期未完成：`,
    unit: (unit: string, days: number, state: string) => `${unit}：逾期 ${days} 个工作日 · ${state}`,
    lastReply: (date: string) => `最近回复 ${date}`,
    unreachable: '无法联系',
    hint: '可发送 /remind 单位 再次提醒。',
    subject: (title: string, n: number) => `【督办升级】${title}：${n} 个单位逾期`,
  },

  prompt: {
    headWeekly: (unit: string, n: number) => `【进展填报】${unit} · 未完成任务 ${n} 项`,
    headNudge: (unit: string, n: number) => `【填报提醒】${unit} · 上周的进展填报尚未回复（${n} 项）`,
    headManual: (unit: string, n: number) => `【督办提醒】${unit} · 未完成任务 ${n} 项`,
    line: (i: number, title: string, ref: string, due: string, state: string) =>
      `${i}. ${title}（${ref}）\n    截止：${due} · 当前：${state}`,
    noDue: '未定',
    replyHintOne: '请直接回复本消息：已完成 / 进行中 80% / 有困难：原因',
    replyHintMany: '请直接回复本消息，例如：1 已完成；2 进行中 60%；3 有困难：原因',
    emailHint: '回复方式：在本单位 Telegram 群中直接回复填报提示，或私聊督办助手发送 /report。',
    subjectWeekly: (unit: string) => `【进展填报】${unit} 本周进展`,
    subjectNudge: (unit: string) => `【填报提醒】${unit} 尚未回复进展填报`,
    subjectManual: (unit: string) => `【督办提醒】${unit} 未完成任务`,
  },

  pace: {
    head: (unit: string, month: string) => `【培训学时】${unit} · ${month}`,
    intro: (date: string, pace: string, required: number, n: number) =>
      `按进度，截至 ${date} 每名执法人员应完成 ${pace} 学时（全年不少于 ${required} 学时）。以下 ${n} 人低于进度：`,
    officer: (name: string, hours: string, gap: string) => `${name}：${hours} 学时（差 ${gap} 学时）`,
    hint: '登记学时：/hours 姓名 学时 [日期] [课程]',
    month: (year: number, month: number) => `${year}年${month}月`,
  },

  risk: {
    head: (n: number, required: number) =>
      `【培训学时预警】${n} 名执法人员按当前进度无法完成全年 ${required} 学时`,
    officer: (unit: string, name: string, hours: string, projected: string) =>
      `${unit} · ${name}：已完成 ${hours} 学时，按当前进度全年约 ${projected} 学时`,
  },

  digest: {
    week: (year: number, n: number) => `${year}年第${n}周`,
    title: (week: string, date: string) => `【督办周报】${week}（${date}）`,
    plan: (title: string) => `工作方案：${title}`,
    noPlan: '尚未导入工作方案。',
    summary: (units: number, items: number) => `${units} 个单位 · ${items} 项任务分工`,
    counts: (
      done: number,
      inProgress: number,
      blocked: number,
      notStarted: number,
      noReply: number,
      overdue: number,
    ) =>
      `已完成 ${done} · 进行中 ${inProgress} · 有困难 ${blocked} · 未开始 ${notStarted} · 无回复 ${noReply} · 逾期 ${overdue}`,
    loopLine: (green: number, yellow: number, red: number, unacknowledged: number) =>
      `三色督办：🟢 ${green} · 🟡 ${yellow} · 🔴 ${red} · 未签收 ${unacknowledged}`,
    unitLoop: (red: number, yellow: number, unacknowledged: number) =>
      ` · 🔴 ${red} · 🟡 ${yellow} · 未签收 ${unacknowledged}`,
    sectionUnits: '各单位进展（按逾期项数排序）',
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
      `${rank}. ${unit}：逾期 ${overdue} · 有困难 ${blocked} · 进行中 ${inProgress} · 已完成 ${done}/${items} · 无回复 ${noReply}`,
    columns: {
      unit: '单位',
      overdue: '逾期',
      blocked: '有困难',
      inProgress: '进行中',
      notStarted: '未开始',
      done: '已完成',
      noReply: '无回复',
      items: '任务',
      lastReply: '最近报告',
      red: '红色',
      yellow: '黄色',
      unacknowledged: '未签收',
    },
    sectionBlocked: '有困难事项',
    blockedLine: (unit: string, title: string, ref: string, reason: string) =>
      `${unit} · ${title}（${ref}）：${reason}`,
    noReason: '未说明原因',
    sectionSilent: (days: number) => `未回复单位（${days} 天无报告）`,
    silentLine: (unit: string, open: number, last: string) => `${unit}：未完成 ${open} 项，最近报告 ${last}`,
    never: '从未报告',
    sectionUnreachable: '无法联系的单位',
    unreachableLine: (unit: string, reason: string) => `${unit}：${reason}`,
    refusedLiaison: (unit: string, name: string, email: boolean) =>
      `${unit} · 联络员 ${name}：Telegram 无法送达${email ? '，改发邮件' : '，且无邮箱'}`,
    reasons: {
      no_liaison: '未登记联络员，也未绑定单位群',
      no_channel: '联络员未绑定 Telegram、无邮箱，单位群未绑定',
    },
    sectionUpcoming: (days: number) => `未来 ${days} 天截止`,
    upcomingLine: (due: string, title: string, ref: string, open: number, total: number) =>
      `${due} · ${title}（${ref}）：${open}/${total} 个单位未完成`,
    sectionChanges: (days: number) => `近 ${days} 天变化`,
    changesLine: (reports: number, units: number) => `收到 ${reports} 条进展报告，来自 ${units} 个单位`,
    newlyDone: (unit: string, title: string, ref: string) => `新完成：${unit} · ${title}（${ref}）`,
    newlyBlocked: (unit: string, title: string, ref: string, reason: string) =>
      `新增困难：${unit} · ${title}（${ref}）：${reason}`,
    sectionTraining: '培训学时',
    trainingLine: (officers: number, average: string, pace: string, below: number) =>
      `执法人员 ${officers} 人，平均 ${average} 学时；按进度应达 ${pace} 学时，低于进度 ${below} 人`,
    trainingUnit: (unit: string, below: number, officers: number) =>
      `${unit}：低于进度 ${below}/${officers} 人`,
    noOfficers: '尚无执法人员名册。',
    none: '无',
    more: (n: number) => `……另有 ${n} 项，详见邮件版周报`,
    subject: (week: string) => `【督办周报】${week}`,
  },

  remind: {
    usage: '用法：/remind 单位 [任务编号]，例如：/remind 台城 二（五）2',
    sent: (unit: string, n: number, channels: string) => `已向${unit}发送提醒（${n} 项任务；${channels}）。`,
    channels: (groups: number, chats: number, emails: number) =>
      [
        groups ? `单位群 ${groups} 个` : '',
        chats ? `私聊 ${chats} 人` : '',
        emails ? `邮箱 ${emails} 个` : '',
      ]
        .filter(Boolean)
        .join('、'),
    alreadySent: (unit: string, time: string) => `本小时内已于 ${time} 向${unit}发送过提醒，请稍后再试。`,
    nothingOpen: (unit: string) => `${unit}没有未完成的任务，无需提醒。`,
    taskUnknown: (ref: string, unit: string) =>
      `${unit}没有编号为“${ref}”的任务。发送 /status ${unit} 查看任务编号。`,
    taskDone: (ref: string, unit: string) => `${unit}已完成任务 ${ref}，无需提醒。`,
    unreachable: (unit: string) =>
      `${unit}没有可用的联系方式（未绑定单位群，联络员未绑定 Telegram 且无邮箱），提醒未发送。`,
    noPlan: '尚未导入工作方案。',
  },
}
