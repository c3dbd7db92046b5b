/** A "billion laughs" YAML file is refused with a user error naming the file, not a stack trace. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseUnitsFile } from '../../src/domain/units.ts'
import { readPlanFile } from '../../src/documents/plan/index.ts'
import { UserError } from '../../src/errors.ts'

const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
]

describe('YAML alias bombs', () => {
  it('units import: a user error', () => {
    const text = [...bomb, 'units:', '  - { name: 台城街道, kind: subdistrict, tags: *f }'].join('\n')
    let caught: unknown
    try {
      parseUnitsFile(text, 'bomb.yaml')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(UserError)
    expect((caught as Error).message).toContain('bomb.yaml')
    expect((caught as Error).message).toContain('别名')
  })

  it('plan import: a user error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'duban-bomb-'))
    const file = path.join(dir, 'plan.yaml')
    writeFileSync(file, [...bomb, 'title: 方案', 'year: 2026', 'tasks: *f'].join('\n'))
    const err = await readPlanFile(file).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(UserError)
    expect((err as Error).message).toContain('too many aliases')
  })
})
