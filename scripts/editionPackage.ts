/**
 * Packs the Effect 4 edition (docs/effect4.md) as an app installs it: builds the edition's sources
 * (`scripts/edition.ts`), compiles all of `src/`, `layers/` and `schemas/` against Effect 4 into
 * `editions/effect4/out/package/dist` (laid out as the root's `dist/`), puts the edition's sources, `bin/`, the
 * README and the LICENSE beside it, writes its package.json and runs `npm pack`.
 *
 * The package.json is `editionManifest()` (scripts/edition.ts).
 *
 * `npm run edition:pack` prints the tarball's path.
 */
import { execFile } from "node:child_process"
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { type Build, repository } from "./distBuild.js"
import { compile, editionManifest, installIfMissing, out, writeSources } from "./edition.js"

const run = promisify(execFile)

/** Where the edition's package is laid out before `npm pack`. */
export const packageFolder = join(out, "package")

/** Builds the edition's package folder and packs it; answers the tarball's path. */
export const packEdition = async (destination: string = out): Promise<string> => {
  await installIfMissing()
  writeSources()
  rmSync(packageFolder, { recursive: true, force: true })
  await compile("tsconfig.package.json")
  for (const folder of ["src", "layers", "schemas"]) cpSync(join(out, folder), join(packageFolder, folder), { recursive: true })
  for (const file of ["README.md", "LICENSE"]) cpSync(join(repository, file), join(packageFolder, file))
  cpSync(join(repository, "bin"), join(packageFolder, "bin"), { recursive: true })
  writeFileSync(join(packageFolder, "package.json"), JSON.stringify(editionManifest(), null, 2) + "\n")
  return npmPack(packageFolder, destination)
}

/**
 * The edition's package modules alone (its `dist/`), compiled into a directory of the caller's, which must lie
 * under `editions/effect4` so that they load Effect 4 from there: what the benchmarks run on Effect 4, made
 * afresh by `buildIfStale` when the source, the dialect, the generator or the edition's settings change.
 */
export const editionDistBuild: Build = {
  inputs: ["src", "layers", "scripts/codegen", ...["dialect.ts", "rewrites.json", "edition.json", "tsconfig.json", "tsconfig.package.json", "package-lock.json"]
    .map((file) => `editions/effect4/${file}`)],
  run: async (outDir) => {
    await installIfMissing()
    writeSources()
    // JavaScript only: what runs is the same, the declarations and maps only cost build time
    await compile("tsconfig.package.json", ["--outDir", outDir, "--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"])
  }
}

/** `npm pack` of the package in `folder` into `destination`; answers the tarball's path. */
export const npmPack = async (folder: string, destination: string): Promise<string> => {
  mkdirSync(destination, { recursive: true })
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
    cwd: folder,
    maxBuffer: 256 * 1024 * 1024
  })
  const [report] = JSON.parse(stdout) as ReadonlyArray<{ readonly filename: string }>
  return join(destination, report!.filename)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  packEdition().then(
    (tarball) => console.log(`Effect 4 edition packed: ${relative(repository, tarball)}`),
    (error: Error) => {
      console.error(error.message)
      process.exitCode = 1
    }
  )
}
