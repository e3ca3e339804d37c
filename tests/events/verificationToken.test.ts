/**
 * A configured Verification Token is required, not merely compared when present: every webhook delivery that
 * does not carry exactly that token (missing, empty, `null`, not a string, another one) is refused with 401 and
 * runs no handler, on every entry (`handle`, `handleCardAction`, `nodeListener`, `EventHttp.app`, the Channel's
 * webhook), for v1, v2, callbacks and `url_verification`, with and without an Encrypt Key. The long connection
 * (authenticated by the app's credentials) accepts a payload without a token but not one with another token.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApp from "@effect/platform/HttpApp"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel } from "../../src/channel/Channel.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as Crypto from "../../src/events/crypto.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { dedupeOfContext, makeDispatch } from "../../src/events/dispatch.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle, type Request } from "../../src/events/handle.js"
import * as EventHttp from "../../src/events/httpApp.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { appRuntime, withLogsTo } from "../dialect.js"

const TOKEN = "the-verification-token"
const KEY = "the-encrypt-key"

/** Token values a forger might send: absent (`undefined`), empty, `null`, not a string, another token. */
const FORGED: ReadonlyArray<unknown> = [undefined, "", null, 0, 1, true, [TOKEN], { token: TOKEN }, "another-token"]

const v2 = (token: unknown, type = "im.message.receive_v1") => ({
  schema: "2.0",
  header: { event_id: `evt_${Math.random()}`, event_type: type, create_time: "1700000000000", token, app_id: "cli_x" },
  event: { message: { message_id: "om_1" } }
})
const v1 = (token: unknown) => ({ ts: "1700000000.1", uuid: `uuid_${Math.random()}`, token, type: "event_callback", event: { type: "message" } })
const challenge = (token: unknown) => ({ challenge: "c-123", token, type: "url_verification" })

/** The four kinds of delivery, each carrying `token` where the platform puts it. */
const deliveries = (token: unknown) => ({
  v2: v2(token),
  v1: v1(token),
  callback: v2(token, "card.action.trigger"),
  url_verification: challenge(token)
})

/** `JSON.stringify` drops an `undefined` token: that is the "missing" case. */
const plainRequest = (body: unknown): Request => ({ method: "POST", headers: {}, rawBody: JSON.stringify(body) })

const sealedRequest = (body: unknown): Request => {
  const rawBody = JSON.stringify({ encrypt: Crypto.encrypt(KEY, JSON.stringify(body)) })
  return {
    method: "POST",
    headers: {
      "x-lark-request-timestamp": "1700000000",
      "x-lark-request-nonce": "n-1",
      "x-lark-signature": Crypto.signature("1700000000", "n-1", KEY, rawBody)
    },
    rawBody
  }
}

const countingDispatcher = (runs: Ref.Ref<number>, options: EventDispatcher.Options) => {
  const count = () => Ref.update(runs, (n) => n + 1)
  return EventDispatcher.make(options)
    .on("im.message.receive_v1", count)
    .on("card.action.trigger", count)
    .fallback(count)
}

const quiet = withLogsTo(() => {})

const configurations = [
  { name: "a Verification Token only", options: { verificationToken: TOKEN }, request: plainRequest },
  { name: "a Verification Token and an Encrypt Key", options: { verificationToken: TOKEN, encryptKey: KEY }, request: sealedRequest }
] as const

describe.each(configurations)("with $name", ({ options, request }) => {
  for (const entry of ["handle", "handleCardAction"] as const) {
    it.effect(`${entry}: a delivery without exactly the token gets 401 and runs no handler`, () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const dispatcher = countingDispatcher(runs, options)
        const respond = entry === "handle" ? handle(dispatcher) : handleCardAction(dispatcher)
        for (const token of FORGED) {
          for (const [kind, body] of Object.entries(deliveries(token))) {
            const response = yield* respond(request(body))
            assert.strictEqual(response.status, 401, `${kind} with token ${JSON.stringify(token)}`)
            assert.notInclude(response.body, "c-123")
          }
        }
        assert.strictEqual(yield* Ref.get(runs), 0)

        // the platform's deliveries (exact token) still go through; v1 events are not sent to the card URL
        const genuine = Object.entries(deliveries(TOKEN)).filter(([kind]) => entry === "handle" || kind !== "v1")
        for (const [kind, body] of genuine) {
          assert.strictEqual((yield* respond(request(body))).status, 200, kind)
        }
        assert.strictEqual(yield* Ref.get(runs), genuine.length - 1)
      }).pipe(quiet))
  }
})

describe("the adapters refuse a delivery without the token", () => {
  it.live("eventListener (node:http) and EventHttp.app", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const dispatcher = countingDispatcher(runs, { verificationToken: TOKEN })
      const listener = nodeListener(handle(dispatcher), yield* appRuntime())
      const server = createServer(listener)
      yield* Effect.acquireRelease(
        callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => callback<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const webHandler = HttpApp.toWebHandler(EventHttp.app(dispatcher))
      for (const token of [undefined, "", null, 42]) {
        for (const body of Object.values(deliveries(token))) {
          const init = { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }
          const viaListener = yield* Effect.promise(() => fetch(url, init))
          assert.strictEqual(viaListener.status, 401)
          const viaApp = yield* Effect.promise(() => webHandler(new Request(url, init)))
          assert.strictEqual(viaApp.status, 401)
        }
      }
      assert.strictEqual(yield* Ref.get(runs), 0)
    }).pipe(quiet, Effect.scoped))

  it.effect("the Channel's webhook transport", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const context = yield* Layer.build(Layer.mergeAll(
        Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: fake.url })),
        FetchHttpClient.layer
      ))
      const channel = yield* Channel.make({ transport: "webhook", verificationToken: Redacted.make(TOKEN) }).pipe(
        Effect.provide(context)
      )
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const message = (token: unknown) => ({
        ...v2(token),
        event: {
          sender: { sender_id: { open_id: "ou_mallory" }, sender_type: "user" },
          message: { message_id: "om_forged", chat_id: "oc_1", chat_type: "p2p", message_type: "text", content: "{\"text\":\"hi\"}" }
        }
      })
      for (const token of [undefined, "", null, 7]) {
        assert.strictEqual((yield* channel.webhook(plainRequest(message(token)))).status, 401)
      }
      assert.strictEqual(yield* Ref.get(runs), 0)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet, Effect.scoped))
})

describe("the long connection's dispatch", () => {
  it.effect("accepts a payload without a token and refuses one with another token", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const dispatch = makeDispatch(
        countingDispatcher(runs, { verificationToken: TOKEN }),
        dedupeOfContext(Dedupe.unsafeMakeMemory()),
        "whenPresent"
      )
      assert.strictEqual((yield* dispatch(v2(undefined)))._tag, "Handled")
      assert.strictEqual((yield* dispatch(v2(TOKEN)))._tag, "Handled")
      assert.strictEqual((yield* dispatch(v2("another-token")))._tag, "Rejected")
      assert.strictEqual(yield* Ref.get(runs), 2)
    }).pipe(quiet))
})
