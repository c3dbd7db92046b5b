import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeDb } from '../helpers/db.ts'
import { cliRunner } from '../helpers/cli.ts'
import { openDatabase, type Database } from '../../src/db/client.ts'

/**
 * The `duban` command line against a real database: the postgres driver's test database, or on
 * the PGlite driver an embedded database in a temporary DATA_DIR hosted by this test process, which
 * the CLI reaches as a client, as it does beside a running `duban start`.
 */
describeDb('duban people, invite, chats, officers, status', (t) => {
  let dir: string
  const env = () => ({
    DATA_DIR: path.join(dir, 'data'),
    TIMEZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'silent',
    ...(t.driver === 'postgres' ? { DATABASE_URL: t.url } : {}),
  })
  const duban = cliRunner(env)
  function file(name: string, content: string | Buffer): string {
    const p = path.join(dir, name)
    writeFileSync(p, content)
    return p
  }
  async function peopleJson(): Promise<
    { name: string; role: string; unit: string | null; email: string | null }[]
  > {
    const r = await duban('people', 'list', '--json')
    expect(r.code).toBe(0)
    return JSON.parse(r.out) as { name: string; role: string; unit: string | null; email: string | null }[]
  }

  let host: Database | undefined
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'duban-cli-'))
    if (t.driver === 'pglite') {
      host = await openDatabase({ dataDir: path.join(dir, 'data'), embedded: 'host' })
      await host.migrate()
    }
    const roster = file(
      'units.yaml',
      [
        'units:',
        '  - { name: 台城街道, shortName: 台城, kind: subdistrict, tags: [镇街] }',
        '  - { name: 大江镇, shortName: 大江, kind: town, tags: [镇街] }',
        '  - { name: 市司法局, shortName: 司法局, kind: department, tags: [] }',
      ].join('\n'),
    )
    const r = await duban('units', 'import', roster)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
  })
  afterAll(async () => {
    await host?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('adds a person and lists them as JSON', async () => {
    const r = await duban(
      'people',
      'add',
      '--name',
      '李明',
      '--role',
      'liaison',
      '--unit',
      'tc',
      '--email',
      'lianluoyuan.taicheng@example.gov.cn',
    )
    expect(r).toMatchObject({ code: 0, err: '' })
    expect(r.out).toMatch(/^已添加：#\d+ 李明（联络员，台城街道） \/ Added: #\d+ 李明 \(liaison, 台城街道\)/)
    expect(await peopleJson()).toMatchObject([
      {
        name: '李明',
        role: 'liaison',
        unit: '台城街道',
        email: 'lianluoyuan.taicheng@example.gov.cn',
        telegramBound: false,
      },
    ])
  })

  it('refuses bad input with exit code 1, one line on stderr, and the database unchanged', async () => {
    const before = await peopleJson()
    const cases: [string[], RegExp][] = [
      [
        ['people', 'add', '--name', '王芳', '--role', 'liaison', '--unit', '台成'],
        /^duban: 未找到单位“台成”，可能是：台城街道。 \/ No unit "台成". Did you mean: 台城街道\?\n$/,
      ],
      [
        ['people', 'add', '--name', '王芳', '--role', 'liaison', '--unit', '大江', '--email', 'wang@'],
        /^duban: 邮箱“wang@”格式不正确/,
      ],
      [['people', 'add', '--name', '王芳', '--role', 'chief', '--unit', '大江'], /^duban: 角色“chief”无效/],
      [['people', 'add', '--name', '王芳', '--role', 'liaison'], /^duban: 联络员必须指定所属单位/],
      [
        [
          'people',
          'import',
          file('bad.csv', 'name,role,unit,email\n王芳,liaison,大江镇,\n赵六,liaison,火星镇,\n'),
        ],
        /^duban: 第 3 行：未找到单位“火星镇”.*未做任何更改/,
      ],
      [
        ['people', 'import', file('header.csv', 'name;role;unit\n王芳;liaison;大江镇\n')],
        /^duban: CSV 表头应为 name,role,unit,email/,
      ],
      [
        ['people', 'import', file('binary.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]))],
        /^duban: 文件 .*binary\.csv 不是 UTF-8 编码的 CSV 文本/,
      ],
      [['people', 'import', path.join(dir, 'missing.csv')], /^duban: 找不到文件 .*missing\.csv/],
      [['invite', '赵六'], /^duban: 未找到人员“赵六”/],
      [['chats', 'bind', 'abc', '台城'], /^duban: Telegram 群组编号“abc”无效/],
      [['chats', 'bind', '-1001', '火星'], /^duban: 未找到单位“火星”/],
      [['status', '火星镇'], /^duban: 未找到单位“火星镇”/],
      [
        ['officers', 'import', file('officers-bad.csv', 'unit,name,hours\n台城街道,黄国荣,lots\n')],
        /^duban: 第 2 行：学时“lots”无效/,
      ],
    ]
    for (const [argv, stderr] of cases) {
      const r = await duban(...argv)
      expect({ argv, code: r.code, out: r.out }).toEqual({ argv, code: 1, out: '' })
      expect(r.err).toMatch(stderr)
      expect(r.err.trimEnd().split('\n')).toHaveLength(1)
    }
    expect(await peopleJson()).toEqual(before)
    expect(JSON.parse((await duban('chats', 'list', '--json')).out)).toEqual([])
    expect(JSON.parse((await duban('status', '台城', '--json')).out).training).toEqual({
      officers: 0,
      averageHours: 0,
      belowPace: 0,
    })
  })

  it('exits 2 on a usage error', async () => {
    const r = await duban('people', 'add', '--name', '王芳')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--role/)
  })

  it('imports people and officers from the CSV files', async () => {
    const people = file(
      'people.csv',
      'name,role,unit,email\n黄志强,liaison,大江镇,lianluoyuan.dajiang@example.gov.cn\n陈建国,supervisor,市司法局,chen.jianguo@example.gov.cn\n',
    )
    expect(await duban('people', 'import', people)).toMatchObject({
      code: 0,
      out: '已导入人员：新增 2 人，更新 0 人。 / People imported: 2 created, 0 updated.\n',
    })
    const officers = file('officers.csv', 'unit,name,hours\n台城街道,黄国荣,24\n台城街道,陈美仪,59.5\n')
    const r = await duban('officers', 'import', officers, '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({ officers: 2, records: 2 })
  })

  it('makes an invite with the link to the bot', async () => {
    const r = await duban('invite', '李明', '--json')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.out)
    expect(json).toMatchObject({ person: '李明' })
    expect(json.code).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(json.link).toBe(`https://t.me/duban_sandbox_bot?start=${json.code}`)
    expect(new Date(json.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000)
    const text = await duban('invite', 'lianluoyuan.taicheng@example.gov.cn')
    expect(text.out).toMatch(/邀请码：[A-Za-z0-9_-]{16}\n链接：https:\/\/t\.me\/duban_sandbox_bot\?start=/)
  })

  it('binds chats and lists them', async () => {
    expect((await duban('chats', 'bind', '-1001234567890', '台城')).out).toBe(
      '已绑定群组 -1001234567890 → 台城街道 / Chat -1001234567890 bound → 台城街道\n',
    )
    expect((await duban('chats', 'bind', '-100999', 'supervisors')).code).toBe(0)
    const list = JSON.parse((await duban('chats', 'list', '--json')).out)
    expect(list).toEqual([
      {
        telegramChatId: -1001234567890,
        purpose: 'unit',
        unit: '台城街道',
        title: null,
        reachable: true,
        unreachableReason: null,
      },
      {
        telegramChatId: -100999,
        purpose: 'supervisors',
        unit: null,
        title: null,
        reachable: true,
        unreachableReason: null,
      },
    ])
  })

  it('prints the status card and its JSON', async () => {
    const json = JSON.parse((await duban('status', 'taicheng', '--json')).out)
    expect(json).toEqual({
      unit: '台城街道',
      liaisons: [{ name: '李明', reachable: true, telegramBound: false }],
      tasks: [],
      counts: { not_started: 0, in_progress: 0, done: 0, blocked: 0, no_reply: 0, overdue: 0 },
      training: { officers: 2, averageHours: 41.8, belowPace: expect.any(Number) },
      // The 督办 loop's fields: no task, so no colours and nothing left unsigned.
      colors: null,
      unacknowledged: 0,
    })
    const card = await duban('status', '台城')
    expect(card.code).toBe(0)
    expect(card.out.split('\n')[0]).toBe('台城街道 · 联络员 李明（未绑定，仅邮件）')
    expect(card.out).toMatch(/执法人员培训：2 人，平均 41.8 学时，低于进度 \d 人/)
    const overview = await duban('status', '--json')
    expect(JSON.parse(overview.out)).toEqual([])
  })
})
