import { describe, expect, it } from 'vitest'
import { escapeHtml, fitLines, splitHtmlMessage, visibleLength } from '../../src/telegram/html.ts'
import { parseTelegramHtml, validateTelegramHtml } from '../../src/sandbox/emulator/html.ts'

/** What a person sees in a part: Telegram's plain text. */
function seen(html: string): string {
  const r = parseTelegramHtml(html)
  if (!r.ok) throw new Error(`invalid part: ${r.error}\n${html}`)
  return r.text
}

/** A small deterministic PRNG so hostile-string runs are repeatable. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const hostileAlphabet = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '/',
  'b',
  'a',
  ' ',
  '\n',
  '中',
  '文',
  '😀',
  '=',
  ';',
  '#',
  'x',
  '1',
  '\t',
]

describe('escapeHtml', () => {
  it('escapes markup characters so they show literally', () => {
    expect(escapeHtml('<b>Tom & "Jerry"</b>')).toBe('&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;')
    expect(escapeHtml('&amp;')).toBe('&amp;amp;')
    expect(seen(escapeHtml('<a href="javascript:x">点我</a>'))).toBe('<a href="javascript:x">点我</a>')
  })

  it('round-trips any text through Telegram parsing, including hostile strings', () => {
    const next = rng(42)
    for (let n = 0; n < 300; n++) {
      let s = ''
      const len = Math.floor(next() * 60)
      for (let k = 0; k < len; k++) s += hostileAlphabet[Math.floor(next() * hostileAlphabet.length)]
      const html = escapeHtml(s)
      expect(validateTelegramHtml(html)).toBeNull()
      expect(seen(html)).toBe(s)
    }
  })

  it('replaces lone surrogates, which Telegram would reject as invalid UTF-8', () => {
    expect(escapeHtml('a\uD800b')).toBe('a\uFFFDb')
    expect(escapeHtml('😀')).toBe('😀')
  })
})

describe('validateTelegramHtml', () => {
  it('accepts every tag Telegram supports, properly nested', () => {
    const ok = [
      '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>',
      '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
      '<a href="https://example.com/?a=1&amp;b=2">link</a> <a href=x.cn>x</a>',
      '<code>c</code><pre>p</pre><pre><code class="language-ts">let x</code></pre>',
      '<blockquote>q</blockquote><blockquote expandable>long</blockquote>',
      '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
      '<b>bold <i>italic <u>under</u></i></b>',
      '1 &lt; 2 &gt; 0 &amp; &quot;q&quot; &#20013; &#x1F600;',
      '<B>upper</b>',
    ]
    for (const html of ok) expect(validateTelegramHtml(html), html).toBeNull()
  })

  it('rejects what Telegram rejects, with its reasons and byte offsets', () => {
    expect(validateTelegramHtml('a < b')).toBe('Unsupported start tag "" at byte offset 2')
    expect(validateTelegramHtml('中<x>')).toBe('Unsupported start tag "x" at byte offset 3')
    expect(validateTelegramHtml('<script>alert(1)</script>')).toBe(
      'Unsupported start tag "script" at byte offset 0',
    )
    expect(validateTelegramHtml('<b>open')).toBe('Can\'t find end tag corresponding to start tag "b"')
    expect(validateTelegramHtml('<b><i>x</b></i>')).toBe(
      'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    )
    expect(validateTelegramHtml('x</b>')).toBe('Unexpected end tag at byte offset 1')
    expect(validateTelegramHtml('<span>x</span>')).toBe(
      'Tag "span" must have class "tg-spoiler" at byte offset 0',
    )
    expect(validateTelegramHtml('<a href="x')).toBe('Unclosed start tag at byte offset 0')
    expect(validateTelegramHtml('<b')).toBe('Unclosed start tag at byte offset 0')
    expect(validateTelegramHtml('<a href=https://x.cn>x</a>')).toBe(
      'Unexpected end of name token at byte offset 8',
    )
  })

  it('in strict mode (the default) also rejects a bare & or >, which Telegram would show literally', () => {
    expect(validateTelegramHtml('R&D')).toMatch(/^Unescaped "&" at byte offset 1/)
    expect(validateTelegramHtml('a &nbsp; b')).toMatch(/^Unescaped "&"/)
    expect(validateTelegramHtml('&lt')).toMatch(/^Unescaped "&"/)
    expect(validateTelegramHtml('进度 > 50%')).toMatch(/^Unescaped ">" at byte offset 7/)
    expect(validateTelegramHtml('R&D', { strict: false })).toBeNull()
    expect(validateTelegramHtml('a > b', { strict: false })).toBeNull()
    expect(validateTelegramHtml('a < b', { strict: false })).not.toBeNull()
  })

  it('reports entities as Telegram does (UTF-16 offsets)', () => {
    const r = parseTelegramHtml(
      '😀 <b>粗</b> <a href="https://e.cn">l</a> <pre><code class="language-ts">x</code></pre>',
    )
    expect(r).toEqual({
      ok: true,
      text: '😀 粗 l x',
      entities: [
        { type: 'bold', offset: 3, length: 1 },
        { type: 'text_link', offset: 5, length: 1, url: 'https://e.cn' },
        { type: 'pre', offset: 7, length: 1, language: 'ts' },
      ],
    })
  })
})

describe('visibleLength', () => {
  it('counts what a person sees: entities decoded, tags removed, UTF-16 units', () => {
    expect(visibleLength('<b>a&amp;b</b>')).toBe(3)
    expect(visibleLength('<a href="https://example.com/very/long">链接</a>')).toBe(2)
    expect(visibleLength('😀')).toBe(2)
    expect(visibleLength('line1\nline2')).toBe(11)
    expect(visibleLength('a < b')).toBe(5)
  })
})

describe('splitHtmlMessage', () => {
  it('returns a short message unchanged', () => {
    expect(splitHtmlMessage('<b>督办</b> 提醒')).toEqual(['<b>督办</b> 提醒'])
  })

  it('splits at line boundaries only, each part within the limit and valid on its own', () => {
    const lines = Array.from(
      { length: 100 },
      (_, k) => `${k}. ${escapeHtml(`任务<${k}> & 进度`)} ${'x'.repeat(k % 37)}`,
    )
    const html = lines.join('\n')
    const parts = splitHtmlMessage(html, 500)
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) {
      expect(validateTelegramHtml(p)).toBeNull()
      expect(visibleLength(p)).toBeLessThanOrEqual(500)
    }
    // Every line arrives whole, in order.
    expect(parts.map(seen).join('\n')).toBe(lines.map(seen).join('\n'))
  })

  it('closes tags open across a break and reopens them in the next part', () => {
    const body = Array.from({ length: 40 }, (_, k) => `第${k}行 ${'字'.repeat(20)}`).join('\n')
    const link = ['一', '二', '三'].map((k) => k.repeat(150)).join('\n')
    const html = `<b>标题</b>\n<blockquote>${body}</blockquote>\n<a href="https://e.cn/?a=1&amp;b=2">${link}</a>`
    const parts = splitHtmlMessage(html, 200)
    expect(parts.length).toBeGreaterThan(5)
    for (const p of parts) expect(validateTelegramHtml(p)).toBeNull()
    const middle = parts.filter((p) => p.includes('第20行'))
    expect(middle).toHaveLength(1)
    expect(middle[0]).toMatch(/^<blockquote>.*<\/blockquote>$/s)
    expect(parts.slice(-3)).toEqual(
      ['一', '二', '三'].map((k) => `<a href="https://e.cn/?a=1&amp;b=2">${k.repeat(150)}</a>`),
    )
  })

  it('cuts a single 4 KB+ line at a safe point, preferring spaces', () => {
    const words = Array.from({ length: 1200 }, (_, k) => `w${k}`)
    const html = `<i>${words.join(' ')}</i>`
    const parts = splitHtmlMessage(html, 4096)
    expect(parts.length).toBe(2)
    for (const p of parts) {
      expect(validateTelegramHtml(p)).toBeNull()
      expect(p.startsWith('<i>') && p.endsWith('</i>')).toBe(true)
      expect(visibleLength(p)).toBeLessThanOrEqual(4096)
    }
    // No word is cut in two.
    expect(parts.flatMap((p) => seen(p).trim().split(' '))).toEqual(words)
  })

  it('never cuts inside an entity, a tag or an emoji', () => {
    const amps = '&amp;&lt;'.repeat(3000)
    for (const p of splitHtmlMessage(amps, 4096)) {
      expect(validateTelegramHtml(p)).toBeNull()
      expect(visibleLength(p)).toBeLessThanOrEqual(4096)
    }
    expect(splitHtmlMessage(amps, 4096).map(seen).join('')).toBe('&<'.repeat(3000))

    const family = '👨‍👩‍👧'
    const emoji = family.repeat(1000)
    const parts = splitHtmlMessage(emoji, 4096)
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) {
      expect(p.replaceAll(family, '')).toBe('')
      expect(visibleLength(p)).toBeLessThanOrEqual(4096)
    }
    expect(parts.join('')).toBe(emoji)

    const links = `<a href="https://e.cn">${'x'.repeat(9000)}</a>`
    const linkParts = splitHtmlMessage(links, 4096)
    expect(linkParts).toHaveLength(3)
    for (const p of linkParts) expect(p).toMatch(/^<a href="https:\/\/e\.cn">x+<\/a>$/)
  })

  it('leaves out parts with nothing visible', () => {
    const parts = splitHtmlMessage('<b>a</b>\n\n\n\n<i></i>\n' + 'b'.repeat(10), 10)
    expect(parts.map(seen).map((s) => s.trim())).toEqual(['a', 'bbbbbbbbbb'])
  })

  it('survives malformed input without throwing', () => {
    for (const html of [
      '<b>unclosed\n'.repeat(500),
      'a < b > c & d\n'.repeat(600),
      '</i></b>'.repeat(1000),
    ]) {
      const parts = splitHtmlMessage(html, 1000)
      for (const p of parts) expect(visibleLength(p)).toBeLessThanOrEqual(1000)
    }
  })
})

describe('fitLines', () => {
  const more = (n: number) => `……另有 ${n} 个单位未列出`
  it('keeps everything when it fits in one message', () => {
    expect(fitLines('<b>总览</b>', ['台城街道 3', '斗山镇 1'], more)).toBe(
      '<b>总览</b>\n台城街道 3\n斗山镇 1',
    )
  })

  it('keeps the first lines that fit, then says how many were left out, within the limit', () => {
    const lines = Array.from({ length: 1600 }, (_, i) => `<b>单位${i}</b> · 逾期 ${i} 项`)
    const text = fitLines('<b>总览</b>', lines, more)
    expect(visibleLength(text)).toBeLessThanOrEqual(4096)
    expect(validateTelegramHtml(text)).toBeNull()
    const kept = text.split('\n').slice(1, -1)
    expect(kept).toEqual(lines.slice(0, kept.length))
    expect(text.split('\n').at(-1)).toBe(more(1600 - kept.length))
    // One more line would not have fitted.
    expect(visibleLength(`${text}\n${lines[kept.length]}`)).toBeGreaterThan(4096)
  })
})
