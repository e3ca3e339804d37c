/**
 * The built package (`dist/`, `tsc -p tsconfig.build.json`), built when it is missing or older than its inputs,
 * so that whoever needs it (the exports test, the benchmarks' dist mode) pays for a build only once and a
 * second run reuses it.
 */
import { execFile } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

export const repository = fileURLToPath(new URL("..", import.meta.url))
export const dist = join(repository, "dist")
/** Written after a build: when it started, so that an input changed during the build makes it stale. */
const stamp = join(dist, ".build-started")

const inputs = ["src", "layers", "schemas", "tsconfig.json", "tsconfig.build.json", "package.json"]

/** Every file under `path` (itself if it is a file). */
export const filesUnder = (path: string): Array<string> =>
  statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
    : [path]

const newestInput = () =>
  Math.max(...inputs.flatMap((input) => filesUnder(join(repository, input))).map((file) => statSync(file).mtimeMs))

/** Builds `dist/` afresh unless the last build started after every input's last change (minutes on two cores). */
export const buildIfStale = async (): Promise<void> => {
  if (existsSync(stamp) && Number(readFileSync(stamp, "utf8")) >= newestInput()) return
  const started = Date.now()
  rmSync(dist, { recursive: true, force: true }) // no output of a removed module may hide its absence
  await promisify(execFile)(process.execPath, [join(repository, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: repository
  })
  writeFileSync(stamp, String(started))
}
