/**
 * `npm run edition:demo`: the demo (`examples/demo.ts`, what `npm run demo` runs) on the Effect 4 edition. Builds
 * the edition's sources (`writeSources()`, which copies `examples/` beside `src/` and `layers/`), compiles the demo
 * and what it imports against Effect 4 (`editions/effect4/tsconfig.demo.json`, into `out/dist`), and runs it on
 * Node 22 (`node22()`), where `effect` is Effect 4's. The environment is passed on: without `LARK_APP_ID` /
 * `LARK_APP_SECRET` the demo runs on the built-in fake Open Platform, as `npm run demo` does.
 */
import { join } from "node:path"
import { compile, compiled, exitOnNode22, installIfMissing, writeSources } from "./edition.js"

void exitOnNode22(async () => {
  await installIfMissing()
  writeSources()
  await compile("tsconfig.demo.json")
}, [join(compiled, "examples", "demo.js"), ...process.argv.slice(2)])
