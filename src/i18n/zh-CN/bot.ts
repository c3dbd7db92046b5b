/**
 * Texts of the Telegram bot. Values passed to these functions must already be HTML-escaped
 * (every bot message is sent with parse_mode HTML); plain words here contain no `<`, `>` or `&`.
 */
export default {
  apology: '抱歉，处理时出错，请稍后再试。',
  rateLimited: '请稍后再试。',
  unknownCommand: '未知命令。发送 /help 查看可用命令。',

  /** /digest asked in a unit's group: the digest goes to the asker privately. */
  digestInGroup: {
    sentPrivately: '本周督办汇总已私信发送给您。',
    openPrivateChat: '本周督办汇总只私信发送。请先私聊本机器人发送 /start，再发送 /digest。',
  },

  commands: {
    start: '开始使用 / 绑定账号',
    help: '使用说明',
    status: '查看进展：/status [单位]',
    tasks: '本单位未完成任务',
    report: '报告任务进展',
    hours: '登记或查看培训学时',
    deadlines: '未来 30 天的截止事项',
    overdue: '逾期事项',
    remind: '提醒单位：/remind 单位 [任务编号]',
    digest: '本周督办汇总',
    bind: '绑定本群：/bind 绑定码',
    bindcode: '获取群绑定码：/bindcode 单位|supervisors',
    web: '网页登录链接（台账）',
    extend: '申请延期：/extend 任务编号 新期限 原因',
    away: '请假代理：/away 12月1日-12月5日 代理人',
    history: '办理记录：/history 单位 任务编号',
  },

  start: {
    stranger:
      '您好，这里是台山市司法局督办助手，仅供已登记的联络员和督办人员使用。\n请向市司法局管理员索取邀请链接，点击链接即可完成绑定。',
    bound: (name: string, role: string, unit: string | null) =>
      `绑定成功：${name}（${role}${unit ? ` · ${unit}` : ''}）。`,
    alreadyBound: (name: string) => `您已绑定为 ${name}。`,
    expired: '该邀请码已过期。请联系市司法局管理员重新获取邀请链接。',
    used: '该邀请码已被使用。如需重新绑定，请联系市司法局管理员。',
    unknown: '邀请码无效。请检查链接是否完整，或联系市司法局管理员。',
    otherAccount: '此 Telegram 账号已绑定其他人员。如有误，请联系市司法局管理员。',
    inGroup: '请在与机器人的私聊中使用邀请链接。',
  },

  help: {
    liaison: (unit: string) =>
      [
        `<b>督办助手 · 联络员（${unit}）</b>`,
        '/tasks 本单位未完成任务',
        '/report 报告任务进展',
        '/status 本单位进展',
        '/deadlines 未来 30 天的截止事项',
        '/overdue 逾期事项',
        '/hours 姓名 学时 [日期] [课程] 登记培训学时；/hours 查看本单位培训情况',
        '/extend 任务编号 新期限 原因 申请延期（如 /extend 二（五）2 12月15日 需补充核查）',
        '/away 12月1日-12月5日 代理人 登记请假，期间提醒发给代理人',
        '/history 任务编号 查看办理记录',
        '收到提示时，直接回复提示消息即可：已完成 / 进行中 60% / 有困难：原因 / 未开始',
      ].join('\n'),
    supervisor: [
      '<b>督办助手 · 督办人员</b>',
      '/status 全部单位概况；/status 单位 查看单个单位',
      '/deadlines 未来 30 天的截止事项',
      '/overdue 逾期事项',
      '/hours 单位 查看该单位培训情况',
      '/remind 单位 [任务编号] 立即提醒该单位',
      '/history 单位 任务编号 查看办理记录',
      '/away 联络员 12月1日-12月5日 代理人 登记联络员请假代理',
      '/digest 本周督办汇总',
      '/ledger [日期] 工作台账（Excel 文件）',
      '/bindcode 单位|supervisors 获取群绑定码，再在群内发送 /bind 绑定码',
    ].join('\n'),
    admin: [
      '<b>督办助手 · 管理员</b>',
      '/status 全部单位概况；/status 单位 查看单个单位',
      '/deadlines 未来 30 天的截止事项',
      '/overdue 逾期事项',
      '/hours 单位 查看该单位培训情况',
      '/remind 单位 [任务编号] 立即提醒该单位',
      '/history 单位 任务编号 查看办理记录',
      '/away 联络员 12月1日-12月5日 代理人 登记联络员请假代理',
      '/digest 本周督办汇总',
      '/ledger [日期] 工作台账（Excel 文件）',
      '/bindcode 单位|supervisors 获取群绑定码，再在群内发送 /bind 绑定码',
      '名册、计划和邀请请使用命令行 duban 管理。',
    ].join('\n'),
  },

  groups: {
    unknown: '本群尚未绑定单位，机器人暂不处理本群消息。管理员或督办人员可在群内发送 /bind 绑定码 完成绑定。',
    bindUsage: '用法：/bind 绑定码（绑定码可在与机器人的私聊中发送 /bindcode 获取）。',
    bindNotAllowed: '只有管理员或督办人员可以绑定群组。',
    bindPrivate: '/bind 请在要绑定的群内发送。',
    boundUnit: (unit: string) => `本群已绑定：${unit}。提示和提醒将发送到本群。`,
    boundSupervisors: '本群已绑定为督办人员群。',
    codeExpired: '该绑定码已过期，请重新获取。',
    codeUsed: '该绑定码已被使用，请重新获取。',
    codeUnknown: '绑定码无效，请检查后重试。',
    bindcodeUsage: '用法：/bindcode 单位名称，或 /bindcode supervisors（督办人员群）。',
    bindcodeNotAllowed: '只有管理员或督办人员可以获取群绑定码。',
    bindcodeGroup: '/bindcode 请在与机器人的私聊中使用。',
    bindcode: (code: string, target: string, expires: string) =>
      `绑定码：<code>${code}</code>（${target}，${expires} 前有效）\n请将机器人加入该群，然后在群内发送：\n<code>/bind ${code}</code>`,
    supervisorsTarget: '督办人员群',
  },

  refusals: {
    notRegistered: '您尚未绑定账号。请向市司法局管理员索取邀请链接。',
    noUnit: '您的账号未关联单位，请联系市司法局管理员。',
    otherUnit: (unit: string) => `您只能查看和报告本单位（${unit}）的情况。`,
    notForUnit: (unit: string) => `只有${unit}的联络员或督办人员可以报告该单位的进展。`,
    supervisorsOnly: '该操作仅限督办人员和管理员。',
  },

  units: {
    ambiguous: (query: string, list: string) => `“${query}”可能指：${list}。请写得更具体一些。`,
    unknown: (query: string, list: string) =>
      list ? `未找到单位“${query}”。您要找的是否是：${list}？` : `未找到单位“${query}”。`,
  },

  tasks: {
    header: (unit: string, n: number) => `<b>${unit} · 未完成任务 ${n} 项</b>`,
    line: (n: number, title: string, ref: string, due: string, state: string) =>
      `${n}. ${title}（${ref}）\n    截止：${due} · 当前：${state}`,
    noDue: '未定',
    none: (unit: string) => `${unit}目前没有未完成的任务。`,
    chooseUnit: '请注明单位，例如：/tasks 台城',
    replyHint: '请直接回复本消息，例如：1 已完成；2 进行中 60%；3 有困难：原因',
  },

  report: {
    chooseTask: (unit: string) => `${unit}：请选择要报告的任务`,
    chooseState: (title: string) => `${title}\n请选择当前状态：`,
    choosePercent: (title: string) => `${title}\n请选择完成进度：`,
    askReason: (title: string) => `${title}\n请回复本消息，说明遇到的困难：`,
    none: (unit: string) => `${unit}目前没有未完成的任务，无需报告。`,
    groupUnit: '请在单位群内使用 /report，或由本单位联络员报告。',
    buttonDone: '✅ 已完成',
    buttonInProgress: '🔄 进行中',
    buttonBlocked: '⚠️ 有困难',
    buttonNotStarted: '未开始',
  },

  replies: {
    recorded: (unit: string, title: string, state: string) => `已记录：${unit} · ${title} → ${state}`,
    updated: (unit: string, title: string, state: string) => `已更新：${unit} · ${title} → ${state}`,
    needNumbers: (n: number) =>
      `本提示涉及 ${n} 项任务，请注明序号，例如：1 已完成；2 进行中 60%。您的回复已作为备注保存。`,
    badNumber: (k: number, n: number) => `序号 ${k} 不存在（本提示共 ${n} 项）。`,
    notUnderstood:
      '未能识别您的回复，已作为备注保存。可用的回复格式：\n已完成 / 进行中 60% / 有困难：原因 / 未开始\n多项任务请注明序号：1 已完成；2 进行中 60%',
    notAPrompt: '这条消息不是进展提示。如需报告进展，请发送 /report，或直接回复带有提示的消息。',
    freeText: '如需报告进展，请直接回复提示消息，或发送 /report。发送 /help 查看使用说明。',
    noChange: '该回复此前已记录，无需更改。',
    editNotFound: '原回复未找到可更新的记录；请重新回复提示消息。',
    promptGone: '该提示涉及的任务已不再由本单位负责，未作记录。',
  },

  buttons: {
    recorded: '已记录',
    alreadySo: '当前已是该状态，无需重复记录。',
    expired: '该提示已失效，请发送 /report 重新报告。',
    notAllowed: (unit: string) => `只有${unit}的联络员或督办人员可以操作。`,
    notRegistered: '您尚未绑定账号，无法操作。',
  },

  hours: {
    usage:
      '用法：/hours 姓名 学时 [日期] [课程]，例如：/hours 张三 4 2024-05-10 行政执法培训\n只发送 /hours 查看本单位培训情况。',
    badDate: '日期格式应为 YYYY-MM-DD，例如 2024-05-10，且不晚于今天。',
    recorded: (officer: string, hours: string, date: string, total: string) =>
      `已记录：${officer} ${hours} 学时（${date}）。今年累计 ${total} 学时。`,
    summaryHeader: (unit: string, officers: number, average: string, below: number) =>
      `<b>${unit} · 执法人员培训</b>\n${officers} 人，平均 ${average} 学时，低于进度 ${below} 人`,
    officerLine: (name: string, hours: string, below: boolean) =>
      `${below ? '⚠️ ' : ''}${name}：${hours} 学时`,
    noOfficers: (unit: string) => `${unit}尚无执法人员名册。`,
    chooseUnit: '请注明单位：/hours 单位',
  },

  deadlines: {
    header: (days: number) => `<b>未来 ${days} 天的截止事项</b>`,
    line: (due: string, title: string, ref: string, detail: string) =>
      `${due} · ${title}（${ref}）\n    ${detail}`,
    pendingUnits: (n: number, list: string) => `未完成 ${n} 个单位：${list}`,
    none: (days: number) => `未来 ${days} 天没有截止事项。`,
  },

  overdue: {
    header: '<b>逾期事项</b>',
    line: (title: string, ref: string, unit: string, days: number, state: string) =>
      `${unit} · ${title}（${ref}）逾期 ${days} 天 · ${state}`,
    none: '目前没有逾期事项。',
    more: (omitted: number, total: number, units: number) =>
      `……另有 ${omitted} 项未列出（共 ${total} 项逾期，涉及 ${units} 个单位，逾期久的排在前面）。查看一个单位：/overdue 单位名；全部明细：/ledger`,
  },

  status: {
    usage: '用法：/status 单位，或 /status 查看全部单位概况。',
  },
}
