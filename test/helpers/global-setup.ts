/**
 * With TEST_DATABASE_URL set, migrates a template database once; each test file then gets a fresh
 * database copied from it (see db.ts). Without it, nothing to do: suites use in-memory PGlite.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import type { TestProject } from 'vitest/node'
import { migrationsFolder } from '../../src/db/client.ts'

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL
  if (!url) return async () => {}
  const template = `duban_tpl_${process.pid}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${template}`)
  await admin.unsafe(`create database ${template}`)
  const tplUrl = withDatabase(url, template)
  const client = postgres(tplUrl, { max: 1, onnotice: () => {} })
  await migrate(drizzle(client), { migrationsFolder })
  await client.end()
  project.provide('pgTemplate', template)
  // Per-file databases are named after this run (not after the worker that made them), so the
  // teardown below finds any a crashed or timed-out file left behind.
  const prefix = `duban_t${process.pid}_`
  project.provide('pgPrefix', prefix)
  return async () => {
    const rows = await admin<
      { datname: string }[]
    >`select datname from pg_database where starts_with(datname, ${prefix})`
    for (const r of rows) await dropDatabase(admin, r.datname)
    await dropDatabase(admin, template)
    await admin.end()
  }
}

/**
 * Drops a test database, ending any session still in it. PostgreSQL 15 refuses `with (force)` to
 * a role that is not a superuser while an autovacuum worker happens to be in that database
 * ("must be a member of the role whose process is being terminated", code 42501); a plain drop
 * stops autovacuum itself, so that is the fallback. Both are retried briefly: a session of a
 * killed child process can take a moment to go.
 */
export async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      return
    } catch (forced) {
      try {
        await admin.unsafe(`drop database if exists ${name}`)
        return
      } catch (plain) {
        // Only the transient refusals are worth waiting out: permission (autovacuum) and in use.
        const transient = ['42501', '55006'].includes((plain as { code?: string }).code ?? '')
        if (!transient || attempt >= 10) throw new AggregateError([forced, plain], `cannot drop ${name}`)
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)))
      }
    }
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string
    pgPrefix: string
  }
}
