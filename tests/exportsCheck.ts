/**
 * What a consumer of a built edition can import: every subpath of its package.json's `exports`, each loaded in a
 * Node process of its own and resolved by TypeScript to a `.d.ts`. Pattern entries (`./*`, `./schemas/*`) stand
 * for every module of the source tree they expose (the generated APIs and schemas, the same modules in both
 * editions). Used by tests/exports.test.ts (Effect 3, the built `dist/`) and tests/effect4/edition.test.ts (the
 * Effect 4 edition, installed from its tarball).
 */
import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import ts from "typescript"
import { filesUnder, repository } from "../scripts/distBuild.js"

type Target = string | { readonly types?: string; readonly default: string }

/** The subpaths a consumer can import: each plain entry, and each source module a pattern entry exposes. */
const subpaths = (exports: Readonly<Record<string, Target>>): Array<string> =>
  Object.entries(exports).flatMap(([key, target]) => {
    if (!key.includes("*")) return [key]
    const built = typeof target === "string" ? target : target.default // ./dist/<dir>/*.js
    const directory = built.slice("./dist/".length, built.indexOf("*"))
    return filesUnder(join(repository, directory))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => key.replace("*", relative(join(repository, directory), file).slice(0, -".ts".length)))
  })

const specifier = (subpath: string) => subpath === "." ? "lark-effect" : `lark-effect/${subpath.slice(2)}`

/** The specifiers of every subpath of the exports map in the package.json at `manifestPath`. */
export const exportedSpecifiers = (manifestPath: string): Array<string> => {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports: Record<string, Target> }
  return subpaths(manifest.exports).map(specifier)
}

/** Imports every specifier from `consumer` with the `node` given; answers the ones that failed, with why. */
export const importAll = async (consumer: string, specifiers: ReadonlyArray<string>, node = process.execPath): Promise<Array<string>> => {
  writeFileSync(join(consumer, "specifiers.json"), JSON.stringify(specifiers))
  writeFileSync(
    join(consumer, "check.mjs"),
    `import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const failed = []
for (const specifier of JSON.parse(readFileSync(new URL("./specifiers.json", import.meta.url), "utf8"))) {
  try {
    if (specifier.endsWith(".json")) require(specifier)
    else await import(specifier)
  } catch (error) {
    failed.push(specifier + ": " + (error instanceof Error ? error.message.split("\\n")[0] : String(error)))
  }
}
console.log(JSON.stringify(failed))
`
  )
  const { stdout } = await promisify(execFile)(node, [join(consumer, "check.mjs")], { cwd: consumer, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout) as Array<string>
}

/** The specifiers (but JSON files) TypeScript does not resolve to a `.d.ts` from `consumer`, as NodeNext does. */
export const untyped = (consumer: string, specifiers: ReadonlyArray<string>): Array<string> => {
  const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }
  const from = join(consumer, "consumer.ts")
  return specifiers
    .filter((s) => !s.endsWith(".json"))
    .filter((s) => ts.resolveModuleName(s, from, options, ts.sys).resolvedModule?.extension !== ts.Extension.Dts)
}
