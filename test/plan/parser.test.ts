import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  paragraphs,
  parsePlanStructured,
  parsePlanText,
  type ParsedTask,
} from '../../src/domain/plan-parser.ts'
import { parsePlanFile } from '../../src/domain/plan-import.ts'
import { planKey } from '../../src/domain/plans.ts'
import { UserError } from '../../src/errors.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const taishanFile = path.resolve(repo, 'samples/taishan-2024.txt')
const taishan = readFileSync(taishanFile, 'utf8')
const fixture = (name: string) => readFileSync(path.join(repo, 'test/fixtures/plans', name), 'utf8')

function task(tasks: ParsedTask[], ref: string): ParsedTask {
  const t = tasks.find((x) => x.ref === ref)
  if (!t) throw new Error(`no task ${ref} in ${tasks.map((x) => x.ref).join(' ')}`)
  return t
}

describe('the Taishan 2024 plan document', () => {
  const plan = parsePlanText(taishan)

  it('reads the title, its year and the training rule', () => {
    expect(plan.title).toBe('台山市 2024 年度行政执法监督工作方案')
    expect(plan.year).toBe(2024)
    expect(plan.trainingHoursPerYear).toBe(60)
  })

  it('finds exactly the 16 numbered tasks of 二、工作重点, none from 三、组织保障', () => {
    expect(plan.tasks.map((t) => t.ref)).toEqual([
      '二（一）1',
      '二（一）2',
      '二（一）3',
      '二（一）4',
      '二（二）1',
      '二（二）2',
      '二（二）3',
      '二（三）1',
      '二（三）2',
      '二（四）1',
      '二（四）2',
      '二（四）3',
      '二（五）1',
      '二（五）2',
      '二（五）3',
      '二（五）4',
    ])
  })

  it('takes the lead sentence as the title, without ** and 。', () => {
    expect(task(plan.tasks, '二（一）1').title).toBe('加强学习贯彻')
    expect(task(plan.tasks, '二（一）2').title).toBe('健全工作体制机制')
    expect(task(plan.tasks, '二（三）2').title).toBe('认真落实“四级同创”任务')
    expect(task(plan.tasks, '二（四）1').title).toBe(
      '督促落实《国务院关于进一步规范和监督罚款设定与实施的指导意见》',
    )
    expect(task(plan.tasks, '二（五）2').title).toBe('开展涉企乱罚款专项整治')
    for (const t of plan.tasks) expect(t.title).not.toMatch(/\*|。/)
    expect(task(plan.tasks, '二（一）1').body).toMatch(/^各镇（街）、各部门要加强《意见》的学习培训/)
    expect(task(plan.tasks, '二（一）1').body).not.toContain('市司法局、市直')
  })

  it('keeps the subsection heading as the section', () => {
    expect(task(plan.tasks, '二（五）2').section).toBe('开展行政执法领域突出问题专项整治')
    expect(task(plan.tasks, '二（一）1').section).toBe(
      '贯彻落实《中共中央办公厅 国务院办公厅关于加强行政执法协调监督工作体系建设的意见》（以下简称《意见》）',
    )
  })

  it('resolves the five deadlines by the rule, keeping the phrase', () => {
    const due = Object.fromEntries(plan.tasks.filter((t) => t.deadline).map((t) => [t.ref, t.deadline]))
    expect(due).toEqual({
      '二（二）1': { date: '2024-08-20', phrase: '今年8月中旬前', rule: 'mid' },
      '二（五）1': { date: '2024-11-30', phrase: '今年11月底前', rule: 'late' },
      '二（五）2': { date: '2024-10-20', phrase: '今年10月中旬前', rule: 'mid' },
      '二（五）3': { date: '2024-10-20', phrase: '今年10月中旬前', rule: 'mid' },
      '二（五）4': { date: '2024-10-10', phrase: '今年10月10日前', rule: 'day' },
    })
    expect(task(plan.tasks, '二（一）1').deadline).toBeNull()
  })

  it('resolves the deadlines in the year asked for', () => {
    const run2026 = parsePlanText(taishan, { year: 2026 })
    expect(run2026.year).toBe(2026)
    expect(run2026.tasks.flatMap((t) => (t.deadline ? [t.deadline.date] : []))).toEqual([
      '2026-08-20',
      '2026-11-30',
      '2026-10-20',
      '2026-10-20',
      '2026-10-10',
    ])
  })

  it('rejoins a bracket and sentences split by page breaks', () => {
    expect(task(plan.tasks, '二（一）1').unitsText).toBe(
      '市司法局、市直各行政执法部门、各镇（街）按职责分工负责',
    )
    expect(task(plan.tasks, '二（二）1').body).toContain('以及省实施计划、江门市和我市实施方案的各项任务')
    expect(task(plan.tasks, '二（二）3').body).toContain('未实现全过程记录和在线智能化监督的行为')
    expect(task(plan.tasks, '二（五）2').body).toContain(
      '《关于印发开展涉企乱罚款问题专项整治工作的实施方案的通知》',
    )
    // The section after the tasks is rejoined too, though it holds no task.
    expect(paragraphs(taishan)).toContain(
      '（一）加强组织领导。行政执法监督工作是党和国家监督体系的重要组成部分，是规范行政执法行为，推进依法行政、建设法治政府的重要抓手。各镇（街）、市直各行政执法部门要高度重视，周密部署，抓好落实，严格开展行政执法监督检查工作，确保各项重点任务有力有效落实到位。',
    )
  })

  it('reads every bracket style and keeps the bracket text as written', () => {
    expect(task(plan.tasks, '二（五）2').unitsText).toBe(
      '市司法局、市公安局、市住房和城乡建设局、市交通运输局、市应急管理局、市市场监督管理局、市城市管理和综合执法局、市消防救援大队、江门市生态环境局台山分局、市直各行政执法部门、各镇（街）按职责分工负责',
    )
    expect(task(plan.tasks, '二（三）2').unitsText).toBe(
      '市司法局、各镇（街）、涉及行政执法职权下放的市直行政执法部门按职责分工负责',
    )
    // 〔2023〕 in the preamble is a document number, not a bracket of units.
    for (const t of plan.tasks) expect(t.unitsText).not.toContain('2023')
  })

  it('keeps the typos and reports them as warnings instead of failing', () => {
    expect(task(plan.tasks, '二（四）3').title).toBe('依法保护民营企业 and 企业家权益')
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^二（一）1：括号不配对（以“〔”开始，以“]”结束）/),
      expect.stringMatching(/^二（一）4：词语重复“培养、培养”/),
      expect.stringMatching(/^二（四）3：中文正文中夹有英文单词“and”.* \/ 二（四）3: English word "and"/),
    ])
  })

  it('reads the same document with Windows line ends, a BOM and extra blank lines', () => {
    const windows = `\uFEFF${taishan.replace(/\n/g, '\r\n\r\n')}`
    const again = parsePlanText(windows)
    expect(again.tasks).toEqual(plan.tasks)
  })

  it('gives the plan the same key whatever year its title names', () => {
    expect(planKey(plan.title)).toBe('台山市行政执法监督工作方案')
    expect(planKey('台山市2026年度行政执法监督工作方案')).toBe(planKey(plan.title))
  })
})

