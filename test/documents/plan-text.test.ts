import { readFileSync, writeFileSync, mkdtempSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { readPlanDocument, readPlanFile } from '../../src/documents/plan/index.ts'
import { UserError } from '../../src/errors.ts'
import { doubts, rows } from './plan-helpers.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const fixture = (name: string) => readFileSync(path.join(repo, 'test/fixtures/plans', name))
const taishan = readFileSync(path.join(repo, 'samples/taishan-2024.txt'))

const r = 'responsible'
const TAISHAN_USUAL = `市司法局:${r} 市直各行政执法部门:${r} 各镇（街）:${r}`

describe('the Taishan 2024 plan through readPlanDocument', async () => {
  const plan = await readPlanDocument(taishan, 'taishan-2024.txt')

  it('gives the same 16 tasks and 5 deadlines as before, every unit responsible', () => {
    expect(plan.title).toBe('台山市 2024 年度行政执法监督工作方案')
    expect(plan.year).toBe(2024)
    expect(plan.trainingHoursPerYear).toBe(60)
    expect(plan.format).toBe('text')
    expect(rows(plan)).toEqual([
      ['二（一）1', '加强学习贯彻', TAISHAN_USUAL, null],
      ['二（一）2', '健全工作体制机制', TAISHAN_USUAL, null],
      ['二（一）3', '加强行政执法监督联动', TAISHAN_USUAL, null],
      ['二（一）4', '加强行政执法监督机构和队伍建设', `市委编办:${r} ${TAISHAN_USUAL}`, null],
      ['二（二）1', '督促落实各项分工任务', TAISHAN_USUAL, '2024-08-20'],
      ['二（二）2', '行政执法机构和队伍建设情况专项监督', `市委编办:${r} ${TAISHAN_USUAL}`, null],
      ['二（二）3', '落实行政执法“三项制度”情况指导监督', TAISHAN_USUAL, null],
      ['二（三）1', '完善赋权事项评估制度', TAISHAN_USUAL, null],
      [
        '二（三）2',
        '认真落实“四级同创”任务',
        `市司法局:${r} 各镇（街）:${r} 涉及行政执法职权下放的市直行政执法部门:${r}`,
        null,
      ],
      ['二（四）1', '督促落实《国务院关于进一步规范和监督罚款设定与实施的指导意见》', TAISHAN_USUAL, null],
      [
        '二（四）2',
        '推行包容审慎监管执法清单制度',
        `市司法局:${r} 市市场监督管理局:${r} 市直各行政执法部门:${r} 各镇（街）:${r}`,
        null,
      ],
      ['二（四）3', '依法保护民营企业 and 企业家权益', TAISHAN_USUAL, null],
      ['二（五）1', '开展行政执法突出问题专项整治和监督行动', TAISHAN_USUAL, '2024-11-30'],
      [
        '二（五）2',
        '开展涉企乱罚款专项整治',
        [
          '市司法局',
          '市公安局',
          '市住房和城乡建设局',
          '市交通运输局',
          '市应急管理局',
          '市市场监督管理局',
          '市城市管理和综合执法局',
          '市消防救援大队',
          '江门市生态环境局台山分局',
          '市直各行政执法部门',
          '各镇（街）',
        ]
          .map((u) => `${u}:${r}`)
          .join(' '),
        '2024-10-20',
      ],
      [
        '二（五）3',
        '开展职权下放“重放轻管”问题专项整治',
        `市司法局:${r} 市委编办:${r} 涉及行政执法职权下放的市直行政执法部门:${r} 各镇（街）:${r}`,
        '2024-10-20',
      ],
      [
        '二（五）4',
        '开展电子技术监控设备专项整治',
        `市司法局:${r} 市公安局:${r} 市交通运输局:${r} 市政务服务和数据管理局:${r} 市直各行政执法部门:${r} 各镇（街）:${r}`,
        '2024-10-10',
      ],
    ])
    expect(plan.tasks.find((t) => t.ref === '二（五）2')?.deadline).toEqual({
      kind: 'date',
      text: '今年10月中旬前',
      date: '2024-10-20',
      explicitYear: false,
    })
  })

  it('keeps the document’s own words and places for the preview', () => {
    const first = plan.tasks[0]
    expect(first?.unitsText).toBe('市司法局、市直各行政执法部门、各镇（街）按职责分工负责')
    expect(first?.section).toMatch(/^贯彻落实《中共中央办公厅/)
    expect(first?.source.line).toBe(15)
    expect(first?.body).toMatch(/^各镇（街）、各部门要加强《意见》的学习培训/)
  })

  it('quotes the document in its doubts and names the task', () => {
    expect(doubts(plan)).toEqual([
      'bracket 二（一）1 〔…]',
      'repeated_word 二（一）4 培养、培养',
      'latin_word 二（四）3 and',
    ])
  })

  it('resolves the deadlines in the year asked for', async () => {
    const run2026 = await readPlanDocument(taishan, 'taishan-2024.txt', { year: 2026 })
    expect(run2026.year).toBe(2026)
    expect(run2026.tasks.flatMap((t) => (t.deadline?.kind === 'date' ? [t.deadline.date] : []))).toEqual([
      '2026-08-20',
      '2026-11-30',
      '2026-10-20',
      '2026-10-20',
      '2026-10-10',
    ])
  })
})

describe('a prefecture-level plan (江门市) behind a cover notice', async () => {
  const plan = await readPlanDocument(fixture('jiangmen-2024.txt'), 'jiangmen-2024.txt', { year: 2026 })

  it('takes the title from the notice and starts at the plan’s own title', () => {
    expect(plan.title).toBe('江门市2024年度行政执法协调监督工作要点')
    expect(plan.year).toBe(2026)
    expect(plan.trainingHoursPerYear).toBe(60)
  })

  it('reads every task with roles, group phrases and deadlines as a clerk would', () => {
    const months = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}-10`).join(' ')
    expect(rows(plan)).toEqual([
      [
        '一（一）1',
        '建立行政执法监督工作台账，实行清单化管理，2024年8月中旬前完成中期评估',
        '市司法局:responsible 市直各行政执法部门:responsible 各县（市、区）政府:responsible',
        '2024-08-20 explicit',
      ],
      [
        '一（一）2',
        '规范行政执法监督程序，每季度末报送监督情况',
        '市司法局:lead 各县（市、区）政府:support 市直有关单位:support',
        'quarter: 2026-03-31 2026-06-30 2026-09-30 2026-12-31',
      ],
      [
        '一（一）3',
        '推行行政执法监督员制度，长期坚持',
        '市司法局:lead 市公安局:support 市交通运输局:support',
        'ongoing',
      ],
      [
        '一（二）1',
        '组织行政执法人员培训，每人每年接受不少于60学时的培训，3月至6月完成轮训',
        '市司法局:responsible 市人力资源和社会保障局:responsible',
        '2026-06-30',
      ],
      ['一（二）2', '开展执法证件清理，年底前完成', '市司法局:responsible', '2026-12-31'],
      [
        '二（一）',
        '开展涉企执法专项监督',
        '市司法局:lead 市市场监督管理局:support 各县（市、区）政府:support',
        `month: ${months}`,
      ],
      [
        '二（二）',
        '开展行政执法案卷评查，2025年年底前完成并长期推进',
        '市司法局:responsible 市政府各部门:responsible 各有关单位:responsible',
        'ongoing from 2025-12-31',
      ],
      [
        '二（三）',
        '加强执法监督信息化建设，第三季度完成平台升级',
        '市政务服务数据管理局:lead 市司法局:support',
        '2026-09-30',
      ],
    ])
    expect(doubts(plan)).toEqual([])
  })

  it('reads the same from GBK (GB18030), UTF-16 LE and BE with BOM, and UTF-8 with BOM', async () => {
    const text = fixture('jiangmen-2024.txt').toString('utf8')
    const encodings: [string, Buffer][] = [
      ['gbk', iconv.encode(text, 'gbk')],
      ['gb18030', iconv.encode(text, 'gb18030')],
      ['utf16le', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')])],
      ['utf16be', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')])],
      ['utf8 bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ]
    for (const [name, bytes] of encodings) {
      expect(bytes.equals(Buffer.from(text)), name).toBe(false)
      const again = await readPlanDocument(bytes, 'jiangmen-2024.txt', { year: 2026 })
      expect(again.title, name).toBe(plan.title)
      expect(rows(again), name).toEqual(rows(plan))
    }
  })
})

describe('a county plan with round-bracket notes everywhere (开平市)', async () => {
  const plan = await readPlanDocument(fixture('kaiping-round-2025.txt'), 'kaiping.txt')

  it('reads the round notes as responsibility and leaves the other round brackets in the text', () => {
    expect(plan.title).toBe('开平市2025年法治政府建设工作计划')
    expect(rows(plan)).toEqual([
      ['一1', '组织学习宣传', '市委宣传部:responsible 市司法局:responsible', '2025-06-30'],
      ['一2', '加强领导干部法治培训', '市委组织部:lead 市司法局:support', '2025-12-31'],
      ['一3', '落实述法制度', '各镇人民政府:responsible 街道办事处:responsible', '2025-12-31'],
      ['二1', '规范行政裁量权基准（试行）', '市直各行政执法部门:responsible', '2025-09-30'],
      [
        '二2（1）',
        '组织全市行政处罚案卷评查，第三季度完成',
        '市司法局:lead 市直各行政执法部门:support',
        '2025-09-30',
      ],
      [
        '二2（2）',
        '组织行政许可案卷评查，11月中旬前完成',
        '市政务服务数据管理局:responsible 市司法局:responsible',
        '2025-11-20',
      ],
      ['二3', '推进执法数字化', '市政务服务数据管理局:responsible', 'ongoing'],
    ])
    expect(plan.tasks[0]?.body).toContain('（以下简称中心组）')
    expect(plan.tasks[2]?.body).toContain('（含街道）')
    expect(doubts(plan)).toEqual([])
  })
})

describe('a text copied from a PDF: breadcrumb, file name, hard line breaks, page numbers, running headers', async () => {
  const plan = await readPlanDocument(fixture('pdf-copy-2025.txt'), 'copy.txt')

  it('finds the title under the breadcrumb and the file name', () => {
    expect(plan.title).toBe('台山市2025年度行政执法监督工作方案')
  })

  it('rejoins the lines, drops page numbers (one inside a bracket) and headers, and reads every task', () => {
    expect(rows(plan)).toEqual([
      ['一（一）1', '完善行政执法三项制度', TAISHAN_USUAL, '2025-06-30'],
      ['一（一）2', '健全执法监督机制', '市司法局:lead 市委编办:support 各镇（街）:support', null],
      ['一（一）3', '加强执法人员管理', '市司法局:responsible', 'year: 2025-11-30'],
      ['一（二）1', '开展交通运输领域专项整治', '市交通运输局:lead 市公安局:support', '2025-06-30'],
      ['一（二）2', '开展城市管理领域专项整治', '市城市管理和综合执法局:responsible', '2025-10-20'],
    ])
    const all = plan.tasks.map((t) => `${t.title}${t.body}${t.unitsText}`).join('')
    expect(all).not.toMatch(/— \d|第4页|台山市2025年度行政执法监督工作方案|-5-|司法局\s*2025年/)
    expect(plan.tasks[1]?.unitsText).toBe('市司法局牵头，市委编办、各镇（街）配合')
    expect(plan.tasks[0]?.body).toBe('各单位要全面落实行政执法公示制度，今年6月底前完成自查。')
  })
})

describe('doubts a clerk sees', async () => {
  const text = [
    '某区2026年行政执法监督工作方案',
    '一、重点任务',
    '1. 开展执法检查，务必于2月30日前完成。[区司法局负责]',
    '3. 开展案卷评查。[区司法局、区市场监管局负责',
    '4. 加强执法培训。',
    '5. 推进数字执法。[区政务服务数据局牵头，区司法局配合]',
    '5. 完善执法制度。【区司法局负责】',
    '6. 规范执法文书（区司法局负责）',
  ].join('\n')
  const plan = await readPlanDocument(Buffer.from(text), 'doubts.txt')

  it('quotes the document for an unread phrase, a gap, an open bracket, a task without units and a repeated ref', () => {
    expect(rows(plan).map((t) => t[0])).toEqual(['一1', '一3', '一5', '一5', '一6'])
    expect(doubts(plan)).toEqual([
      'numbering_gap 一3 3. 开展案卷评查。[区司法局、区市场监管局负责',
      'numbering_gap 一5 5. 完善执法制度。【区司法局负责】',
      'unread_phrase 一1 2月30日前',
      'bracket 一3 [区司法局、区市场监管局负责',
      'no_units 一4 加强执法培训。',
      'duplicate_ref 一5 完善执法制度',
    ])
    expect(plan.doubts.find((d) => d.kind === 'no_units')?.source?.line).toBe(5)
  })
})

describe('files that are no plan', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'plan-docs-'))
  const refuse = async (bytes: Buffer, name: string, message: RegExp) => {
    const file = path.join(dir, name)
    writeFileSync(file, bytes)
    await expect(readPlanFile(file)).rejects.toThrow(UserError)
    await expect(readPlanFile(file)).rejects.toThrow(message)
  }

  it('refuses empty, binary, old Office, foreign zip, missing, directory and oversized files with a bilingual message', async () => {
    await refuse(Buffer.from(''), 'empty.txt', /文件为空.*\/ the file is empty/)
    await refuse(Buffer.from('  \n \r\n'), 'blank.txt', /文件为空/)
    await refuse(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'plan.txt',
      /无法识别的文件格式.*unrecognised/,
    )
    await refuse(
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      'plan.doc',
      /另存为 \.docx.*Save it as \.docx/,
    )
    const { zipSync } = await import('fflate')
    await refuse(
      Buffer.from(zipSync({ 'a.txt': new Uint8Array([65]) })),
      'plan.zip',
      /压缩文件中没有 Word 或 Excel/,
    )
    await expect(readPlanFile(path.join(dir, 'missing.txt'))).rejects.toThrow(/找不到文件/)
    mkdirSync(path.join(dir, 'folder.txt'))
    await expect(readPlanFile(path.join(dir, 'folder.txt'))).rejects.toThrow(/不是文件/)
    await refuse(Buffer.alloc(5 * 1024 * 1024 + 1, 0x41), 'big.txt', /文件过大.*5 MB/)
  })

  it('gives no tasks, without throwing, for a text that is no plan', async () => {
    const plan = await readPlanDocument(Buffer.from('hello\nworld'), 'notes.txt')
    expect(plan.tasks).toEqual([])
    expect(plan.title).toBe('hello')
  })
})

describe('a plan in every numbering style, with labelled notes, page numbers mid-sentence and an attached task table', async () => {
  const plan = await readPlanDocument(fixture('shapes-2026.txt'), 'shapes.txt')

  it('reads every task as a clerk would: refs in the document’s own numbering, units by role, dates', () => {
    expect(plan.title).toBe('江门市2026年行政执法监督工作方案')
    expect(plan.year).toBe(2026)
    const counties = '各县（市、区）政府'
    expect(rows(plan)).toEqual([
      [
        '一（一）1',
        '开展执法案卷评查，年中完成阶段评估',
        '市司法局:lead 市公安局:support 市交通运输局:support',
        '2026-06-30',
      ],
      [
        '一（一）2',
        '组织执法证件年审，8月初前完成',
        `市司法局:responsible ${counties}:responsible`,
        '2026-08-05',
      ],
      ['一（二）1（1）', '完成平台招标，3月初前启动', '市政务服务和数据管理局:responsible', '2026-03-05'],
      [
        '一（二）1（2）',
        '完成数据对接，上半年完成',
        '市政务服务和数据管理局:lead 市司法局:support',
        '2026-06-30',
      ],
      [
        '一（二）2（1）①',
        '检查执法主体资格，10月初前完成',
        '市司法局:responsible 市市场监督管理局:responsible',
        '2026-10-05',
      ],
      [
        '一（二）2（1）②',
        '检查执法文书，覆盖全体执法人员办理的案件，年底前完成',
        '市司法局:responsible',
        '2026-12-31',
      ],
      ['一（二）2（2）', '执法人员培训，年内完成', '市司法局:responsible', '2026-12-31'],
      [
        '一（二）3',
        '加强执法统计分析，每季度末报送',
        `市司法局:lead ${counties}:responsible`,
        'quarter: 2026-03-31 2026-06-30 2026-09-30 2026-12-31',
      ],
      ['一（二）4①', '统一文书格式，11月底前完成', '市司法局:responsible', '2026-11-30'],
      ['一（二）4②', '推行电子文书，长期坚持', `市司法局:lead ${counties}:support`, 'ongoing'],
      ['附件1-1', '开展执法评议', '市司法局:lead 市公安局:support 市交通运输局:support', '2026-11-30'],
      ['附件1-2', '开展执法培训', `市司法局:lead ${counties}:support`, 'ongoing'],
    ])
    // The heading items (1. 推进…平台建设, 2. 开展专项督查) have no units of their own: they are
    // headings over their tasks, not tasks, and no doubt.
    expect(doubts(plan)).toEqual([])
    const all = plan.tasks.map((t) => `${t.title}${t.body}`).join('')
    expect(all).not.toMatch(/第2页|共8页|-[23]-|印发给你们|2026年2月10日/)
  })
})

describe('a county plan with its fields on lines of their own and items numbered on across sections', async () => {
  const plan = await readPlanDocument(fixture('fields-2026.txt'), 'fields.txt')

  it('reads 责任单位 / 配合单位 / 完成时限 lines as the task’s fields, and 1–6 under 一 to 三 as no gap', () => {
    expect(plan.title).toBe('恩平市2026年度行政执法协调监督工作要点')
    const towns = '各镇（街道）'
    const departments = '市直各行政执法单位'
    expect(rows(plan)).toEqual([
      ['一1', '建立健全行政执法协调监督工作机制', '市司法局:responsible', '2026-06-30 explicit'],
      ['一2', '加强镇（街道）行政执法监督', `${towns}:responsible 市司法局:support`, '2026-09-30 explicit'],
      ['二3', '严格落实行政执法公示制度', `${departments}:responsible`, 'ongoing'],
      [
        '二4',
        '推进重大执法决定法制审核全覆盖',
        `${departments}:responsible ${towns}:responsible`,
        '2026-11-15',
      ],
      [
        '三5',
        '组织开展全市行政执法人员培训，每人每年不少于60学时',
        `市司法局:lead ${departments}:responsible ${towns}:responsible`,
        '2026-12-20 explicit',
      ],
      // Two dates named in the slot: each is a due date.
      [
        '三6',
        '开展行政执法证件清理，每半年清理一次',
        '市司法局:responsible',
        'listed: 2026-06-30 2026-12-31',
      ],
    ])
    expect(doubts(plan)).toEqual([])
    // The field lines are read, not left in the task's text.
    expect(plan.tasks.map((t) => t.body).join('\n')).not.toMatch(/责任单位|配合单位/)
    expect(plan.tasks.find((t) => t.ref === '二3')?.deadline?.text).toBe('长期坚持')
  })
})

describe('a bureau’s plan for its own offices: 责任科室, tasks at the （一） level, one with no units', async () => {
  const plan = await readPlanDocument(fixture('offices-2026.txt'), 'offices.txt')

  it('reads 科室 labels as units, and names the （一）-level item with none instead of dropping it', () => {
    expect(rows(plan)).toEqual([
      ['二（一）', '开展安全生产执法检查', '局执法大队:responsible', '2026-06-30'],
      ['二（二）', '推进执法记录仪使用', '政策法规股:responsible', 'ongoing'],
      [
        '二（三）',
        '开展执法案卷评查',
        '政策法规股:lead 局执法大队:support 各镇（街）应急办:support',
        'quarter: 2026-03-31 2026-06-30 2026-09-30 2026-12-31',
      ],
      ['二（四）', '组织执法人员培训', '政策法规股:responsible', '2026-11-30'],
    ])
    expect(doubts(plan)).toEqual([
      'no_units 二（五） 加强执法装备建设。配齐执法记录仪和快速检测设备，9月底前完成。',
    ])
  })
})

describe('units named in an item’s closing sentence, without brackets or labels', async () => {
  const plan = await readPlanDocument(fixture('sentences-2026.txt'), 'sentences.txt')

  it('reads 由…牵头，…配合。 and …负责，长期坚持。 as the note; a sentence of duties is no note', () => {
    expect(rows(plan)).toEqual([
      [
        '一1',
        '完善行政执法公示制度，年底前完成公示平台升级',
        '市司法局:responsible 市政务服务和数据管理局:responsible',
        '2026-12-31',
      ],
      [
        '一2',
        '健全行政裁量权基准制度，9月底前完成修订',
        '市司法局:lead 市直各行政执法部门:support',
        '2026-09-30',
      ],
      ['一3', '规范执法证件管理', '市司法局:responsible', 'ongoing'],
      ['二5', '开展执法案卷评查（每半年一次）', '市司法局:responsible', 'half: 2026-06-30 2026-12-31'],
    ])
    // 各镇（街）要明确专人… says what towns do; it names no responsibility, so 一4 is a doubt.
    expect(doubts(plan)).toEqual(['no_units 一4 加强执法人员管理。各镇（街）要明确专人，做好日常管理。'])
    expect(plan.tasks.find((t) => t.ref === '一2')?.body).toBe('')
  })
})

describe('a plan over several years, and an item that starts with a year', () => {
  const text = Buffer.from(
    [
      '台山市行政执法质量三年提升行动方案（2025—2027年）',
      '一、重点任务',
      '1.开展执法案卷评查，每年12月底前完成。【市司法局负责】',
      '2.2026年6月底前完成执法监督平台建设。【市司法局负责】',
    ].join('\n'),
  )

  it('runs as the current year inside the span, and says so; as its first or last year outside it', async () => {
    const now = await readPlanDocument(text, 'plan.txt', { thisYear: 2026 })
    expect(now.year).toBe(2026)
    expect(doubts(now)).toEqual(['other - 2025—2027年的多年度方案，按 2026 年执行；其他年份请用 --year 导入'])
    expect((await readPlanDocument(text, 'plan.txt', { thisYear: 2024 })).year).toBe(2025)
    expect((await readPlanDocument(text, 'plan.txt', { thisYear: 2030 })).year).toBe(2027)
    const given = await readPlanDocument(text, 'plan.txt', { thisYear: 2026, year: 2027 })
    expect([given.year, doubts(given)]).toEqual([2027, []])
  })

  it('runs the same way from a structured (YAML) plan without a year', async () => {
    const yaml = Buffer.from(
      [
        'title: 台山市行政执法质量三年提升行动方案（2025—2027年）',
        'tasks:',
        '  - ref: "1"',
        '    title: 开展执法案卷评查',
        '    units: 市司法局',
        '    dueText: 12月底前',
      ].join('\n'),
    )
    const plan = await readPlanDocument(yaml, 'plan.yaml', { thisYear: 2026 })
    expect([plan.year, doubts(plan)]).toEqual([
      2026,
      ['other - 2025—2027年的多年度方案，按 2026 年执行；其他年份请用 --year 导入'],
    ])
  })

  it('reads 2.2026年… as item 2, not as part of item 1', async () => {
    const plan = await readPlanDocument(text, 'plan.txt', { thisYear: 2026 })
    expect(rows(plan)).toEqual([
      ['一1', '开展执法案卷评查，每年12月底前完成', '市司法局:responsible', 'year: 2026-12-31'],
      ['一2', '2026年6月底前完成执法监督平台建设', '市司法局:responsible', '2026-06-30 explicit'],
    ])
  })
})
