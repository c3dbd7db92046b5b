import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  formatState,
  formatStatus,
  MAX_NOTE_CHARS,
  parseStatusReply,
  type ParsedStatus,
  type ReplyParse,
} from '../../src/domain/status-reply.ts'
import { messages } from '../../src/i18n/index.ts'

const single = (
  state: ParsedStatus['state'],
  progress: number | null = null,
  note: string | null = null,
) => ({
  kind: 'single',
  status: { state, progress, note },
})

describe('parseStatusReply: one status, as people type it', () => {
  it.each([
    ['已完成', single('done')],
    ['完成了', single('done')],
    ['完成', single('done')],
    ['done', single('done')],
    ['Done.', single('done')],
    ['DONE', single('done')],
    ['已完成。', single('done')],
    ['✅ 已完成', single('done')],
    ['已完成，材料已报送', single('done', null, '材料已报送')],
    ['100%', single('done')],
    ['进行中 100%', single('done')],
    ['进行中', single('in_progress')],
    ['进行中 60%', single('in_progress', 60)],
    ['进行中60%', single('in_progress', 60)],
    ['进行中60％', single('in_progress', 60)],
    ['进行中 ６０％', single('in_progress', 60)],
    ['进行中（60%）', single('in_progress', 60)],
    ['进行中：60%', single('in_progress', 60)],
    ['in progress 60', single('in_progress', 60)],
    ['In progress 60%', single('in_progress', 60)],
    ['in progress: 60 %', single('in_progress', 60)],
    ['60%', single('in_progress', 60)],
    ['0%', single('in_progress', 0)],
    ['62.5%', single('in_progress', 63)],
    ['已完成60%', single('in_progress', 60)], // 60 per cent done
    ['推进中，已完成自查', single('in_progress', null, '已完成自查')],
    ['进行中 80%，已完成自查', single('in_progress', 80, '已完成自查')],
    ['进度 40%', single('in_progress', 40)],
    ['目前进行中 30%', single('in_progress', 30)],
    ['有困难：缺少执法记录仪', single('blocked', null, '缺少执法记录仪')],
    ['有困难:缺经费', single('blocked', null, '缺经费')],
    ['有困难', single('blocked')],
    ['blocked: no budget', single('blocked', null, 'no budget')],
    ['Blocked - waiting for the county', single('blocked', null, 'waiting for the county')],
    ['困难 缺人', single('blocked', null, '缺人')],
    ['有困难：缺人，缺经费。', single('blocked', null, '缺人，缺经费')],
    ['未开始', single('not_started')],
    ['尚未开始', single('not_started')],
    ['not started', single('not_started')],
    ['Not started yet', single('not_started', null, 'yet')],
    ['  已完成  ', single('done')],
    ['\u200b已完成\ufeff', single('done')],
  ] as const)('%j', (text, expected) => {
    expect(parseStatusReply(text)).toEqual(expected)
  })
})

describe('parseStatusReply: numbered replies to a prompt about several tasks', () => {
  const numbered = (...items: [number, ParsedStatus['state'], number | null, string | null][]) => ({
    kind: 'numbered',
    items: items.map(([n, state, progress, note]) => ({ n, status: { state, progress, note } })),
  })
  it.each([
    [
      '1 已完成；3 进行中 60%；5 有困难：缺经费',
      numbered([1, 'done', null, null], [3, 'in_progress', 60, null], [5, 'blocked', null, '缺经费']),
    ],
    ['1 已完成\n2 进行中 30%', numbered([1, 'done', null, null], [2, 'in_progress', 30, null])],
    ['1 已完成\r\n2 未开始', numbered([1, 'done', null, null], [2, 'not_started', null, null])],
    ['1 已完成; 2 done', numbered([1, 'done', null, null], [2, 'done', null, null])],
    ['1 已完成，3 进行中 60%', numbered([1, 'done', null, null], [3, 'in_progress', 60, null])],
    ['1.已完成 2、进行中 30%', numbered([1, 'done', null, null], [2, 'in_progress', 30, null])],
    ['1、已完成 2. 未开始', numbered([1, 'done', null, null], [2, 'not_started', null, null])],
    ['(1) 已完成 (2) 有困难：缺人', numbered([1, 'done', null, null], [2, 'blocked', null, '缺人'])],
    ['①已完成②进行中50%', numbered([1, 'done', null, null], [2, 'in_progress', 50, null])],
    ['1已完成 2进行中', numbered([1, 'done', null, null], [2, 'in_progress', null, null])],
    ['1 进行中 60 3 已完成', numbered([1, 'in_progress', 60, null], [3, 'done', null, null])],
    [
      '1 in progress 60; 2 blocked: no budget',
      numbered([1, 'in_progress', 60, null], [2, 'blocked', null, 'no budget']),
    ],
    [
      '1 进行中 80%，已完成自查；2 有困难：缺少执法记录仪 3 台',
      numbered([1, 'in_progress', 80, '已完成自查'], [2, 'blocked', null, '缺少执法记录仪 3 台']),
    ],
    ['3 已完成', numbered([3, 'done', null, null])],
  ] as const)('%j', (text, expected) => {
    expect(parseStatusReply(text)).toEqual(expected)
  })
})

