/** The 督办 loop as the status views carry it (computed in loop-view.ts). */
import type { Color, ColorCounts } from './colors.ts'
import type { ViewState } from './loop.ts'

export interface TaskLoop {
  state: ViewState
  color: Color
  acknowledgedAt: Date | null
  evidenceCount: number
  returnedCount: number
}

export interface UnitLoop {
  colors: ColorCounts
  /** Tasks the unit has not signed for (未签收). */
  unacknowledged: number
}
