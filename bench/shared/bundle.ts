/**
 * A benchmark entry bundled like an application would ship it: esbuild, platform node, ESM, with its
 * packages (effect included). Benchmarks run lark-effect both bundled and through tsx: tsx wraps every
 * function it creates with a name-keeping helper (`__name`) that compiled code lacks, and effect loaded as
 * separate ES modules (every call through a module namespace) runs slower than effect bundled; both cost
 * on per-event paths.
 */
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

/** ESM output has no `require`, which bundled CommonJS (undici, ws) calls for Node's builtins: the usual shim. */
export const REQUIRE_SHIM =
  `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);`

/** Bundles `entry` (an absolute path), leaving `external` packages out, and answers the bundle's path. */
export const bundleForBench = async (entry: string, name: string, external: ReadonlyArray<string> = []): Promise<string> => {
  // inside the repository, so that anything left external resolves from its node_modules
  const outfile = fileURLToPath(new URL(`../../node_modules/.cache/bench/${name}.mjs`, import.meta.url))
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    // optional native add-ons of `ws`, loaded only when installed
    external: ["bufferutil", "utf-8-validate", ...external],
    banner: { js: REQUIRE_SHIM },
    outfile,
    logLevel: "warning"
  })
  return outfile
}
