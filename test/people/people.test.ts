import { readFileSync } from 'node:fs'
import { beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from '../helpers/db.ts'
import { people, units } from '../../src/db/schema.ts'
import {
  addPerson,
  findPerson,
  findPersonByTelegramId,
  importPeople,
  liaisonsOf,
  listPeople,
  markPersonReachable,
  markPersonUnreachable,
  supervisors,
} from '../../src/domain/people.ts'
import { parseCsv } from '../../src/domain/csv.ts'
import { importUnits, listUnits, parseUnitsFile } from '../../src/domain/units.ts'
import { importOfficers } from '../../src/domain/training.ts'
import { LocalizedUserError, UserError } from '../../src/errors.ts'

const roster = [
  { name: '台城街道', shortName: '台城', kind: 'subdistrict' as const, tags: ['镇街'] },
  { name: '大江镇', shortName: '大江', kind: 'town' as const, tags: ['镇街'] },
  { name: '斗山镇', shortName: '斗山', kind: 'town' as const, tags: ['镇街'] },
  { name: '市司法局', shortName: '司法局', kind: 'department' as const, tags: [] },
]

describe('parseCsv', () => {
  it('reads quotes, escaped quotes, CRLF, a BOM, and skips blank lines', () => {
    const rows = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\nlast,\n')
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['last', ''] },
    ])
  })
  it('numbers a record from its first line when a quoted field spans lines', () => {
    const rows = parseCsv('name,note\n"王芳","第一行\n第二行"\n李雷,x\n')
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4])
    expect(rows[1]!.fields[1]).toBe('第一行\n第二行')
  })
  it('names the line of an unclosed quote', () => {
    expect(() => parseCsv('a,b\nok,1\n"broken,2\n')).toThrow(/第 3 行.*引号未闭合.*line 3: unclosed quote/)
  })
})

