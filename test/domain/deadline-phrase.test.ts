import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { describeDeadline, findDeadline, resolveDeadline } from '../../src/domain/deadline-phrase.ts'

// Sentences quoted from the real plan, /work/shared/plans/taishan-2024.txt (台山市 2024 年度行政执法监督工作方案).
const PLAN = {
  title: '台山市 2024 年度行政执法监督工作方案',
  preamble:
    '为深入贯彻落实党中央、国务院关于加强行政执法协调监督工作体系建设的决策部署，全面实施《提升行政执法质量三年行动计划（2023—2025 年）》（国办发〔2023〕27 号），强化行政执法监督，促进严格规范公正文明执法，结合我市实际，制定本方案。',
  '二（二）1':
    '门市和我市实施方案的各项任务，特别紧抓快办时效性强的任务，建立工作台账，实行清单化管理，抓好组织实施，确保高质量完成各项任务。各行政执法单位应定期梳理总结开展情况报送市司法局，今年8月中旬前完成中期评估。落实行政执法人员每人每年接受不少于60学时的有关培训、行政执法领域突出问题清单制度、行政裁量权基准制度，实行行政执法事项清单制度，开展赋权镇（街）行政执法事项评估等重点任务。[市司法局、市直各行政执法部门、各镇（街）按职责分工负责]',
  '二（二）1 opening':
    '1. 督促落实各项分工任务。督促落实国务院办公厅《提升行政执法质量三年行动计划（2023-2025年）》以及省实施计划、江',
  '二（四）2':
    '2. 推行包容审慎监管执法清单制度。加强对《江门市行政执法减免责清单（第一批）》实施情况，以及推进跨部门综合监管、“双随机、一公开”监管、涉企“综合查一次”、行政执法“观察期”等情况的监督检查，着力解决检查频次过高、随意检查、重复检查等问题。[市司法局、市市场监督管理局、市直各行政执法部门、各镇（街）按职责分工负责]',
  '二（五）1':
    '1. 开展行政执法突出问题专项整治和监督行动。各行政执法单位按照国务院办公厅《提升行政执法质量三年行动计划（2023-2025年）》部署要求，围绕“逐利执法”、执法不规范、执法方式简单僵化、执法粗暴、执法“寻租”等问题，梳理本系统执法领域突出问题清单，并对照清单组织开展专项整治行动，形成专项整治台账。市直有关行政执法部门和各镇（街）要于今年11月底前将专项整治及组织“回头看”情况报送市司法行政部门汇总。[市司法局、市直各行政执法部门、各镇（街）按职责分工负责]',
  '二（五）2':
    '涉企乱罚款问题专项整治工作的实施方案的通知》，重点整治违法设定罚款、违法实施罚款、趋利性处罚、选择性执法、过度执法、执法扰企等问题，今年10月中旬前完成整治工作。[市司法局、市公安局、市住房和城乡建设局、市交通运输局、市应急管理局、市市场监督管理局、市城市管理和综合执法局、市消防救援大队、江门市生态环境局台山分局、市直各行政执法部门、各镇（街）按职责分工负责]',
  '二（五）3':
    '3. 开展职权下放“重放轻管”问题专项整治。按照省司法厅《关于印发开展职权下放重放轻管问题专项整治工作的实施方案的通知》，重点整治事项下放的合理性、事项下放的程序性、上级部门监管“缺位”、上级部门培训指导不到位、编制经费下沉等问题，今年10月中旬前完成整治工作。[市司法局、市委编办、涉及行政执法职权下放的市直行政执法部门、各镇（街）按职责分工负责]',
  '二（五）4':
    '4. 开展电子技术监控设备专项整治。按照《国务院关于进一步规范和监督罚款设定与实施的指导意见》部署要求，在今年10月10日前完成执法类电子技术监控设备清理和规范工作，清理情况报市司法局汇总。[市司法局、市公安局、市交通运输局、市政务服务和数据管理局、市直各行政执法部门、各镇（街）按职责分工负责]',
  '二（一）2':
    '2. 健全工作体制机制。完善提升行政执法质量三年行动工作会商机制，加快推进行政执法监督工作体系建设。在沟通协调有关工作、制作相关文书等必要情形下，市司法局按程序报请市人民政府同意后可使用市人民政府行政执法协调监督办公室的印章，代表市人民政府履行执法监督职责。[市司法局、市直各行政执法部门、各镇（街）按职责分工负责]',
  一: '坚持以习近平新时代中国特色社会主义思想为指导，深入践行习近平法治思想，全面贯彻落实党的二十大和二十届二中全会精神，认真贯彻省委“1310”具体部署、江门市委“1+6+3”工作安排和市委工作要求，积极抢抓“大桥经济”“黄金内湾”历史机遇。',
}

