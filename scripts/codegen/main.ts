/**
 * `npm run codegen [-- --catalog DIR] [--out DIR]`: the typed API surface from the Lark API catalog.
 *
 * Writes schemas/<service>/<version>/*.ts, src/api/<service>/<version>/<resource>.ts and
 * src/api/<service>/index.ts (with node-sdk's version-less names, from versionless.json) under `--out` (the
 * repository by default), removes generated files that the catalog no longer yields, and sets package.json's
 * per-service `exports`. Deterministic: running it twice changes nothing. The schemas are written in Effect 3's
 * Schema (the `effect3` dialect); the Effect 4 edition generates its own in the `effect4` one (scripts/edition.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { defaultCatalogDirectory, load } from "./catalog.js"
import { effect3 } from "./dialect.js"
import { emitAll, HEADER } from "./emit.js"
import { withServiceExports } from "./exports.js"
import { loadBindings } from "./versionless.js"

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

const option = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 && process.argv[index + 1] !== undefined ? resolve(process.argv[index + 1]!) : fallback
}

const catalogDirectory = option("catalog", defaultCatalogDirectory)
const out = option("out", repository)

if (!existsSync(join(catalogDirectory, "catalog.json"))) {
  console.error(`codegen: no catalog.json in ${catalogDirectory} (pass --catalog DIR)`)
  process.exit(1)
}

const generatedFilesUnder = (directory: string): Array<string> => {
  if (!existsSync(directory)) return []
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => readFileSync(file, "utf8").startsWith(HEADER))
}

console.log(`codegen: reading ${catalogDirectory}/catalog.json`)
const { files, services } = emitAll(load(catalogDirectory), loadBindings().services, effect3)

let written = 0
let unchanged = 0
for (const [path, content] of files) {
  const target = join(out, path)
  if (existsSync(target) && readFileSync(target, "utf8") === content) {
    unchanged++
    continue
  }
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, content)
  written++
}

const expected = new Set([...files.keys()].map((path) => join(out, path)))
const stale = [...generatedFilesUnder(join(out, "schemas")), ...generatedFilesUnder(join(out, "src/api"))]
  .filter((file) => !expected.has(file))
for (const file of stale) rmSync(file)

const packageJson = join(out, "package.json")
if (existsSync(packageJson)) {
  const before = readFileSync(packageJson, "utf8")
  const after = withServiceExports(before, services)
  if (after !== before) writeFileSync(packageJson, after)
}

console.log(
  `codegen: ${services.length} services, ${files.size} files (${written} written, ${unchanged} unchanged, ` +
    `${stale.length} stale removed) under ${relative(process.cwd(), out) || "."}`
)
