import { describe, expect, it } from 'vitest'
import { renderOverview, renderStatusCard } from '../../src/templates/status-card.ts'
import type { TaskStatusLine, UnitOverview, UnitStatus } from '../../src/domain/status-view.ts'
import { parseTelegramHtml, validateTelegramHtml } from '../../src/sandbox/emulator/html.ts'

const tz = 'Asia/Shanghai'
const now = new Date('2026-11-05T02:00:00Z') // 5 Nov, 10:00 in Shanghai
const unit = {
  id: 1,
  name: '台城街道',
  shortName: '台城',
  kind: 'subdistrict' as const,
  tags: [],
  aliases: [],
}

function line(partial: Partial<TaskStatusLine>): TaskStatusLine {
  return {
    taskId: 1,
    ref: '二（五）2',
    title: '开展涉企乱罚款专项整治',
    due: '2026-10-20',
    dueText: '今年10月中旬前',
    state: 'in_progress',
    progress: 60,
    note: null,
    overdueDays: 0,
    lastReplyAt: new Date('2026-11-02T03:00:00Z'),
    lastReplyBy: '李明',
    ...partial,
  }
}

const status: UnitStatus = {
  unit,
  liaisons: [
    { name: '李明', reachable: true, telegramBound: true, telegramUnreachable: false },
    { name: '王芳', reachable: true, telegramBound: false, telegramUnreachable: false },
  ],
  tasks: [
    line({ overdueDays: 16 }),
    line({
      taskId: 2,
      ref: '二（五）4',
      title: '完成案卷评查',
      due: '2026-11-10',
      state: 'done',
      progress: null,
    }),
    line({
      taskId: 3,
      ref: '三（一）',
      title: '定期报送',
      due: null,
      state: 'blocked',
      progress: null,
      note: '缺经费',
      lastReplyAt: new Date('2026-11-04T15:00:00Z'),
    }),
    line({
      taskId: 4,
      ref: '二（一）1',
      title: '清单',
      due: '2026-12-31',
      state: 'no_reply',
      progress: null,
      lastReplyAt: null,
      lastReplyBy: null,
    }),
  ],
  counts: { overdue: 1, in_progress: 1, done: 1, blocked: 1, no_reply: 1, not_started: 0 },
  training: { officers: 24, averageHours: 41.5, belowPace: 3 },
}

describe('status card', () => {
  it('renders the card of product.md in Chinese', () => {
    expect(renderStatusCard(status, 'zh-CN', { html: false, now, tz }).split('\n')).toEqual([
      '台城街道 · 联络员 李明（已绑定）、王芳（未绑定，仅邮件）',
      '⚠️ 逾期 1 项 · 有困难 1 项 · 进行中 1 项 · 已完成 1 项 · 无回复 1 项',
      '⏰ 二（五）2 开展涉企乱罚款专项整治：进行中 60% · 逾期 16 天（10月20日截止） · 11月2日 李明（3 天前）',
      '✅ 二（五）4 完成案卷评查：已完成 · 11月10日截止 · 11月2日 李明（3 天前）',
      '⚠️ 三（一） 定期报送：有困难：缺经费 · 无截止日期 · 11月4日 李明（昨天）',
      '❔ 二（一）1 清单：无回复 · 12月31日截止',
      '执法人员培训：24 人，平均 41.5 学时，低于进度 3 人',
    ])
  })

  it('renders the same card in English', () => {
    const text = renderStatusCard(status, 'en', { html: false, now, tz })
    expect(text).toContain('台城街道 · Liaison 李明 (bound), 王芳 (not bound, email only)')
    expect(text).toContain('⚠️ Overdue 1 · Blocked 1 · In progress 1 · Done 1 · No reply 1')
    expect(text).toContain('16 days overdue (due 20 Oct)')
    expect(text).toContain('Officer training: 24 officers, average 41.5 hours, 3 below pace')
  })

  it('says so when there are no tasks, liaisons or officers', () => {
    const empty: UnitStatus = {
      ...status,
      liaisons: [],
      tasks: [],
      counts: { overdue: 0, in_progress: 0, done: 0, blocked: 0, no_reply: 0, not_started: 0 },
      training: { officers: 0, averageHours: 0, belowPace: 0 },
    }
    expect(renderStatusCard(empty, 'zh-CN', { html: false, now, tz })).toBe(
      ['台城街道 · 未设联络员', '当前计划没有分配给本单位的任务。', '执法人员培训：尚未导入人员名单'].join(
        '\n',
      ),
    )
  })

  it('escapes every name, title and note in HTML, so Telegram accepts it', () => {
    const hostile = '<b>&amp; <a href="x">'
    const card = renderStatusCard(
      {
        ...status,
        unit: { ...unit, name: `台城<i>` },
        liaisons: [{ name: hostile, reachable: false, telegramBound: true, telegramUnreachable: true }],
        tasks: [line({ ref: '<ref>', title: hostile, note: hostile, state: 'blocked', lastReplyBy: '</b>' })],
      },
      'zh-CN',
      { html: true, now, tz },
    )
    expect(validateTelegramHtml(card)).toBeNull()
    const parsed = parseTelegramHtml(card)
    expect(parsed.ok && parsed.text).toContain(`台城<i> · 联络员 ${hostile}（无法送达）`)
    expect(parsed.ok && parsed.text).toContain(`<ref> ${hostile}：有困难：${hostile}`)
    expect(parsed.ok && parsed.text).toContain('11月2日 </b>（3 天前）')
    // The only markup is ours: the unit's name and the overdue count in bold.
    expect(parsed.ok && parsed.entities.map((e) => e.type)).toEqual(['bold', 'bold'])
  })
})

describe('overview', () => {
  const row = (
    name: string,
    counts: Partial<UnitOverview['counts']>,
    extra: Partial<UnitOverview> = {},
  ): UnitOverview => ({
    unit: { ...unit, name },
    tasks: 5,
    counts: { overdue: 0, in_progress: 0, done: 0, blocked: 0, no_reply: 0, not_started: 0, ...counts },
    liaisons: 1,
    liaisonsReachable: 1,
    lastReplyAt: new Date('2026-11-02T03:00:00Z'),
    ...extra,
  })

  it('ranks units by overdue items, then blocked, then silence', () => {
    const text = renderOverview(
      [
        row('台城街道', { done: 5 }),
        row('大江镇', { overdue: 2, in_progress: 3, no_reply: 2 }),
        row('斗山镇', { blocked: 1, no_reply: 4 }, { liaisonsReachable: 0, lastReplyAt: null }),
      ],
      'zh-CN',
      { html: false, now, tz },
    )
    expect(text.split('\n')).toEqual([
      '各单位督办概况（3 个单位）',
      '大江镇：⚠️ 逾期 2 · 进行中 3 · 无回复 2 · 联络员可联系 1 人 · 最后回复 11月2日',
      '斗山镇：有困难 1 · 无回复 4 · 联络员无法联系 · 从未回复',
      '台城街道：已完成 5 · 联络员可联系 1 人 · 最后回复 11月2日',
    ])
  })

  it('escapes unit names in HTML and says when nothing is assigned', () => {
    const html = renderOverview([row('<台城>&', { done: 1 })], 'en', { html: true, now, tz })
    expect(validateTelegramHtml(html)).toBeNull()
    expect(html).toContain('&lt;台城&gt;&amp;: done 1')
    expect(renderOverview([], 'zh-CN', { html: false, now, tz })).toBe('当前计划还没有分配任务的单位。')
  })
})
