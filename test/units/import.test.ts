import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { units } from '../../src/db/schema.ts'
import { findUnit, importUnits, listUnits, parseUnitsFile, type UnitInput } from '../../src/domain/units.ts'
import { UserError } from '../../src/errors.ts'

const rosterFile = path.resolve(import.meta.dirname, '../../samples/taishan-units.yaml')
const sample = () => parseUnitsFile(readFileSync(rosterFile, 'utf8'), rosterFile)

describeDb('importing the roster', (t) => {
  beforeEach(() => t.reset())

  it('creates every unit of the shipped roster, then finds nothing to change on re-import', async () => {
    const input = sample()
    expect(await importUnits(t.db, input)).toEqual({ created: input.length, updated: 0, unchanged: 0 })
    expect(await t.db.$count(units)).toBe(input.length)
    expect(await importUnits(t.db, input)).toEqual({ created: 0, updated: 0, unchanged: input.length })
    expect(await t.db.$count(units)).toBe(input.length)
  })

  it('updates a unit by name and keeps units the file no longer lists', async () => {
    await importUnits(t.db, [
      { name: '大江镇', kind: 'town' },
      { name: '市公安局', kind: 'department', tags: ['执法部门'] },
    ])
    const counts = await importUnits(t.db, [
      {
        name: '市公安局',
        shortName: '公安',
        kind: 'department',
        tags: ['执法部门', '职权下放'],
        aliases: ['台山市公安局'],
      },
    ])
    expect(counts).toEqual({ created: 0, updated: 1, unchanged: 0 })
    const list = await listUnits(t.db)
    expect(list.map((u) => u.name)).toEqual(['大江镇', '市公安局'])
    expect(list[0]?.shortName).toBe('大江')
    expect(list[1]).toMatchObject({
      shortName: '公安',
      tags: ['执法部门', '职权下放'],
      aliases: ['台山市公安局'],
    })
  })

  it('refuses a bad entry or a duplicate name and writes nothing', async () => {
    const bad = [
      { name: '大江镇', kind: 'town' },
      { name: '', kind: 'town' },
    ] as UnitInput[]
    await expect(importUnits(t.db, bad)).rejects.toBeInstanceOf(UserError)
    await expect(
      importUnits(t.db, [
        { name: '大江镇', kind: 'town' },
        { name: '大江镇', kind: 'town' },
      ]),
    ).rejects.toThrow(/重复.*大江镇/)
    expect(await t.db.$count(units)).toBe(0)
  })

  it('lists the subdistrict, then towns, then departments, and looks units up in the stored roster', async () => {
    await importUnits(t.db, sample())
    const list = await listUnits(t.db)
    expect(list[0]?.name).toBe('台城街道')
    expect(list.slice(1, 17).every((u) => u.kind === 'town')).toBe(true)
    expect(list.slice(17).every((u) => u.kind === 'department')).toBe(true)
    const tc = await findUnit(t.db, 'tc')
    expect(tc.kind === 'found' && tc.unit.name).toBe('台城街道')
    expect((await findUnit(t.db, 'sj')).kind).toBe('ambiguous')
  })
})
