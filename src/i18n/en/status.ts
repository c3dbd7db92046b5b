import type zh from '../zh-CN/status.ts'

export default {
  replyForms: 'done / in progress 60% / blocked: reason / not started',
  notUnderstood:
    'Not understood. Please reply in one of these forms: done / in progress 60% / blocked: reason / not started; for several tasks, number them: 1 done; 2 in progress 50%',
  stateWithProgress: (state: string, progress: number) => `${state} ${progress}%`,
  stateWithNote: (state: string, note: string) => `${state}: ${note}`,
  deadlineTakenAs: (phrase: string, day: string) => `${phrase} (taken as ${day})`,
} satisfies typeof zh
