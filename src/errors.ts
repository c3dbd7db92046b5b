/**
 * Errors the user caused, and the one way to say a text in both languages. The CLI prints a
 * `UserError`'s message as one line on stderr and exits 1; the bot answers a `LocalizedUserError`
 * in the reader's language. Whoever throws one has changed nothing.
 *
 * This module sits below every layer (domain, channels, CLI) so that the domain can refuse input
 * without depending on the command line.
 */
import { locales, type Locale } from './db/schema.ts'
import { messages, type Messages } from './i18n/index.ts'

/** A user error: printed as one line on stderr, exit code 1, nothing changed. */
export class UserError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UserError'
  }
}

/**
 * A user error whose text exists in every locale: the CLI prints `message` (Chinese, then
 * English); the bot answers with `text(locale)`.
 */
export class LocalizedUserError extends UserError {
  constructor(readonly texts: Record<Locale, string>) {
    super(`${texts['zh-CN']} / ${texts.en}`)
    this.name = 'LocalizedUserError'
  }

  text(locale: Locale): string {
    return this.texts[locale]
  }
}

/** Builds the same text in every locale from one area of the catalog. */
export function localized<A extends keyof Messages>(
  area: A,
  pick: (t: Messages[A], locale: Locale) => string,
): Record<Locale, string> {
  return Object.fromEntries(locales.map((l) => [l, pick(messages(l)[area], l)])) as Record<Locale, string>
}

/**
 * One line for an admin or a log, Chinese first, then English: `zh / en`. What the CLI prints for
 * notes and errors, and what fire details and import warnings store.
 */
export function bilingual<A extends keyof Messages>(
  area: A,
  pick: (t: Messages[A], locale: Locale) => string,
): string {
  const texts = localized(area, pick)
  return `${texts['zh-CN']} / ${texts.en}`
}

/** A user error in both languages from one area of the catalog. */
export function userError<A extends keyof Messages>(
  area: A,
  pick: (t: Messages[A], locale: Locale) => string,
): LocalizedUserError {
  return new LocalizedUserError(localized(area, pick))
}
