/**
 * The suite on the Effect 4 edition (scripts/editionTest.ts): the test files of `suite.json`, as copied into
 * `out/tests` by the edition's build.
 */
import { readFileSync } from "node:fs"
import { defineConfig } from "vitest/config"

const suite = JSON.parse(readFileSync(new URL("./suite.json", import.meta.url), "utf8")) as { readonly tests: ReadonlyArray<string> }

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: suite.tests.map((test) => `out/${test}`),
    testTimeout: 30_000,
    pool: "forks"
  }
})