describe('other documents', () => {
  it('reads markdown with 【】 and ［］ brackets, 1、 and 1． numbering, soft-wrapped lines and an unclosed bracket', () => {
    const plan = parsePlanText(fixture('quirks.md'))
    expect(plan.title).toBe('某市 2025 年度行政执法监督工作要点')
    expect(plan.year).toBe(2025)
    expect(plan.trainingHoursPerYear).toBe(40)
    expect(plan.tasks.map((t) => [t.ref, t.title, t.unitsText, t.deadline?.date ?? null])).toEqual([
      ['一（一）1', '完善制度', '市司法局、各镇（街）按职责分工负责', '2025-06-30'],
      ['一（一）2', '健全机制', '市公安局、市直有关行政执法部门负责', '2025-09-30'],
      ['一（一）3', '加强联动', '市司法局负责', null],
      ['一（二）1', '开展培训', '市司法局、各行政执法单位按职责分工负责', null],
    ])
    expect(plan.tasks[1]?.body).toBe('建立会商机制，于第三季度前完成评估。')
    expect(plan.tasks.map((t) => t.section)).toEqual(['制度建设', '制度建设', '制度建设', '队伍建设'])
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^一（一）3：责任单位括号未闭合/),
      expect.stringMatching(/^一（二）2：未写明责任单位，未作为任务导入/),
    ])
  })

  it('finds no tasks in a document without responsibility brackets, and none in empty or unrelated text', () => {
    expect(parsePlanText(fixture('no-tasks.txt')).tasks).toEqual([])
    expect(parsePlanText('').tasks).toEqual([])
    expect(parsePlanText('hello\nworld').tasks).toEqual([])
  })

  it('leaves deadlines unresolved with a warning when the year is unknown', () => {
    const plan = parsePlanText(
      '某市行政执法监督工作方案\n\n二、工作重点\n\n1. 开展整治。今年10月底前完成。[市司法局负责]',
    )
    expect(plan.year).toBeNull()
    expect(plan.tasks[0]?.deadline).toBeNull()
    expect(plan.warnings[0]).toMatch(/^二1：方案年份不明/)
    expect(
      parsePlanText(
        '某市行政执法监督工作方案\n\n二、工作重点\n\n1. 开展整治。今年10月底前完成。[市司法局负责]',
        { year: 2030 },
      ).tasks[0]?.deadline?.date,
    ).toBe('2030-10-31')
  })

  it('warns about skipped and repeated numbers', () => {
    const plan = parsePlanText(
      '某市2024年度方案\n\n一、重点\n\n1. 甲。[市司法局负责]\n\n3. 乙。[市司法局负责]\n\n3. 丙。[市司法局负责]',
    )
    expect(plan.tasks.map((t) => t.ref)).toEqual(['一1', '一3', '一3'])
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^一3：编号不连续（应为 2）/),
      expect.stringMatching(/^一3：编号不连续（应为 4）/),
      expect.stringMatching(/^编号重复：一3/),
    ])
  })
})

