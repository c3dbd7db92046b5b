import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx'
import { describe, expect, it } from 'vitest'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { doubts, rows } from './plan-helpers.ts'

const para = (text: string) => new Paragraph({ children: [new TextRun(text)] })
const cell = (text: string | string[], opts: { rowSpan?: number; columnSpan?: number } = {}) =>
  new TableCell({ children: (Array.isArray(text) ? text : [text]).map(para), ...opts })

/** A plan as bureaus send it in Word: prose with one task, then 附件1, a task table with merged cells. */
async function wordPlan(): Promise<Buffer> {
  const table = new Table({
    rows: [
      new TableRow({
        children: ['序号', '重点工作', '具体措施', '牵头单位', '配合单位', '完成时限'].map((t) => cell(t)),
        tableHeader: true,
      }),
      new TableRow({ children: [cell('一、规范执法行为', { columnSpan: 6 })] }),
      new TableRow({
        children: [
          cell('1'),
          cell('规范执法行为', { rowSpan: 2 }),
          cell('全面推行行政执法三项制度'),
          cell('市司法局', { rowSpan: 3 }),
          cell('市直各行政执法部门'),
          cell('2024年6月底前'),
        ],
      }),
      new TableRow({
        children: [cell('2'), cell('开展行政执法案卷评查'), cell('各县（市、区）政府'), cell('第三季度')],
      }),
      new TableRow({
        children: [
          cell('3'),
          cell('加强执法监督'),
          cell('建立行政执法监督员制度'),
          cell(['市公安局', '市交通运输局']),
          cell('长期坚持'),
        ],
      }),
      new TableRow({
        children: [
          cell('4'),
          cell('推进数字执法'),
          cell('推广“粤执法”平台'),
          cell('市政务服务数据管理局'),
          cell('市司法局、各县（市、区）政府'),
          cell('每季度末'),
        ],
      }),
    ],
  })
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: '江门市2024年行政执法监督工作方案', bold: true })],
          }),
          para('为规范行政执法行为，制定本方案。'),
          para('一、主要任务'),
          para('（一）健全监督制度'),
          para('1．完善行政执法监督制度，6月底前印发。（市司法局牵头，各县（市、区）政府配合）'),
          para('二、工作要求'),
          para('各单位要按照附件要求抓好落实。'),
          para('附件1'),
          para('江门市2024年行政执法监督重点任务分解表'),
          table,
        ],
      },
    ],
  })
  return Packer.toBuffer(doc)
}

describe('a Word plan with a task table in an attachment, merged unit cells', async () => {
  const bytes = await wordPlan()
  const plan = await readPlanDocument(bytes, '方案.docx')

  it('is read as docx by its content, whatever the file is called', async () => {
    expect(plan.format).toBe('docx')
    expect((await readPlanDocument(bytes, 'plan.bin')).format).toBe('docx')
    expect(plan.title).toBe('江门市2024年行政执法监督工作方案')
    expect(plan.year).toBe(2024)
  })

  it('reads the prose task and every table row, the merged 牵头单位 filled down', () => {
    expect(rows(plan)).toEqual([
      [
        '一（一）1',
        '完善行政执法监督制度，6月底前印发',
        '市司法局:lead 各县（市、区）政府:support',
        '2024-06-30',
      ],
      [
        '附件1-1',
        '全面推行行政执法三项制度',
        '市司法局:lead 市直各行政执法部门:support',
        '2024-06-30 explicit',
      ],
      ['附件1-2', '开展行政执法案卷评查', '市司法局:lead 各县（市、区）政府:support', '2024-09-30'],
      ['附件1-3', '加强执法监督', '市司法局:lead 市公安局:support 市交通运输局:support', 'ongoing'],
      [
        '附件1-4',
        '推进数字执法',
        '市政务服务数据管理局:lead 市司法局:support 各县（市、区）政府:support',
        'quarter: 2024-03-31 2024-06-30 2024-09-30 2024-12-31',
      ],
    ])
    expect(plan.tasks[1]?.section).toBe('规范执法行为')
    expect(plan.tasks[3]?.body).toBe('建立行政执法监督员制度')
    expect(plan.tasks[2]?.source).toMatchObject({ sheet: '表1', cell: '第4行' })
    expect(doubts(plan)).toEqual([])
  })
})

