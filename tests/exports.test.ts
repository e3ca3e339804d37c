/**
 * Every subpath of package.json's `exports` works from the built package, as a consumer's: a plain Node
 * process in a directory of its own, with `node_modules/lark-effect` linked to the repository, imports each
 * one, and TypeScript resolves each to a `.d.ts`. Pattern entries (`./*`, `./schemas/*`) are checked for every
 * module of the source tree they expose.
 *
 * The package is built here (`scripts/distBuild.ts`: `tsc -p tsconfig.build.json`, minutes on two cores) when
 * `dist/` is missing or older than its inputs, so that a second run reuses the build.
 */
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import ts from "typescript"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { buildIfStale, filesUnder, repository } from "../scripts/distBuild.js"

type Target = string | { readonly types?: string; readonly default: string }

/** The subpaths a consumer can import: each plain entry, and each source module a pattern entry exposes. */
const subpaths = (exports: Readonly<Record<string, Target>>): Array<string> =>
  Object.entries(exports).flatMap(([key, target]) => {
    if (!key.includes("*")) return [key]
    const built = typeof target === "string" ? target : target.default // ./dist/<dir>/*.js
    const directory = built.slice("./dist/".length, built.indexOf("*"))
    return filesUnder(join(repository, directory))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => key.replace("*", relative(join(repository, directory), file).slice(0, -".ts".length)))
  })

const specifier = (subpath: string) => subpath === "." ? "lark-effect" : `lark-effect/${subpath.slice(2)}`

/** Imports every specifier in a Node process of its own; answers the ones that failed, with why. */
const importAll = async (consumer: string, specifiers: ReadonlyArray<string>): Promise<Array<string>> => {
  writeFileSync(join(consumer, "specifiers.json"), JSON.stringify(specifiers))
  writeFileSync(
    join(consumer, "check.mjs"),
    `import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const failed = []
for (const specifier of JSON.parse(readFileSync(new URL("./specifiers.json", import.meta.url), "utf8"))) {
  try {
    if (specifier.endsWith(".json")) require(specifier)
    else await import(specifier)
  } catch (error) {
    failed.push(specifier + ": " + (error instanceof Error ? error.message.split("\\n")[0] : String(error)))
  }
}
console.log(JSON.stringify(failed))
`
  )
  const { stdout } = await promisify(execFile)(process.execPath, [join(consumer, "check.mjs")], { cwd: consumer, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout) as Array<string>
}

describe("package exports", () => {
  const consumer = mkdtempSync(join(tmpdir(), "lark-consumer-"))
  afterAll(() => rmSync(consumer, { recursive: true, force: true }))

  beforeAll(async () => {
    mkdirSync(join(consumer, "node_modules"))
    symlinkSync(repository, join(consumer, "node_modules/lark-effect"), "dir")
    await buildIfStale()
  }, 20 * 60_000)

  it("every subpath of the exports map loads from the built package and has its .d.ts", async () => {
    const manifest = JSON.parse(readFileSync(join(repository, "package.json"), "utf8")) as { exports: Record<string, Target> }
    const specifiers = subpaths(manifest.exports).map(specifier)
    assert.isAbove(specifiers.length, 1000) // the pattern entries were expanded
    assert.deepStrictEqual(await importAll(consumer, specifiers), [], "subpaths that do not load")

    const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }
    const from = join(consumer, "consumer.ts")
    const untyped = specifiers
      .filter((s) => !s.endsWith(".json"))
      .filter((s) => ts.resolveModuleName(s, from, options, ts.sys).resolvedModule?.extension !== ts.Extension.Dts)
    assert.deepStrictEqual(untyped, [], "subpaths without a .d.ts")
  }, 5 * 60_000)
})
