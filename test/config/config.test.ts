import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('configuration', () => {
  it('runs the sandbox with the documented defaults when nothing is set', () => {
    const c = loadConfig({})
    expect(c.sandbox).toBe(true)
    expect(c.telegramApiRoot).toBe('https://api.telegram.org')
    expect(c.timezone).toBe('Asia/Shanghai')
    expect(c.botMode).toBe('polling')
    expect(c.port).toBe(8080)
    expect(c.mailFrom).toBe('督办助手 <duban@localhost>')
    expect(c.dataDir.endsWith('/data')).toBe(true)
  })

  it('treats empty values as unset, as in a copied .env.example', () => {
    const c = loadConfig({ BOT_TOKEN: '', DATABASE_URL: '', SMTP_URL: '  ' })
    expect(c.sandbox).toBe(true)
    expect(c.databaseUrl).toBeUndefined()
    expect(c.smtpUrl).toBeUndefined()
  })

  it('reports one line per problem, naming the variable, the expectation and an example', () => {
    const lines = problems({
      BOT_TOKEN: 'not-a-token',
      DATABASE_URL: 'mysql://x',
      TIMEZONE: 'Mars/Olympus',
      PORT: '99999',
      LOG_LEVEL: 'loud',
    })
    expect(lines).toHaveLength(5)
    for (const [name, line] of [
      ['BOT_TOKEN', lines[0]],
      ['DATABASE_URL', lines[1]],
      ['TIMEZONE', lines[2]],
      ['PORT', lines[3]],
      ['LOG_LEVEL', lines[4]],
    ] as const) {
      expect(line).toMatch(new RegExp(`^${name}: expected .+, for example ${name}=`))
    }
  })

  it('never echoes a secret value back in its complaint', () => {
    const lines = problems({ SMTP_URL: 'ftp://user:hunter2secret@mail', WEBHOOK_SECRET: 'short!' })
    expect(lines.join('\n')).not.toContain('hunter2secret')
    expect(lines.join('\n')).not.toContain('short!')
  })

  it('requires the webhook settings together in webhook mode', () => {
    const lines = problems({ BOT_MODE: 'webhook', BOT_TOKEN: '123456:' + 'A'.repeat(35) })
    expect(lines.map((l) => l.split(':')[0])).toEqual(['WEBHOOK_URL', 'WEBHOOK_SECRET'])
  })

  it('accepts a complete production configuration', () => {
    const c = loadConfig({
      BOT_TOKEN: '123456789:' + 'A'.repeat(35),
      DATABASE_URL: 'postgres://duban:pw@db:5432/duban',
      SMTP_URL: 'smtps://u:p@smtp.example.gov.cn:465',
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://duban.example.gov.cn/telegram',
      WEBHOOK_SECRET: 'k3Jd9_xq-7Lw2mZp4RtY',
      PORT: '3000',
    })
    expect(c.sandbox).toBe(false)
    expect(c.port).toBe(3000)
    expect(c.botMode).toBe('webhook')
  })
})
