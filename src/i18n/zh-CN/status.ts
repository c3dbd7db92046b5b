/** Status replies: the forms a liaison may reply with, and how a state with progress is written. */
export default {
  /** The reply forms, as shown under a reminder or prompt. */
  replyForms: '已完成 / 进行中 60% / 有困难：原因 / 未开始',
  /** Shown when a reply is not understood (the text is still kept as a note). */
  notUnderstood:
    '未能识别。请按以下格式回复：已完成 / 进行中 60% / 有困难：原因 / 未开始；多项请编号：1 已完成；2 进行中 50%',
  /** '进行中 60%' */
  stateWithProgress: (state: string, progress: number) => `${state} ${progress}%`,
  /** '有困难：缺经费' */
  stateWithNote: (state: string, note: string) => `${state}：${note}`,
  /** '10月中旬前（按10月20日计）' */
  deadlineTakenAs: (phrase: string, day: string) => `${phrase}（按${day}计）`,
}
