/**
 * The temp directory everything measured runs in: lark-effect "as installed" in node_modules/lark-effect (the
 * repo's package.json and a fresh `tsc -p tsconfig.build.json` output), the other packages linked from the
 * repo's node_modules, and the programs. Nothing is written into the repo.
 */
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { exec } from "./exec.js"

export const REPO = fileURLToPath(new URL("../../", import.meta.url))
export const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc")

/** What the programs import besides lark-effect, linked rather than copied. */
const LINKED = ["effect", "@effect", "@larksuiteoapi", "undici"]

/** A new workspace (an ESM package); `remove` it when done. */
export const make = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "lark-effect-cost-"))
  await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }))
  await mkdir(join(dir, "node_modules", "lark-effect"), { recursive: true })
  for (const name of LINKED) await symlink(join(REPO, "node_modules", name), join(dir, "node_modules", name))
  await cp(join(REPO, "package.json"), join(dir, "node_modules", "lark-effect", "package.json"))
  await cp(fileURLToPath(new URL("./programs", import.meta.url)), dir, { recursive: true })
  return dir
}

/** Builds lark-effect into the workspace as `npm run build` would into dist/; answers the wall time. */
export const buildPackage = async (dir: string): Promise<number> => {
  const outDir = join(dir, "node_modules", "lark-effect", "dist")
  const { seconds } = await exec(process.execPath, [TSC, "-p", join(REPO, "tsconfig.build.json"), "--outDir", outDir], REPO)
  return seconds
}

export const remove = (dir: string) => rm(dir, { recursive: true, force: true })
