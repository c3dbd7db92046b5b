/**
 * A real SMTP peer for tests: smtp-server on 127.0.0.1 that records every accepted message
 * (parsed with mailparser), and can reject chosen recipients with 550, answer 451 to the next
 * messages, or be down for a while (and come back on the same port).
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[]
  from: string
  raw: Buffer
  parsed: ParsedMail
}

export interface TestSmtp {
  readonly port: number
  /** smtp://127.0.0.1:<port> */
  readonly url: string
  readonly received: ReceivedMail[]
  /** Recipients answered 550 at RCPT TO (lower-case addresses). */
  readonly rejected: Set<string>
  /** The next `n` messages are answered `code` (default 451) after DATA. */
  failNext(n: number, code?: number): void
  /** The next `n` messages are kept, then the connection drops before the 250 reply. */
  dropAfterAcceptNext(n: number): void
  /** Stops listening and drops open connections; `up()` listens again on the same port. */
  down(): Promise<void>
  up(): Promise<void>
  /** Resolves when `predicate(received)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode })
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = []
  const rejected = new Set<string>()
  let failures: number[] = []
  let drops = 0
  let port = 0
  let server: SMTPServer | undefined
  const listeners = new Set<() => void>()

  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 50,
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase()))
        return callback(smtpError('5.1.1 No such user here', 550))
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const code = failures.shift()
        if (code !== undefined) return callback(smtpError('4.3.0 Try again later', code))
        const raw = Buffer.concat(chunks)
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              raw,
              parsed,
            })
            for (const l of listeners) l()
            if (drops > 0) {
              drops--
              // The message is in; the client never hears so.
              for (const c of (
                server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }
              ).connections)
                if (c.id === session.id) c._socket.destroy()
              return
            }
            callback()
          })
          .catch((err: Error) => callback(err))
      })
    },
  }

  const listen = async () => {
    const s = new SMTPServer(options)
    s.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject)
        resolve()
      })
    })
    port = (s.server.address() as { port: number }).port
    server = s
  }
  const close = async () => {
    const s = server
    server = undefined
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  await listen()
  return {
    get port() {
      return port
    },
    get url() {
      return `smtp://127.0.0.1:${port}`
    },
    received,
    rejected,
    failNext(n, code = 451) {
      failures = [...failures, ...Array.from({ length: n }, () => code)]
    },
    dropAfterAcceptNext(n) {
      drops += n
    },
    down: close,
    up: listen,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return
          clearTimeout(timer)
          listeners.delete(check)
          resolve()
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(
            new Error(
              `smtp: condition not met within ${timeoutMs} ms; ${received.length} message(s) received`,
            ),
          )
        }, timeoutMs)
        listeners.add(check)
        check()
      })
    },
    stop: close,
  }
}
