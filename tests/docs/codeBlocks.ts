/**
 * The TypeScript blocks of the docs, and how a consumer resolves `lark-effect/...` in them.
 *
 * A block is a fenced ```ts (or ```typescript) block. Words after the language mark what is done with it:
 * `fragment` (deliberately incomplete: not checked), `runnable` (also executed, on the fake platform).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export interface CodeBlock {
  /** `README.md:42`: the file, relative to the repository, and the line of its opening fence. */
  readonly where: string
  readonly marks: ReadonlySet<string>
  readonly source: string
}

const fence = /^(\s*)(`{3,}|~{3,})\s*(\S*)(.*)$/

/** The TypeScript blocks of one Markdown text, in order. */
export const codeBlocks = (file: string, text: string): Array<CodeBlock> => {
  const blocks: Array<CodeBlock> = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]!)
    if (open === null) continue
    const [, indent, marker, language, rest] = open
    let end = i + 1
    // a closing fence is at least as long as the opening one, of the same character, with nothing after it
    while (end < lines.length && !new RegExp(`^\\s*${marker![0]}{${marker!.length},}\\s*$`).test(lines[end]!)) end++
    if (language === "ts" || language === "typescript") {
      blocks.push({
        where: `${file}:${i + 1}`,
        marks: new Set(rest!.trim().split(/\s+/).filter((word) => word !== "")),
        source: lines.slice(i + 1, end).map((line) => line.startsWith(indent!) ? line.slice(indent!.length) : line).join("\n")
      })
    }
    i = end
  }
  return blocks
}

/** README.md and docs/*.md, relative to the repository. */
export const documentedFiles = (repository: string): Array<string> =>
  ["README.md", ...readdirSync(join(repository, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)]

/** The blocks of README.md and docs/*.md. */
export const documentedBlocks = (repository: string): Array<CodeBlock> =>
  documentedFiles(repository).flatMap((file) => codeBlocks(file, readFileSync(join(repository, file), "utf8")))

type Target = string | { readonly types?: string; readonly default: string }

/**
 * package.json's exports map, each target turned from the built file back into its source
 * (`./dist/src/api/im/index.d.ts` → `<repository>/src/api/im/index.ts`): specifier → source, `*` kept.
 */
export const sourceExports = (repository: string): Map<string, string> => {
  const manifest = JSON.parse(readFileSync(join(repository, "package.json"), "utf8")) as {
    readonly name: string
    readonly exports: Readonly<Record<string, Target>>
  }
  const sources = new Map<string, string>()
  for (const [key, target] of Object.entries(manifest.exports)) {
    const built = typeof target === "string" ? target : target.types ?? target.default
    if (!built.startsWith("./dist/")) continue // ./package.json
    const source = join(repository, built.slice("./dist/".length).replace(/\.d\.ts$|\.js$/, ".ts"))
    sources.set(key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`, source)
  }
  return sources
}

/** The source a specifier resolves to, as Node resolves exports: an exact key first, then the longest pattern. */
export const resolveSource = (exports: ReadonlyMap<string, string>, specifier: string): string | undefined => {
  const exact = exports.get(specifier)
  if (exact !== undefined) return exact
  const [best] = [...exports.keys()]
    .filter((key) => key.includes("*") && specifier.startsWith(key.slice(0, key.indexOf("*"))))
    .sort((a, b) => b.indexOf("*") - a.indexOf("*"))
  if (best === undefined) return undefined
  const prefix = best.slice(0, best.indexOf("*"))
  return exports.get(best)!.replace("*", specifier.slice(prefix.length))
}

/** `source` with each `lark-effect` import pointing at its source file, for running a block in place. */
export const importingSources = (exports: ReadonlyMap<string, string>, source: string): string =>
  source.replace(/(from\s+|import\s*\(\s*|import\s+)(["'])(lark-effect(?:\/[^"']*)?)\2/g, (whole, keyword, quote, specifier) => {
    const resolved = resolveSource(exports, specifier)
    return resolved === undefined ? whole : `${keyword}${quote}${resolved}${quote}`
  })
