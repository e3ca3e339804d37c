/**
 * The two ways the benchmarks run a lark-effect entry, both under plain `node`:
 *
 * - `dist`: as an installed package runs, the headline figure: the entry (TS in `bench/`) compiled into a
 *   file whose imports of the repository's `src/`, `layers/` and `schemas/` load the built package's modules,
 *   and whose packages (effect, undici, ...) load from node_modules, each a module of its own. The package is
 *   built as `dist/` is (`scripts/distBuild.ts`), into `node_modules/.cache/bench/dist` (so that a test's
 *   build of `dist/` never removes files from under a running benchmark), when stale; with
 *   `BENCH_DIST=as-built`, only when missing;
 * - `bundle`: as an application that bundles ships it: esbuild, platform node, ESM, packages included;
 * - `effect4`: as the Effect 4 edition installed runs (docs/effect4.md): as `dist`, on the edition's package
 *   modules compiled against Effect 4 (`editionDistBuild`), with the entry's imports of `effect` and
 *   `@effect/platform` respelled as the edition's (`rewrites.json`) and loaded from `editions/effect4`. The entry
 *   must then be written in what both majors share. It runs on Node 22 (`node22()`).
 *
 * In every mode a dynamic import of the entry becomes a chunk of its own beside it, which loads its packages
 * when it is imported: a process that picks one of several clients loads that client's packages only, as an app
 * would (a bundle hoists an external package's import to the top of the file otherwise).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type BuildOptions, type Plugin } from "esbuild"
import { buildIfStale, repository } from "../../scripts/distBuild.js"
import { edition, readRewrites } from "../../scripts/edition.js"
import { editionDistBuild } from "../../scripts/editionPackage.js"

/** ESM output has no `require`, which bundled CommonJS (undici, ws) calls for Node's builtins: the usual shim. */
export const REQUIRE_SHIM =
  `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);`

export type Mode = "dist" | "bundle" | "effect4"

/** Where the benchmarks' builds go: inside the repository, so that anything external resolves from its node_modules. */
const cache = fileURLToPath(new URL("../../node_modules/.cache/bench/", import.meta.url))
const dist = join(cache, "dist")
/** The same for the Effect 4 edition: under `editions/effect4`, whose node_modules hold Effect 4 (and the root's the rest). */
const effect4Cache = join(edition, "node_modules", ".cache", "bench")
const effect4Dist = join(effect4Cache, "dist")

const PACKAGE_ROOTS = ["src", "layers", "schemas"].map((root) => `${root}${sep}`)

/** Every relative import of a module of the package becomes an external import of its file built into `built`. */
const toDist = (outfile: string, built: string): Plugin => ({
  name: "lark-effect-dist",
  setup: (builder) => {
    builder.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir }) => {
      const inside = relative(repository, resolve(resolveDir, path))
      if (!PACKAGE_ROOTS.some((root) => inside.startsWith(root))) return undefined
      return { path: `./${relative(dirname(outfile), join(built, inside)).split(sep).join("/")}`, external: true }
    })
  }
})

/** Imports of Effect 3 modules the Effect 4 edition spells otherwise (`@effect/platform/HttpClient`, ...) respelled. */
const toEffect4: Plugin = {
  name: "lark-effect-effect4",
  setup: (builder) => {
    const { specifiers } = readRewrites()
    builder.onResolve({ filter: /^(effect|@effect)\// }, ({ path }) => ({ path: specifiers[path] ?? path, external: true }))
  }
}

/** Builds (when stale) the package modules `mode` runs on, and answers their directory. */
const packageModules = async (mode: "dist" | "effect4"): Promise<string> => {
  const built = mode === "dist" ? dist : effect4Dist
  if (process.env["BENCH_DIST"] !== "as-built" || !existsSync(built)) {
    await (mode === "dist" ? buildIfStale(dist) : buildIfStale(effect4Dist, editionDistBuild))
  }
  // the package's own scope ends at node_modules: the built modules are ES modules, as in dist/
  writeFileSync(join(built, "package.json"), JSON.stringify({ type: "module" }))
  return built
}

/** Builds `entry` (an absolute path) in `mode`, leaving `external` packages out, and answers the output's path. */
export const buildForBench = async (entry: string, name: string, mode: Mode, external: ReadonlyArray<string> = []): Promise<string> => {
  const outfile = join(mode === "effect4" ? effect4Cache : cache, `${name}-${mode}.mjs`)
  const directory = dirname(outfile)
  // a fresh checkout has no cache yet; an earlier build's chunks (named by their hash) would pile up
  mkdirSync(directory, { recursive: true })
  for (const file of readdirSync(directory)) if (file.startsWith(`${name}-${mode}-`)) rmSync(join(directory, file))
  const options: BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    // optional native add-ons of `ws`, loaded only when installed
    external: ["bufferutil", "utf-8-validate", ...external],
    banner: { js: REQUIRE_SHIM },
    splitting: true,
    outdir: directory,
    entryNames: `${name}-${mode}`,
    chunkNames: `${name}-${mode}-[hash]`,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning"
  }
  if (mode === "bundle") await build(options)
  else {
    const plugins = [toDist(outfile, await packageModules(mode)), ...(mode === "effect4" ? [toEffect4] : [])]
    await build({ ...options, packages: "external", plugins })
  }
  return outfile
}

/** An esbuild bundle (`bundle` mode): the benchmarks' helper processes that are not measured run this way too. */
export const bundleForBench = (entry: string, name: string, external: ReadonlyArray<string> = []) =>
  buildForBench(entry, name, "bundle", external)
