/**
 * `npm run edition:demo`: the demo (`examples/demo.ts`, what `npm run demo` runs) on the Effect 4 edition. Builds
 * the edition's sources (`writeSources()`, which copies `examples/` beside `src/` and `layers/`), compiles the demo
 * and what it imports against Effect 4 (`editions/effect4/tsconfig.demo.json`, into `out/dist`), and runs it on
 * Node 22 (`node22()`), where `effect` is Effect 4's. The environment is passed on: without `LARK_APP_ID` /
 * `LARK_APP_SECRET` the demo runs on the built-in fake Open Platform, as `npm run demo` does.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { compile, compiled, installIfMissing, node22, writeSources } from "./edition.js"

const main = async (): Promise<number> => {
  await installIfMissing()
  writeSources()
  await compile("tsconfig.demo.json")
  const child = spawn(node22(), [join(compiled, "examples", "demo.js"), ...process.argv.slice(2)], { stdio: "inherit" })
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
