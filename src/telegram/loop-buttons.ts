/**
 * Callback data of the 督办 loop's buttons. Like the status buttons, the data is only a pointer:
 * handlers re-check the presser and the current state on every press. All well under 64 bytes.
 *
 *   ak:<promptId>             签收 the tasks of that prompt
 *   rv:<reviewId>:a|r         通过（销号） / 退回整改
 *   ex:<requestId>:a|r        延期: approve / refuse
 *   xa:<promptId>             申请延期 for the task of that reminder (asks for the date)
 *   ev:<evidenceId>:<taskId>  file this evidence under that task
 */
export type LoopButton =
  | { kind: 'ack'; promptId: number }
  | { kind: 'review'; reviewId: number; approve: boolean }
  | { kind: 'extension'; requestId: number; approve: boolean }
  | { kind: 'extendAsk'; promptId: number }
  | { kind: 'evidence'; evidenceId: number; taskId: number }

export function encodeLoopButton(b: LoopButton): string {
  switch (b.kind) {
    case 'ack':
      return `ak:${b.promptId}`
    case 'review':
      return `rv:${b.reviewId}:${b.approve ? 'a' : 'r'}`
    case 'extension':
      return `ex:${b.requestId}:${b.approve ? 'a' : 'r'}`
    case 'evidence':
      return `ev:${b.evidenceId}:${b.taskId}`
    case 'extendAsk':
      return `xa:${b.promptId}`
  }
}

const id = (s: string | undefined) => {
  const n = Number(s)
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

/** Reads callback data; null for anything that is not a well-formed loop button. */
export function decodeLoopButton(data: string): LoopButton | null {
  let m = /^(ak|xa):(\d{1,12})$/.exec(data)
  if (m) {
    const promptId = id(m[2])
    if (!promptId) return null
    return m[1] === 'ak' ? { kind: 'ack', promptId } : { kind: 'extendAsk', promptId }
  }
  m = /^(rv|ex):(\d{1,12}):([ar])$/.exec(data)
  if (m) {
    const n = id(m[2])
    if (!n) return null
    return m[1] === 'rv'
      ? { kind: 'review', reviewId: n, approve: m[3] === 'a' }
      : { kind: 'extension', requestId: n, approve: m[3] === 'a' }
  }
  m = /^ev:(\d{1,15}):(\d{1,12})$/.exec(data)
  if (m) {
    const evidenceId = id(m[1])
    const taskId = id(m[2])
    return evidenceId && taskId ? { kind: 'evidence', evidenceId, taskId } : null
  }
  return null
}
