/**
 * The lock file that makes one process the host of an embedded PGlite directory.
 * Created with O_EXCL, so of two processes racing for it exactly one wins; a lock left by a
 * process that no longer exists is taken over.
 */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, writeFileSync, renameSync } from 'node:fs'

export interface LockHolder {
  pid: number
  port?: number
  /** The embedded server's password: the file is mode 0600, so only this OS user can connect. */
  password?: string
  startedAt: string
}

export class LockHeldError extends Error {
  constructor(readonly holder: LockHolder) {
    super(
      `The embedded database is already in use by process ${holder.pid} (started ${holder.startedAt}). ` +
        `Stop that process first, or use a different DATA_DIR.`,
    )
    this.name = 'LockHeldError'
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Lock files held by this process (a second host in the same process is refused too). */
const heldHere = new Set<string>()

export class EmbeddedLock {
  private held = false
  private holder: LockHolder | undefined

  constructor(private readonly file: string) {}

  private read(): LockHolder | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockHolder
    } catch {
      return undefined
    }
  }

  /** Tries to take the lock; when another live process holds it, says who. */
  acquire(): { acquired: true } | { acquired: false; holder: LockHolder } {
    for (let attempt = 0; attempt < 3; attempt++) {
      const holder: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() }
      try {
        const fd = openSync(this.file, 'wx', 0o600)
        writeSync(fd, JSON.stringify(holder))
        closeSync(fd)
        this.held = true
        this.holder = holder
        heldHere.add(this.file)
        return { acquired: true }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const current = this.read()
      if (current && (current.pid === process.pid ? heldHere.has(this.file) : alive(current.pid)))
        return { acquired: false, holder: current }
      // Stale (its process is gone) or unreadable mid-write: remove and race again.
      if (!current) {
        // A writer may be between open and write; give it a moment before calling it stale.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
        const again = this.read()
        if (again && (again.pid === process.pid ? heldHere.has(this.file) : alive(again.pid)))
          return { acquired: false, holder: again }
      }
      try {
        unlinkSync(this.file)
      } catch {
        /* someone else removed it first */
      }
    }
    const current = this.read()
    return { acquired: false, holder: current ?? { pid: -1, startedAt: 'unknown' } }
  }

  /** Records the loopback port and password of the host's server, for client processes. */
  publishPort(port: number, password: string): void {
    if (!this.held || !this.holder) return
    this.holder = { ...this.holder, port, password }
    const tmp = `${this.file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.holder), { mode: 0o600 })
    renameSync(tmp, this.file)
  }

  release(): void {
    if (!this.held) return
    this.held = false
    heldHere.delete(this.file)
    const current = this.read()
    if (current?.pid === process.pid) {
      try {
        unlinkSync(this.file)
      } catch {
        /* already gone */
      }
    }
  }
}
