/**
 * The built package (`dist/`, `tsc -p tsconfig.build.json`), built when it is missing or older than its inputs,
 * so that whoever needs it (the exports test, the benchmarks' dist mode) pays for a build only once and a
 * second run reuses it. A build can go to another directory (the benchmarks keep their own, so that neither
 * removes files the other is running).
 */
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

export const repository = fileURLToPath(new URL("..", import.meta.url))
export const dist = join(repository, "dist")

/** A build into a directory: what it is made from (paths under the repository) and how it is made. */
export interface Build {
  readonly inputs: ReadonlyArray<string>
  readonly run: (outDir: string) => Promise<void>
}

/** The package, as `npm run build` makes it. */
const packageBuild: Build = {
  inputs: ["src", "layers", "schemas", "tsconfig.json", "tsconfig.build.json", "package.json"],
  run: async (outDir) => {
    const tsc = join(repository, "node_modules/typescript/bin/tsc")
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { cwd: repository }).catch(
      // tsc reports its errors on stdout: a failed build says which
      (error: Error & { readonly stdout?: string }) => Promise.reject(new Error(`the build failed:\n${error.stdout ?? error.message}`))
    )
  }
}

/** Every file under `path` (itself if it is a file). */
export const filesUnder = (path: string): Array<string> =>
  statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
    : [path]

const newestInput = (inputs: ReadonlyArray<string>) =>
  Math.max(...inputs.flatMap((input) => filesUnder(join(repository, input))).map((file) => statSync(file).mtimeMs))

/** Held (a directory: creating one is atomic) by the process building; test files and benchmarks run in parallel. */
const lock = join(repository, "node_modules", ".cache", "dist-build.lock")
/** A lock older than this was left by a process that died while building. */
const ABANDONED_AFTER_MS = 30 * 60_000

/** Written after a build: when it started, so that an input changed during the build makes it stale. */
const stampOf = (outDir: string) => join(outDir, ".build-started")

const isFresh = (outDir: string, inputs: ReadonlyArray<string>) => {
  const stamp = stampOf(outDir)
  return existsSync(stamp) && Number(readFileSync(stamp, "utf8")) >= newestInput(inputs)
}

const tryLock = (): boolean => {
  try {
    mkdirSync(lock, { recursive: false })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    if (Date.now() - statSync(lock).mtimeMs > ABANDONED_AFTER_MS) rmSync(lock, { recursive: true, force: true })
    return false
  }
}

/**
 * Makes `build` (default: the package) into `outDir` (default `dist/`) afresh unless its last build started after
 * every input's last change (minutes on two cores). One process builds at a time; the others wait for it and then
 * find the build fresh.
 */
export const buildIfStale = async (outDir: string = dist, build: Build = packageBuild): Promise<void> => {
  mkdirSync(dirname(lock), { recursive: true })
  while (!tryLock()) await new Promise((resolve) => setTimeout(resolve, 500))
  try {
    if (isFresh(outDir, build.inputs)) return
    const started = Date.now()
    rmSync(outDir, { recursive: true, force: true }) // no output of a removed module may hide its absence
    await build.run(outDir)
    writeFileSync(stampOf(outDir), String(started))
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