describe('an Excel 台账 with other header names, a title row, merged cells and several sheets', async () => {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('重点工作台账')
  sheet.addRow(['开平市2025年法治政府建设重点工作台账'])
  sheet.mergeCells('A1:F1')
  sheet.addRow(['填报单位：开平市司法局'])
  sheet.addRow(['编号', '重点任务', '工作措施', '牵头部门', '协办单位', '时间节点'])
  sheet.addRow([
    1,
    '深化行政执法体制改革',
    '梳理镇街赋权事项清单',
    '市司法局',
    '市委编办',
    new Date(Date.UTC(2025, 5, 30)),
  ])
  sheet.addRow([2, null, '开展赋权事项评估', null, '各镇人民政府、街道办事处', '下半年'])
  sheet.addRow([
    3,
    '规范涉企执法',
    '开展涉企行政检查专项整治（牵头：市司法局）',
    null,
    '市市场监督管理局\n市公安局',
    '3月至6月',
  ])
  sheet.mergeCells('B4:B5')
  sheet.mergeCells('D4:D6')
  sheet.addRow([4, '加强执法队伍建设', '组织执法人员培训', '市司法局', '市直各行政执法部门', '每半年'])
  sheet.addRow([5, '推进执法公示', '公开执法信息', '', '', '尽快'])
  workbook.addWorksheet('填表说明').addRow(['请按季度更新本表。'])
  const second = workbook.addWorksheet('专项整治')
  second.addRow(['序号', '任务内容', '责任单位', '完成时间'])
  second.addRow([
    '1',
    '开展交通运输领域执法突出问题整治',
    '市交通运输局牵头，市公安局配合',
    '2025年10月中旬前',
  ])
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer())
  const plan = await readPlanDocument(bytes, '台账.xlsx', { year: 2026 })

  it('takes the title from the merged title row and reads each sheet with a header', () => {
    expect(plan.format).toBe('xlsx')
    expect(plan.title).toBe('开平市2025年法治政府建设重点工作台账')
    expect(plan.year).toBe(2026)
    expect(rows(plan)).toEqual([
      ['重点工作台账-1', '梳理镇街赋权事项清单', '市司法局:lead 市委编办:support', '2025-06-30 explicit'],
      [
        '重点工作台账-2',
        '开展赋权事项评估',
        '市司法局:lead 各镇人民政府:support 街道办事处:support',
        '2026-12-31',
      ],
      [
        '重点工作台账-3',
        '规范涉企执法',
        '市司法局:lead 市市场监督管理局:support 市公安局:support',
        '2026-06-30',
      ],
      [
        '重点工作台账-4',
        '加强执法队伍建设',
        '市司法局:lead 市直各行政执法部门:support',
        'half: 2026-06-30 2026-12-31',
      ],
      ['重点工作台账-5', '推进执法公示', '', null],
      [
        '专项整治-1',
        '开展交通运输领域执法突出问题整治',
        '市交通运输局:lead 市公安局:support',
        '2025-10-20 explicit',
      ],
    ])
    expect(plan.tasks[0]?.section).toBe('深化行政执法体制改革')
    expect(plan.tasks[0]?.source).toMatchObject({ sheet: '重点工作台账', cell: 'B4' })
  })

  it('quotes the cells it could not read', () => {
    expect(plan.doubts.map((d) => [d.kind, d.taskRef, d.quote, d.source?.cell])).toEqual([
      ['unread_phrase', '重点工作台账-5', '尽快', 'F8'],
      ['no_units', '重点工作台账-5', '推进执法公示', 'B8'],
    ])
  })
})

describe('an Excel 台账 with a two-row header (责任单位 over 牵头单位 / 配合单位), date cells and a signed foot', async () => {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('台账')
  sheet.addRow(['开平市司法局2026年重点工作任务台账'])
  sheet.mergeCells('A1:H1')
  sheet.addRow(['序号', '重点工作', '具体措施', '责任单位', '', '完成时限', '完成情况', '备注'])
  sheet.addRow(['', '', '', '牵头单位', '配合单位', '', '', ''])
  for (const range of ['A2:A3', 'B2:B3', 'C2:C3', 'D2:E2', 'F2:F3', 'G2:G3', 'H2:H3']) sheet.mergeCells(range)
  sheet.addRow([
    1,
    '行政执法监督',
    '开展行政执法案卷评查',
    '市司法局',
    '各镇（街道）',
    new Date(Date.UTC(2026, 5, 30)),
  ])
  sheet.addRow([
    2,
    '',
    '开展执法证件年审',
    '市司法局',
    '市直各行政执法单位',
    new Date(Date.UTC(2026, 11, 31)),
  ])
  sheet.mergeCells('B4:B5')
  sheet.addRow([3, '执法队伍建设', '组织执法人员培训，每人不少于60学时', '市司法局', '', '2026年12月底前'])
  sheet.addRow([4, '', '开展执法人员资格清理', '市司法局', '', '6月30日、12月31日前'])
  sheet.mergeCells('B6:B7')
  sheet.addRow(['注：完成情况每月5日前更新。'])
  sheet.addRow(['填表人：', '', '', '审核人：', '', '联系电话：0750-1234567'])
  const plan = await readPlanDocument(Buffer.from(await workbook.xlsx.writeBuffer()), '台账.xlsx')

  it('reads both unit columns under the merged 责任单位, and leaves the note and the signatures out', () => {
    expect(plan.title).toBe('开平市司法局2026年重点工作任务台账')
    expect(rows(plan)).toEqual([
      ['1', '开展行政执法案卷评查', '市司法局:lead 各镇（街道）:support', '2026-06-30 explicit'],
      ['2', '开展执法证件年审', '市司法局:lead 市直各行政执法单位:support', '2026-12-31 explicit'],
      ['3', '组织执法人员培训，每人不少于60学时', '市司法局:lead', '2026-12-31 explicit'],
      ['4', '开展执法人员资格清理', '市司法局:lead', 'listed: 2026-06-30 2026-12-31'],
    ])
    expect(plan.tasks.map((t) => t.section)).toEqual([
      '行政执法监督',
      '行政执法监督',
      '执法队伍建设',
      '执法队伍建设',
    ])
    expect(doubts(plan)).toEqual([])
  })
})