describe('findDeadline on the 2024 Taishan plan', () => {
  it.each([
    ['二（二）1', '2024-08-20', '今年8月中旬前', 'mid'],
    ['二（五）1', '2024-11-30', '今年11月底前', 'late'],
    ['二（五）2', '2024-10-20', '今年10月中旬前', 'mid'],
    ['二（五）3', '2024-10-20', '今年10月中旬前', 'mid'],
    ['二（五）4', '2024-10-10', '今年10月10日前', 'day'],
  ] as const)('task %s is due %s (%s)', (ref, date, phrase, rule) => {
    expect(findDeadline(PLAN[ref], 2024)).toEqual({ date, phrase, rule })
  })
  it.each(['title', 'preamble', '二（二）1 opening', '二（四）2', '二（一）2', '一'] as const)(
    'finds no deadline in %s (year ranges, 〔2023〕27 号, 60学时, 第一批)',
    (part) => {
      expect(findDeadline(PLAN[part], 2024)).toBeNull()
    },
  )
  it('resolves against the year the admin runs the plan as', () => {
    expect(findDeadline(PLAN['二（五）2'], 2026)?.date).toBe('2026-10-20')
  })
})

describe('resolveDeadline: every row of the rule table', () => {
  it.each([
    // X月Y日前, X月Y日 → that day
    ['10月10日前', '2024-10-10', 'day'],
    ['10月10日', '2024-10-10', 'day'],
    ['3月5日以前', '2024-03-05', 'day'],
    ['12月31日之前', '2024-12-31', 'day'],
    ['10月10号前', '2024-10-10', 'day'],
    // 上旬 → 10th, 中旬 → 20th
    ['9月上旬', '2024-09-10', 'early'],
    ['10月中旬前', '2024-10-20', 'mid'],
    ['今年8月中旬前', '2024-08-20', 'mid'],
    // 下旬, 底, 末 → last day
    ['6月下旬', '2024-06-30', 'late'],
    ['11月底前', '2024-11-30', 'late'],
    ['4月末', '2024-04-30', 'late'],
    ['12月底', '2024-12-31', 'late'],
    // halves and the year
    ['上半年', '2024-06-30', 'half'],
    ['下半年', '2024-12-31', 'half'],
    ['今年上半年前', '2024-06-30', 'half'],
    ['年底', '2024-12-31', 'year'],
    ['年底前', '2024-12-31', 'year'],
    ['今年年底前', '2024-12-31', 'year'],
    ['今年底', '2024-12-31', 'year'],
    ['年内', '2024-12-31', 'year'],
    ['本年度内', '2024-12-31', 'year'],
    // quarters → their last day
    ['第一季度', '2024-03-31', 'quarter'],
    ['第二季度', '2024-06-30', 'quarter'],
    ['第三季度前', '2024-09-30', 'quarter'],
    ['第四季度', '2024-12-31', 'quarter'],
    ['一季度', '2024-03-31', 'quarter'],
    ['3季度', '2024-09-30', 'quarter'],
    ['Q1', '2024-03-31', 'quarter'],
    ['q4', '2024-12-31', 'quarter'],
  ] as const)('%s → %s (%s)', (phrase, date, rule) => {
    expect(resolveDeadline(phrase, 2024)).toEqual({ date, phrase, rule })
  })
})

