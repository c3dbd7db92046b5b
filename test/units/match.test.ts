import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compareUnits,
  expandResponsibleUnits as expandWith,
  formatSuggestions,
  matchUnit,
  parseRosterFile,
  parseUnitsFile,
  type UnitGroup,
  type Unit,
  type UnitMatch,
} from '../../src/domain/units.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const rosterFile = path.join(repo, 'samples/taishan-units.yaml')

/** The shipped roster as lookup sees it (ids in file order). */
function sampleRoster(): Unit[] {
  return parseUnitsFile(readFileSync(rosterFile, 'utf8'), rosterFile)
    .map((u, i) => ({
      id: i + 1,
      name: u.name,
      shortName: u.shortName ?? u.name,
      kind: u.kind,
      tags: u.tags ?? [],
      aliases: u.aliases ?? [],
    }))
    .sort(compareUnits)
}

const roster = sampleRoster()
/** The sample roster's group phrases, as importing the roster stores them. */
const groups: UnitGroup[] = parseRosterFile(readFileSync(rosterFile, 'utf8'), rosterFile).groups.map((g) => ({
  phrase: g.phrase,
  aliases: g.aliases ?? [],
  tags: g.tags ?? [],
  kinds: g.kinds ?? [],
  unitNames: g.units ?? [],
}))
const expandResponsibleUnits = (units: Unit[], bracket: string) => expandWith(units, bracket, groups)
const byName = (name: string) => {
  const u = roster.find((x) => x.name === name)
  if (!u) throw new Error(`no ${name} in the sample roster`)
  return u
}

function found(m: UnitMatch): string {
  if (m.kind !== 'found') throw new Error(`expected one unit, got ${m.kind}: ${JSON.stringify(m)}`)
  return m.unit.name
}
function names(list: Unit[]): string[] {
  return list.map((u) => u.name)
}

const TOWNS = [
  '台城街道',
  '大江镇',
  '水步镇',
  '四九镇',
  '白沙镇',
  '三合镇',
  '冲蒌镇',
  '斗山镇',
  '都斛镇',
  '赤溪镇',
  '端芬镇',
  '广海镇',
  '海宴镇',
  '汶村镇',
  '深井镇',
  '北陡镇',
  '川岛镇',
]

describe('the shipped Taishan roster', () => {
  it('has the 17 towns and subdistrict, and every department the plan names', () => {
    expect(
      roster
        .filter((u) => u.kind !== 'department')
        .map((u) => u.name)
        .sort(),
    ).toEqual([...TOWNS].sort())
    expect(byName('台城街道').kind).toBe('subdistrict')
    expect(roster.filter((u) => u.kind === 'subdistrict')).toHaveLength(1)
    for (const name of [
      '市司法局',
      '市委编办',
      '市公安局',
      '市住房和城乡建设局',
      '市交通运输局',
      '市应急管理局',
      '市市场监督管理局',
      '市城市管理和综合执法局',
      '市消防救援大队',
      '江门市生态环境局台山分局',
      '市政务服务和数据管理局',
    ])
      expect(byName(name).kind).toBe('department')
  })

  it('tags law-enforcement departments, but not the supervisor, the staffing office or the data bureau', () => {
    expect(byName('市公安局').tags).toContain('执法部门')
    expect(byName('市消防救援大队').tags).toContain('执法部门')
    expect(byName('市自然资源局').tags).toContain('执法部门')
    expect(byName('市司法局').tags).not.toContain('执法部门')
    expect(byName('市委编办').tags).not.toContain('执法部门')
    expect(byName('市政务服务和数据管理局').tags).not.toContain('执法部门')
    expect(byName('市城市管理和综合执法局').tags).toContain('职权下放')
    expect(byName('市公安局').tags).not.toContain('职权下放')
  })

  it('lists the subdistrict first, then towns, then departments', () => {
    expect(roster[0]?.name).toBe('台城街道')
    const kinds = roster.map((u) => u.kind)
    expect(kinds.lastIndexOf('town')).toBeLessThan(kinds.indexOf('department'))
  })
})

