/**
 * node-sdk's version-less names (`im.message.create` beside `im.v1.message.create`): the committed bindings
 * are what the installed node-sdk says, and every such name of node-sdk is, on our side, the very function
 * of the version it is bound to; we offer no version-less name node-sdk does not (but our page and stream
 * helpers of its functions).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as lark from "@larksuiteoapi/node-sdk"
import { assert, describe, it } from "vitest"
import { bindingsOf, loadBindings } from "../../scripts/codegen/versionless.js"
import { catalog, catalogPresent, skipReason } from "./catalog.js"

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} }
const client = new lark.Client({ appId: "cli_versionless", appSecret: "unused", logger: silent }) as unknown as Record<
  string,
  Record<string, Record<string, unknown>>
>

const isVersion = (key: string) => /^v\d+$/.test(key)

/** The helpers we generate beside a function, as node-sdk has `…WithIterator`. */
const helperOf = (name: string) => /^(.+?)(Pages|Stream)$/.exec(name)?.[1]

describe("version-less names", () => {
  it("versionless.json is what the installed node-sdk binds (npm run codegen:versionless)", () => {
    const nodeSdk = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@larksuiteoapi/node-sdk/package.json"), "utf8")).version
    assert.deepStrictEqual(loadBindings(), { nodeSdk, services: bindingsOf(client) })
  })

  it.skipIf(!catalogPresent)(`each is the same function as the versioned one node-sdk binds it to${skipReason}`, async () => {
    const { services } = loadBindings()
    let names = 0
    for (const service of Object.keys(catalog!.services).sort()) {
      const version = services[service]
      const apis = Object.values(catalog!.services[service]!).flatMap((spec) => spec.apis)
      if (apis.length === 0) continue
      const ours = (await import(`../../src/api/${service}/index.ts`))[service] as Record<string, Record<string, unknown>>
      const node = client[service] ?? {}
      // node-sdk's names that the catalog has are ours, bound to the same version
      for (const resource of Object.keys(node).filter((key) => !isVersion(key))) {
        for (const method of Object.keys(node[resource]!).filter((name) => !name.endsWith("WithIterator"))) {
          const inCatalog = catalog!.services[service]![version!]?.apis.some((api) => api.sdk_names.node === `${resource}.${method}`)
          if (inCatalog !== true) continue
          const versioned = (ours[version!] as Record<string, Record<string, unknown>> | undefined)?.[resource]?.[method]
          assert.isFunction(versioned, `${service}.${version}.${resource}.${method}`)
          assert.strictEqual(ours[resource]?.[method], versioned, `${service}.${resource}.${method}`)
          names++
        }
      }
      // and we have none of our own
      for (const resource of Object.keys(ours).filter((key) => !isVersion(key))) {
        for (const name of Object.keys(ours[resource]!)) {
          const method = node[resource]?.[name] === undefined ? helperOf(name) : name
          assert.isFunction(node[resource]?.[method ?? name], `${service}.${resource}.${name} is not a node-sdk name`)
        }
      }
    }
    assert.strictEqual(names, 1150)
  }, 60_000)
})
