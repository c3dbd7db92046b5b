// `npm run build` (npm's prepare runs it on `npm ci`): bundles the service and the CLI from
// bin/root.ts into dist/ with esbuild, so a `duban …` process starts in a fraction of a second.
//
// Why a bundle and not tsc's file-for-file output: Node's ES module loader pays for every file it
// resolves, reads, links and compiles, and `duban status` loaded about 300 of them (zod alone 95,
// drizzle 108), most of the command's time. The bundle is split into chunks, so each dynamic
// `import()` in the sources (a command group, the bot, the jobs, PGlite) still loads only on use.
//
// Only the pure-JavaScript libraries below, which ship as many small files and read nothing
// beside their code, are bundled in. Every other package stays a plain import from node_modules,
// exactly as with the sources: PGlite finds its WASM beside its own module, pino starts transport
// workers by file name, resvg loads a native addon, exceljs and docx load only where used.
// Type checking is `npm run typecheck`'s job, as for the sources run through tsx.
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const root = path.resolve(import.meta.dirname, '..')
const outdir = path.join(root, 'dist')

const bundled = new Set(['zod', 'drizzle-orm', 'postgres', 'commander', 'csv-parse', 'yaml', 'dotenv'])

/** The package a bare specifier names (`@scope/name` or `name`); undefined for a path or `node:`. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** @type {import('esbuild').Plugin} */
const externalUnlessBundled = {
  name: 'external-unless-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = packageOf(args.path)
      if (pkg === undefined || bundled.has(pkg)) return undefined
      return { path: args.path, external: true }
    })
  },
}

rmSync(outdir, { recursive: true, force: true })
await build({
  absWorkingDir: root,
  entryPoints: ['bin/root.ts'],
  outdir,
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Bundled CommonJS (commander, yaml, dotenv) calls require() for Node's own modules; an ES
  // module has none, so each chunk gets one made for it.
  banner: {
    js: "import { createRequire as __dubanCreateRequire } from 'node:module'; const require = __dubanCreateRequire(import.meta.url);",
  },
  plugins: [externalUnlessBundled],
  logLevel: 'warning',
})
writeFileSync(path.join(outdir, '.built'), `${new Date().toISOString()}\n`)
