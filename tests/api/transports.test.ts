/**
 * Bodies on methods Node does not expect one on, through each real wiring against a server on 127.0.0.1: a
 * DELETE's `{}` and a body-taking GET's `data` arrive whole, and the answer decodes (a body sent without its
 * length would be read as the start of the next request).
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer, Redacted } from "effect"
import * as Undici from "../../layers/index.js"
import * as NodeHttp from "../../layers/http.js"
import { approval } from "../../src/api/approval/index.js"
import { im } from "../../src/api/im/index.js"
import type { Options } from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/index.js"
import { scoped } from "../dialect.js"
import { loopback, urlOf } from "../fixtures/loopback.js"

interface Received {
  readonly method: string | undefined
  readonly body: string
}

const recording = (received: Array<Received>) => (req: IncomingMessage, res: ServerResponse) => {
  let body = ""
  req.on("data", (chunk) => body += chunk)
  req.on("end", () => {
    received.push({ method: req.method, body })
    res.setHeader("content-type", "application/json")
    res.end(JSON.stringify({ code: 0, msg: "success", data: {} }))
  })
}

const wirings: ReadonlyArray<readonly [string, (options: Options) => Layer.Layer<any, any>]> = [
  ["lark-effect/layers (undici)", Undici.layer],
  ["lark-effect/layers/http (node:http)", NodeHttp.layer]
]

describe("bodies on GET and DELETE through the wirings", () => {
  for (const [name, layer] of wirings) {
    scoped(name, () =>
      Effect.gen(function*() {
        const received: Array<Received> = []
        const server = yield* loopback(recording(received))
        const options = { tenantAccessToken: "t-given" }
        yield* Effect.gen(function*() {
          yield* im.message.delete({ path: { message_id: "om_1" } }, options)
          yield* im.message.delete({ path: { message_id: "om_2" } }, options) // the same kept-alive socket
          yield* approval.externalTask.list({ data: { approval_codes: ["code"] } }, options)
        }).pipe(Effect.provide(layer({ appId: defaultApp.appId, appSecret: Redacted.make("secret"), domain: urlOf(server) })))
        assert.deepStrictEqual(received, [
          { method: "DELETE", body: "{}" },
          { method: "DELETE", body: "{}" },
          { method: "GET", body: "{\"approval_codes\":[\"code\"]}" }
        ])
      }))
  }
})
