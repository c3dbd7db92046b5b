/**
 * User-facing texts. zh-CN is the primary locale; en mirrors it key for key (the type checker
 * enforces that). Texts that take values are functions; callers escape values for HTML where the
 * text is sent as HTML (see src/telegram/html.ts).
 */
import type { Locale } from '../db/schema.ts'
import zhCN from './zh-CN/index.ts'
import en from './en/index.ts'

export type Messages = typeof zhCN

const catalogs: Record<Locale, Messages> = { 'zh-CN': zhCN, en: en satisfies Messages }

export function messages(locale: Locale | null | undefined): Messages {
  return catalogs[locale ?? 'zh-CN'] ?? zhCN
}
