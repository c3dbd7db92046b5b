/** The logger hides credentials however they are written, and keeps what a database error says. */
import { describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { createLogger, scrub } from '../../src/log.ts'

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { logger: createLogger('info', stream), lines }
}

describe('log scrubbing', () => {
  it('removes a URL password that contains @ and /, entirely', () => {
    const text = scrub('connect postgres://duban:p@ss/w@rd@db.example.cn:5432/duban failed')
    expect(text).toBe('connect postgres://[credentials]@db.example.cn:5432/duban failed')
    expect(text).not.toMatch(/ss|rd/)
    expect(scrub('smtp://mail:s3cret@smtp.example.cn')).toBe('smtp://[credentials]@smtp.example.cn')
  })

  it("keeps PostgreSQL's code and detail of an error, and of its cause", async () => {
    const { logger, lines } = capture()
    const pgError = Object.assign(
      new Error('duplicate key value violates unique constraint "units_name_unique"'),
      {
        code: '23505',
        detail: 'Key (name)=(台城街道) already exists.',
        constraint_name: 'units_name_unique',
      },
    )
    const wrapped = new Error('Failed query: insert into "units" … postgres://u:p@w@h/db', { cause: pgError })
    logger.error({ err: wrapped }, 'import failed')
    await new Promise((r) => setImmediate(r))
    const logged = JSON.parse(lines.join('')) as { err: { message: string; cause: Record<string, string> } }
    expect(logged.err.message).not.toContain('p@w')
    expect(logged.err.cause).toMatchObject({
      code: '23505',
      detail: 'Key (name)=(台城街道) already exists.',
      constraint_name: 'units_name_unique',
    })
  })
})
