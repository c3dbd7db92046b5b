/**
 * What the old text parser promised, now through the one reader (readPlanDocument): the Taishan
 * plan's titles, sections, bodies and brackets as written; the same plan under Windows line ends,
 * a BOM, half-width brackets and hard line breaks; the other text shapes; the structured form.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { cleanBlocks, joinParagraphs } from '../../src/documents/plan/clean.ts'
import { textBlocks } from '../../src/documents/plan/text.ts'
import type { PlanDraft, TaskDraft } from '../../src/domain/plan-draft.ts'
import { planKey } from '../../src/domain/plans.ts'
import { UserError } from '../../src/errors.ts'
import { doubts, rows } from '../documents/plan-helpers.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const taishanFile = path.resolve(repo, 'samples/taishan-2024.txt')
const taishan = readFileSync(taishanFile, 'utf8')
const fixture = (name: string) => readFileSync(path.join(repo, 'test/fixtures/plans', name))
const read = (text: string, opts: { year?: number } = {}, name = 'plan.txt') =>
  readPlanDocument(Buffer.from(text), name, opts)

function task(plan: PlanDraft, ref: string): TaskDraft {
  const t = plan.tasks.find((x) => x.ref === ref)
  if (!t) throw new Error(`no task ${ref} in ${plan.tasks.map((x) => x.ref).join(' ')}`)
  return t
}

/** What a clerk compares between two readings of one plan: every task, unit, role and date. */
const reading = (plan: PlanDraft) => ({
  title: plan.title,
  year: plan.year,
  tasks: plan.tasks.map((t) => ({
    ref: t.ref,
    section: t.section,
    title: t.title,
    body: t.body,
    unitsText: t.unitsText,
    units: t.responsibility,
    deadline: t.deadline,
  })),
  doubts: doubts(plan),
})

const REFS = [
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
]

