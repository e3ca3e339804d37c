/**
 * The generated files are exactly what the generator makes from the catalog: regenerating into a temporary
 * directory gives no difference, and running it twice is stable.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"
import { HEADER } from "../../scripts/codegen/emit.js"
import { withServiceExports } from "../../scripts/codegen/exports.js"
import { catalog, catalogDirectory, catalogPresent, skipReason } from "./catalog.js"

const repository = fileURLToPath(new URL("../..", import.meta.url))

const generatedFiles = (root: string, under: string): Map<string, string> => {
  const files = new Map<string, string>()
  for (const entry of readdirSync(join(root, under), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue
    const path = join(entry.parentPath, entry.name)
    const content = readFileSync(path, "utf8")
    if (content.startsWith(HEADER)) files.set(relative(root, path), content)
  }
  return files
}

describe("codegen", () => {
  const out = mkdtempSync(join(tmpdir(), "lark-codegen-"))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it.skipIf(!catalogPresent)(`regenerating from the catalog gives the committed files${skipReason}`, () => {
    const generate = () =>
      execFileSync(process.execPath, ["--import", "tsx", join(repository, "scripts/codegen/main.ts"), "--catalog", catalogDirectory, "--out", out], {
        encoding: "utf8"
      })
    generate()
    const fresh = new Map([...generatedFiles(out, "schemas"), ...generatedFiles(out, "src/api")])
    const committed = new Map([...generatedFiles(repository, "schemas"), ...generatedFiles(repository, "src/api")])
    assert.isAbove(fresh.size, 1000)
    const missing = [...fresh.keys()].filter((path) => !committed.has(path))
    const extra = [...committed.keys()].filter((path) => !fresh.has(path))
    const changed = [...fresh.keys()].filter((path) => committed.has(path) && committed.get(path) !== fresh.get(path))
    assert.deepStrictEqual({ missing, extra, changed }, { missing: [], extra: [], changed: [] }, "run `npm run codegen` and commit")
    assert.include(generate(), `0 written, ${fresh.size} unchanged`) // a second run changes nothing
  }, 120_000)

  it.skipIf(!catalogPresent)(`package.json exports every service${skipReason}`, () => {
    const manifest = readFileSync(join(repository, "package.json"), "utf8")
    const services = Object.keys(catalog!.services).sort()
      .filter((service) => Object.values(catalog!.services[service]!).some((version) => version.apis.length > 0))
    assert.strictEqual(withServiceExports(manifest, services), manifest)
    assert.deepStrictEqual(JSON.parse(manifest).exports["./im"], { types: "./dist/src/api/im/index.d.ts", default: "./dist/src/api/im/index.js" })
  })

  it("a service left with no APIs loses its entry; hand-written entries stay", () => {
    const entry = (path: string) => ({ types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` })
    const before = JSON.stringify({
      exports: { ".": entry("src/index"), "./elearning": entry("src/api/elearning/index"), "./im": entry("src/api/im/index") }
    })
    assert.deepStrictEqual(Object.keys(JSON.parse(withServiceExports(before, ["im"])).exports), [".", "./im", "./*"])
  })
})