describe('a Word 工作要点 under a 文件 head whose notice names the plan without 《》, all tasks in one table', async () => {
  const row = (...cells: (string | string[])[]) => new TableRow({ children: cells.map((c) => cell(c)) })
  const section = (text: string) => new TableRow({ children: [cell(text, { columnSpan: 4 })] })
  const doc = new Document({
    sections: [
      {
        children: [
          para('台山市人民政府办公室文件'),
          para('台府办〔2026〕12号'),
          para('台山市人民政府办公室关于印发台山市2026年行政执法工作要点的通知'),
          para('各镇人民政府、台城街道办事处，市直各单位：'),
          para('《台山市2026年行政执法工作要点》已经市人民政府同意，现印发给你们，请认真组织实施。'),
          para('台山市人民政府办公室'),
          para('2026年3月5日'),
          para('台山市2026年行政执法工作要点'),
          para('为持续提升行政执法水平，现将2026年行政执法重点工作安排如下。'),
          new Table({
            rows: [
              row('序号', '工作任务', '责任单位', '完成时限'),
              section('一、规范执法行为'),
              row(
                '1',
                '全面推行行政裁量权基准制度',
                ['牵头：市司法局', '配合：市直各行政执法部门'],
                '2026年9月底前',
              ),
              row('2', '开展涉企行政检查专项整治', ['市司法局', '市市场监督管理局'], '2026年10月中旬前'),
              section('二、强化执法监督'),
              row('3', '开展行政执法案卷评查', '市司法局牵头，各镇（街）配合', '每季度末'),
            ],
          }),
          para('各单位要明确专人负责，于每季度末将工作进展报送市司法局。'),
        ],
      },
    ],
  })
  const plan = await readPlanDocument(await Packer.toBuffer(doc), '要点.docx')

  it('takes the plan’s own title, not the notice’s, and reads each row under its section', () => {
    expect(plan.title).toBe('台山市2026年行政执法工作要点')
    expect(rows(plan)).toEqual([
      ['1', '全面推行行政裁量权基准制度', '市司法局:lead 市直各行政执法部门:support', '2026-09-30 explicit'],
      [
        '2',
        '开展涉企行政检查专项整治',
        '市司法局:responsible 市市场监督管理局:responsible',
        '2026-10-20 explicit',
      ],
      [
        '3',
        '开展行政执法案卷评查',
        '市司法局:lead 各镇（街）:support',
        'quarter: 2026-03-31 2026-06-30 2026-09-30 2026-12-31',
      ],
    ])
    expect(plan.tasks.map((t) => t.section)).toEqual(['规范执法行为', '规范执法行为', '强化执法监督'])
    expect(doubts(plan)).toEqual([])
  })
})

describe('a 任务分工表 naming offices (责任科室), leaders and officers beside them', async () => {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Sheet1')
  sheet.addRow(['2026年法治政府建设工作任务分工表'])
  sheet.mergeCells('A1:G1')
  sheet.addRow(['序号', '主要任务', '工作目标', '责任领导', '责任科室', '责任人', '时间安排'])
  sheet.addRow([
    1,
    '推进严格规范公正文明执法',
    '案卷合格率达95%以上',
    '李副局长',
    '法制股',
    '张三',
    '12月底前',
  ])
  sheet.addRow([2, '加强执法人员培训', '每人不少于60学时', '王副局长', '政工股、法制股', '李四', '全年'])
  const plan = await readPlanDocument(Buffer.from(await workbook.xlsx.writeBuffer()), '分工表.xlsx')

  it('takes the 分工表 row as the title and the offices as units; leaders and officers are not units', () => {
    expect([plan.title, plan.year]).toEqual(['2026年法治政府建设工作任务分工表', 2026])
    expect(rows(plan)).toEqual([
      ['1', '推进严格规范公正文明执法', '法制股:responsible', '2026-12-31'],
      ['2', '加强执法人员培训', '政工股:responsible 法制股:responsible', '2026-12-31'],
    ])
  })
})

