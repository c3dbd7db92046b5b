import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * The package's root folder (the one holding package.json), the same whether this module runs
 * from the TypeScript sources or compiled under dist/. Files that ship beside the code (the
 * migrations in drizzle/, samples/, the web desk's static files) are found from here, never from
 * a module's own folder, which differs between the two.
 */
export const packageRoot = findPackageRoot(import.meta.dirname)

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}`)
  }
}