describe('the structured form', () => {
  it('reads test/fixtures/plans/sample.yaml: units as a list or a string, phrases resolved, explicit dates kept', () => {
    const plan = parsePlanStructured(parseYaml(fixture('sample.yaml')))
    expect(plan.title).toBe('台山市 2025 年度行政执法监督工作要点')
    expect(plan.year).toBe(2025)
    expect(plan.trainingHoursPerYear).toBe(60)
    expect(plan.tasks).toEqual([
      {
        ref: '一（一）1',
        section: '制度建设',
        title: '完善制度',
        body: '各单位要完善制度。',
        unitsText: '市司法局、各镇（街）',
        deadline: { date: '2025-08-20', phrase: '今年8月中旬前', rule: 'mid' },
      },
      {
        ref: '一（一）2',
        section: '制度建设',
        title: '开展电子技术监控设备专项整治',
        body: '',
        unitsText: '市司法局、市公安局、市交通运输局',
        deadline: { date: '2025-10-15', phrase: '10月中旬前', rule: 'mid' },
      },
      {
        ref: '一（二）1',
        section: '队伍建设',
        title: '清理执法证件',
        body: '',
        unitsText: '市委编办',
        deadline: { date: '2025-12-01', phrase: '12月1日前', rule: 'day' },
      },
      {
        ref: '一（二）2',
        section: '',
        title: '加强学习',
        body: '',
        unitsText: '市直各行政执法部门',
        deadline: null,
      },
    ])
  })

  it('runs as another year: phrases resolve in it and explicit dates move to it', () => {
    const plan = parsePlanStructured(parseYaml(fixture('sample.yaml')), { year: 2027 })
    expect(plan.tasks.map((t) => t.deadline?.date ?? null)).toEqual([
      '2027-08-20',
      '2027-10-15',
      '2027-12-01',
      null,
    ])
  })

  it('names the file and line of a bad field, through parsePlanFile', () => {
    const bad = fixture('sample.yaml').replace('title: 清理执法证件', 'title: ""')
    expect(() => parsePlanFile(bad, 'sample.yaml')).toThrow(UserError)
    expect(() => parsePlanFile(bad, 'sample.yaml')).toThrow(/sample\.yaml:2\d.*tasks\.2\.title/)
    expect(() => parsePlanFile('title: [', 'plan.yaml')).toThrow(/plan\.yaml:\d/)
    expect(() => parsePlanFile('{"title": "x", "tasks": [}', 'plan.json')).toThrow(/plan\.json:1.*JSON/)
    expect(() =>
      parsePlanFile('title: x\ntasks:\n  - ref: 1\n    title: t\n    dueText: 某天\n', 'plan.yaml'),
    ).toThrow(/plan\.yaml:5.*dueText/)
    expect(() => parsePlanFile('x', 'plan.docx')).toThrow(/\.txt .md .yaml .yml .json/)
  })

  it('reads JSON the same way', () => {
    const json = JSON.stringify({
      title: '某市 2024 年度方案',
      tasks: [{ ref: '1', title: '甲', units: ['市司法局'], dueText: '年底前' }],
    })
    const plan = parsePlanFile(json, 'plan.json')
    expect(plan.year).toBe(2024)
    expect(plan.tasks[0]?.deadline).toEqual({ date: '2024-12-31', phrase: '年底前', rule: 'year' })
  })
})

describe('the bundled plan document', () => {
  const shared = path.resolve(repo, '../shared/plans/taishan-2024.txt')
  it.runIf(existsSync(shared))(
    'is the bureau’s document byte for byte (../shared/plans/taishan-2024.txt)',
    () => {
      expect(readFileSync(taishanFile)).toEqual(readFileSync(shared))
    },
  )
})