describe('CSV and tab-separated tables', () => {
  const csv = [
    '序号,工作任务,责任单位,配合单位,完成时限',
    '1,开展执法检查,市司法局,"市公安局、市交通运输局",年底前',
    '2,"规范执法文书，统一文书格式",各县（市、区）政府,,每月10日前',
  ].join('\r\n')

  it('reads a UTF-8 CSV and a GBK CSV saved by Excel the same way', async () => {
    const expected = [
      ['1', '开展执法检查', '市司法局:responsible 市公安局:support 市交通运输局:support', '2025-12-31'],
      [
        '2',
        '规范执法文书，统一文书格式',
        '各县（市、区）政府:responsible',
        `month: ${Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}-10`).join(' ')}`,
      ],
    ]
    const utf8 = await readPlanDocument(Buffer.from(csv), '任务表.csv', { year: 2025 })
    expect(utf8.format).toBe('csv')
    expect(utf8.title).toBe('任务表')
    expect(rows(utf8)).toEqual(expected)
    const gbk = await readPlanDocument(iconv.encode(csv, 'gbk'), '任务表.csv', { year: 2025 })
    expect(rows(gbk)).toEqual(expected)
  })

  it('reads the 任务分解表 columns back from a CSV: title row, 任务编号 over 序号, 角色, 截止日期', async () => {
    const sheet = [
      '2026年行政执法监督工作任务分解表,,,,,,,',
      '序号,任务编号,工作任务,具体措施,责任单位,角色,完成时限,截止日期',
      '1,一（一）1,建立执法监督台账,实行清单化管理,市司法局,牵头,10月中旬前,2026-10-20',
      '2,一（一）1,建立执法监督台账,实行清单化管理,"蓬江区、江海区",配合,10月中旬前,2026-10-20',
      '3,一（一）2,开展案卷评查,,市公安局,负责,每季度末,"2026-03-31、2026-06-30、2026-09-30、2026-12-31"',
      // The clerk moved a date by hand: the date wins, the phrase stays as written.
      '4,一（一）3,清理执法证件,,市司法局,负责,年底前,2026-11-30',
      '5,一（二）1,推行监督员制度,,市司法局,负责,长期坚持,',
      '6,一（二）2,加强执法培训,,市司法局,负责,,',
    ].join('\n')
    const plan = await readPlanDocument(Buffer.from(sheet), '任务分解表.csv')
    expect(plan.title).toBe('2026年行政执法监督工作任务分解表')
    expect(plan.year).toBe(2026)
    expect(rows(plan)).toEqual([
      ['一（一）1', '建立执法监督台账', '市司法局:lead 蓬江区:support 江海区:support', '2026-10-20'],
      [
        '一（一）2',
        '开展案卷评查',
        '市公安局:responsible',
        'quarter: 2026-03-31 2026-06-30 2026-09-30 2026-12-31',
      ],
      ['一（一）3', '清理执法证件', '市司法局:responsible', '2026-11-30'],
      ['一（二）1', '推行监督员制度', '市司法局:responsible', 'ongoing'],
      ['一（二）2', '加强执法培训', '市司法局:responsible', null],
    ])
    expect(plan.tasks[0]?.body).toBe('实行清单化管理')
    expect(plan.tasks[2]?.deadline).toMatchObject({ text: '年底前', date: '2026-11-30' })
    expect(doubts(plan)).toEqual([])
  })

  it('reads a table pasted into a text plan as an attachment after the prose', async () => {
    const text = [
      '恩平市2025年行政执法监督工作方案',
      '一、重点工作',
      '1. 加强执法监督。年内完成。【市司法局负责】',
      '附件：',
      '重点任务清单',
      '序号\t任务名称\t牵头单位\t配合单位\t完成时限',
      '1\t开展执法评议\t市司法局\t各镇（街）\t11月底前',
      '2\t开展执法培训\t市司法局\t\t长期',
    ].join('\n')
    const plan = await readPlanDocument(Buffer.from(text), 'enping.txt')
    expect(rows(plan)).toEqual([
      ['一1', '加强执法监督', '市司法局:responsible', '2025-12-31'],
      ['附件-1', '开展执法评议', '市司法局:lead 各镇（街）:support', '2025-11-30'],
      ['附件-2', '开展执法培训', '市司法局:lead', 'ongoing'],
    ])
  })
})