describe('matchUnit', () => {
  it('finds 台城街道 by full name, short name, pinyin and initials, in any case and spacing', () => {
    for (const q of [
      '台城',
      '台城街道',
      'taicheng',
      'tc',
      'TaiCheng',
      'TAICHENG',
      'tai cheng',
      'tcjd',
      ' 台城 ',
      'ｔａｉｃｈｅｎｇ',
    ])
      expect(found(matchUnit(roster, q)), q).toBe('台城街道')
  })

  it('ignores the 市 prefix and the 镇/街道/局 suffix', () => {
    expect(found(matchUnit(roster, '大江'))).toBe('大江镇')
    expect(found(matchUnit(roster, '大江镇'))).toBe('大江镇')
    expect(found(matchUnit(roster, '公安局'))).toBe('市公安局')
    expect(found(matchUnit(roster, '公安'))).toBe('市公安局')
    expect(found(matchUnit(roster, '台山市公安局'))).toBe('市公安局')
  })

  it('finds units by alias and by a unique prefix or substring', () => {
    expect(found(matchUnit(roster, '住建局'))).toBe('市住房和城乡建设局')
    expect(found(matchUnit(roster, '城管局'))).toBe('市城市管理和综合执法局')
    expect(found(matchUnit(roster, '江门'))).toBe('江门市生态环境局台山分局')
    expect(found(matchUnit(roster, '生态环境'))).toBe('江门市生态环境局台山分局')
    expect(found(matchUnit(roster, 'ssfj'))).toBe('市司法局')
    expect(found(matchUnit(roster, 'sifa'))).toBe('市司法局')
    // 都 is read dū locally: the roster carries that reading as an alias.
    expect(found(matchUnit(roster, 'duhu'))).toBe('都斛镇')
  })

  it('never guesses between units that share initials or a prefix', () => {
    // 四九 sijiu and 深井 shenjing: both sj.
    const sj = matchUnit(roster, 'sj')
    expect(sj.kind).toBe('ambiguous')
    if (sj.kind === 'ambiguous') expect(names(sj.candidates).sort()).toEqual(['四九镇', '深井镇'].sort())
    // 斗山 doushan and 都斛 douhu.
    const dou = matchUnit(roster, 'dou')
    expect(dou.kind).toBe('ambiguous')
    if (dou.kind === 'ambiguous') expect(names(dou.candidates).sort()).toEqual(['斗山镇', '都斛镇'].sort())
    const water = matchUnit(roster, '水')
    expect(water.kind).toBe('ambiguous')
    if (water.kind === 'ambiguous')
      expect(names(water.candidates)).toEqual(expect.arrayContaining(['水步镇', '市水利局']))
  })

  it('answers 局 or 市 alone with at most 8 candidates', () => {
    for (const q of ['局', '市']) {
      const m = matchUnit(roster, q)
      expect(m.kind, q).toBe('ambiguous')
      if (m.kind === 'ambiguous') {
        expect(m.candidates.length).toBeGreaterThan(1)
        expect(m.candidates.length).toBeLessThanOrEqual(8)
      }
    }
  })

  it('suggests the nearest names for a typo, and nothing for gibberish', () => {
    const typo = matchUnit(roster, '台成')
    expect(typo.kind).toBe('unknown')
    if (typo.kind === 'unknown') expect(typo.suggestions[0]?.name).toBe('台城街道')
    const pinyinTypo = matchUnit(roster, 'taichong')
    expect(pinyinTypo.kind).toBe('unknown')
    if (pinyinTypo.kind === 'unknown') {
      expect(pinyinTypo.suggestions[0]?.name).toBe('台城街道')
      expect(pinyinTypo.suggestions.length).toBeLessThanOrEqual(5)
    }
    expect(matchUnit(roster, '火星基地')).toEqual({ kind: 'unknown', suggestions: [] })
    expect(matchUnit(roster, '')).toEqual({ kind: 'unknown', suggestions: [] })
  })

  it('formats suggestions as a short list', () => {
    expect(formatSuggestions([byName('台城街道'), byName('大江镇')])).toBe('台城街道、大江镇')
  })
})

