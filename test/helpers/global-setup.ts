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
  return async () => {
    // Drop the per-file databases this run made, then the template.
    const rows = await admin<
      { datname: string }[]
    >`select datname from pg_database where datname like ${`duban_t${process.pid}_%`}`
    for (const r of rows) await admin.unsafe(`drop database if exists ${r.datname} with (force)`)
    await admin.unsafe(`drop database if exists ${template} with (force)`)
    await admin.end()
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
  }
}
