/**
 * The Effect 4 edition (docs/effect4.md): built from `src/` with the Effect 4 dialect, type-checked against
 * effect 4 (installed in `editions/effect4`), and its checks run on effect 4 in a child `node` process.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { repository } from "../../scripts/distBuild.js"
import { build, compiled, edition, rewriteSpecifiers } from "../../scripts/edition.js"

const run = promisify(execFile)

/** The names a module exports (declarations and `export { ... }` lists). */
const exportedNames = (path: string): Array<string> => {
  const text = readFileSync(path, "utf8")
  const declared = [...text.matchAll(/^export (?:const|type|class|function|interface) (\w+)/gm)].map((match) => match[1]!)
  const listed = [...text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((match) =>
    match[1]!.split(",").map((name) => name.trim().replace(/^type /, "")).filter((name) => name !== ""))
  return [...declared, ...listed].sort()
}

/** Runs a compiled check of the edition and returns the JSON line it prints. */
const check = async (name: string): Promise<any> => {
  const { stdout } = await run(process.execPath, [join(compiled, "checks", `${name}.js`)], { timeout: 20_000 })
  return JSON.parse(stdout)
}

describe("the Effect 4 edition", () => {
  // npm ci of editions/effect4 on a clean clone (~15 s) plus one tsc run (~15 s)
  beforeAll(() => build({ install: true }), 90_000)

  it("has the same dialect names on both majors", () => {
    const effect3 = exportedNames(join(repository, "src", "internal", "dialect.ts"))
    expect(effect3.length).toBeGreaterThan(30)
    expect(exportedNames(join(edition, "dialect.ts"))).toEqual(effect3)
    // the suite's own (tests/dialect.ts), put in its place when the suite runs on Effect 4
    const tests3 = exportedNames(join(repository, "tests", "dialect.ts"))
    expect(tests3.length).toBeGreaterThan(0)
    expect(exportedNames(join(edition, "testDialect.ts"))).toEqual(tests3)
  })

  it("rewrites only the import specifiers in its table", () => {
    const table = { "@effect/platform/HttpClient": "effect/http/HttpClient" }
    const source = [
      `import * as HttpClient from "@effect/platform/HttpClient"`,
      `import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"`,
      `export type { HttpClient } from '@effect/platform/HttpClient'`,
      `const lazy = import("@effect/platform/HttpClient")`,
      `const text = "@effect/platform/HttpClient"`
    ].join("\n")
    expect(rewriteSpecifiers(source, table).split("\n")).toEqual([
      `import * as HttpClient from "effect/http/HttpClient"`,
      `import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"`,
      `export type { HttpClient } from 'effect/http/HttpClient'`,
      `const lazy = import("effect/http/HttpClient")`,
      `const text = "@effect/platform/HttpClient"`
    ])
  })

  it("runs LarkConfig and single-flight on Effect 4", async () => {
    const result = await check("config")
    expect(result.made).toMatchObject({ appId: "cli_a", domain: "https://open.larksuite.com" })
    expect(result.emptyAppId).toEqual({
      tag: "LarkConfigError",
      variable: "appId",
      detail: "must not be empty",
      message: "invalid configuration appId: must not be empty"
    })
    expect(result.badDomain).toMatchObject({ tag: "LarkConfigError", variable: "domain", detail: expect.stringContaining("http(s) base URL") })
    expect(result.environment).toEqual({ ok: { appId: "cli_env", appType: "marketplace", domain: "https://open.feishu.cn" } })
    expect(result.missingAppId).toEqual({ error: "invalid configuration LARK_APP_ID: is not set" })
    expect(result.badAppType).toEqual({
      error: `invalid configuration LARK_APP_TYPE: expected "self_built" or "marketplace", got "other"`
    })
    // three concurrent callers, one run; a later call runs again
    expect(result.singleFlight).toEqual({ answers: [1, 1, 1], runs: 2, again: 2 })
  })

  it("sends im.v1.message.create on Effect 4, with a tenant token fetched once, and decodes the answer", async () => {
    const result = await check("call")
    const answer = { message_id: "om_1", chat_id: "oc_1", msg_type: "text", body: { content: `{"text":"hello"}` }, extra_field: "kept" }
    expect(result.first).toEqual(answer) // decoded, unknown fields kept
    expect(result.second).toEqual(answer)
    const message = {
      method: "POST",
      path: "/open-apis/im/v1/messages",
      query: { receive_id_type: ["chat_id"] },
      authorization: "Bearer t-mock-1",
      contentType: "application/json; charset=utf-8",
      body: { _tag: "Json", value: { receive_id: "oc_1", msg_type: "text", content: `{"text":"hello"}` } }
    }
    // one token fetch, then both calls with the cached token
    expect(result.requests).toEqual([
      {
        method: "POST",
        path: "/open-apis/auth/v3/tenant_access_token/internal",
        query: {},
        contentType: "application/json; charset=utf-8",
        body: { _tag: "Json", value: { app_id: "cli_a", app_secret: "secret" } }
      },
      message,
      message
    ])
    expect(result.refused).toEqual({
      tag: "LarkApiError",
      code: 230001,
      message: "im.v1.message.create failed with code 230001: bad receive_id"
    })
    expect(result.undecodable).toMatchObject({ tag: "LarkDecodeError", message: expect.stringContaining(`["message_id"]`) })
  })
})
