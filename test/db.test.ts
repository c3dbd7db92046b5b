import { expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { describeDb } from './helpers/db.ts'
import { units } from '../src/db/schema.ts'

describeDb('database schema', (t) => {
  it('stores and reads a unit with its tags', async () => {
    await t.db
      .insert(units)
      .values({ name: '台城街道', shortName: '台城', kind: 'subdistrict', tags: ['镇街'] })
    const [row] = await t.db.select().from(units).where(eq(units.name, '台城街道'))
    expect(row?.tags).toEqual(['镇街'])
  })
  it('refuses a second unit with the same name', async () => {
    await expect(
      t.db.insert(units).values({ name: '台城街道', shortName: '台城', kind: 'subdistrict' }),
    ).rejects.toThrow()
  })
})