describe('the Taishan 2024 plan document', async () => {
  const plan = await read(taishan, {}, 'taishan-2024.txt')

  it('finds exactly the 16 numbered tasks of 二、工作重点, none from 三、组织保障', () => {
    expect(plan.tasks.map((t) => t.ref)).toEqual(REFS)
  })

  it('takes the lead sentence as the title, without ** and 。', () => {
    expect(task(plan, '二（一）1').title).toBe('加强学习贯彻')
    expect(task(plan, '二（一）2').title).toBe('健全工作体制机制')
    expect(task(plan, '二（三）2').title).toBe('认真落实“四级同创”任务')
    expect(task(plan, '二（四）1').title).toBe(
      '督促落实《国务院关于进一步规范和监督罚款设定与实施的指导意见》',
    )
    expect(task(plan, '二（五）2').title).toBe('开展涉企乱罚款专项整治')
    for (const t of plan.tasks) expect(t.title).not.toMatch(/\*|。/)
    expect(task(plan, '二（一）1').body).toMatch(/^各镇（街）、各部门要加强《意见》的学习培训/)
    expect(task(plan, '二（一）1').body).not.toContain('市司法局、市直')
  })

  it('keeps the subsection heading as the section', () => {
    expect(task(plan, '二（五）2').section).toBe('开展行政执法领域突出问题专项整治')
    expect(task(plan, '二（一）1').section).toBe(
      '贯彻落实《中共中央办公厅 国务院办公厅关于加强行政执法协调监督工作体系建设的意见》（以下简称《意见》）',
    )
  })

  it('resolves the five deadlines by the rule, keeping the phrase', () => {
    const due = Object.fromEntries(plan.tasks.filter((t) => t.deadline).map((t) => [t.ref, t.deadline]))
    const date = (text: string, d: string) => ({ kind: 'date', text, date: d, explicitYear: false })
    expect(due).toEqual({
      '二（二）1': date('今年8月中旬前', '2024-08-20'),
      '二（五）1': date('今年11月底前', '2024-11-30'),
      '二（五）2': date('今年10月中旬前', '2024-10-20'),
      '二（五）3': date('今年10月中旬前', '2024-10-20'),
      '二（五）4': date('今年10月10日前', '2024-10-10'),
    })
    expect(task(plan, '二（一）1').deadline).toBeNull()
  })

  it('rejoins a bracket and sentences split by page breaks', () => {
    expect(task(plan, '二（一）1').unitsText).toBe('市司法局、市直各行政执法部门、各镇（街）按职责分工负责')
    expect(task(plan, '二（二）1').body).toContain('以及省实施计划、江门市和我市实施方案的各项任务')
    expect(task(plan, '二（二）3').body).toContain('未实现全过程记录和在线智能化监督的行为')
    expect(task(plan, '二（五）2').body).toContain(
      '《关于印发开展涉企乱罚款问题专项整治工作的实施方案的通知》',
    )
    // The section after the tasks is rejoined too, though it holds no task.
    const paragraphs = joinParagraphs(cleanBlocks(textBlocks(taishan)).blocks).flatMap((f) =>
      f.kind === 'paragraph' ? [f.paragraph.text] : [],
    )
    expect(paragraphs).toContain(
      '（一）加强组织领导。行政执法监督工作是党和国家监督体系的重要组成部分，是规范行政执法行为，推进依法行政、建设法治政府的重要抓手。各镇（街）、市直各行政执法部门要高度重视，周密部署，抓好落实，严格开展行政执法监督检查工作，确保各项重点任务有力有效落实到位。',
    )
  })

  it('reads every bracket style and keeps the bracket text as written', () => {
    expect(task(plan, '二（五）2').unitsText).toBe(
      '市司法局、市公安局、市住房和城乡建设局、市交通运输局、市应急管理局、市市场监督管理局、市城市管理和综合执法局、市消防救援大队、江门市生态环境局台山分局、市直各行政执法部门、各镇（街）按职责分工负责',
    )
    expect(task(plan, '二（三）2').unitsText).toBe(
      '市司法局、各镇（街）、涉及行政执法职权下放的市直行政执法部门按职责分工负责',
    )
    // 〔2023〕 in the preamble is a document number, not a bracket of units.
    for (const t of plan.tasks) expect(t.unitsText).not.toContain('2023')
  })

  it('keeps the typos and names them as doubts instead of failing', () => {
    expect(task(plan, '二（四）3').title).toBe('依法保护民营企业 and 企业家权益')
    expect(doubts(plan)).toEqual([
      'bracket 二（一）1 〔…]',
      'repeated_word 二（一）4 培养、培养',
      'latin_word 二（四）3 and',
    ])
  })

  it('reads the same document with Windows line ends, a BOM and extra blank lines', async () => {
    const windows = await read(`\uFEFF${taishan.replace(/\n/g, '\r\n\r\n')}`, {}, 'taishan-2024.txt')
    expect(reading(windows)).toEqual(reading(plan))
    const oldMac = await read(taishan.replace(/\n/g, '\r'), {}, 'taishan-2024.txt')
    expect(reading(oldMac)).toEqual(reading(plan))
  })

  it('reads the same with half-width brackets and punctuation', async () => {
    const half = taishan
      .replace(/（/g, '(')
      .replace(/）/g, ')')
      .replace(/【/g, '[')
      .replace(/】/g, ']')
      .replace(/〔/g, '[')
      .replace(/〕/g, ']')
    expect(half).not.toBe(taishan)
    const again = await read(half, {}, 'taishan-2024.txt')
    // Refs and names come back in the usual spelling: full-width brackets inside them.
    expect(again.tasks.map((t) => t.ref)).toEqual(REFS)
    expect(rows(again).map((r) => r.slice(2))).toEqual(rows(plan).map((r) => r.slice(2)))
    expect(again.tasks.filter((t) => t.deadline).map((t) => t.deadline)).toEqual(
      plan.tasks.filter((t) => t.deadline).map((t) => t.deadline),
    )
  })

  it('reads the same with every line hard-wrapped at 30 characters', async () => {
    const wrapped = taishan
      .split('\n')
      .map((line) => (line.match(/.{1,30}/gu) ?? ['']).join('\n'))
      .join('\n')
    expect(wrapped.split('\n').length).toBeGreaterThan(taishan.split('\n').length + 50)
    const again = await read(wrapped, {}, 'taishan-2024.txt')
    expect(rows(again)).toEqual(rows(plan))
    expect(again.tasks.map((t) => t.body)).toEqual(plan.tasks.map((t) => t.body))
  })

  it('gives the plan the same key whatever year its title names', () => {
    expect(planKey(plan.title)).toBe('台山市行政执法监督工作方案')
    expect(planKey('台山市2026年度行政执法监督工作方案')).toBe(planKey(plan.title))
  })
})

describe('other documents', () => {
  it('reads markdown with 【】 and ［］ brackets, 1、 and 1． numbering, soft-wrapped lines and an unclosed bracket', async () => {
    const plan = await readPlanDocument(fixture('quirks.md'), 'quirks.md')
    expect(plan.title).toBe('某市 2025 年度行政执法监督工作要点')
    expect(plan.year).toBe(2025)
    expect(plan.trainingHoursPerYear).toBe(40)
    expect(
      plan.tasks.map((t) => [
        t.ref,
        t.title,
        t.unitsText,
        t.deadline?.kind === 'date' ? t.deadline.date : null,
      ]),
    ).toEqual([
      ['一（一）1', '完善制度', '市司法局、各镇（街）按职责分工负责', '2025-06-30'],
      ['一（一）2', '健全机制', '市公安局、市直有关行政执法部门负责', '2025-09-30'],
      ['一（一）3', '加强联动', '市司法局负责', null],
      ['一（二）1', '开展培训', '市司法局、各行政执法单位按职责分工负责', null],
    ])
    expect(plan.tasks[1]?.body).toBe('建立会商机制，于第三季度前完成评估。')
    expect(plan.tasks.map((t) => t.section)).toEqual(['制度建设', '制度建设', '制度建设', '队伍建设'])
    expect(doubts(plan)).toEqual([
      'bracket 一（一）3 [市司法局负责',
      'no_units 一（二）2 没有括号的条目。仅作说明。',
    ])
  })

  it('finds no tasks in a document without responsibility brackets, and none in unrelated text', async () => {
    expect((await readPlanDocument(fixture('no-tasks.txt'), 'no-tasks.txt')).tasks).toEqual([])
    expect((await read('hello\nworld')).tasks).toEqual([])
  })

  it('leaves deadlines unresolved with a doubt when the year is unknown, and resolves them in --year', async () => {
    const text = '某市行政执法监督工作方案\n\n二、工作重点\n\n1. 开展整治。今年10月底前完成。[市司法局负责]'
    const plan = await read(text)
    expect(plan.year).toBeNull()
    expect(plan.tasks[0]?.deadline).toBeNull()
    expect(doubts(plan)).toContain('unread_phrase 二1 今年10月底前')
    expect((await read(text, { year: 2030 })).tasks[0]?.deadline).toEqual({
      kind: 'date',
      text: '今年10月底前',
      date: '2030-10-31',
      explicitYear: false,
    })
  })

  it('names skipped and repeated numbers', async () => {
    const plan = await read(
      '某市2024年度方案\n\n一、重点\n\n1. 甲。[市司法局负责]\n\n3. 乙。[市司法局负责]\n\n3. 丙。[市司法局负责]',
    )
    expect(plan.tasks.map((t) => t.ref)).toEqual(['一1', '一3', '一3'])
    expect(doubts(plan)).toEqual([
      'numbering_gap 一3 3. 乙。[市司法局负责]',
      'numbering_gap 一3 3. 丙。[市司法局负责]',
      'duplicate_ref 一3 丙',
    ])
  })
})