describe('resolveDeadline: how people write it', () => {
  it.each([
    ['１０月中旬前', '2024-10-20'], // full-width digits
    ['十月中旬前', '2024-10-20'],
    ['十一月底前', '2024-11-30'],
    ['十二月十日前', '2024-12-10'],
    ['十月二十五日', '2024-10-25'],
    ['三月三十一日', '2024-03-31'],
    ['廿日', null], // no month: not a deadline
    ['本年10月底', '2024-10-31'],
    ['年度10月底前', '2024-10-31'],
    ['2025年3月底前', '2025-03-31'], // an explicit year wins over the plan's
    ['2025 年 3 月底前', '2025-03-31'],
    ['2025年度第一季度', '2025-03-31'],
    ['2025年上半年', '2025-06-30'],
    ['2025年底前', '2025-12-31'],
    ['二〇二五年十月底', '2025-10-31'],
    ['明年3月底前', '2025-03-31'],
    ['2024-10-20', '2024-10-20'],
    ['  10月中旬前。 ', '2024-10-20'],
    ['9月1日至10月31日', '2024-10-31'], // a period: its end is the deadline
    ['10月1日至15日', '2024-10-15'],
  ] as const)('%s → %s', (phrase, date) => {
    expect(resolveDeadline(phrase, 2024)?.date ?? null).toBe(date)
  })
  it('knows leap years: 2月底 is 29 Feb in 2024, 28 Feb in 2025', () => {
    expect(resolveDeadline('2月底', 2024)?.date).toBe('2024-02-29')
    expect(resolveDeadline('2月底', 2025)?.date).toBe('2025-02-28')
    expect(resolveDeadline('2月29日', 2024)?.date).toBe('2024-02-29')
    expect(resolveDeadline('2月29日', 2025)).toBeNull()
  })
  it('keeps the phrase exactly as written', () => {
    expect(resolveDeadline('１０月中旬前', 2024)?.phrase).toBe('１０月中旬前')
    expect(resolveDeadline('  10月中旬前。 ', 2024)?.phrase).toBe('10月中旬前')
  })
  it.each([
    '2月30日',
    '4月31日',
    '13月底',
    '0月10日',
    '10月32日',
    '10月',
    '10月前',
    '',
    '   ',
    '尽快',
    '定期',
    '第一批',
    '第五季度',
    '60学时',
    '三年内',
    '今年10月中旬前完成', // a sentence, not a phrase: findDeadline is for sentences
    '2023—2025 年',
    '（2023-2025年）',
    '2024-02-30',
  ])('%j is not a deadline', (phrase) => {
    expect(resolveDeadline(phrase, 2024)).toBeNull()
  })
})

