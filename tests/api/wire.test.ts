/**
 * Every API in the catalog, called through its generated function with the differential suite's payload
 * (seed 0: every field filled): the request on the wire has the catalog's method, the path with its
 * parameters substituted and escaped, the query, the JSON or multipart body, and the right token.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerTest } from "../../layers/testing.js"
import { nodeNames } from "../../scripts/codegen/names.js"
import type { Api } from "../../scripts/codegen/catalog.js"
import type { ApiCall, CallOptions } from "../../src/Operation.js"
import { MockHttp, ok, route } from "../../src/testing/MockHttp.js"
import { type Payload, payloadFor } from "../differential/payloads.js"
import { catalog, catalogPresent, skipReason } from "./catalog.js"

const scalarText = (value: unknown) => typeof value === "string" ? value : String(value)

/** The path with its parameters substituted and escaped, and the query each parameter should give. */
const expectedFor = (api: Api, payload: Payload) => {
  let path = api.path
  for (const [name, value] of Object.entries(payload.path ?? {})) path = path.replace(`:${name}`, encodeURIComponent(value))
  const query = Object.fromEntries(Object.entries(payload.params ?? {}).map(([name, value]) =>
    [name, Array.isArray(value) ? value.map(scalarText) : [scalarText(value)]]
  ))
  return { path, query }
}

const expectedAuthorization = (api: Api): string | undefined => {
  const tokens = api.access_tokens ?? ["tenant", "user"]
  if (tokens.length === 0) return undefined
  if (tokens.includes("tenant")) return "Bearer t-mock-1"
  if (tokens.includes("app")) return "Bearer a-mock-1"
  return "Bearer u-wire"
}

const answerFor = (api: Api) =>
  api.response.kind === "binary"
    ? () => ({ headers: { "content-type": "application/octet-stream", "content-disposition": "attachment; filename=\"f.bin\"" }, body: new Uint8Array([1]) })
    : () => ok({})

const callOne = (service: string, version: string, api: Api, serviceModule: any) =>
  Effect.gen(function*() {
    const { resource, method } = nodeNames(api)
    const call: ((payload: unknown, options: CallOptions) => ApiCall<unknown>) | undefined =
      serviceModule[service]?.[version]?.[resource]?.[method]
    assert.isFunction(call, `${api.id}: no function ${service}.${version}.${resource}.${method}`)
    const payload = payloadFor(api, catalog!.services[service]![version]!.models, 0)
    const expected = expectedFor(api, payload)
    const tokens = api.access_tokens ?? ["tenant", "user"]
    const options = tokens.length > 0 && tokens.every((kind) => kind === "user") ? { userAccessToken: "u-wire" } : {}
    const failure = yield* call!(payload, options).pipe(Effect.match({ onFailure: (error) => ({ error }), onSuccess: () => undefined }))
    assert.isUndefined(failure, `${api.id}: ${failure === undefined ? "" : String(failure.error)}`)

    const requests = (yield* (yield* MockHttp).requests).filter((request) => !request.path.startsWith("/open-apis/auth/v3/") || api.id.startsWith("auth.v3."))
    const sent = requests[requests.length - 1]!
    assert.strictEqual(sent.method, api.http_method, api.id)
    assert.strictEqual(sent.url.pathname, expected.path, api.id)
    assert.deepStrictEqual(sent.query, expected.query, `${api.id} query`)
    assert.strictEqual(sent.headers.authorization, expectedAuthorization(api), `${api.id} token`)
    // node-sdk's wire: a JSON body (`{}` without data) on every method, GET only when the API takes a body
    if (api.http_method === "GET" && api.request_body === null) {
      assert.deepStrictEqual(sent.body, { _tag: "None" }, `${api.id} body`)
      return
    }
    if (api.file_upload || api.request_body?.content_type === "multipart/form-data") {
      assert.strictEqual(sent.body._tag, "Multipart", `${api.id} body`)
      if (sent.body._tag !== "Multipart") return
      for (const [name, value] of Object.entries(payload.data ?? {})) {
        if (value instanceof Uint8Array) assert.deepStrictEqual([...sent.body.files[name]!.bytes], [...value], `${api.id} file ${name}`)
        else assert.strictEqual(sent.body.fields[name], typeof value === "object" ? JSON.stringify(value) : String(value), `${api.id} field ${name}`)
      }
    } else {
      assert.deepStrictEqual(sent.body, { _tag: "Json", value: payload.data ?? {} }, `${api.id} body`)
    }
  }).pipe(Effect.provide(layerTest([route(api.http_method, api.path, answerFor(api))])))

const servicesWithApis = catalog === undefined
  ? []
  : Object.keys(catalog.services).sort().filter((service) =>
    Object.values(catalog!.services[service]!).some((version) => version.apis.length > 0))

describe("every API on the wire", () => {
  it.skipIf(!catalogPresent)(`the catalog has APIs to check${skipReason}`, () => {
    assert.isAbove(servicesWithApis.length, 50)
  })
  for (const service of servicesWithApis) {
    it.effect(`${service}`, () =>
      Effect.gen(function*() {
        const serviceModule = yield* Effect.promise(() => import(`../../src/api/${service}/index.ts`))
        let calls = 0
        for (const version of Object.keys(catalog!.services[service]!).sort()) {
          for (const api of catalog!.services[service]![version]!.apis) {
            yield* callOne(service, version, api, serviceModule)
            calls++
          }
        }
        assert.isAbove(calls, 0)
      }), 60_000)
  }
})
