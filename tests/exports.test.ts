/**
 * Every subpath of package.json's `exports` works from the built package, as a consumer's: a plain Node
 * process in a directory of its own, with `node_modules/lark-effect` linked to the repository, imports each
 * one, and TypeScript resolves each to a `.d.ts`. Pattern entries (`./*`, `./schemas/*`) are checked for every
 * module of the source tree they expose.
 *
 * The package is built here (`scripts/distBuild.ts`: `tsc -p tsconfig.build.json`, minutes on two cores) when
 * `dist/` is missing or older than its inputs, so that a second run reuses the build.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { buildIfStale, repository } from "../scripts/distBuild.js"
import { exportedSpecifiers, importAll, untyped } from "./exportsCheck.js"

describe("package exports", () => {
  const consumer = mkdtempSync(join(tmpdir(), "lark-consumer-"))
  afterAll(() => rmSync(consumer, { recursive: true, force: true }))

  beforeAll(async () => {
    mkdirSync(join(consumer, "node_modules"))
    symlinkSync(repository, join(consumer, "node_modules/lark-effect"), "dir")
    await buildIfStale()
  }, 20 * 60_000)

  it("every subpath of the exports map loads from the built package and has its .d.ts", async () => {
    const specifiers = exportedSpecifiers(join(repository, "package.json"))
    assert.isAbove(specifiers.length, 1000) // the pattern entries were expanded
    assert.deepStrictEqual(await importAll(consumer, specifiers), [], "subpaths that do not load")
    assert.deepStrictEqual(untyped(consumer, specifiers), [], "subpaths without a .d.ts")
  }, 5 * 60_000)
})
