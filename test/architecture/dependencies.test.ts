/**
 * The dependency check (`npm run deps`, in `npm run check` and CI) is itself checked here: the
 * repository's own rules (.dependency-cruiser.cjs), run by the real depcruise command on a small
 * tree shaped like ours, pass on a tree whose imports point one way and fail, naming the rule,
 * on each kind of planted upward import or circle.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const repo = path.resolve(import.meta.dirname, '../..')
const depcruise = path.join(repo, 'node_modules/.bin/depcruise')

/** A one-way tree: bin → commands → src/telegram → src/domain → src/db. */
const oneWay: Record<string, string> = {
  'src/db/schema.ts': 'export const units = "units"\n',
  'src/domain/units.ts': "import { units } from '../db/schema.ts'\nexport const listUnits = () => units\n",
  'src/telegram/html.ts': "export const escapeHtml = (s: string) => s.replace('<', '&lt;')\n",
  'src/telegram/bot.ts':
    "import { listUnits } from '../domain/units.ts'\nimport { escapeHtml } from './html.ts'\nexport const card = () => escapeHtml(listUnits())\n",
  'commands/status.ts': "import { card } from '../src/telegram/bot.ts'\nexport const status = card\n",
  'jobs/digest.ts': "import { listUnits } from '../src/domain/units.ts'\nexport const digest = listUnits\n",
  'bin/root.ts':
    "import { status } from '../commands/status.ts'\nimport { digest } from '../jobs/digest.ts'\nexport const root = { status, digest }\n",
}

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

/** Runs `npm run deps`'s command on a tree of files; resolves to its exit code and report. */
async function cruise(files: Record<string, string>): Promise<{ code: number; report: string }> {
  dir = mkdtempSync(path.join(tmpdir(), 'duban-deps-'))
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
      },
    }),
  )
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
  const cwd = dir
  const folders = ['src', 'commands', 'jobs', 'bin']
  const args = [...folders, '--config', path.join(repo, '.dependency-cruiser.cjs'), '--output-type', 'err']
  return new Promise((resolve) => {
    execFile(depcruise, args, { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, report: `${stdout}${stderr}` })
    })
  })
}

describe('the dependency check', { timeout: 120_000 }, () => {
  it('passes a tree whose imports point one way', async () => {
    const { code, report } = await cruise(oneWay)
    expect(report).toContain('no dependency violations found')
    expect(code).toBe(0)
  })

  it('fails on a planted upward import from the domain into a channel', async () => {
    const { code, report } = await cruise({
      ...oneWay,
      'src/domain/units.ts':
        "import { units } from '../db/schema.ts'\nimport { escapeHtml } from '../telegram/html.ts'\nexport const listUnits = () => escapeHtml(units)\n",
    })
    expect(code).not.toBe(0)
    expect(report).toContain('domain-not-to-channels: src/domain/units.ts → src/telegram/html.ts')
  })

  it('fails when src/ imports a bot command or a job', async () => {
    const { code, report } = await cruise({
      ...oneWay,
      'src/telegram/bot.ts':
        "import { listUnits } from '../domain/units.ts'\nimport { escapeHtml } from './html.ts'\nimport { digest } from '../../jobs/digest.ts'\nexport const card = () => escapeHtml(listUnits()) + String(digest)\n",
    })
    expect(code).not.toBe(0)
    expect(report).toContain('src-not-to-commands-or-jobs: src/telegram/bot.ts → jobs/digest.ts')
  })

  it('fails on an import circle and on the database layer reaching up into the domain', async () => {
    const { code, report } = await cruise({
      ...oneWay,
      'src/db/schema.ts':
        "import { listUnits } from '../domain/units.ts'\nexport const units = 'units'\nexport const again = listUnits\n",
    })
    expect(code).not.toBe(0)
    expect(report).toContain('no-circular')
    expect(report).toContain('db-not-to-domain: src/db/schema.ts → src/domain/units.ts')
  })
})
