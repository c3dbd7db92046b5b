/**
 * Telegram HTML validation the way the Bot API parses `parse_mode: 'HTML'`: the emulator answers
 * "Bad Request: can't parse entities" exactly where Telegram would, so a test or the sandbox
 * catches unescaped text before production does. Not used by production code.
 */
import { decodeEntity } from '../../telegram/html.ts'

/** A formatting entity as Telegram reports it (offsets and lengths in UTF-16 code units). */
export interface HtmlEntity {
  type: string
  offset: number
  length: number
  url?: string
  language?: string
  custom_emoji_id?: string
  unix_time?: number
  date_time_format?: string
}

export interface ParseHtmlOptions {
  /**
   * true (the default): also reject a bare `>` and a `&` that does not start `&lt;`, `&gt;`, `&amp;`,
   * `&quot;` or a numeric entity ending in `;`. Telegram itself lets those through as literal text,
   * but they mean unescaped text reached the message, which is a bug here. false: exactly Telegram.
   */
  strict?: boolean
}

export type ParsedHtml = { ok: true; text: string; entities: HtmlEntity[] } | { ok: false; error: string }

const supportedTags = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'tg-time',
  'code',
  'pre',
  'blockquote',
])

const isSpace = (c: string | undefined) =>
  c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f'
const isAlnum = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9]$/.test(c)

const byteOffset = (s: string, i: number) => Buffer.byteLength(s.slice(0, i), 'utf8')

interface OpenEntity {
  tag: string
  arg: string
  expandable: boolean
  unix?: number
  format?: string
  offset: number
}

/**
 * Parses Telegram HTML into the plain text a person sees and its entities, or returns the reason
 * Telegram would give after "Bad Request: can't parse entities: ". Follows the Bot API server's parser
 * (tag names, attributes, nesting, byte offsets in messages); see `ParseHtmlOptions.strict`.
 */
