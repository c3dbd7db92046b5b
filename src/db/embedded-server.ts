/**
 * Serves an embedded PGlite database to PostgreSQL clients on a loopback port.
 *
 * PGlite is one backend session. Several client connections can share it only if their work
 * never interleaves inside a protocol exchange: the extended protocol's unnamed statement and
 * portal (Parse, Bind, Execute … Sync) belong to the session, and so does an open transaction.
 * pglite-socket queues single messages, so two connections' Parse/Bind pairs can cross and fail
 * with "bind message supplies N parameters, but prepared statement requires M". This server
 * instead grants the session to one connection at a time: from its first message until a
 * Sync or simple Query has been answered with the session idle (not inside a transaction).
 * A connection that disconnects mid-transaction is rolled back and the session released.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'

const SSL_REQUEST_CODE = 80877103
const CANCEL_REQUEST_CODE = 80877102
const GSSENC_REQUEST_CODE = 80877104
const PROTOCOL_3 = 196608

/** Grants the single PGlite session to one connection at a time, in arrival order. */
class SessionGate {
  private owner: number | null = null
  private readonly waiting: { id: number; grant: () => void }[] = []

  acquire(id: number): Promise<void> {
    if (this.owner === id) return Promise.resolve()
    if (this.owner === null) {
      this.owner = id
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push({ id, grant: resolve }))
  }

  release(id: number): void {
    if (this.owner !== id) return
    const next = this.waiting.shift()
    this.owner = next?.id ?? null
    next?.grant()
  }

  ownedBy(id: number): boolean {
    return this.owner === id
  }

  forget(id: number): void {
    for (let i = this.waiting.length - 1; i >= 0; i--)
      if (this.waiting[i]?.id === id) this.waiting.splice(i, 1)
  }
}

class Connection {
  private buffer = Buffer.alloc(0)
  private started = false
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    private readonly id: number,
    private readonly socket: Socket,
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
  ) {
    socket.setNoDelay(true)
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data])
      this.chain = this.chain.then(() => this.drain()).catch(() => this.close())
    })
    socket.on('error', () => this.close())
    socket.on('close', () => this.close())
  }

  /** Splits the buffer into complete messages and runs them in order. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return
      if (!this.started) {
        if (this.buffer.length < 8) return
        const length = this.buffer.readInt32BE(0)
        if (this.buffer.length < length) return
        const code = this.buffer.readInt32BE(4)
        const message = this.buffer.subarray(0, length)
        this.buffer = this.buffer.subarray(length)
        if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
          this.socket.write('N')
          continue
        }
        if (code === CANCEL_REQUEST_CODE) {
          this.close()
          return
        }
        if (code !== PROTOCOL_3) {
          this.close()
          return
        }
        this.started = true
        await this.run(message, true)
        continue
      }
      if (this.buffer.length < 5) return
      const length = 1 + this.buffer.readInt32BE(1)
      if (this.buffer.length < length) return
      const type = String.fromCharCode(this.buffer[0] ?? 0)
      const message = this.buffer.subarray(0, length)
      this.buffer = this.buffer.subarray(length)
      if (type === 'X') {
        this.close()
        return
      }
      // Sync and simple Query end an exchange; anything else keeps the session for this connection.
      await this.run(message, type === 'S' || type === 'Q')
    }
  }

  private async run(message: Buffer, endsExchange: boolean): Promise<void> {
    await this.gate.acquire(this.id)
    if (this.closed) {
      await this.releaseSession()
      return
    }
    try {
      await this.pglite.runExclusive(() =>
        this.pglite.execProtocolRawStream(new Uint8Array(message), {
          onRawData: (data) => {
            if (data.length > 0 && this.socket.writable) this.socket.write(Buffer.from(data))
          },
        }),
      )
    } finally {
      if (endsExchange && !this.pglite.isInTransaction()) this.gate.release(this.id)
    }
  }

  private async releaseSession(): Promise<void> {
    if (!this.gate.ownedBy(this.id)) return
    if (this.pglite.isInTransaction()) await this.pglite.exec('ROLLBACK').catch(() => {})
    this.gate.release(this.id)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.gate.forget(this.id)
    if (!this.socket.destroyed) this.socket.destroy()
    // Wait for a running message to finish, then give the session back (rolling back if needed).
    this.chain = this.chain.finally(() => this.releaseSession())
  }

  async closed_(): Promise<void> {
    await this.chain.catch(() => {})
  }
}

export interface EmbeddedServer {
  port: number
  stop(): Promise<void>
}

/** Starts serving `pglite` on 127.0.0.1 (port 0 picks a free one). */
export async function serveEmbedded(pglite: PGlite, port = 0): Promise<EmbeddedServer> {
  const gate = new SessionGate()
  const connections = new Set<Connection>()
  let nextId = 1
  const server: Server = createServer((socket) => {
    const connection = new Connection(nextId++, socket, pglite, gate)
    connections.add(connection)
    socket.on('close', () => connections.delete(connection))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('embedded server has no port')
  return {
    port: address.port,
    async stop() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const c of connections) c.close()
      await Promise.all([...connections].map((c) => c.closed_()))
      await closing
    },
  }
}
