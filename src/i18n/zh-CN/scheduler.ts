/** The scheduler and `duban job`: what an admin reads about schedule fires and manual runs. */
export default {
  fire: {
    outsideWindow: (hours: number) => `错过的执行已超出补发时限（${hours} 小时），未补发`,
    earlierNotRecorded: (since: string) => `${since} 之后更早错过的执行未逐条记录`,
    superseded: (at: string) => `已由 ${at} 的执行代替（补发策略：只补最近一次）`,
    policySkip: '服务停机期间错过，按该任务的补发策略不补发',
    failed: (message: string, rerun: string) => `执行出错：${message}。不会自动重试；如需补发请运行 ${rerun}`,
    interrupted: '服务停止时仍在执行，结果未记录',
    abandoned: (rerun: string) =>
      `执行该任务的进程中途终止，且已超出补发时限，未重新执行；如需补发请运行 ${rerun}`,
  },
  list: {
    header: ['任务', '计划（cron）', '启用', '上次执行', '状态', '补发', '新增', '说明'],
    yes: '是',
    no: '否',
    never: '从未执行',
    late: '迟到',
    status: { running: '执行中', done: '完成', skipped: '跳过', failed: '失败' },
    badCron: (problem: string) => `计划格式有误，已停用：${problem}`,
    notSynced: '（默认值，服务尚未启动过）',
    noJobs: '尚未登记任何定时任务。',
  },
  run: {
    done: (job: string, at: string, enqueued: number) => `已按 ${at} 运行 ${job}：新增待发送 ${enqueued} 条`,
    skipped: (job: string, at: string, reason: string) => `已按 ${at} 运行 ${job}：未执行（${reason}）`,
    unknownJob: (name: string, names: string) => `没有名为“${name}”的任务；可用的任务：${names}`,
    noJobs: '尚未登记任何定时任务',
    badAt: (value: string) =>
      `无法识别时间“${value}”；示例：--at 2024-10-18T10:00（按计划时区）或 --at 2024-10-18T10:00+08:00`,
    failed: (job: string, message: string) => `任务 ${job} 执行出错：${message}`,
  },
}
