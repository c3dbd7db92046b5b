/**
 * Start-up and memory (performance.md): cold start of `duban start` to "ready" on PostgreSQL and
 * on a fresh embedded PGlite, RSS at idle, and RSS after a fan-out of 2,000 reminders through the
 * local Bot API emulator (with Telegram's limits enforced). The service runs as a child process,
 * exactly as `npm start` runs it; the emulator runs here.
 *
 *   npx tsx bench/startup.ts        (BENCH_DATABASE_URL or TEST_DATABASE_URL for the PostgreSQL part)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { processEnv } from '../src/config.ts'
import { openDatabase } from '../src/db/client.ts'
import { enqueue } from '../src/delivery/outbox.ts'
import { BotApiEmulator } from '../src/sandbox/emulator/index.ts'
import { benchDatabaseUrl, ensureBuilt, machineLine, writeSection, runIfMain } from './results.ts'

const repo = path.resolve(import.meta.dirname, '..')
const TOKEN = '7000000001:bench-token-not-a-secret-000000'
const FANOUT = 2000

interface Started {
  child: ChildProcess
  readyMs: number
  output: () => string
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kb / 1024)
}

/** The node arguments of `npm start` (package.json's start script), so the benchmark runs what users run. */
function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
    scripts: { start: string }
  }
  const [node, ...args] = pkg.scripts.start.split(/\s+/)
  if (node !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`)
  return args
}

async function startService(
  env: NodeJS.ProcessEnv,
  readyLine = 'duban is ready',
  extraArgs: string[] = [],
): Promise<Started> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [...startArgs(), ...extraArgs], {
    cwd: repo,
    env: { ...processEnv(), LOG_LEVEL: 'info', WEB_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  while (!out.includes(readyLine)) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${out}`)
    if (performance.now() - t0 > 120_000) throw new Error(`service not ready after 120 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return { child, readyMs: Math.round(performance.now() - t0), output: () => out }
}

async function stop(s: Started): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r))
  s.child.kill('SIGTERM')
  await exited
}

/**
 * RSS of a running sandbox after a few commands through it (a supervisor's /status, a liaison's
 * /tasks, the CLI's status card), then 5 s of idle.
 */
async function idleRss(s: Started, env: NodeJS.ProcessEnv): Promise<number> {
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['bin/duban.js', ...args], {
      cwd: repo,
      env: { ...processEnv(), LOG_LEVEL: 'warn', ...env },
    })
  await cli('sandbox', 'say', '--as', '陈建国', '/status 台城')
  await cli('sandbox', 'say', '--as', '李明', '/tasks')
  await cli('sandbox', 'say', '--as', '陈建国', '/status')
  await cli('status', '台城', '--json')
  await new Promise((r) => setTimeout(r, 5000))
  return rssMb(s.child.pid!)
}

async function freshPostgres(
  base: string,
  suffix = 'startup',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `duban_bench_${suffix}_${process.pid}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const u = new URL(base)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

export async function main(): Promise<number> {
  ensureBuilt()
  const pgBase = benchDatabaseUrl()
  const emulator = await BotApiEmulator.start({ token: TOKEN })
  const common = { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot, SMTP_URL: '' }
  const rows: string[][] = []
  let pass = true
  const check = (ok: boolean) => {
    if (!ok) pass = false
    return ok ? 'ok' : 'FAIL'
  }
  try {
    // Fresh embedded PGlite (creates the database directory and migrates).
    const dataDir = mkdtempSync(path.join(tmpdir(), 'duban-bench-startup-'))
    const pglite = await startService({ ...common, DATABASE_URL: '', DATA_DIR: dataDir })
    rows.push([
      'cold start to ready, fresh PGlite',
      `${pglite.readyMs} ms`,
      '≤ 6000 ms',
      check(pglite.readyMs <= 6000),
    ])
    await stop(pglite)
    const warm = await startService({ ...common, DATABASE_URL: '', DATA_DIR: dataDir })
    rows.push(['start to ready, existing PGlite', `${warm.readyMs} ms`, '', ''])
    await stop(warm)

    // The sandbox (no BOT_TOKEN): the service, the emulator and the sample data in one process,
    // after a few commands have gone through it, as a newcomer's first minutes leave it.
    const sandboxDir = mkdtempSync(path.join(tmpdir(), 'duban-bench-sandbox-'))
    const sandboxEnv = { BOT_TOKEN: '', SMTP_URL: '', DATABASE_URL: '', DATA_DIR: sandboxDir }
    const sandbox = await startService(sandboxEnv, 'duban sandbox is running')
    const sandboxIdle = await idleRss(sandbox, sandboxEnv)
    rows.push([
      'sandbox, embedded PGlite: RSS at idle after a few commands',
      `${sandboxIdle} MB`,
      '< 250 MB',
      check(sandboxIdle < 250),
    ])
    await stop(sandbox)

    if (pgBase) {
      const sdb = await freshPostgres(pgBase, 'sandbox')
      try {
        const env = {
          ...sandboxEnv,
          DATABASE_URL: sdb.url,
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'duban-bench-sandbox-')),
        }
        const s = await startService(env, 'duban sandbox is running', ['--sandbox'])
        const idle = await idleRss(s, env)
        rows.push([
          'sandbox, PostgreSQL: RSS at idle after a few commands',
          `${idle} MB`,
          '< 120 MB',
          check(idle < 120),
        ])
        await stop(s)
      } finally {
        await sdb.drop()
      }
    }

    if (pgBase) {
      const db = await freshPostgres(pgBase)
      try {
        const first = await startService({ ...common, DATABASE_URL: db.url, DATA_DIR: dataDir })
        rows.push(['first start to ready, PostgreSQL (migrates)', `${first.readyMs} ms`, '', ''])
        await stop(first)
        const s = await startService({ ...common, DATABASE_URL: db.url, DATA_DIR: dataDir })
        rows.push([
          'cold start to ready, PostgreSQL',
          `${s.readyMs} ms`,
          '≤ 3000 ms',
          check(s.readyMs <= 3000),
        ])
        await new Promise((r) => setTimeout(r, 5000))
        const idle = rssMb(s.child.pid!)
        rows.push(['RSS at idle', `${idle} MB`, '≤ 200 MB', check(idle <= 200)])

        // Fan-out: 2,000 reminders to 2,000 private chats, sent by the service's worker.
        const chats = Array.from({ length: FANOUT }, (_, i) => ({
          id: 50_000_000 + i,
          type: 'private' as const,
        }))
        emulator.addChats(...chats)
        const database = await openDatabase({ databaseUrl: db.url, dataDir })
        const t0 = performance.now()
        await enqueue(
          database.db,
          chats.map((c, i) => ({
            key: `bench-startup:${i}`,
            channel: 'telegram' as const,
            recipient: String(c.id),
            payload: {
              template: 'notice',
              params: { title: '【督办提醒】基准测试', lines: [`第 ${i + 1} 条`] },
            },
          })),
        )
        let peak = idle
        while (emulator.sentMessages().length < FANOUT) {
          peak = Math.max(peak, rssMb(s.child.pid!))
          if (performance.now() - t0 > 240_000) throw new Error('fan-out did not finish in 240 s')
          await new Promise((r) => setTimeout(r, 500))
        }
        const seconds = (performance.now() - t0) / 1000
        const after = rssMb(s.child.pid!)
        peak = Math.max(peak, after)
        rows.push(['RSS after the fan-out', `${after} MB (peak ${peak} MB)`, '≤ 200 MB', check(peak <= 200)])
        rows.push([
          'fan-out (context)',
          `${FANOUT} messages in ${seconds.toFixed(1)} s = ${(FANOUT / seconds).toFixed(1)} msg/s, ${emulator.violations} limit violations`,
          '',
          '',
        ])
        await database.close()
        await stop(s)
      } finally {
        await db.drop()
      }
    } else {
      rows.push(['PostgreSQL part', 'skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL', '', ''])
    }
  } finally {
    await emulator.stop()
  }

  const table = [
    '| measure | figure | goal | |',
    '| --- | ---: | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
  const section = [
    '## start-up and memory',
    '',
    machineLine(),
    '',
    'The service as `npm start` runs it (bot, scheduler, worker; node flags from package.json) as a child process against the local Bot API emulator; "ready" is its `duban is ready` log line, timed from spawn (so it includes Node and module loading; `npm start` runs the compiled JavaScript in dist/). The sandbox rows start `duban start` without BOT_TOKEN (embedded PGlite, or `--sandbox` on an empty PostgreSQL database), send a few commands through it, and read its RSS after 5 s of idle.',
    '',
    table,
    '',
    `Result: ${pass ? 'PASS' : 'FAIL'}. Regenerate: \`npm run bench -- startup\`.`,
  ].join('\n')
  console.log(section)
  writeSection('startup', section)
  return pass ? 0 : 1
}

runIfMain(import.meta.url, main)
