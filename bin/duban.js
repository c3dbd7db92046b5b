#!/usr/bin/env -S node --max-semi-space-size=4 --liftoff-only
// The `duban` command. It runs the compiled JavaScript in dist/ (built by `npm run build`, which
// npm's prepare runs on `npm ci`), so a command starts in a fraction of a second. When dist/ is
// missing, or older than any source file (a developer edited a file after building), it runs the
// TypeScript sources through tsx instead: slower, never stale.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const stamp = path.join(root, 'dist', '.built')

/**
 * Newest modification time (ms) of any source file the build compiles. A few milliseconds: the
 * directory entries come with their types (readdir's `recursive` without them stats every entry
 * once more, which cost 15–30 ms per command), and only the .ts files are stat'ed.
 */
function newestSource() {
  let newest = 0
  for (const dir of ['src', 'commands', 'jobs', 'bin']) {
    for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
    }
  }
  return newest
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs
  } catch {
    return -1
  }
}

let main
if (builtAt() >= newestSource()) {
  ;({ main } = await import('../dist/bin/root.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('./root.ts'))
}
process.exitCode = await main(process.argv.slice(2))
