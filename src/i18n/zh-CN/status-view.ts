/**
 * The status view (the /status card and the overview) and the roster's answers to bad input:
 * people, invites, chat bindings, status reports and training hours.
 */
export default {
  card: {
    liaisonLabel: '联络员',
    liaisonBound: '已绑定',
    liaisonNotBound: '未绑定',
    liaisonEmailOnly: '未绑定，仅邮件',
    liaisonUnreachable: '无法送达',
    noLiaison: '未设联络员',
    overdueCount: (n: number) => `⚠️ 逾期 ${n} 项`,
    stateCount: (state: string, n: number) => `${state} ${n} 项`,
    noTasks: '当前计划没有分配给本单位的任务。',
    due: (date: string) => `${date}截止`,
    noDue: '无截止日期',
    overdueDays: (days: number, date: string) => `逾期 ${days} 天（${date}截止）`,
    lastReply: (date: string, who: string | null, age: string) => `${date}${who ? ` ${who}` : ''}（${age}）`,
    noReplyYet: '尚无回复',
    age: (days: number) => (days <= 0 ? '今天' : days === 1 ? '昨天' : `${days} 天前`),
    training: (officers: number, average: string, belowPace: number) =>
      `执法人员培训：${officers} 人，平均 ${average} 学时，低于进度 ${belowPace} 人`,
    trainingNone: '执法人员培训：尚未导入人员名单',
  },
  overview: {
    title: (units: number) => `各单位督办概况（${units} 个单位）`,
    none: '当前计划还没有分配任务的单位。',
    overdue: (n: number) => `⚠️ 逾期 ${n}`,
    state: (state: string, n: number) => `${state} ${n}`,
    liaisons: (n: number) => (n > 0 ? `联络员可联系 ${n} 人` : '联络员无法联系'),
    lastReply: (date: string) => `最后回复 ${date}`,
    neverReplied: '从未回复',
    more: (n: number) =>
      `……另有 ${n} 个单位未列出（逾期、受阻、未回复多的排在前面）。查看一个单位：/status 单位名；全部明细：/ledger`,
  },
  csv: {
    line: (line: number, problem: string) => `第 ${line} 行：${problem}`,
    more: (n: number) => `另有 ${n} 处错误`,
    empty: 'CSV 文件没有数据行。',
    header: (expected: string, got: string) => `CSV 表头应为 ${expected}，实际为 ${got}。`,
    unclosedQuote: '引号未闭合',
    columns: (expected: number, got: number) => `应有 ${expected} 列，实际 ${got} 列`,
    duplicate: (line: number) => `与第 ${line} 行重复`,
    nothingChanged: '未做任何更改。',
  },
  people: {
    nameRequired: '请填写姓名。',
    nameInvalid: '姓名不能超过 50 个字，也不能含控制字符。',
    roleInvalid: (role: string) =>
      `角色“${role}”无效：应为 liaison（联络员）、supervisor（督办人员）或 admin（管理员）。`,
    localeInvalid: (locale: string) => `语言“${locale}”无效：应为 zh-CN 或 en。`,
    emailInvalid: (email: string) => `邮箱“${email}”格式不正确，例如 lianluoyuan.taicheng@example.gov.cn。`,
    emailTaken: (email: string, name: string) => `邮箱 ${email} 已登记给 ${name}。`,
    unitRequired: '联络员必须指定所属单位。',
    unitUnknown: (query: string, suggestions: string) =>
      suggestions
        ? `未找到单位“${query}”，可能是：${suggestions}。`
        : `未找到单位“${query}”，请用 duban units list 查看单位名单。`,
    unitAmbiguous: (query: string, candidates: string) =>
      `单位“${query}”不唯一，可能是：${candidates}。请写全称。`,
    duplicate: (name: string) => `${name} 已在名单中（同名、同角色、同单位）。`,
    notFound: (query: string) => `未找到人员“${query}”：请用编号（如 #12）、姓名或邮箱。`,
    ambiguous: (query: string, candidates: string) => `“${query}”对应多人：${candidates}。请用编号，如 #12。`,
  },
  invites: {
    inactive: (name: string) => `${name} 已停用，不能邀请。`,
    ttlInvalid: '邀请有效期应为 1 至 90 天。',
  },
  chats: {
    chatIdInvalid: (id: string) => `Telegram 群组编号“${id}”无效：应为整数，如 -1001234567890。`,
  },
  status: {
    notAssigned: (ref: string, unit: string) => `任务 ${ref} 未分配给${unit}。`,
    taskUnknown: (id: number) => `没有编号为 ${id} 的任务。`,
    progressInvalid: (progress: string) => `进度“${progress}”无效：应为 0 至 100 的整数。`,
  },
  training: {
    hoursInvalid: (hours: string) => `学时“${hours}”无效：每次应为 0.5 至 24 学时。`,
    totalInvalid: (hours: string) => `学时“${hours}”无效：应为 0 至 2000 之间的数字。`,
    dateInvalid: (date: string) => `日期“${date}”无效：格式为 YYYY-MM-DD，如 2026-07-02。`,
    officerNameRequired: '请填写执法人员姓名。',
    officerUnknown: (name: string, unit: string, suggestions: string) =>
      suggestions
        ? `${unit}没有执法人员“${name}”，可能是：${suggestions}。`
        : `${unit}没有执法人员“${name}”。执法人员名单由管理员导入。`,
  },
  cli: {
    fileMissing: (file: string) => `找不到文件 ${file}。`,
    fileUnreadable: (file: string) => `无法读取文件 ${file}。`,
    fileTooLarge: (file: string, mb: number) => `文件 ${file} 超过 ${mb} MB，请检查是否选错文件。`,
    fileNotText: (file: string) => `文件 ${file} 不是 UTF-8 编码的 CSV 文本，请另存为 CSV（UTF-8）。`,
    personAdded: (person: string) => `已添加：${person}`,
    person: (id: number, name: string, role: string, unit: string | null) =>
      `#${id} ${name}（${role}${unit ? `，${unit}` : ''}）`,
    peopleImported: (created: number, updated: number) =>
      `已导入人员：新增 ${created} 人，更新 ${updated} 人。`,
    peopleHeader: ['编号', '姓名', '角色', '单位', '邮箱', 'Telegram', '状态'],
    active: '在用',
    inactive: '已停用',
    noPeople: '名单为空：请用 duban people add 或 duban people import 添加。',
    officersImported: (officers: number, records: number) =>
      `已导入执法人员 ${officers} 人，新增或更新学时记录 ${records} 条。`,
    inviteCreated: (person: string) => `已为 ${person} 生成一次性邀请：`,
    inviteCode: (code: string) => `邀请码：${code}`,
    inviteLink: (link: string) => `链接：${link}`,
    inviteExpires: (at: string) => `有效期至：${at}`,
    inviteHint: '请把链接私下发给本人；打开链接并点击“开始”即完成绑定。',
    chatBound: (chatId: number, target: string) => `已绑定群组 ${chatId} → ${target}`,
    chatsHeader: ['群组编号', '用途', '单位', '群名', '状态'],
    purposeUnit: '单位群',
    purposeSupervisors: '督办群',
    supervisors: '督办人员',
    reachable: '正常',
    unreachable: (reason: string) => `无法送达：${reason}`,
    noChats: '尚未绑定群组：请用 duban chats bind <群组编号> <单位|supervisors>。',
  },
}
