/**
 * Which lane a call takes: the exchange its `HttpClient` carries, or the client itself when the user wrapped
 * it; what the call's span records on the way; and that the shipped wirings carry their exchanges.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as FetchWiring from "../layers/fetch.js"
import * as HttpWiring from "../layers/http.js"
import * as UndiciWiring from "../layers/index.js"
import * as Exchange from "../src/Exchange.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { makeTracer } from "./dialect.js"
import { message } from "./fixtures/operations.js"

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

const TOKEN = "t-lane-token"

/** Answers the token endpoint and message create; records what it was asked. */
const answer = (url: string): Exchange.Answer => ({
  status: 200,
  headers: { "content-type": "application/json", "x-tt-logid": url.includes("tenant_access_token") ? "log-token" : "log-message" },
  body: url.includes("tenant_access_token")
    ? json({ code: 0, msg: "ok", tenant_access_token: TOKEN, expire: 7200 })
    : json({ code: 0, msg: "success", data: { message_id: "om_lane" } })
})

/** A client whose own path and whose exchange both answer, each recording the requests it got. */
const twoLanes = () => {
  const throughClient: Array<HttpClientRequest.HttpClientRequest> = []
  const throughExchange: Array<Exchange.Outgoing> = []
  const plain = HttpClient.make((request) =>
    Effect.sync(() => {
      throughClient.push(request)
      const { body, headers, status } = answer(request.url)
      return HttpClientResponse.fromWeb(request, new Response(body as BodyInit, { status, headers: headers as Record<string, string> }))
    })
  )
  const client = Exchange.withExchange(plain, (outgoing) =>
    Effect.sync(() => {
      throughExchange.push(outgoing)
      return answer(outgoing.url)
    }))
  return { client, throughClient, throughExchange }
}

const config = LarkConfig.layer({ appId: "cli_lane", appSecret: Redacted.make("lane-secret"), domain: "http://127.0.0.1:9" })

const hello = message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } })

/** A tracer that keeps every ended span's name and attributes. */
const recordingTracer = (ended: Array<{ readonly name: string; readonly attributes: ReadonlyMap<string, unknown> }>) =>
  makeTracer(({ name }) => {
    const attributes = new Map<string, unknown>()
    return {
      spanId: `${ended.length}-${name}`,
      attributes,
      attribute: (key, value) => void attributes.set(key, value),
      end: () => void ended.push({ name, attributes })
    }
  })