describe('expandResponsibleUnits', () => {
  const enforcement = roster.filter((u) => u.tags.includes('执法部门')).map((u) => u.name)
  const delegated = roster.filter((u) => u.tags.includes('职权下放')).map((u) => u.name)

  it('expands 各镇（街） to all 17 towns and the subdistrict, whatever the bracket width', () => {
    for (const phrase of ['各镇（街）', '各镇(街)', '各镇街'])
      expect(
        expandResponsibleUnits(roster, phrase)
          .units.map((u) => u.name)
          .sort(),
        phrase,
      ).toEqual([...TOWNS].sort())
  })

  it('expands the law-enforcement group phrases through the 执法部门 tag', () => {
    expect(enforcement.length).toBeGreaterThan(15)
    for (const phrase of ['市直各行政执法部门', '市直有关行政执法部门', '各行政执法单位'])
      expect(
        expandResponsibleUnits(roster, phrase)
          .units.map((u) => u.name)
          .sort(),
        phrase,
      ).toEqual([...enforcement].sort())
  })

  it('expands 涉及行政执法职权下放的市直行政执法部门 through the 职权下放 tag', () => {
    const r = expandResponsibleUnits(roster, '涉及行政执法职权下放的市直行政执法部门')
    expect(r.units.map((u) => u.name).sort()).toEqual([...delegated].sort())
    expect(delegated).toEqual(
      expect.arrayContaining(['市住房和城乡建设局', '市城市管理和综合执法局', '市自然资源局']),
    )
  })

  it('adds explicitly named units, drops the 按职责分工负责 tail, and counts each unit once', () => {
    const r = expandResponsibleUnits(
      roster,
      '市委编办、市司法局、市直各行政执法部门、各镇（街）按职责分工负责',
    )
    expect(r.unknown).toEqual([])
    expect(r.units.map((u) => u.name).sort()).toEqual(
      ['市委编办', '市司法局', ...enforcement, ...TOWNS].sort(),
    )
    expect(new Set(r.units).size).toBe(r.units.length)
  })

  it('reports names that are not in the roster, and does not match them fuzzily', () => {
    const r = expandResponsibleUnits(roster, '[市司法局、市外星事务局、公安按职责分工负责]')
    expect(r.units.map((u) => u.name)).toEqual(['市司法局'])
    expect(r.unknown).toEqual(['市外星事务局', '公安'])
  })

  it('accepts aliases and the 台山市 prefix as exact names', () => {
    const r = expandResponsibleUnits(roster, '台山市公安局、市住建局牵头，市城管局配合')
    expect(r.unknown).toEqual([])
    expect(r.units.map((u) => u.name).sort()).toEqual(
      ['市住房和城乡建设局', '市公安局', '市城市管理和综合执法局'].sort(),
    )
  })
})

describe('parseUnitsFile', () => {
  it('reads the YAML roster with short names, tags and aliases', () => {
    const units = parseUnitsFile(readFileSync(rosterFile, 'utf8'), rosterFile)
    const taicheng = units.find((u) => u.name === '台城街道')
    expect(taicheng).toMatchObject({
      shortName: '台城',
      kind: 'subdistrict',
      aliases: expect.arrayContaining(['台城镇']),
    })
  })

  it('reads CSV with quoted fields and list columns, deriving missing short names', () => {
    const csv = [
      'name,shortName,kind,tags,aliases',
      '台城街道,台城,subdistrict,镇街,台城镇;台城街道办事处',
      '大江镇,,镇,,',
      '"市公安局",,department,"执法部门","台山市公安局, 公安"',
    ].join('\r\n')
    expect(parseUnitsFile(csv, 'roster.csv')).toEqual([
      {
        name: '台城街道',
        shortName: '台城',
        kind: 'subdistrict',
        tags: ['镇街'],
        aliases: ['台城镇', '台城街道办事处'],
      },
      { name: '大江镇', shortName: '大江', kind: 'town', tags: [], aliases: [] },
      {
        name: '市公安局',
        shortName: '公安局',
        kind: 'department',
        tags: ['执法部门'],
        aliases: ['台山市公安局, 公安'],
      },
    ])
  })

  it('names the line of a bad entry', () => {
    const yaml = 'units:\n  - { name: 大江镇, kind: town }\n  - { name: 水步镇, kind: village }\n'
    expect(() => parseUnitsFile(yaml, 'r.yaml')).toThrow(/r\.yaml:3.*kind/)
    expect(() => parseUnitsFile('name,kind\n大江镇,town\n,town\n', 'r.csv')).toThrow(/r\.csv:3.*name/)
    expect(() => parseUnitsFile('units: [ {name: 大江镇\n', 'r.yaml')).toThrow(/r\.yaml:\d/)
    expect(() => parseUnitsFile('shortName,kind\n大江,town\n', 'r.csv')).toThrow(/name/)
    expect(() => parseUnitsFile('a: 1\n', 'r.yaml')).toThrow(/units/)
    expect(() => parseUnitsFile('x', 'r.txt')).toThrow(/\.yaml/)
  })
})
