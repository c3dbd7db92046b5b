/**
 * The year a plan's title says it runs as. `2026年度…方案` → 2026. A plan over several years
 * (`三年行动方案（2025—2027年）`) runs as the current year while that is inside its span, else as
 * its first year (not started) or its last (over); `span` says so, for the clerk to check.
 */
import type { Doubt } from '../../domain/plan-draft.ts'
import { messages } from '../../i18n/index.ts'

export interface TitleYear {
  year: number
  /** The first and last year of a multi-year title. */
  span?: [number, number]
}

const SPAN = /((?:19|20)\d{2})\s*年?\s*(?:——|[-—–~～至到])\s*((?:19|20)\d{2})\s*年/
const YEAR = /((?:19|20)\d{2})\s*年/

export function titleYear(title: string, thisYear?: number): TitleYear | null {
  const span = SPAN.exec(title)
  if (span) {
    const first = Number(span[1])
    const last = Number(span[2])
    if (first < last) {
      const now = thisYear ?? first
      return { year: Math.min(Math.max(now, first), last), span: [first, last] }
    }
  }
  const m = YEAR.exec(title)
  return m ? { year: Number(m[1]) } : null
}

/**
 * The year a plan runs as, whatever its format: the one asked for (`--year`), else the one the
 * document states (a 年度 line, a YAML `year`), else its title's. When it came from a multi-year
 * title, a doubt says which year was taken, for the clerk to check.
 */
export function planYear(
  title: string,
  o: { given: number | undefined; stated: number | null; thisYear: number | undefined },
): { year: number | null; doubt: Doubt | null } {
  const fromTitle = titleYear(title, o.thisYear)
  const year = o.given ?? o.stated ?? fromTitle?.year ?? null
  if (o.given !== undefined || o.stated !== null || !fromTitle?.span) return { year, doubt: null }
  const [first, last] = fromTitle.span
  return {
    year,
    doubt: {
      kind: 'other',
      taskRef: null,
      quote: messages('zh-CN').planLedger.multiYearQuote(first, last, fromTitle.year),
    },
  }
}
