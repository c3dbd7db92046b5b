/**
 * The newcomer's path, as processes: `duban start` with no configuration runs the sandbox,
 * `duban sandbox say` talks to it, a second start on the same DATA_DIR refuses, and SIGTERM
 * stops it cleanly.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = path.resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

describe('sandbox mode end to end', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-sandbox-'))
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    BOT_TOKEN: '',
    DATABASE_URL: '',
    SMTP_URL: '',
    LOG_LEVEL: 'warn',
    WEB_PORT: '0',
  }
  let service: ChildProcess
  let stdout = ''

  beforeAll(async () => {
    service = spawn(process.execPath, ['bin/duban.js', 'start'], {
      cwd: repo,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    service.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    service.stderr!.on('data', (d: Buffer) => (stdout += d.toString()))
    const deadline = Date.now() + 90_000
    while (!stdout.includes('duban sandbox is running')) {
      if (Date.now() > deadline || service.exitCode !== null)
        throw new Error(`sandbox did not start:\n${stdout}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 120_000)

  afterAll(() => {
    if (service.exitCode === null) service.kill('SIGKILL')
  })

  it('prints what to try next', () => {
    expect(stdout).toContain('npx duban sandbox say --as')
    expect(stdout).toContain('/status')
  })

  it('answers a supervisor’s /status 台城 with the unit’s card', async () => {
    const { stdout: out } = await run(
      process.execPath,
      ['bin/duban.js', 'sandbox', 'say', '--as', '陈建国', '/status 台城'],
      {
        cwd: repo,
        env,
      },
    )
    expect(out).toContain('台城街道 · 联络员 李明（已绑定）')
    expect(out).toContain('二（五）2 开展涉企乱罚款专项整治')
  })

  it('records a liaison’s reply to a prompt, visible to the CLI beside the running service', async () => {
    await run(process.execPath, ['bin/duban.js', 'sandbox', 'say', '--as', '李明', '/tasks'], {
      cwd: repo,
      env,
    })
    const { stdout: confirm } = await run(
      process.execPath,
      ['bin/duban.js', 'sandbox', 'say', '--as', '李明', '--reply', 'last', '1 已完成'],
      { cwd: repo, env },
    )
    expect(confirm).toMatch(/已记录：台城街道 · .+ → 已完成/)
    const { stdout: json } = await run(process.execPath, ['bin/duban.js', 'status', '台城', '--json'], {
      cwd: repo,
      env,
    })
    const status = JSON.parse(json) as { tasks: { state: string }[] }
    // 已完成 on a task with a deadline goes to review (待审核); one without closes it.
    expect(status.tasks.filter((t) => ['awaiting_review', 'closed', 'done'].includes(t.state))).toHaveLength(
      1,
    )
  })

  it('refuses a second service on the same data directory', async () => {
    const second = await run(process.execPath, ['bin/duban.js', 'start'], { cwd: repo, env }).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect('code' in second && second.code).toBe(1)
    expect((second as { stderr: string }).stderr).toMatch(/already in use by process \d+/)
  })

  it('stops on SIGTERM within 30 seconds and releases the data directory', async () => {
    const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)))
    const started = Date.now()
    service.kill('SIGTERM')
    const code = await exited
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false)
    expect(existsSync(path.join(dataDir, 'sandbox.json'))).toBe(false)
  }, 40_000)
})
