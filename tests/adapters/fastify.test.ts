/**
 * The Fastify plugin on a default Fastify instance over loopback: its encapsulated route reads the raw bytes
 * for the signature, while the app's other routes keep Fastify's JSON parser.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import Fastify from "fastify"
import { fastifyPlugin } from "../../src/adapters/fastify.js"
import { appRuntime, withLogsTo } from "../dialect.js"
import { LIMIT, post, recordingEntry, webhookCases } from "./webhookCases.js"

const quiet = withLogsTo(() => {})

describe("Fastify adapter", () => {
  it.live("a default instance, the plugin registered under a prefix next to a JSON route", () =>
    Effect.gen(function*() {
      const { respond, seen } = recordingEntry()
      const app = Fastify()
      app.post("/echo", async (request) => ({ parsed: request.body }))
      const plugin = fastifyPlugin(respond, yield* appRuntime(), { path: "/events", maxBodySize: LIMIT })
      yield* Effect.promise(() => app.register(plugin, { prefix: "/lark" }))
      const base = yield* Effect.acquireRelease(
        Effect.promise(() => app.listen({ port: 0, host: "127.0.0.1" })),
        () => Effect.promise(() => app.close())
      )
      yield* webhookCases(`${base}/lark/events`, seen)

      const echoed = yield* post(`${base}/echo`, { "content-type": "application/json" }, `{"a":1}`)
      assert.deepStrictEqual(echoed, { status: 200, body: `{"parsed":{"a":1}}` })
    }).pipe(Effect.scoped, quiet))
})
