/**
 * The temp directory everything measured runs in: lark-effect "as installed" in node_modules/lark-effect (the
 * repo's package.json and a fresh `tsc -p tsconfig.build.json` output), the other packages linked from the
 * repo's node_modules, and the programs. Nothing is written into the repo.
 *
 * For the Effect 4 edition (docs/effect4.md): its package.json and its package modules compiled against Effect 4,
 * `effect` and `@effect` linked from `editions/effect4`, and the programs' imports respelled as the edition's.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { edition as editionFolder, editionManifest, readRewrites, rewriteSpecifiers } from "../../scripts/edition.js"
import { editionDistBuild } from "../../scripts/editionPackage.js"
import type { Edition } from "../shared/editions.js"
import { exec } from "./exec.js"

export const REPO = fileURLToPath(new URL("../../", import.meta.url))
export const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc")

/**
 * What the programs import besides lark-effect, linked rather than copied, and from which node_modules: Effect 4
 * from `editions/effect4` for its edition, and undici from there too (8, the major its `@effect/platform-node`
 * uses, which the edition depends on: one undici, as in an app that installs it); the root's (7) otherwise.
 */
const linked = (edition: Edition): ReadonlyArray<readonly [name: string, from: string]> => {
  const editionModules = join(edition === "effect3" ? REPO : editionFolder, "node_modules")
  const root = join(REPO, "node_modules")
  return [["effect", editionModules], ["@effect", editionModules], ["@larksuiteoapi", root], ["undici", editionModules]]
}

/** The programs, their imports respelled for the Effect 4 edition (`rewrites.json`). */
const copyPrograms = async (dir: string, edition: Edition) => {
  const programs = fileURLToPath(new URL("./programs", import.meta.url))
  if (edition === "effect3") return cp(programs, dir, { recursive: true })
  const { specifiers } = readRewrites()
  for (const file of await readdir(programs)) {
    await writeFile(join(dir, file), rewriteSpecifiers(await readFile(join(programs, file), "utf8"), specifiers))
  }
}

/** A new workspace (an ESM package) for `edition`; `remove` it when done. */
export const make = async (edition: Edition = "effect3"): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), `lark-effect-cost-${edition}-`))
  await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }))
  await mkdir(join(dir, "node_modules", "lark-effect"), { recursive: true })
  for (const [name, from] of linked(edition)) await symlink(join(from, name), join(dir, "node_modules", name))
  const manifest = join(dir, "node_modules", "lark-effect", "package.json")
  if (edition === "effect3") await cp(join(REPO, "package.json"), manifest)
  else await writeFile(manifest, JSON.stringify(editionManifest(), null, 2))
  await copyPrograms(dir, edition)
  return dir
}

/** Builds lark-effect into the workspace as `npm run build` would into dist/ (the edition's, its modules); answers the wall time. */
export const buildPackage = async (dir: string, edition: Edition = "effect3"): Promise<number> => {
  const outDir = join(dir, "node_modules", "lark-effect", "dist")
  if (edition === "effect4") {
    const start = performance.now()
    await editionDistBuild.run(outDir)
    return (performance.now() - start) / 1000
  }
  const { seconds } = await exec(process.execPath, [TSC, "-p", join(REPO, "tsconfig.build.json"), "--outDir", outDir], REPO)
  return seconds
}

export const remove = (dir: string) => rm(dir, { recursive: true, force: true })
