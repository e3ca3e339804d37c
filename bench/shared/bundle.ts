/**
 * A benchmark entry bundled like an application would ship it: esbuild, platform node, ESM, its packages
 * left external. Benchmarks run lark-effect both ways because tsx wraps every function it creates with a
 * name-keeping helper (`__name`) that compiled code lacks, which costs on per-event paths.
 */
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

/** Bundles `entry` (an absolute path) and answers the bundle's path. */
export const bundleForBench = async (entry: string, name: string): Promise<string> => {
  // inside the repository so that the external packages resolve from its node_modules
  const outfile = fileURLToPath(new URL(`../../node_modules/.cache/bench/${name}.mjs`, import.meta.url))
  await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", packages: "external", outfile, logLevel: "warning" })
  return outfile
}