describeDb('people', (t) => {
  beforeEach(async () => {
    await t.reset()
    await t.db.insert(units).values(roster)
  })

  it('adds a liaison, resolving the unit by pinyin', async () => {
    const p = await addPerson(t.db, {
      name: ' 李明 ',
      role: 'liaison',
      unit: 'taicheng',
      email: 'lianluoyuan.taicheng@example.gov.cn',
    })
    expect(p).toMatchObject({
      name: '李明',
      role: 'liaison',
      unitName: '台城街道',
      email: 'lianluoyuan.taicheng@example.gov.cn',
      locale: 'zh-CN',
      active: true,
      telegramUserId: null,
    })
    expect(await liaisonsOf(t.db, p.unitId!)).toHaveLength(1)
  })

  it('refuses bad input with a clear message and writes nothing', async () => {
    const cases: [Parameters<typeof addPerson>[1], RegExp][] = [
      [
        { name: '李明', role: 'liaison', unit: '台城', email: 'not-an-email' },
        /邮箱“not-an-email”格式不正确/,
      ],
      [{ name: '李明', role: 'boss', unit: '台城' }, /角色“boss”无效/],
      [{ name: '李明', role: 'liaison' }, /联络员必须指定所属单位/],
      [{ name: '李明', role: 'liaison', unit: '台成' }, /未找到单位“台成”，可能是：台城街道/],
      [{ name: '', role: 'admin' }, /请填写姓名/],
      [{ name: 'a\u0007b', role: 'admin' }, /控制字符/],
      [{ name: '李明', role: 'admin', locale: 'fr' }, /语言“fr”无效/],
    ]
    for (const [input, message] of cases) {
      const err = await addPerson(t.db, input).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UserError)
      expect((err as Error).message).toMatch(message)
    }
    expect(await t.db.select().from(people)).toEqual([])
  })

  it('refuses an ambiguous unit with the candidates', async () => {
    await t.db.insert(units).values({ name: '台城镇', shortName: '台城镇', kind: 'town', tags: [] })
    const err = await addPerson(t.db, { name: '王五', role: 'liaison', unit: '台' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LocalizedUserError)
    expect((err as LocalizedUserError).text('en')).toMatch(/ambiguous/)
  })

  it('refuses the same person twice and an email that belongs to someone else', async () => {
    await addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城', email: 'a@example.gov.cn' })
    await expect(addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城街道' })).rejects.toThrow(
      /已在名单中/,
    )
    await expect(
      addPerson(t.db, { name: '王芳', role: 'liaison', unit: '大江', email: 'A@example.gov.cn' }),
    ).rejects.toThrow(/邮箱 A@example.gov.cn 已登记给 李明/)
    // The same name in another role is another person.
    await addPerson(t.db, { name: '李明', role: 'supervisor', unit: '司法局' })
    expect(await listPeople(t.db)).toHaveLength(2)
  })

  it('finds a person by number, name and email; says so when ambiguous or unknown', async () => {
    const a = await addPerson(t.db, {
      name: '李明',
      role: 'liaison',
      unit: '台城',
      email: 'li@example.gov.cn',
    })
    const b = await addPerson(t.db, { name: '李明', role: 'liaison', unit: '大江' })
    await addPerson(t.db, { name: '王芳', role: 'supervisor' })
    expect((await findPerson(t.db, `#${a.id}`)).id).toBe(a.id)
    expect((await findPerson(t.db, String(b.id))).id).toBe(b.id)
    expect((await findPerson(t.db, 'LI@example.gov.cn')).id).toBe(a.id)
    expect((await findPerson(t.db, '王芳')).role).toBe('supervisor')
    await expect(findPerson(t.db, '李明')).rejects.toThrow(
      new RegExp(`“李明”对应多人：#${a.id} 李明（台城街道，联络员）、#${b.id} 李明（大江镇，联络员）`),
    )
    await expect(findPerson(t.db, '赵六')).rejects.toThrow(/未找到人员“赵六”/)
  })

  it('lists supervisors only (admins are not copied) and liaisons per unit', async () => {
    await addPerson(t.db, { name: '陈建国', role: 'supervisor', unit: '司法局' })
    await addPerson(t.db, { name: '李志远', role: 'admin', unit: '司法局' })
    const liaison = await addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城' })
    expect((await supervisors(t.db)).map((p) => p.name)).toEqual(['陈建国'])
    await t.db.update(people).set({ active: false }).where(eq(people.id, liaison.id))
    expect(await liaisonsOf(t.db, liaison.unitId!)).toEqual([])
  })

  it('finds only active people by Telegram id, and marks them unreachable and back', async () => {
    const p = await addPerson(t.db, { name: '李明', role: 'liaison', unit: '台城' })
    await t.db.update(people).set({ telegramUserId: 777 }).where(eq(people.id, p.id))
    expect((await findPersonByTelegramId(t.db, 777))?.id).toBe(p.id)
    const at = new Date('2026-07-02T01:00:00Z')
    await markPersonUnreachable(t.db, p.id, '403 Forbidden: bot was blocked by the user', at)
    expect(await findPersonByTelegramId(t.db, 777)).toMatchObject({
      unreachableAt: at,
      unreachableReason: '403 Forbidden: bot was blocked by the user',
    })
    await markPersonReachable(t.db, p.id)
    expect((await findPersonByTelegramId(t.db, 777))?.unreachableAt).toBeNull()
    await t.db.update(people).set({ active: false }).where(eq(people.id, p.id))
    expect(await findPersonByTelegramId(t.db, 777)).toBeNull()
  })

  it('imports people from CSV, then updates them in place', async () => {
    const csv = [
      'name,role,unit,email',
      '李明,liaison,台城街道,lianluoyuan.taicheng@example.gov.cn',
      '"黄志强",liaison,dajiang,',
      '陈建国,supervisor,市司法局,chen.jianguo@example.gov.cn',
      '李志远,admin,,',
    ].join('\n')
    expect(await importPeople(t.db, csv)).toMatchObject({ created: 4, updated: 0 })
    expect(await importPeople(t.db, csv)).toMatchObject({ created: 0, updated: 0 })
    const changed = csv.replace('"黄志强",liaison,dajiang,', '黄志强,liaison,大江镇,hzq@example.gov.cn')
    expect(await importPeople(t.db, changed)).toMatchObject({ created: 0, updated: 1 })
    const list = await listPeople(t.db)
    expect(list.map((p) => [p.name, p.role, p.unitName, p.email])).toEqual([
      ['李明', 'liaison', '台城街道', 'lianluoyuan.taicheng@example.gov.cn'],
      ['黄志强', 'liaison', '大江镇', 'hzq@example.gov.cn'],
      ['陈建国', 'supervisor', '市司法局', 'chen.jianguo@example.gov.cn'],
      ['李志远', 'admin', null, null],
    ])
    expect(await listPeople(t.db, { role: 'liaison', unitId: list[0]!.unitId! })).toHaveLength(1)
  })

  it('imports nothing when any line is bad, and names every bad line', async () => {
    const csv = [
      'name,role,unit,email',
      '李明,liaison,台城街道,li@example.gov.cn',
      '王芳,liaison,火星镇,',
      '赵六,chief,大江镇,',
      '钱七,liaison,斗山镇,bad@',
      '李明,liaison,台城,',
    ].join('\n')
    const err = await importPeople(t.db, csv).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserError)
    const message = (err as Error).message
    expect(message).toMatch(/第 3 行：未找到单位“火星镇”/)
    expect(message).toMatch(/第 4 行：角色“chief”无效/)
    expect(message).toMatch(/第 5 行：邮箱“bad@”格式不正确/)
    expect(message).toMatch(/第 6 行：与第 2 行重复/)
    expect(message).toMatch(/未做任何更改/)
    expect(message).toMatch(/line 3: No unit "火星镇"/)
    expect(await t.db.select().from(people)).toEqual([])
  })

  it('refuses a CSV with the wrong header or no rows', async () => {
    await expect(importPeople(t.db, 'name,unit\n李明,台城\n')).rejects.toThrow(
      /CSV 表头应为 name,role,unit,email/,
    )
    await expect(importPeople(t.db, 'name,role,unit,email\n')).rejects.toThrow(/没有数据行/)
    await expect(importPeople(t.db, '')).rejects.toThrow(/CSV 表头/)
  })
})

