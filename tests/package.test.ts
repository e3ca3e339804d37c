/**
 * What `npm pack` publishes: the LICENSE the manifest names, every file the exports map and the bin point at,
 * and every source file a published source map refers to (the maps would otherwise send a debugger or an
 * editor's "go to definition" to files that are not there). Nothing of the repository's own tooling.
 *
 * The package is built first when `dist/` is missing or stale (`scripts/distBuild.ts`).
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join, normalize } from "node:path"
import { promisify } from "node:util"
import { assert, beforeAll, describe, it } from "vitest"
import { buildIfStale, repository } from "../scripts/distBuild.js"

interface Manifest {
  readonly license: string
  readonly bin: Readonly<Record<string, string>>
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly default: string }>>
}

const manifest = JSON.parse(readFileSync(join(repository, "package.json"), "utf8")) as Manifest
let packed: ReadonlySet<string>

beforeAll(async () => {
  await buildIfStale()
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: repository,
    maxBuffer: 256 * 1024 * 1024
  })
  const [report] = JSON.parse(stdout) as ReadonlyArray<{ readonly files: ReadonlyArray<{ readonly path: string }> }>
  packed = new Set(report!.files.map((file) => normalize(file.path)))
}, 10 * 60_000)

describe("the published package", () => {
  it("carries the LICENSE its manifest names, and the README", () => {
    assert.strictEqual(manifest.license, "MIT")
    assert.isTrue(packed.has("LICENSE"))
    assert.match(readFileSync(join(repository, "LICENSE"), "utf8"), /^MIT License/)
    assert.isTrue(packed.has("README.md"))
  })

  it("carries every file the exports map and the bin name", () => {
    const targets = Object.entries(manifest.exports)
      .filter(([key]) => !key.includes("*"))
      .flatMap(([, target]) => typeof target === "string" ? [target] : [target.types, target.default])
    const missing = [...targets, ...Object.values(manifest.bin)].map(normalize).filter((file) => !packed.has(file))
    assert.deepStrictEqual(missing, [])
  })

  it("carries every source file a source map or declaration map points at", () => {
    const maps = [...packed].filter((file) => file.endsWith(".js.map") || file.endsWith(".d.ts.map"))
    assert.isAbove(maps.length, 1000)
    const dangling = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(repository, map), "utf8")) as { readonly sources: ReadonlyArray<string> }
      return sources.map((source) => normalize(join(dirname(map), source))).filter((source) => !packed.has(source))
    })
    assert.deepStrictEqual(dangling.slice(0, 10), [])
  })

  it("carries none of the repository's tests, benchmarks, scripts or build stamps", () => {
    const stray = [...packed].filter((file) => /^(tests|bench|scripts|examples|\.ci|node_modules)\//.test(file) || file.endsWith(".build-started"))
    assert.deepStrictEqual(stray, [])
  })
})
