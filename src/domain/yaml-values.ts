/**
 * Turning a parsed YAML node into plain values without letting a hostile file exhaust memory:
 * a "billion laughs" file nests aliases (`*a`) so a few lines expand to gigabytes. The yaml
 * library stops at `maxAliasCount`; that stop is the user's problem (a clear error naming the
 * file), not a stack trace.
 */
import type { Document, Node as YamlNode } from 'yaml'
import { bilingual, UserError } from '../errors.ts'

/** Aliases a roster or plan file may use before it is refused (the yaml library's default). */
export const MAX_YAML_ALIASES = 100

/** `node.toJS(doc)` (or the whole document's), refusing alias bombs with a user error about `where`. */
export function yamlToValues(doc: Document, where: string, node?: YamlNode): unknown {
  try {
    return node
      ? node.toJS(doc, { maxAliasCount: MAX_YAML_ALIASES })
      : doc.toJS({ maxAliasCount: MAX_YAML_ALIASES })
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message))
      throw new UserError(
        bilingual('plan', (m, locale) =>
          m.badYaml(
            where,
            locale === 'en'
              ? `too many aliases (more than ${MAX_YAML_ALIASES} expansions): the file looks built to exhaust memory`
              : `别名（*）展开超过 ${MAX_YAML_ALIASES} 次，文件疑似恶意构造`,
          ),
        ),
      )
    throw err
  }
}