describeDb('sample roster files', (t) => {
  it('import cleanly onto the Taishan roster: one liaison per unit, two supervisors, one admin, officers', async () => {
    const read = (f: string) => readFileSync(new URL(`../../samples/${f}`, import.meta.url), 'utf8')
    await importUnits(t.db, parseUnitsFile(read('taishan-units.yaml'), 'taishan-units.yaml'))
    const unitCount = (await listUnits(t.db)).length
    expect(await importPeople(t.db, read('taishan-people.csv'))).toMatchObject({
      created: unitCount + 3,
      updated: 0,
    })
    const all = await listPeople(t.db)
    const liaisonUnits = all.filter((p) => p.role === 'liaison').map((p) => p.unitId)
    expect(new Set(liaisonUnits).size).toBe(unitCount)
    expect(all.filter((p) => p.role === 'supervisor').map((p) => p.unitName)).toEqual([
      '市司法局',
      '市司法局',
    ])
    expect(all.filter((p) => p.role === 'admin')).toHaveLength(1)
    expect(all.every((p) => p.email?.endsWith('@example.gov.cn'))).toBe(true)
    const result = await importOfficers(
      t.db,
      read('taishan-officers.csv'),
      new Date('2026-07-02T01:00:00Z'),
      'Asia/Shanghai',
    )
    expect(result.officers).toBeGreaterThanOrEqual(20)
    expect(result.records).toBe(result.officers)
  })
})