describe("the lane of a call", () => {
  it.effect("a client that carries an exchange sends every request through it", () =>
    Effect.gen(function*() {
      const lanes = twoLanes()
      const sent = yield* Effect.provide(hello, Layer.merge(config, Layer.succeed(HttpClient.HttpClient, lanes.client)))
      assert.strictEqual(sent.message_id, "om_lane")
      assert.strictEqual(lanes.throughClient.length, 0)
      assert.deepStrictEqual(lanes.throughExchange.map((outgoing) => outgoing.url), [
        "http://127.0.0.1:9/open-apis/auth/v3/tenant_access_token/internal",
        "http://127.0.0.1:9/open-apis/im/v1/messages?receive_id_type=chat_id"
      ])
      const [, create] = lanes.throughExchange
      assert.strictEqual(create!.headers["authorization"], `Bearer ${TOKEN}`)
      assert.strictEqual(create!.headers["content-type"], "application/json; charset=utf-8")
      assert.deepStrictEqual(JSON.parse(create!.body as string), { receive_id: "oc_1", msg_type: "text", content: "{}" })
    }))

  it.effect("a client the user wrapped goes through the client, wrapping included", () =>
    Effect.gen(function*() {
      const lanes = twoLanes()
      const wrapped = HttpClient.mapRequest(lanes.client, HttpClientRequest.setHeader("x-wrapped", "yes"))
      const sent = yield* Effect.provide(hello, Layer.merge(config, Layer.succeed(HttpClient.HttpClient, wrapped)))
      assert.strictEqual(sent.message_id, "om_lane")
      assert.strictEqual(lanes.throughExchange.length, 0)
      assert.deepStrictEqual(lanes.throughClient.map((request) => request.headers["x-wrapped"]), ["yes", "yes"])
    }))

  it.effect("the call's span records the method, URL, status and log id, and no header", () =>
    Effect.gen(function*() {
      const ended: Array<{ readonly name: string; readonly attributes: ReadonlyMap<string, unknown> }> = []
      const lanes = twoLanes()
      yield* hello.pipe(
        Effect.provide(Layer.merge(config, Layer.succeed(HttpClient.HttpClient, lanes.client))),
        Effect.withTracer(recordingTracer(ended))
      )
      assert.deepStrictEqual(ended.map((span) => span.name), ["auth.v3.tenantAccessToken.internal", "im.v1.message.create"])
      const call = ended[1]!
      assert.deepStrictEqual(Object.fromEntries(call.attributes), {
        "lark.operation": "im.v1.message.create",
        "http.request.method": "POST",
        "url.full": "http://127.0.0.1:9/open-apis/im/v1/messages?receive_id_type=chat_id",
        "http.response.status_code": 200,
        "lark.log_id": "log-message"
      })
      assert.strictEqual(ended[0]!.attributes.get("lark.log_id"), "log-token")
    }))

  it.effect("the undici and node:http wirings carry an exchange; fetch goes through its client", () =>
    Effect.gen(function*() {
      const clientOf = (layer: Layer.Layer<HttpClient.HttpClient, never, never>) =>
        Effect.provide(HttpClient.HttpClient, layer)
      assert.isDefined(Exchange.ownExchange(yield* clientOf(UndiciWiring.HttpLive)))
      assert.isDefined(Exchange.ownExchange(yield* clientOf(HttpWiring.HttpLive)))
      assert.isUndefined(Exchange.ownExchange(yield* clientOf(FetchWiring.HttpLive)))
    }).pipe(Effect.scoped))

  it.effect("an exchange's failure before the answer, on a POST, is final and says what happened", () =>
    Effect.gen(function*() {
      let attempts = 0
      const failing = Exchange.withExchange(twoLanes().client, (outgoing) =>
        outgoing.url.includes("tenant_access_token")
          ? Effect.succeed(answer(outgoing.url))
          : Effect.suspend(() => {
            attempts++
            return Effect.fail(new Exchange.ExchangeError({ reason: "Send", detail: "socket hang up", cause: { code: "ECONNRESET" } }))
          }))
      const error = yield* Effect.flip(Effect.provide(hello, Layer.merge(config, Layer.succeed(HttpClient.HttpClient, failing))))
      assert.strictEqual(error._tag, "LarkHttpError")
      assert.isTrue(error._tag === "LarkHttpError" && error.maybeApplied && error.reason === "Transport")
      assert.include(error.message, "socket hang up")
      assert.strictEqual(attempts, 1) // a POST that may have arrived is not sent again
    }))

  it.effect("an exchange that reads an answer of any size still hands none larger than maxResponseBytes to a call", () =>
    Effect.gen(function*() {
      const limits: Array<number> = []
      const large = Exchange.withExchange(twoLanes().client, (outgoing, _, maxBytes) =>
        Effect.sync(() => {
          limits.push(maxBytes)
          if (outgoing.url.includes("tenant_access_token")) return answer(outgoing.url)
          return { ...answer(outgoing.url), body: json({ code: 0, msg: "success", data: { message_id: "om_" + "x".repeat(2000) } }) }
        }))
      const limited = LarkConfig.layer({ appId: "cli_lane", appSecret: Redacted.make("lane-secret"), domain: "http://127.0.0.1:9", maxResponseBytes: 1000 })
      const error = yield* Effect.flip(Effect.provide(hello, Layer.merge(limited, Layer.succeed(HttpClient.HttpClient, large))))
      assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "TooLarge")
      assert.deepStrictEqual(limits, [1000, 1000]) // the token fetch and the call were told the limit
    }))
})
