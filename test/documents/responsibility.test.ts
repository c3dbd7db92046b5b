import { describe, expect, it } from 'vitest'
import { looksLikeResponsibility, parseResponsibility } from '../../src/documents/plan/responsibility.ts'

const read = (text: string, role?: 'lead' | 'responsible' | 'support') =>
  parseResponsibility(text, role).entries.map((e) => `${e.phrase}:${e.role}`)

describe('parseResponsibility', () => {
  it('reads the Taishan brackets: every name responsible, 各镇（街） one name', () => {
    expect(read('[市司法局、市直各行政执法部门、各镇（街）按职责分工负责]')).toEqual([
      '市司法局:responsible',
      '市直各行政执法部门:responsible',
      '各镇（街）:responsible',
    ])
  })

  it('reads several roles, with nested brackets kept inside names', () => {
    expect(read('【市司法局、市直各行政执法部门按职责分工负责，各县（市、区）政府落实】')).toEqual([
      '市司法局:responsible',
      '市直各行政执法部门:responsible',
      '各县（市、区）政府:responsible',
    ])
    expect(read('（市司法局牵头，各镇（街）配合）')).toEqual(['市司法局:lead', '各镇（街）:support'])
    expect(read('市委政法委牵头，市公安局、市司法局、各县（市、区）政府参与')).toEqual([
      '市委政法委:lead',
      '市公安局:support',
      '市司法局:support',
      '各县（市、区）政府:support',
    ])
    expect(read('市司法局牵头、市公安局协助')).toEqual(['市司法局:lead', '市公安局:support'])
  })

  it('reads 会同, 统筹, 具体实施, and a name before 等部门 as the name', () => {
    expect(read('市司法局会同市公安局、市财政局')).toEqual([
      '市司法局:lead',
      '市公安局:responsible',
      '市财政局:responsible',
    ])
    expect(read('由市司法局统筹，各镇（街）具体落实')).toEqual(['市司法局:lead', '各镇（街）:responsible'])
    expect(read('市司法局牵头，市直各执法部门具体实施')).toEqual([
      '市司法局:lead',
      '市直各执法部门:responsible',
    ])
    expect(read('市司法局牵头，市公安局、市市场监管局等部门按职责分工负责')).toEqual([
      '市司法局:lead',
      '市公安局:responsible',
      '市市场监管局:responsible',
    ])
    expect(read('市司法局、市公安局等相关部门')).toEqual(['市司法局:responsible', '市公安局:responsible'])
    // 和 inside a name, and a group phrase, stay whole.
    expect(read('市住房和城乡建设局、各有关单位')).toEqual([
      '市住房和城乡建设局:responsible',
      '各有关单位:responsible',
    ])
  })

  it('reads labelled clauses', () => {
    expect(read('（牵头单位：市司法局；配合单位：市公安局、市交通运输局）')).toEqual([
      '市司法局:lead',
      '市公安局:support',
      '市交通运输局:support',
    ])
    expect(read('责任单位：市委编办、市司法局')).toEqual(['市委编办:responsible', '市司法局:responsible'])
    expect(read('牵头单位:市司法局 配合单位:市财政局')).toEqual(['市司法局:lead', '市财政局:support'])
  })

  it('splits at 和/及/与 only after a complete name', () => {
    expect(read('市住房和城乡建设局、市城市管理和综合执法局负责')).toEqual([
      '市住房和城乡建设局:responsible',
      '市城市管理和综合执法局:responsible',
    ])
    expect(read('市司法局和市公安局及各镇（街）与市政务服务和数据管理局')).toEqual([
      '市司法局:responsible',
      '市公安局:responsible',
      '各镇（街）:responsible',
      '市政务服务和数据管理局:responsible',
    ])
    expect(read('市人力资源和社会保障局以及各县（市、区）人民政府落实')).toEqual([
      '市人力资源和社会保障局:responsible',
      '各县（市、区）人民政府:responsible',
    ])
  })

  it('reads a role in brackets after a name and role words anywhere in a clause', () => {
    expect(read('市司法局（牵头）、市公安局（配合单位）、市财政局')).toEqual([
      '市司法局:lead',
      '市公安局:support',
      '市财政局:responsible',
    ])
    expect(read('由市司法局牵头负责，市直有关单位参照执行')).toEqual([
      '市司法局:lead',
      '市直有关单位:responsible',
    ])
    expect(read('各有关单位按职责分工落实，市政府各部门协同')).toEqual([
      '各有关单位:responsible',
      '市政府各部门:support',
    ])
  })

  it('uses the default role (a table column) where no word says otherwise', () => {
    expect(read('市公安局、市交通运输局', 'support')).toEqual(['市公安局:support', '市交通运输局:support'])
    expect(read('市公安局\n市交通运输局', 'lead')).toEqual(['市公安局:lead', '市交通运输局:lead'])
    expect(read('市公安局（牵头）、市交通运输局', 'support')).toEqual([
      '市公安局:lead',
      '市交通运输局:support',
    ])
  })

  it('names what it could not read', () => {
    expect(parseResponsibility('市司法局负责。全面推进各项工作：确保落实').problems).not.toEqual([])
    expect(parseResponsibility('').entries).toEqual([])
  })

  it('is linear on a long clause', () => {
    const long = Array.from({ length: 20_000 }, (_, i) => `第${i}局`).join('、')
    expect(parseResponsibility(`${long}负责`).entries).toHaveLength(20_000)
  })
})

describe('looksLikeResponsibility: which round brackets are responsibility notes', () => {
  it.each([
    '市司法局牵头，各镇（街）配合',
    '牵头单位：市司法局；配合单位：市公安局',
    '市司法局负责',
    '市司法局',
    '市司法局、各县（市、区）政府',
    '各镇（街）按职责分工负责',
    '市直各行政执法部门',
  ])('%s is one', (text) => {
    expect(looksLikeResponsibility(text)).toBe(true)
  })
  it.each([
    '以下简称《意见》',
    '市、区',
    '街',
    '党组',
    '试行',
    '第一批',
    '2023—2025 年',
    '国办发〔2023〕27 号',
    '含乡镇（街道）',
    '见附件1',
    '逐利执法、执法不规范等问题',
    '重点整治违法设定罚款、违法实施罚款等问题',
  ])('%s is not', (text) => {
    expect(looksLikeResponsibility(text)).toBe(false)
  })
})
