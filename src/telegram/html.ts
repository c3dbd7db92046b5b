/**
 * Telegram HTML: escaping, visible length and splitting long messages at line boundaries. (The
 * strict parser that validates HTML the way the Bot API does lives with the emulator, in
 * src/sandbox/emulator/html.ts: production never needs it.)
 *
 * Lengths are counted in UTF-16 code units, the unit Telegram uses for entity offsets; this counts an
 * emoji outside the Basic Multilingual Plane as 2, which is never less than what Telegram counts, so a
 * part that fits here fits there.
 */

/** Escapes `&`, `<`, `>` and `"` so any text can be quoted into a Telegram HTML message or attribute.
 *  A lone UTF-16 surrogate (which Telegram rejects as invalid UTF-8) becomes U+FFFD. */
export function escapeHtml(text: string): string {
  return text
    .replace(loneSurrogate, '\uFFFD')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'))
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** True when the string has no lone surrogates (Telegram requires valid UTF-8). */
export function isWellFormedText(text: string): boolean {
  loneSurrogate.lastIndex = 0
  return !loneSurrogate.test(text)
}

/**
 * Decodes an HTML entity at `pos` (which holds `&`) the way Telegram does: numeric entities and
 * `&lt;` `&gt;` `&amp;` `&quot;`, the `;` optional. Returns the character and the position after it.
 */
export function decodeEntity(
  s: string,
  pos: number,
  requireSemicolon: boolean,
): { ch: string; end: number } | null {
  let end = pos + 1
  let code = 0
  if (s[end] === '#') {
    end++
    if (s[end] === 'x' || s[end] === 'X') {
      end++
      const start = end
      while (end < s.length && /[0-9a-fA-F]/.test(s[end]!)) {
        code = code * 16 + parseInt(s[end]!, 16)
        end++
        if (code >= 0x10ffff) return null
      }
      if (end === start) return null
    } else {
      const start = end
      while (end < s.length && /[0-9]/.test(s[end]!)) {
        code = code * 10 + Number(s[end])
        end++
        if (code >= 0x10ffff) return null
      }
      if (end === start) return null
    }
    if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) return null
  } else {
    while (end < s.length && /[A-Za-z]/.test(s[end]!)) end++
    const name = s.slice(pos + 1, end)
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 }
    const c = named[name]
    if (c === undefined) return null
    code = c
  }
  if (s[end] === ';') end++
  else if (requireSemicolon) return null
  return { ch: String.fromCodePoint(code), end }
}

// ---------------------------------------------------------------------------------------------------
// Lenient tokenizer for measuring and splitting (never throws, even on HTML Telegram would reject).

type Token =
  | { kind: 'open'; raw: string; name: string }
  | { kind: 'close'; raw: string; name: string }
  | { kind: 'nl' }
  | { kind: 'text'; raw: string; len: number; space: boolean }

const tagPattern = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>/
const entityPattern = /^&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});?/

function tokenize(html: string): Token[] {
  const tokens: Token[] = []
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  let plainStart = -1
  const flushPlain = (end: number) => {
    if (plainStart < 0) return
    for (const { segment } of segmenter.segment(html.slice(plainStart, end))) {
      if (segment === '\n') tokens.push({ kind: 'nl' })
      else tokens.push({ kind: 'text', raw: segment, len: segment.length, space: /^\s+$/.test(segment) })
    }
    plainStart = -1
  }
  let i = 0
  while (i < html.length) {
    const c = html[i]
    if (c === '<') {
      const m = tagPattern.exec(html.slice(i, i + 2048))
      if (m) {
        flushPlain(i)
        const name = m[2]!.toLowerCase()
        tokens.push(m[1] ? { kind: 'close', raw: m[0], name } : { kind: 'open', raw: m[0], name })
        i += m[0].length
        continue
      }
    } else if (c === '&') {
      const m = entityPattern.exec(html.slice(i, i + 12))
      if (m) {
        flushPlain(i)
        const d = decodeEntity(html, i, false)
        const ch = d?.ch ?? m[0]
        tokens.push({ kind: 'text', raw: m[0], len: ch.length, space: false })
        i += m[0].length
        continue
      }
    }
    if (plainStart < 0) plainStart = i
    i++
  }
  flushPlain(html.length)
  return tokens
}

/** Telegram's view: the visible text length of an HTML message (entities decoded, tags removed), in
 *  UTF-16 code units, before Telegram trims surrounding whitespace. Malformed markup counts as text. */
export function visibleLength(html: string): number {
  let len = 0
  for (const t of tokenize(html)) {
    if (t.kind === 'text') len += t.len
    else if (t.kind === 'nl') len += 1
  }
  return len
}

type OpenTag = { name: string; raw: string }

function applyTag(stack: OpenTag[], t: Token): void {
  if (t.kind === 'open') stack.push({ name: t.name, raw: t.raw })
  else if (t.kind === 'close') {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]!.name === t.name) {
        stack.splice(k, 1)
        break
      }
    }
  }
}

const reopen = (stack: OpenTag[]) => stack.map((t) => t.raw).join('')
const closeAll = (stack: OpenTag[]) =>
  stack
    .slice()
    .reverse()
    .map((t) => `</${t.name}>`)
    .join('')

interface Part {
  startStack: OpenTag[]
  body: string
  len: number
  endStack: OpenTag[]
  hasText: boolean
}