export function parseTelegramHtml(html: string, options: ParseHtmlOptions = {}): ParsedHtml {
  const strict = options.strict ?? true
  const fail = (error: string): ParsedHtml => ({ ok: false, error })
  let text = ''
  const entities: HtmlEntity[] = []
  const stack: OpenEntity[] = []
  const n = html.length
  let i = 0
  while (i < n) {
    const c = html[i]!
    if (c === '&') {
      const d = decodeEntity(html, i, strict)
      if (d) {
        text += d.ch
        i = d.end
        continue
      }
      if (strict)
        return fail(
          `Unescaped "&" at byte offset ${byteOffset(html, i)}: write &amp; for a literal ampersand`,
        )
      text += c
      i++
      continue
    }
    if (c === '>' && strict) {
      return fail(`Unescaped ">" at byte offset ${byteOffset(html, i)}: write &gt; for a literal ">"`)
    }
    if (c !== '<') {
      text += c
      i++
      continue
    }
    const begin = i
    i++
    if (html[i] !== '/') {
      while (!isSpace(html[i]) && html[i] !== '>') i++
      if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`)
      const tag = html.slice(begin + 1, i).toLowerCase()
      if (!supportedTags.has(tag)) {
        return fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(html, begin)}`)
      }
      let arg = ''
      let expandable = false
      let unix: number | undefined
      let format: string | undefined
      while (html[i] !== '>') {
        while (i < n && isSpace(html[i])) i++
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`)
        if (html[i] === '>') break
        const attrBegin = i
        while (!isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i++
        const attr = html.slice(attrBegin, i)
        if (attr === '') {
          return fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(html, begin)}`)
        }
        while (i < n && isSpace(html[i])) i++
        if (html[i] !== '=') {
          if (tag === 'blockquote' && attr === 'expandable') {
            expandable = true
            continue
          }
          if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`)
          return fail(
            `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(html, begin)}`,
          )
        }
        i++
        while (i < n && isSpace(html[i])) i++
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`)
        let value = ''
        const q = html[i]
        if (q !== '"' && q !== "'") {
          const tokenBegin = i
          while (isAlnum(html[i]) || html[i] === '.' || html[i] === '-') i++
          value = html.slice(tokenBegin, i).toLowerCase()
          if (!isSpace(html[i]) && html[i] !== '>') {
            return fail(`Unexpected end of name token at byte offset ${byteOffset(html, tokenBegin)}`)
          }
        } else {
          i++
          while (i < n && html[i] !== q) {
            if (html[i] === '&') {
              const d = decodeEntity(html, i, false)
              if (d) {
                value += d.ch
                i = d.end
                continue
              }
            }
            value += html[i]
            i++
          }
          if (html[i] === q) i++
        }
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`)
        if (tag === 'a' && attr === 'href') arg = value
        else if (tag === 'code' && attr === 'class' && value.startsWith('language-')) arg = value.slice(9)
        else if (tag === 'span' && attr === 'class' && value.startsWith('tg-')) arg = value.slice(3)
        else if (tag === 'tg-emoji' && attr === 'emoji-id') arg = value
        else if (tag === 'tg-time' && attr === 'unix') unix = Number(value)
        else if (tag === 'tg-time' && attr === 'format') format = value
      }
      if (tag === 'span' && arg !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, begin)}`)
      }
      if (tag === 'tg-emoji' && !/^\d{1,19}$/.test(arg)) {
        return fail(`Invalid custom emoji identifier specified`)
      }
      if (tag === 'tg-time' && (unix === undefined || !Number.isInteger(unix))) {
        return fail(
          `Tag "tg-time" must have a valid attribute "unix" at byte offset ${byteOffset(html, begin)}`,
        )
      }
      stack.push({ tag, arg, expandable, unix, format, offset: text.length })
      i++ // past '>'
    } else {
      if (stack.length === 0) return fail(`Unexpected end tag at byte offset ${byteOffset(html, begin)}`)
      while (!isSpace(html[i]) && html[i] !== '>') i++
      const endName = html.slice(begin + 2, i)
      while (i < n && isSpace(html[i])) i++
      if (html[i] !== '>') return fail(`Unclosed end tag at byte offset ${byteOffset(html, begin)}`)
      const open = stack[stack.length - 1]!
      if (endName !== '' && endName !== open.tag) {
        return fail(
          `Unmatched end tag at byte offset ${byteOffset(html, begin)}, expected "</${open.tag}>", found "</${endName}>"`,
        )
      }
      stack.pop()
      i++
      const length = text.length - open.offset
      if (length > 0) {
        const e = toEntity(open, length, text, stack)
        if (e) entities.push(e)
      }
    }
  }
  if (stack.length > 0) {
    return fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.tag}"`)
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length)
  return { ok: true, text, entities }
}

function toEntity(open: OpenEntity, length: number, text: string, outer: OpenEntity[]): HtmlEntity | null {
  const base = { offset: open.offset, length }
  switch (open.tag) {
    case 'b':
    case 'strong':
      return { type: 'bold', ...base }
    case 'i':
    case 'em':
      return { type: 'italic', ...base }
    case 'u':
    case 'ins':
      return { type: 'underline', ...base }
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', ...base }
    case 'span':
    case 'tg-spoiler':
      return { type: 'spoiler', ...base }
    case 'blockquote':
      return { type: open.expandable ? 'expandable_blockquote' : 'blockquote', ...base }
    case 'tg-emoji':
      return { type: 'custom_emoji', ...base, custom_emoji_id: open.arg }
    case 'tg-time':
      return {
        type: 'date_time',
        ...base,
        unix_time: open.unix ?? 0,
        ...(open.format ? { date_time_format: open.format } : {}),
      }
    case 'a': {
      const url = open.arg === '' ? text.slice(open.offset, open.offset + length) : open.arg
      return { type: 'text_link', ...base, url }
    }
    case 'code': {
      // <pre><code class="language-x"> gives the pre its language; the code entity itself is absorbed.
      const parent = outer[outer.length - 1]
      if (parent?.tag === 'pre' && parent.offset === open.offset) {
        if (open.arg) parent.arg = open.arg
        return null
      }
      return { type: 'code', ...base }
    }
    case 'pre':
      return { type: 'pre', ...base, ...(open.arg ? { language: open.arg } : {}) }
    default:
      return null
  }
}

/** Validates HTML like Telegram does; returns null or the error description (after "can't parse entities: "). */
export function validateTelegramHtml(html: string, options: ParseHtmlOptions = {}): string | null {
  const r = parseTelegramHtml(html, options)
  return r.ok ? null : r.error
}
