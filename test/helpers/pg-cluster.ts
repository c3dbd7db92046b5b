/**
 * A PostgreSQL server of the test's own, in a temporary directory, that the test may restart at
 * will without disturbing the shared server other test files use. Made with the initdb and pg_ctl
 * of the PostgreSQL installed beside TEST_DATABASE_URL's server (pg_config, or
 * /usr/lib/postgresql/<n>/bin); as root they run as the `postgres` OS user, since PostgreSQL
 * refuses to run as root.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import net from 'node:net'

export interface PgCluster {
  /** postgres:// URL of the `duban` database (user duban, no password: trust on loopback). */
  url: string
  /** Restarts the server (fast shutdown: open sessions are ended, as in a real restart). */
  restart(): void
  stop(): void
}

function binDir(): string {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  } catch {
    const base = '/usr/lib/postgresql'
    const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : []
    for (const v of versions)
      if (existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin')
    throw new Error('initdb not found: install PostgreSQL (its server binaries) to run the fault tests')
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

/** Creates, starts and returns a private cluster with a `duban` database. */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = binDir()
  const dir = mkdtempSync(path.join(tmpdir(), 'duban-pgcluster-'))
  const data = path.join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const run = (tool: string, args: string[]) => {
    const exe = path.join(bin, tool)
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', exe, ...args], { stdio: 'pipe' })
    else execFileSync(exe, args, { stdio: 'pipe' })
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'duban', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`
  const ctl = (...args: string[]) =>
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', '-t', '60', ...args])
  ctl('start')
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'duban', 'duban'])
  let stopped = false
  return {
    url: `postgres://duban@127.0.0.1:${port}/duban`,
    restart: () => ctl('restart', '-m', 'fast'),
    stop() {
      if (stopped) return
      stopped = true
      try {
        ctl('stop', '-m', 'immediate')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
