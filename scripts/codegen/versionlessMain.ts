/**
 * `npm run codegen:versionless`: reads node-sdk's version-less bindings off the installed
 * `@larksuiteoapi/node-sdk` and writes `scripts/codegen/versionless.json`, which `npm run codegen` reads.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as lark from "@larksuiteoapi/node-sdk"
import { BINDINGS_FILE, type Bindings, bindingsOf } from "./versionless.js"

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} }
// no request is made: the client is only looked at
const client = new lark.Client({ appId: "cli_versionless", appSecret: "unused", logger: silent })
const nodeSdk = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@larksuiteoapi/node-sdk/package.json"), "utf8")) as {
  version: string
}).version

const bindings: Bindings = { nodeSdk, services: bindingsOf(client) }
writeFileSync(BINDINGS_FILE, `${JSON.stringify(bindings, null, 2)}\n`)
console.log(`codegen:versionless: ${Object.keys(bindings.services).length} services, node-sdk ${nodeSdk}`)
