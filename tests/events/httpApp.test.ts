/**
 * The `@effect/platform` adapter as an `HttpRouter` route on a real loopback `NodeHttpServer`.
 */
import { createServer } from "node:http"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { CardResponse } from "../../src/events/callbacks.js"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as EventHttp from "../../src/events/httpApp.js"
import { httpUrlOf } from "../../src/internal/dialect.js"
import { postRoutes, withLogsTo } from "../dialect.js"

const KEY = "router key"
const TOKEN = "router token"

const envelope = (id: string, type: string, event: unknown) =>
  JSON.stringify({ schema: "2.0", header: { event_id: id, event_type: type, create_time: "1700000000000", token: TOKEN }, event })

const sealedInit = (plaintext: string): RequestInit => {
  const body = JSON.stringify({ encrypt: Crypto.encrypt(KEY, plaintext) })
  return {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-lark-request-timestamp": "1700000000",
      "x-lark-request-nonce": "n1",
      "x-lark-signature": Crypto.signature("1700000000", "n1", KEY, body)
    }
  }
}

describe("EventHttp.app on an HttpRouter", () => {
  it.live("events, v2 callbacks and legacy card actions over real HTTP; a forged request gets 401", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const dispatcher = EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN })
        .on("im.message.receive_v1", ({ event }) => Effect.sync(() => void received.push(event.message?.message_id ?? "")))
        .on("card.action.trigger", () => Effect.succeed(CardResponse.toast("info", "clicked")))
        .onCardAction((action) => Effect.succeed({ elements: [{ tag: "div", text: action.open_id }] }))
      const router = yield* postRoutes([
        ["/lark/events", EventHttp.app(dispatcher)],
        ["/lark/card", EventHttp.cardActionApp(dispatcher)]
      ])
      const server = yield* HttpServer.HttpServer
      yield* server.serve(router)
      const base = httpUrlOf(server.address)
      assert(base !== undefined, "the server listens on TCP")
      const post = (path: string, init: RequestInit) =>
        Effect.promise(async () => {
          const response = await fetch(`${base}${path}`, init)
          return { status: response.status, type: response.headers.get("content-type"), body: await response.text() }
        })

      const event = yield* post("/lark/events", sealedInit(envelope("evt_r1", "im.message.receive_v1", { message: { message_id: "om_r" } })))
      assert.deepStrictEqual(event, { status: 200, type: "application/json; charset=utf-8", body: "{\"msg\":\"success\"}" })
      assert.deepStrictEqual(received, ["om_r"])

      const callback = yield* post("/lark/events", sealedInit(envelope("evt_r2", "card.action.trigger", {})))
      assert.deepStrictEqual(JSON.parse(callback.body), { toast: { type: "info", content: "clicked" } })

      const legacyBody = "{\"open_id\":\"ou_r\",\"action\":{\"tag\":\"button\"}}"
      const legacy = yield* post("/lark/card", {
        method: "POST",
        body: legacyBody,
        headers: {
          "x-lark-request-timestamp": "1700000000",
          "x-lark-request-nonce": "n2",
          "x-lark-signature": Crypto.cardSignature("1700000000", "n2", TOKEN, legacyBody)
        }
      })
      assert.deepStrictEqual(JSON.parse(legacy.body), { elements: [{ tag: "div", text: "ou_r" }] })

      const init = sealedInit(envelope("evt_r3", "im.message.receive_v1", { message: { message_id: "om_forged" } }))
      const forged = yield* post("/lark/events", { ...init, headers: { ...init.headers, "x-lark-signature": "0".repeat(64) } })
      assert.strictEqual(forged.status, 401)
      assert.deepStrictEqual(received, ["om_r"])
    }).pipe(
      Effect.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      withLogsTo(() => {}),
      Effect.scoped
    ))
})
