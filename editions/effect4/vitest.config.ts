/**
 * The suite on the Effect 4 edition (scripts/editionTest.ts): the test files of `suite.json`, as copied into
 * `out/tests` by the edition's build.
 */
import { readFileSync, realpathSync } from "node:fs"
import { dirname, join, resolve, sep } from "node:path"
import { defineConfig, type Plugin } from "vitest/config"

const suite = JSON.parse(readFileSync(new URL("./suite.json", import.meta.url), "utf8")) as { readonly tests: ReadonlyArray<string> }

/**
 * The repository's own node_modules (Effect 3), above `out/`: Node finds a module Effect 4 lacks there. Its real
 * path, as vite resolves modules through symlinks (a checkout whose node_modules is a link).
 */
const effect3Modules = realpathSync(join(import.meta.dirname, "..", "..", "node_modules")) + sep

/** Fails a test file that would load Effect 3's `effect` or `@effect/...` (a module Effect 4 does not have). */
const effect4Only: Plugin = {
  name: "lark-effect:effect-4-only",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (!/^(effect|@effect\/)/.test(source)) return null
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
    if (resolved !== null && resolved.id.startsWith(effect3Modules)) {
      this.error(`${importer} imports ${source}, which Effect 4 does not have (Effect 3's would load): use the dialect`)
    }
    return resolved
  }
}

/** The repository's `scripts/` (the code generator, the catalog's loader), beside `out/` where the tests are. */
const outScripts = join(import.meta.dirname, "out", "scripts") + sep
const scripts = join(import.meta.dirname, "..", "..", "scripts") + sep

/**
 * Resolves a test's relative import of `scripts/...` (`../../scripts/codegen/catalog.js`) to the repository's:
 * the build copies the tests, not the scripts, and these are plain Node modules without Effect.
 */
const repositoryScripts: Plugin = {
  name: "lark-effect:repository-scripts",
  enforce: "pre",
  resolveId(source, importer, options) {
    if (importer === undefined || !source.startsWith(".")) return null
    const target = resolve(dirname(importer), source)
    if (!target.startsWith(outScripts)) return null
    return this.resolve(scripts + target.slice(outScripts.length), importer, { ...options, skipSelf: true })
  }
}

export default defineConfig({
  plugins: [effect4Only, repositoryScripts],
  test: {
    root: import.meta.dirname,
    include: suite.tests.map((test) => `out/${test}`),
    testTimeout: 30_000,
    pool: "forks"
  }
})
