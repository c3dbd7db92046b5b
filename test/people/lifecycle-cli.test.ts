import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { cliRunner } from '../helpers/cli.ts'
import { openDatabase, type Database } from '../../src/db/client.ts'

/**
 * `duban people deactivate|reactivate`, `people import --deactivate-missing|--reactivate`,
 * `chats unbind`, `invite revoke` and `duban audit`, through the command line against a real
 * database (see cli.test.ts for how each driver is reached).
 */
describeDb('duban access lifecycle and audit', (t) => {
  let dir: string
  const env = () => ({
    DATA_DIR: path.join(dir, 'data'),
    TIMEZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'silent',
    ...(t.driver === 'postgres' ? { DATABASE_URL: t.url } : {}),
  })
  const duban = cliRunner(env)
  function file(name: string, content: string): string {
    const p = path.join(dir, name)
    writeFileSync(p, content)
    return p
  }
  async function people(): Promise<{ id: number; name: string; unit: string | null; active: boolean }[]> {
    const r = await duban('people', 'list', '--json')
    expect(r.code).toBe(0)
    return JSON.parse(r.out) as { id: number; name: string; unit: string | null; active: boolean }[]
  }
  const activeNames = async () =>
    (await people())
      .filter((p) => p.active)
      .map((p) => `${p.name}@${p.unit ?? ''}`)
      .sort()

  let host: Database | undefined
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'duban-access-'))
    if (t.driver === 'pglite') {
      host = await openDatabase({ dataDir: path.join(dir, 'data'), embedded: 'host' })
      await host.migrate()
    }
    const roster = file(
      'units.yaml',
      [
        'units:',
        '  - { name: 台城街道, shortName: 台城, kind: subdistrict }',
        '  - { name: 大江镇, shortName: 大江, kind: town }',
      ].join('\n'),
    )
    expect((await duban('units', 'import', roster)).code).toBe(0)
    const csv = file(
      'people.csv',
      [
        'name,role,unit,email',
        '李明,liaison,台城,liming@example.cn',
        '李明,liaison,大江,',
        '王督办,supervisor,,',
      ].join('\n'),
    )
    expect((await duban('people', 'import', csv)).code).toBe(0)
  })
  afterAll(async () => {
    await host?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('deactivate: an ambiguous name lists the candidates and changes nothing; a number is exact', async () => {
    const before = await people()
    const r = await duban('people', 'deactivate', '李明')
    expect(r.code).toBe(1)
    expect(r.err).toContain('“李明”对应多人')
    expect(r.err).toMatch(/#\d+ 李明（台城街道/)
    expect(r.err).toMatch(/#\d+ 李明（大江镇/)
    expect(await people()).toEqual(before)

    const dajiang = before.find((p) => p.unit === '大江镇')!
    const ok = await duban('people', 'deactivate', `#${dajiang.id}`)
    expect(ok.code).toBe(0)
    expect(ok.out).toContain('已停用')
    expect(await activeNames()).toEqual(['李明@台城街道', '王督办@'])
    const again = await duban('people', 'deactivate', `#${dajiang.id}`)
    expect(again.out).toContain('已是停用状态')
  })

  it('import keeps an inactive person inactive and says so; --reactivate brings them back', async () => {
    const csv = file('again.csv', ['name,role,unit,email', '李明,liaison,大江,'].join('\n'))
    const kept = await duban('people', 'import', csv, '--json')
    expect(kept.code).toBe(0)
    expect(JSON.parse(kept.out)).toMatchObject({ keptInactive: ['李明'], reactivated: [] })
    expect(await activeNames()).toEqual(['李明@台城街道', '王督办@'])
    const text = await duban('people', 'import', csv)
    expect(text.out).toContain('以下人员已停用，导入未恢复（如需恢复请加 --reactivate）：李明')

    const back = await duban('people', 'import', csv, '--reactivate', '--json')
    expect(JSON.parse(back.out)).toMatchObject({ reactivated: ['李明'], updated: 1 })
    expect(await activeNames()).toEqual(['李明@台城街道', '李明@大江镇', '王督办@'])
  })

  it('import --deactivate-missing deactivates whom the file does not list', async () => {
    const csv = file(
      'current.csv',
      ['name,role,unit,email', '李明,liaison,台城,liming@example.cn', '张新,liaison,大江,'].join('\n'),
    )
    const r = await duban('people', 'import', csv, '--deactivate-missing', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ created: 1, deactivated: ['李明', '王督办'] })
    expect(await activeNames()).toEqual(['张新@大江镇', '李明@台城街道'])
  })

  it('reactivate, invite revoke, chats unbind', async () => {
    expect((await duban('people', 'reactivate', '王督办')).code).toBe(0)
    expect(await activeNames()).toContain('王督办@')
    expect((await duban('invite', '王督办')).code).toBe(0)
    expect((await duban('invite', '王督办')).code).toBe(0)
    const revoked = await duban('invite', 'revoke', '王督办', '--json')
    expect(revoked.code).toBe(0)
    expect(JSON.parse(revoked.out)).toMatchObject({ person: '王督办', revoked: 2 })
    expect((await duban('invite', 'revoke', '王督办')).out).toContain('没有未用的邀请')

    expect((await duban('chats', 'bind', '-1001234567890', '台城')).code).toBe(0)
    const unbound = await duban('chats', 'unbind', '-1001234567890')
    expect(unbound.code).toBe(0)
    expect(unbound.out).toContain('已解除群 -1001234567890（台城街道）的绑定')
    expect(JSON.parse((await duban('chats', 'list', '--json')).out)).toEqual([])
    const missing = await duban('chats', 'unbind', '-1001234567890')
    expect(missing.code).toBe(1)
    expect(missing.err).toContain('未绑定')
  })

  it('duban audit lists each change with who, from where, before and after', async () => {
    const r = await duban('audit', '--json')
    expect(r.code).toBe(0)
    const entries = JSON.parse(r.out) as {
      source: string
      actor: string
      action: string
      target: string | null
      before: unknown
      after: unknown
    }[]
    expect(entries.map((e) => e.action)).toEqual([
      'units.import',
      'people.import',
      'people.deactivate',
      'people.import',
      'people.import',
      'people.import',
      'people.import',
      'people.reactivate',
      'invites.create',
      'invites.create',
      'invites.revoke',
      'chats.bind',
      'chats.unbind',
    ])
    expect(new Set(entries.map((e) => `${e.source}:${e.actor}`))).toEqual(
      new Set([`cli:${userInfo().username}`]),
    )
    const deactivate = entries.find((e) => e.action === 'people.deactivate')!
    expect(deactivate.before).toMatchObject({ active: true, unit: '大江镇' })
    expect(deactivate.after).toMatchObject({ active: false })
    expect(entries.find((e) => e.action === 'chats.unbind')!.before).toMatchObject({
      telegramChatId: -1001234567890,
      unit: '台城街道',
    })

    const table = await duban('audit')
    expect(table.out).toContain('people.deactivate')
    expect((await duban('audit', '--since', '2999-01-01')).out).toContain('没有符合条件的审计记录')
    const bad = await duban('audit', '--since', 'yesterday')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('无法识别的日期')
  })
})
