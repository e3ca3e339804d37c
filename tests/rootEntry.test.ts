/**
 * The root entry (`lark-effect`) must never load the generated API surface: a program that imports the core
 * would otherwise load 1,700 APIs at start-up. Walks the value imports (type-only ones are erased) from
 * src/index.ts through the repository's own modules.
 */
import { readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")

/** Relative value-import specifiers of a module: `import x from`, `import {x} from`, `export ... from`, `import "x"`. */
const valueImports = (source: string): Array<string> => {
  const specifiers: Array<string> = []
  // no quote between the keyword and `from`: a match cannot run on past another import's specifier
  const pattern = /^\s*(import|export)\s+(?!type\b)(?:[^;"']*?\sfrom\s+)?["'](\.[^"']+)["']/gm
  for (const match of source.matchAll(pattern)) specifiers.push(match[2]!)
  return specifiers
}

const reachable = (entry: string): Set<string> => {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const specifier of valueImports(readFileSync(file, "utf8"))) {
      visit(resolve(dirname(file), specifier).replace(/\.js$/, ".ts"))
    }
  }
  visit(entry)
  return seen
}

describe("the root entry", () => {
  it("loads no generated API module and no generated schema", () => {
    const files = [...reachable(join(ROOT, "src/index.ts"))].map((file) => relative(ROOT, file))
    assert.isAbove(files.length, 20, "the walk found the core's modules")
    assert.include(files, "src/ws/LongConnection.ts")
    const generated = files.filter((file) => file.startsWith("src/api/") || (file.startsWith("schemas/") && file !== "schemas/common.ts"))
    assert.deepStrictEqual(generated, [])
  })

  it("the walk does see a generated module when one is imported (the check can fail)", () => {
    const files = [...reachable(join(ROOT, "src/channel/index.ts"))].map((file) => relative(ROOT, file))
    assert.isTrue(files.some((file) => file.startsWith("src/api/im/")))
  })
})