describe('findDeadline in sentences', () => {
  it.each([
    ['于今年11月底前将专项整治情况报送', '今年11月底前', '2024-11-30'],
    ['在今年10月10日前完成', '今年10月10日前', '2024-10-10'],
    ['今年10月中旬前完成整治工作', '今年10月中旬前', '2024-10-20'],
    ['各单位须在2025年3月底前报送', '2025年3月底前', '2025-03-31'],
    ['请于１１月底以前报送', '１１月底以前', '2024-11-30'],
    ['年内完成全覆盖评查', '年内', '2024-12-31'],
    ['力争上半年完成', '上半年', '2024-06-30'],
    ['第三季度前完成自查', '第三季度前', '2024-09-30'],
    ['自2024年10月1日起至10月31日止开展检查', '10月31日', '2024-10-31'], // 起 marks a start
  ] as const)('%s → %s', (text, phrase, date) => {
    const found = findDeadline(text, 2024)
    expect(found?.phrase).toBe(phrase)
    expect(found?.date).toBe(date)
  })
  it('takes the first deadline of a paragraph', () => {
    expect(findDeadline('今年8月中旬前完成中期评估，11月底前完成总结', 2024)?.date).toBe('2024-08-20')
  })
  it('skips an impossible date and finds the real one after it', () => {
    expect(findDeadline('原定2月30日，现改为3月10日前完成', 2024)?.date).toBe('2024-03-10')
  })
  it.each([
    '全面实施《提升行政执法质量三年行动计划（2023—2025 年）》',
    '（2023-2025年）',
    '国办发〔2023〕27 号',
    '每人每年接受不少于60学时的有关培训',
    '《江门市行政执法减免责清单（第一批）》',
    '三年内完成',
    '半年内完成',
    '本办法自2024年10月1日起施行',
    '10月中旬后开展复查',
    '用3个月时间开展整治',
    '每月10日前报送', // a monthly routine, no month named
    '2023—2025 年底',
    '统一月度报告',
  ])('%s has no deadline', (text) => {
    expect(findDeadline(text, 2024)).toBeNull()
  })
  it('reads long texts without getting stuck on runs of spaces or digits', () => {
    expect(findDeadline(' '.repeat(200_000) + '月', 2024)).toBeNull()
    expect(findDeadline('2'.repeat(200_000) + '年底', 2024)).toBeNull()
    expect(findDeadline('说明'.repeat(50_000) + '，10月底前完成', 2024)?.date).toBe('2024-10-31')
  })
  it('never throws and always returns a real date inside any text', () => {
    const pieces = fc.constantFrom(
      '今年',
      '2025年',
      '年度',
      '十',
      '二',
      '１０',
      '10',
      '月',
      '日',
      '号',
      '底',
      '末',
      '中旬',
      '上旬',
      '下旬',
      '前',
      '季度',
      '第',
      '上半年',
      '年内',
      '至',
      '—',
      '-',
      ' ',
      '，',
      '起',
      'Q',
      '3',
      '31',
      '〇',
      '廿',
    )
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(pieces, { maxLength: 20 }).map((a) => a.join('')),
          fc.string({ unit: 'binary', maxLength: 300 }),
        ),
        fc.integer({ min: 1990, max: 2100 }),
        (text, year) => {
          const found = findDeadline(text, year)
          if (found) {
            expect(found.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
            expect(Number.isNaN(Date.parse(`${found.date}T00:00:00Z`))).toBe(false)
            expect(new Date(`${found.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(found.date)
            expect(text).toContain(found.phrase)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('describeDeadline', () => {
  it('shows the phrase with the day it is taken as', () => {
    expect(describeDeadline({ phrase: '10月中旬前', date: '2024-10-20' }, 'zh-CN')).toBe(
      '10月中旬前（按10月20日计）',
    )
    expect(describeDeadline({ phrase: '10月中旬前', date: '2024-10-20' }, 'en')).toBe(
      '10月中旬前 (taken as 20 Oct)',
    )
    expect(describeDeadline({ phrase: '今年11月底前', date: '2024-11-30' }, 'zh-CN')).toBe(
      '今年11月底前（按11月30日计）',
    )
    expect(describeDeadline({ phrase: '第三季度', date: '2024-09-30' }, 'en')).toBe(
      '第三季度 (taken as 30 Sep)',
    )
  })
  it('shows just the phrase when it names the exact day', () => {
    expect(describeDeadline({ phrase: '今年10月10日前', date: '2024-10-10' }, 'zh-CN')).toBe('今年10月10日前')
    expect(describeDeadline({ phrase: '今年10月10日前', date: '2024-10-10' }, 'en')).toBe('今年10月10日前')
  })
  it('adds the day when an admin moved the date away from the one the phrase names', () => {
    expect(describeDeadline({ phrase: '10月10日前', date: '2024-10-12' }, 'zh-CN')).toBe(
      '10月10日前（按10月12日计）',
    )
  })
  it('shows the date alone when there is no phrase', () => {
    expect(describeDeadline({ phrase: '', date: '2024-10-20' }, 'zh-CN')).toBe('10月20日')
  })
})
