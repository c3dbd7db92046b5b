/** The 督办 loop: 签收, 佐证材料, 审核, 整改, 三色, 延期, 请假, 历史. */
export default {
  states: {
    assigned: '已交办',
    acknowledged: '已签收',
    awaiting_review: '待审核',
    rectifying: '整改中',
    closed: '已办结',
    withdrawn: '已撤销',
  },
  colors: { green: '绿色', yellow: '黄色', red: '红色' },
  colorCounts: (green: number, yellow: number, red: number) => `🟢 ${green} · 🟡 ${yellow} · 🔴 ${red}`,
  unacknowledged: (n: number) => `未签收 ${n} 项`,

  receipt: {
    button: '📥 签收',
    emailLine:
      '签收方式：在 Telegram 中点击本消息下方的「签收」按钮；不使用 Telegram 的，请回复本邮件告知督办人员代为登记。',
    noticeHead: '【交办通知】',
    noticeIntro: (unit: string, n: number) => `${unit}：以下 ${n} 项任务已交办，请于 1 个工作日内签收。`,
    secondHead: '【签收催办】',
    secondIntro: (unit: string, n: number) =>
      `${unit}：以下 ${n} 项任务交办已满 1 个工作日，尚未签收，请尽快签收。`,
    taskLine: (i: number, ref: string, title: string, due: string) => `${i}. ${ref} ${title}（${due}）`,
    subject: (head: string, unit: string, n: number) => `${head}${unit} · ${n} 项任务`,
    acknowledged: (unit: string, n: number, by: string) => `已签收：${unit} · ${n} 项任务（${by}）`,
    already: '已签收，无需重复操作。',
    notAllowed: (unit: string) => `只有${unit}的联络员可以签收。`,
  },

  review: {
    head: '【待审核】',
    cardTitle: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    reported: (by: string, at: string) => `${by} 于 ${at} 报告已完成`,
    note: (note: string) => `说明：${note}`,
    evidence: (n: number) => (n > 0 ? `佐证材料 ${n} 份（随后附上）` : '未附佐证材料'),
    returnedBefore: (n: number) => `此前已退回整改 ${n} 次`,
    approveButton: '✅ 通过（销号）',
    returnButton: '↩️ 退回整改',
    emailHint: '请在 Telegram 督办组中点击「通过（销号）」或「退回整改」。',
    subject: (unit: string, title: string) => `【待审核】${unit} · ${title}`,
    fileCaption: (unit: string, ref: string, i: number, name: string) =>
      `佐证材料 · ${unit} · ${ref} · ${i}. ${name}`,
    askReturn: (unit: string, title: string, due: string) =>
      `退回整改：${unit} · ${title}\n请回复退回原因；可在末尾写新的整改期限（如 12月10日），不写则为 ${due}（5 个工作日后）。`,
    returned: (unit: string, title: string, due: string) =>
      `已退回整改：${unit} · ${title}，整改期限 ${due}。已通知该单位。`,
    approved: (unit: string, title: string) => `已通过审核：${unit} · ${title} → 已办结（销号）。`,
    notSupervisor: '只有督办人员可以审核。',
    decided: '该事项已审核，无需重复操作。',
    reasonMissing: '请写明退回原因。',
    dueInPast: (date: string) => `整改期限 ${date} 早于今天，请重新填写。`,
    submitted: '已提交督办人员审核（待审核）。',
    closed: '该任务已办结。',
    returnedNoticeHead: '【退回整改】',
    returnedNotice: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    returnedReason: (reason: string) => `退回原因：${reason}`,
    returnedDue: (due: string) => `整改期限：${due}`,
    returnedHint: '请整改后直接回复本消息“已完成”，并附整改佐证材料。',
    approvedNoticeHead: '【审核通过】',
    approvedNotice: (unit: string, ref: string, title: string) =>
      `${unit} · ${ref} ${title}：已通过审核，已办结（销号）。`,
    subjectReturned: (unit: string, title: string) => `【退回整改】${unit} · ${title}`,
    subjectApproved: (unit: string, title: string) => `【审核通过】${unit} · ${title}`,
  },

  evidence: {
    received: (unit: string, ref: string, name: string) => `已收到佐证材料：${unit} · ${ref} · ${name}`,
    tooBig: (limitMb: number) =>
      `文件超过 ${limitMb} MB（Telegram 机器人可下载文件的上限），未保存。请压缩或拆分后重新发送。`,
    downloadFailed: (name: string, tries: number) =>
      `佐证材料“${name}”未能下载（已尝试 ${tries} 次），请重新发送该文件。已报告的情况不受影响。`,
    whichTask: (unit: string) => `这份材料属于${unit}的哪项任务？请选择：`,
    noOpenTask: (unit: string) => `${unit}当前没有待办任务，材料未保存。`,
    notOfUnit: (ref: string, unit: string) => `${ref} 不是${unit}承担的任务，材料未保存。`,
    unknownRef: (ref: string) => `找不到任务 ${ref}，材料未保存。请用 /tasks 查看任务编号。`,
    notLiaison: '只有单位联络员可以提交佐证材料。',
    closedTask: (ref: string) => `${ref} 已办结，材料未保存。`,
    notStored: (id: number) => `没有编号为 ${id} 的已保存佐证材料。`,
    otherUnit: (unit: string) => `只有${unit}的联络员可以为其提交材料，材料未保存。`,
    reportKept: '已报告的情况已记录。',
    alreadyFiled: '这份材料已归入任务。',
    attached: (ref: string) => `已归入：${ref}`,
    untitled: '未命名文件',
  },

  extension: {
    usage: '用法：/extend 任务编号 新期限 原因，例如：/extend 二（五）2 12月15日 需补充现场核查',
    dateMissing: '请写明新的期限，例如 12月15日。',
    pastDate: (date: string) => `新期限 ${date} 早于今天，不能申请。`,
    notLater: (date: string, due: string) => `新期限 ${date} 不晚于现在的期限 ${due}，无需延期。`,
    requested: (ref: string, date: string) => `已提交延期申请：${ref} 延至 ${date}，等待督办人员审批。`,
    cardHead: '【延期申请】',
    card: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    cardDates: (from: string, to: string) => `现期限 ${from} → 申请延至 ${to}`,
    cardReason: (reason: string) => `理由：${reason}`,
    cardBy: (by: string) => `申请人：${by}`,
    approveButton: '✅ 同意延期',
    refuseButton: '❌ 不同意',
    approved: (unit: string, ref: string, date: string) => `已同意延期：${unit} · ${ref} 期限改为 ${date}。`,
    refused: (unit: string, ref: string) => `未同意延期：${unit} · ${ref}，期限不变。`,
    decided: '该申请已处理。',
    notSupervisor: '只有督办人员可以审批延期。',
    subject: (unit: string, ref: string) => `【延期申请】${unit} · ${ref}`,
    emailHint: '请在 Telegram 督办组中审批。',
    noticeApproved: (ref: string, date: string) => `【延期】${ref} 的延期申请已同意，新期限 ${date}。`,
    noticeRefused: (ref: string) => `【延期】${ref} 的延期申请未获同意，期限不变。`,
  },

  leave: {
    usage: '用法：/away 12月1日-12月5日 代理人姓名',
    badRange: '请写明请假起止日期，例如 12月1日-12月5日。',
    endBeforeStart: '结束日期早于开始日期。',
    deputyUnknown: (name: string) => `找不到代理人“${name}”，请写花名册上的姓名。`,
    deputySelf: '代理人不能是本人。',
    set: (from: string, to: string, deputy: string) =>
      `已登记请假：${from} 至 ${to}，期间提醒和询问发给 ${deputy}。`,
    notLiaison: '只有联络员可以登记请假代理。',
  },

  history: {
    usage: '用法：/history 单位 任务编号，例如：/history 台城 二（五）4',
    none: '暂无记录。',
    header: (unit: string, ref: string) => `${unit} · ${ref} 办理记录`,
    kinds: {
      assigned: '交办',
      noticed: '发出交办通知',
      second_notice: '发出签收催办',
      acknowledged: '签收',
      evidence: '提交佐证材料',
      submitted: '提交审核',
      approved: '审核通过（销号）',
      returned: '退回整改',
      closed: '办结',
      extension_requested: '申请延期',
      extension_approved: '同意延期',
      extension_refused: '不同意延期',
      escalated: '红色督办升级',
      leave: '请假代理',
      withdrawn: '撤销',
      report: '报告',
    },
    system: '系统',
  },

  escalation: {
    head: '【红色督办】',
    line: (unit: string, ref: string, title: string) => `${unit} · ${ref} ${title}`,
    why: {
      overdue: (days: number) => `已逾期 ${days} 个工作日`,
      returned: (n: number) => `已退回整改 ${n} 次`,
    },
    levels: { 1: '请联络员立即办理。', 2: '请单位分管领导督促办理。', 3: '已报督办人员。' } as Record<
      number,
      string
    >,
    subject: (unit: string, title: string) => `【红色督办】${unit} · ${title}`,
  },
}