describe('parseStatusReply: not understood', () => {
  it.each([
    '',
    '   ',
    '好的',
    '收到',
    'ok',
    '已完成自查', // a step, not the task
    '未完成', // not done, but which state? ask
    '没完成',
    '150%',
    '进行中 150%',
    '进行中 -5%',
    '60', // a bare number could be an item number
    '1',
    '进度',
    '1 已完成；3 看情况', // one item unreadable: ask about the whole reply
    '1 已完成；1 未开始', // the same task twice
    '0 已完成',
    '<b>已完成</b>',
    'doneness',
  ])('%j', (text) => {
    expect(parseStatusReply(text)).toEqual({ kind: 'unknown' })
  })
})

describe('parseStatusReply: notes', () => {
  it('keeps the liaison’s Chinese punctuation in the note, folds full-width digits', () => {
    const r = parseStatusReply('有困难：缺少执法记录仪１０台，经费未到位')
    expect(r).toEqual(single('blocked', null, '缺少执法记录仪10台，经费未到位'))
  })
  it('caps a note at 500 characters without splitting a character', () => {
    const reason = '缺'.repeat(300) + '😀'.repeat(300)
    const r = parseStatusReply(`有困难：${reason}`)
    expect(r.kind).toBe('single')
    const note = r.kind === 'single' ? r.status.note! : ''
    expect(Array.from(note)).toHaveLength(MAX_NOTE_CHARS)
    expect(note.endsWith('😀')).toBe(true)
  })
  it('turns control characters into spaces', () => {
    expect(parseStatusReply('有困难：缺\u0007经费')).toEqual(single('blocked', null, '缺 经费'))
  })
})

/** What every parse must satisfy, whatever the input. */
function wellFormed(r: ReplyParse): void {
  expect(['single', 'numbered', 'unknown']).toContain(r.kind)
  const statuses =
    r.kind === 'single' ? [r.status] : r.kind === 'numbered' ? r.items.map((i) => i.status) : []
  if (r.kind === 'numbered') {
    expect(r.items.length).toBeGreaterThan(0)
    for (const i of r.items) expect(Number.isInteger(i.n) && i.n >= 1).toBe(true)
    expect(new Set(r.items.map((i) => i.n)).size).toBe(r.items.length)
  }
  for (const s of statuses) {
    expect(['not_started', 'in_progress', 'done', 'blocked']).toContain(s.state)
    if (s.progress !== null) {
      expect(Number.isInteger(s.progress)).toBe(true)
      expect(s.progress).toBeGreaterThanOrEqual(0)
      expect(s.progress).toBeLessThanOrEqual(100)
      expect(s.state).toBe('in_progress')
    }
    if (s.note !== null) {
      expect(s.note.trim()).toBe(s.note)
      expect(s.note).not.toBe('')
      expect(Array.from(s.note).length).toBeLessThanOrEqual(MAX_NOTE_CHARS)
    }
  }
}

