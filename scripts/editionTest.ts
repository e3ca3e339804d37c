/**
 * Runs the suite on the Effect 4 edition (docs/effect4.md): the repository's tests, copied with the sources into
 * `editions/effect4/out/` by the edition's build, where `effect` and `@effect/vitest` resolve to Effect 4's.
 * They run under vitest 5, which `@effect/vitest` 4 requires, on Node 22 (`node22()`).
 *
 * The test files that run are `editions/effect4/suite.json`'s: those moved onto the dialect so far. They are
 * type-checked against Effect 4 first (with the modules they import), as `npm test` type-checks them on Effect 3.
 *
 * `npm run edition:test` (extra arguments go to vitest).
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { compile, edition, exitOnNode22, installIfMissing, out, writeSources } from "./edition.js"

/**
 * The suite's files, its fixtures and all they import, type-checked with the edition's TypeScript against Effect 4. A test's
 * import of `scripts/...` (plain Node modules, not copied) finds the repository's through `rootDirs`, as
 * vitest.config.ts resolves it when the suite runs.
 */
const typeCheckSuite = async (): Promise<void> => {
  const { tests } = JSON.parse(readFileSync(join(edition, "suite.json"), "utf8")) as { readonly tests: ReadonlyArray<string> }
  const repository = relative(out, join(edition, "..", ".."))
  const compilerOptions = { noEmit: true, rootDir: repository, rootDirs: [".", repository] }
  // fixtures too: the Redis suites' workers are scripts a test spawns, not modules it imports
  const project = { extends: "../tsconfig.json", compilerOptions, include: [...tests, "tests/**/fixtures/**/*.ts"] }
  writeFileSync(join(out, "tsconfig.tests.json"), JSON.stringify(project, null, 2))
  await compile("out/tsconfig.tests.json")
}

void exitOnNode22(async () => {
  await installIfMissing()
  writeSources()
  await typeCheckSuite()
}, [join(edition, "node_modules", "vitest", "vitest.mjs"), "run", "--config", join(edition, "vitest.config.ts"), ...process.argv.slice(2)], edition)