describe('the structured form', () => {
  it('reads test/fixtures/plans/sample.yaml: units as a list or a string, phrases resolved, explicit dates kept', async () => {
    const plan = await readPlanDocument(fixture('sample.yaml'), 'sample.yaml')
    expect(plan.title).toBe('台山市 2025 年度行政执法监督工作要点')
    expect(plan.year).toBe(2025)
    expect(plan.trainingHoursPerYear).toBe(60)
    expect(plan.format).toBe('yaml')
    expect(plan.tasks.map((t) => [t.ref, t.section, t.title, t.body, t.unitsText, t.deadline])).toEqual([
      [
        '一（一）1',
        '制度建设',
        '完善制度',
        '各单位要完善制度。',
        '市司法局、各镇（街）',
        { kind: 'date', text: '今年8月中旬前', date: '2025-08-20', explicitYear: false },
      ],
      [
        '一（一）2',
        '制度建设',
        '开展电子技术监控设备专项整治',
        '',
        '市司法局、市公安局、市交通运输局',
        { kind: 'date', text: '10月中旬前', date: '2025-10-15', explicitYear: false },
      ],
      [
        '一（二）1',
        '队伍建设',
        '清理执法证件',
        '',
        '市委编办',
        { kind: 'date', text: '12月1日前', date: '2025-12-01', explicitYear: false },
      ],
      ['一（二）2', '', '加强学习', '', '市直各行政执法部门', null],
    ])
    expect(rows(plan).map((r) => r[2])).toEqual([
      '市司法局:responsible 各镇（街）:responsible',
      '市司法局:responsible 市公安局:responsible 市交通运输局:responsible',
      '市委编办:responsible',
      '市直各行政执法部门:responsible',
    ])
  })

  it('runs as another year: phrases resolve in it and explicit dates move to it', async () => {
    const plan = await readPlanDocument(fixture('sample.yaml'), 'sample.yaml', { year: 2027 })
    expect(plan.tasks.map((t) => (t.deadline?.kind === 'date' ? t.deadline.date : null))).toEqual([
      '2027-08-20',
      '2027-10-15',
      '2027-12-01',
      null,
    ])
  })

  it('names the file and line of a bad field', async () => {
    const bad = fixture('sample.yaml').toString('utf8').replace('title: 清理执法证件', 'title: ""')
    await expect(read(bad, {}, 'sample.yaml')).rejects.toThrow(UserError)
    await expect(read(bad, {}, 'sample.yaml')).rejects.toThrow(/sample\.yaml:2\d.*tasks\.2\.title/)
    await expect(read('title: [', {}, 'plan.yaml')).rejects.toThrow(/plan\.yaml:\d/)
    await expect(read('{"title": "x", "tasks": [}', {}, 'plan.json')).rejects.toThrow(/plan\.json:1.*JSON/)
    await expect(
      read('title: x 2026年\ntasks:\n  - ref: 1\n    title: t\n    dueText: 某天\n', {}, 'plan.yaml'),
    ).rejects.toThrow(/plan\.yaml:5.*dueText/)
  })

  it('reads JSON the same way', async () => {
    const json = JSON.stringify({
      title: '某市 2024 年度方案',
      tasks: [{ ref: '1', title: '甲', units: ['市司法局'], dueText: '年底前' }],
    })
    const plan = await read(json, {}, 'plan.json')
    expect(plan.year).toBe(2024)
    expect(plan.format).toBe('json')
    expect(plan.tasks[0]?.deadline).toEqual({
      kind: 'date',
      text: '年底前',
      date: '2024-12-31',
      explicitYear: false,
    })
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