describe('parseStatusReply: any input', () => {
  const words = fc.constantFrom(
    '已完成',
    '完成了',
    '进行中',
    '推进中',
    '有困难',
    '困难',
    '未开始',
    'done',
    'in progress',
    'blocked',
    '60',
    '%',
    '％',
    '１',
    '150',
    '100',
    '-',
    '.',
    '、',
    '；',
    ';',
    '，',
    '\n',
    ' ',
    '：',
    ':',
    '①',
    '(',
    '）',
    '<b>',
    '</a>',
    '&amp;',
    '\u0000',
    '\u200b',
    '😀',
    '999',
    '3',
    '进度',
    '未完成',
    '已完成自查',
  )
  const inputs = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.array(words, { maxLength: 30 }).map((a) => a.join('')),
    fc.string({ unit: fc.constantFrom(...'<>/"\'&=abp已完成进行中60%；1\u0001\t'), maxLength: 300 }),
    fc.string({ unit: 'binary', minLength: 4096, maxLength: 4200 }),
  )
  it('never throws, and every status it returns is well formed', () => {
    fc.assert(
      fc.property(inputs, (text) => {
        wellFormed(parseStatusReply(text))
      }),
      { numRuns: 3000 },
    )
  })
  it('handles a 4 KB reply and a 1 MB one', () => {
    wellFormed(parseStatusReply('有困难：' + '缺'.repeat(4096)))
    wellFormed(parseStatusReply('1 已完成；'.repeat(100_000)))
    wellFormed(parseStatusReply('9'.repeat(1_000_000)))
  })
  it('does not throw on values that are not strings', () => {
    expect(parseStatusReply(undefined as unknown as string)).toEqual({ kind: 'unknown' })
    expect(parseStatusReply(42 as unknown as string)).toEqual({ kind: 'unknown' })
  })
  it('reads back whatever formatState writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('not_started', 'in_progress', 'done', 'blocked' as const),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom('zh-CN', 'en' as const),
        (state, progress, locale) => {
          const p = state === 'in_progress' ? progress : null
          const r = parseStatusReply(formatState(state, p, locale))
          expect(r).toEqual(single(state, p))
        },
      ),
    )
  })
})

describe('formatState and the texts', () => {
  it('writes a state with its percentage in both locales', () => {
    expect(formatState('in_progress', 60, 'zh-CN')).toBe('进行中 60%')
    expect(formatState('in_progress', 60, 'en')).toBe('in progress 60%')
    expect(formatState('in_progress', null, 'zh-CN')).toBe('进行中')
    expect(formatState('done', null, 'zh-CN')).toBe('已完成')
    expect(formatState('blocked', null, 'en')).toBe('blocked')
    expect(formatState('not_started', null, 'zh-CN')).toBe('未开始')
    expect(formatState('no_reply', null, 'zh-CN')).toBe('无回复')
    expect(formatState('done', null, undefined)).toBe('已完成')
  })
  it('writes a blocked status with its reason', () => {
    expect(formatStatus({ state: 'blocked', progress: null, note: '缺经费' }, 'zh-CN')).toBe('有困难：缺经费')
    expect(formatStatus({ state: 'blocked', progress: null, note: 'no budget' }, 'en')).toBe(
      'blocked: no budget',
    )
    expect(formatStatus({ state: 'in_progress', progress: 80, note: '已完成自查' }, 'zh-CN')).toBe(
      '进行中 80%',
    )
  })
  it('shows the accepted forms when a reply is not understood, and they parse', () => {
    expect(messages('zh-CN').status.notUnderstood).toBe(
      '未能识别。请按以下格式回复：已完成 / 进行中 60% / 有困难：原因 / 未开始；多项请编号：1 已完成；2 进行中 50%',
    )
    expect(messages('en').status.notUnderstood).toMatch(/^Not understood\./)
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const form of messages(locale).status.replyForms.split(' / ')) {
        expect(parseStatusReply(form).kind, form).toBe('single')
      }
      const example = messages(locale)
        .status.notUnderstood.split(/[：:] ?/)
        .pop()!
      expect(parseStatusReply(example).kind, example).toBe('numbered')
    }
  })
})
