/**
 * The two ways the benchmarks run a lark-effect entry, both under plain `node`:
 *
 * - `dist`: as an installed package runs, the headline figure: the entry (TS in `bench/`) compiled into one
 *   file whose imports of the repository's `src/`, `layers/` and `schemas/` load the built package's modules,
 *   and whose packages (effect, undici, ...) load from node_modules, each a module of its own. The package is
 *   built as `dist/` is (`scripts/distBuild.ts`), into `node_modules/.cache/bench/dist` (so that a test's
 *   build of `dist/` never removes files from under a running benchmark), when stale; with
 *   `BENCH_DIST=as-built`, only when missing;
 * - `bundle`: as an application that bundles ships it: esbuild, platform node, ESM, packages included (effect
 *   runs faster bundled: one scope instead of calls through module namespaces).
 */
import { existsSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type BuildOptions, type Plugin } from "esbuild"
import { buildIfStale, repository } from "../../scripts/distBuild.js"

/** ESM output has no `require`, which bundled CommonJS (undici, ws) calls for Node's builtins: the usual shim. */
export const REQUIRE_SHIM =
  `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);`

export type Mode = "dist" | "bundle"

/** Where the benchmarks' builds go: inside the repository, so that anything external resolves from its node_modules. */
const cache = fileURLToPath(new URL("../../node_modules/.cache/bench/", import.meta.url))
const dist = join(cache, "dist")

const PACKAGE_ROOTS = ["src", "layers", "schemas"].map((root) => `${root}${sep}`)

/** Every relative import of a module of the package becomes an external import of its built file. */
const toDist = (outfile: string): Plugin => ({
  name: "lark-effect-dist",
  setup: (builder) => {
    builder.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir }) => {
      const inside = relative(repository, resolve(resolveDir, path))
      if (!PACKAGE_ROOTS.some((root) => inside.startsWith(root))) return undefined
      return { path: `./${relative(dirname(outfile), join(dist, inside)).split(sep).join("/")}`, external: true }
    })
  }
})

/** Builds `entry` (an absolute path) in `mode`, leaving `external` packages out, and answers the output's path. */
export const buildForBench = async (entry: string, name: string, mode: Mode, external: ReadonlyArray<string> = []): Promise<string> => {
  const outfile = join(cache, `${name}-${mode}.mjs`)
  if (mode === "dist") {
    if (process.env["BENCH_DIST"] !== "as-built" || !existsSync(dist)) await buildIfStale(dist)
    // the package's own scope ends at node_modules: the built modules are ES modules, as in dist/
    writeFileSync(join(dist, "package.json"), JSON.stringify({ type: "module" }))
  }
  const options: BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    // optional native add-ons of `ws`, loaded only when installed
    external: ["bufferutil", "utf-8-validate", ...external],
    banner: { js: REQUIRE_SHIM },
    outfile,
    logLevel: "warning"
  }
  await build(mode === "dist" ? { ...options, packages: "external", plugins: [toDist(outfile)] } : options)
  return outfile
}

/** An esbuild bundle (`bundle` mode): the benchmarks' helper processes that are not measured run this way too. */
export const bundleForBench = (entry: string, name: string, external: ReadonlyArray<string> = []) =>
  buildForBench(entry, name, "bundle", external)
