/**
 * Docs on hover: every generated function carries a JSDoc with the API's title, HTTP method and path, and
 * documentation link, and so does its version-less name; an editor (the TypeScript language service) shows
 * it on both names.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { assert, describe, it } from "vitest"
import type { Api } from "../../scripts/codegen/catalog.js"
import { localName, nodeNames } from "../../scripts/codegen/names.js"
import { loadBindings } from "../../scripts/codegen/versionless.js"
import { catalog, catalogPresent, skipReason } from "./catalog.js"

const repository = fileURLToPath(new URL("../..", import.meta.url))

/** The JSDoc comment that ends right before `at` (blank space aside). */
const commentBefore = (text: string, at: number): string | undefined => {
  const before = text.slice(0, at).trimEnd()
  if (!before.endsWith("*/")) return undefined
  return before.slice(before.lastIndexOf("/**"))
}

const expectDoc = (comment: string | undefined, api: Api, where: string) => {
  assert.isDefined(comment, `${where}: no JSDoc`)
  if (api.title !== undefined) assert.include(comment, api.title, `${where}: title`)
  assert.include(comment, `\`${api.http_method} ${api.path}\``, `${where}: method and path`)
  if (api.doc_url !== undefined) assert.include(comment, `{@link ${api.doc_url} | Documentation}`, `${where}: documentation link`)
}

describe("docs on hover", () => {
  it.skipIf(!catalogPresent)(`every function and version-less name has its API's JSDoc${skipReason}`, () => {
    const { services } = loadBindings()
    let versionless = 0
    for (const service of Object.keys(catalog!.services)) {
      const index = () => readFileSync(join(repository, `src/api/${service}/index.ts`), "utf8")
      for (const [version, spec] of Object.entries(catalog!.services[service]!)) {
        for (const api of spec.apis) {
          const { resource, method } = nodeNames(api)
          const module = readFileSync(join(repository, `src/api/${service}/${version}/${resource}.ts`), "utf8")
          expectDoc(commentBefore(module, module.indexOf(`export const ${localName(method)} = (`)), api, api.id)
          if (services[service] !== version || api.sdk_names.node === undefined) continue
          const text = index()
          const property = new RegExp(`\\n\\s+"?${method}"?: ${version}_${resource}\\.${method}\\b`).exec(text)
          assert.isNotNull(property, `${service}.${resource}.${method}: no version-less property`)
          expectDoc(commentBefore(text, property!.index), api, `${service}.${resource}.${method}`)
          versionless++
        }
      }
    }
    assert.strictEqual(versionless, 1150)
  }, 60_000)

  it(`an editor shows the JSDoc on the versioned and the version-less name`, () => {
    const file = join(repository, "tests/api/hover.ts")
    const source = `import { im } from "../../src/api/im/index.js"\nim.v1.message.create\nim.message.create\n`
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => "1",
      getScriptSnapshot: (name) =>
        ts.ScriptSnapshot.fromString(name === file ? source : ts.sys.readFile(name) ?? ""),
      getCurrentDirectory: () => repository,
      getCompilationSettings: () => ({ module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true }),
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: (name) => name === file || ts.sys.fileExists(name),
      readFile: (name) => name === file ? source : ts.sys.readFile(name)
    }
    const service = ts.createLanguageService(host)
    for (const name of ["im.v1.message.create", "im.message.create"]) {
      const info = service.getQuickInfoAtPosition(file, source.indexOf(`${name}\n`) + name.length - 1)
      const documentation = ts.displayPartsToString(info?.documentation)
      const tags = (info?.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`)
      assert.include(documentation, "发送消息", name)
      assert.include(documentation, "`POST /open-apis/im/v1/messages`", name)
      assert.deepStrictEqual(tags, [
        "@see {@link https://open.feishu.cn/api-explorer?from=op_doc_tab&apiName=create&project=im&resource=message&version=v1 Documentation}"
      ], name)
    }
  }, 60_000)
})
