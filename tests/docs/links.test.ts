/**
 * Docs a reader can follow: every relative link of README.md and docs/*.md names a file of the repository, and
 * every `#anchor` one of that Markdown file's headings (as GitHub makes heading anchors). Links inside code
 * (fenced blocks, inline code) are not links.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { documentedFiles } from "./codeBlocks.js"

const repository = fileURLToPath(new URL("../..", import.meta.url))

/** The text outside fenced blocks, line by line, with inline code removed. */
const proseLines = (text: string): Array<string> => {
  let fenced = false
  return text.split("\n").flatMap((line) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      fenced = !fenced
      return []
    }
    return fenced ? [] : [line.replace(/`[^`]*`/g, "")]
  })
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
const headingAnchors = (text: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of text.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line)
    if (heading === null) continue
    const base = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/** The links of `file` (relative to the repository) that lead nowhere, each with why. */
const brokenLinks = (file: string, text: string, read: (path: string) => string | undefined): Array<string> =>
  proseLines(text).flatMap((line) =>
    [...line.matchAll(/\]\(([^)\s]+)\)/g)].flatMap(([, target]) => {
      if (/^[a-z]+:/i.test(target!)) return [] // https:, mailto:, ...
      const [path, anchor] = target!.split("#") as [string, string | undefined]
      const linked = path === "" ? file : join(dirname(file), decodeURIComponent(path))
      const content = read(linked)
      if (content === undefined) return [`${file}: ${target} (no such file)`]
      if (anchor !== undefined && linked.endsWith(".md") && !headingAnchors(content).has(anchor)) {
        return [`${file}: ${target} (no such heading)`]
      }
      return []
    })
  )

const read = new Map<string, string | undefined>()

/** A Markdown file's text (read once), `""` for any other file or a directory, `undefined` when nothing is there. */
const readRepositoryFile = (path: string): string | undefined => {
  if (!read.has(path)) {
    const absolute = join(repository, path)
    read.set(path, !existsSync(absolute) ? undefined : path.endsWith(".md") ? readFileSync(absolute, "utf8") : "")
  }
  return read.get(path)
}

describe("docs links", () => {
  it("finds a missing file and a missing heading, and ignores links in code", () => {
    const docs: Record<string, string> = { "docs/a.md": "# Top\n\n## A `b`: c, 2026\n\n## A `b`: c, 2026\n" }
    const read = (path: string) => docs[path]
    const text = [
      "[ok](docs/a.md#top) [ok](docs/a.md#a-b-c-2026-1) [ok](https://example.com/x)",
      "[gone](docs/b.md) [wrong](docs/a.md#nowhere)",
      "`[code](docs/b.md)`",
      "```",
      "[fenced](docs/b.md)",
      "```"
    ].join("\n")
    assert.deepStrictEqual(brokenLinks("README.md", text, read), [
      "README.md: docs/b.md (no such file)",
      "README.md: docs/a.md#nowhere (no such heading)"
    ])
  })

  it("every relative link of README.md and docs/*.md leads to a file and heading that exist", () => {
    const broken = documentedFiles(repository).flatMap((file) =>
      brokenLinks(file, readFileSync(join(repository, file), "utf8"), readRepositoryFile)
    )
    assert.deepStrictEqual(broken, [])
  })
})