/**
 * Splits an HTML message into parts of at most `limit` (default 4096) visible characters. Parts break
 * only at line boundaries (the newline between them is dropped) and never inside a tag or entity; tags
 * open across a break are closed at the end of one part and reopened at the start of the next, so
 * every part is valid on its own. A single line longer than the limit is cut between characters
 * (preferring a space in the second half of the part, never inside a grapheme cluster). Parts with no
 * visible text are left out.
 */
export function splitHtmlMessage(html: string, limit = 4096): string[] {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError('splitHtmlMessage: limit must be an integer ≥ 2')
  const tokens = tokenize(html)
  // Lines: tokens between newlines, with the open-tag stack at their start.
  const lines: { tokens: Token[]; len: number; startStack: OpenTag[] }[] = []
  const stack: OpenTag[] = []
  let current: Token[] = []
  let currentLen = 0
  let currentStart: OpenTag[] = []
  for (const t of tokens) {
    if (t.kind === 'nl') {
      lines.push({ tokens: current, len: currentLen, startStack: currentStart })
      current = []
      currentLen = 0
      currentStart = stack.slice()
      continue
    }
    current.push(t)
    if (t.kind === 'text') currentLen += t.len
    applyTag(stack, t)
  }
  lines.push({ tokens: current, len: currentLen, startStack: currentStart })

  const parts: string[] = []
  let part: Part | null = null
  const emit = (p: Part) => {
    if (p.hasText) parts.push(reopen(p.startStack) + p.body + closeAll(p.endStack))
  }
  const render = (ts: Token[], s: OpenTag[]) => {
    let body = ''
    let hasText = false
    for (const t of ts) {
      if (t.kind === 'nl') body += '\n'
      else {
        body += t.raw
        if (t.kind === 'text' && !t.space) hasText = true
      }
      applyTag(s, t)
    }
    return { body, hasText }
  }

  for (const line of lines) {
    if (line.len > limit) {
      if (part) emit(part)
      const pieces = cutLine(line.tokens, line.startStack, limit)
      for (const p of pieces.slice(0, -1)) emit(p)
      part = pieces[pieces.length - 1] ?? null
      continue
    }
    if (part && part.len + 1 + line.len <= limit) {
      const s = part.endStack.slice()
      const r = render(line.tokens, s)
      part.body += '\n' + r.body
      part.len += 1 + line.len
      part.endStack = s
      part.hasText ||= r.hasText
      continue
    }
    if (part) emit(part)
    const s = line.startStack.slice()
    const r = render(line.tokens, s)
    part = { startStack: line.startStack, body: r.body, len: line.len, endStack: s, hasText: r.hasText }
  }
  if (part) emit(part)
  return parts
}

/** Cuts one over-long line into parts of at most `limit` visible characters. */
function cutLine(tokens: Token[], startStack: OpenTag[], limit: number): Part[] {
  const parts: Part[] = []
  let i = 0
  let stack = startStack.slice()
  while (i < tokens.length) {
    const chunkStack = stack.slice()
    const s = stack.slice()
    let len = 0
    let j = i
    let brk: { j: number; len: number; stack: OpenTag[] } | null = null
    while (j < tokens.length) {
      const t = tokens[j]!
      const tl = t.kind === 'text' ? t.len : 0
      if (tl > 0 && len + tl > limit) break
      applyTag(s, t)
      len += tl
      j++
      if (t.kind === 'text' && t.space) brk = { j, len, stack: s.slice() }
    }
    let end = j
    let endStack = s
    let endLen = len
    if (j < tokens.length && brk && brk.j > i && brk.len >= limit / 2) {
      end = brk.j
      endStack = brk.stack
      endLen = brk.len
    }
    if (end === i) {
      // A single grapheme wider than the limit: it has to go alone.
      const t = tokens[i]!
      applyTag(endStack, t)
      end = i + 1
      endLen = t.kind === 'text' ? t.len : 0
    }
    let body = ''
    let hasText = false
    for (let k = i; k < end; k++) {
      const t = tokens[k]!
      if (t.kind === 'nl') continue
      body += t.raw
      if (t.kind === 'text' && !t.space) hasText = true
    }
    parts.push({ startStack: chunkStack, body, len: endLen, endStack: endStack.slice(), hasText })
    stack = endStack
    i = end
  }
  return parts
}

/**
 * `head` and as many of `lines` as fit in one message of `limit` visible characters; when some
 * are left out, `more(omitted)` closes the message instead (a long list is summarised, not sent
 * as dozens of messages into one chat).
 */
export function fitLines(
  head: string,
  lines: string[],
  more: (omitted: number) => string,
  limit = 4096,
): string {
  // Line by line (each line's tags are its own): measuring the joined text of 1,600 lines at once
  // took minutes, as the tokenizer is slow on one long string.
  const headLength = visibleLength(head)
  let all = headLength
  let fits = 0
  for (const line of lines) {
    all += visibleLength(line) + 1
    if (all > limit) break
    fits++
  }
  if (fits === lines.length) return [head, ...lines].join('\n')
  let used = headLength + 1 + visibleLength(more(lines.length))
  const kept: string[] = []
  for (const line of lines) {
    const length = visibleLength(line) + 1
    if (used + length > limit) break
    kept.push(line)
    used += length
  }
  return [head, ...kept, more(lines.length - kept.length)].join('\n')
}
