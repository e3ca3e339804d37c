/**
 * The fake platform's "push this event to a URL": sealed like the platform (encrypted, signed), received by
 * our own webhook entries on a loopback node:http server, redelivered on failure with the same event id.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle, type Request, type Response } from "../../src/events/handle.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback, getSuccess, isFailure } from "../../src/internal/dialect.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { platformRedelivery, seal } from "../../src/testing/pushEvent.js"
import { appRuntime, withLogsTo } from "../dialect.js"

const KEY = "push key"
const TOKEN = "push token"

/** Serves `respond` on 127.0.0.1 for the scope; answers its URL. */
const serve = (respond: (request: Request) => Effect.Effect<Response>) =>
  Effect.gen(function*() {
    const server = createServer(nodeListener(respond, yield* appRuntime()))
    yield* Effect.acquireRelease(
      callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () => Effect.sync(() => server.close())
    )
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`
  })

const quiet = withLogsTo(() => {})

describe("seal", () => {
  it.effect("an encrypted v2 event is signed over its raw body at the Clock's time and decrypts to the envelope", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_123)
      const sealed = yield* seal(
        { version: "v2", type: "im.message.receive_v1", event: { message: { message_id: "om_1" } }, eventId: "evt_1" },
        { encryptKey: KEY, verificationToken: TOKEN }
      )
      const headers = {
        timestamp: sealed.headers["x-lark-request-timestamp"],
        nonce: sealed.headers["x-lark-request-nonce"],
        signature: sealed.headers["x-lark-signature"]
      }
      assert.strictEqual(headers.timestamp, "1700000000")
      assert.isFalse(isFailure(Crypto.verifySignature(headers, KEY, sealed.rawBody)))
      const plain = Crypto.decrypt(KEY, JSON.parse(sealed.rawBody).encrypt)
      assert(!isFailure(plain))
      assert.deepStrictEqual(JSON.parse(getSuccess(plain)), {
        schema: "2.0",
        header: {
          event_id: "evt_1",
          event_type: "im.message.receive_v1",
          create_time: "1700000000123",
          token: TOKEN,
          app_id: defaultApp.appId,
          tenant_key: "fake_tenant"
        },
        event: { message: { message_id: "om_1" } }
      })
    }))

  it.effect("without an Encrypt Key the event goes as plain JSON, unsigned", () =>
    Effect.gen(function*() {
      const sealed = yield* seal({ version: "v1", type: "app_ticket", event: { app_ticket: "t" }, uuid: "u1" })
      assert.isUndefined(sealed.headers["x-lark-signature"])
      assert.deepStrictEqual(JSON.parse(sealed.rawBody).event, { app_ticket: "t", type: "app_ticket" })
    }))
})

describe("FakeOpenPlatform.pushEvent", () => {
  it.live("an encrypted, signed event reaches the webhook's handler once and is answered 200", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const seen: Array<string> = []
      const url = yield* serve(handle(
        EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).on("im.message.receive_v1", ({ event, header }) =>
          Effect.sync(() => void seen.push(`${header.event_id}:${event.message?.message_id}`)))
      ))
      const attempts = yield* fake.pushEvent(url, {
        version: "v2",
        type: "im.message.receive_v1",
        event: { message: { message_id: "om_p" } },
        eventId: "evt_p"
      }, { encryptKey: KEY, verificationToken: TOKEN })
      assert.deepStrictEqual(attempts, [{ _tag: "Answered", status: 200, body: "{\"msg\":\"success\"}" }])
      assert.deepStrictEqual(seen, ["evt_p:om_p"])
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped))

  it.live("a failed delivery is redelivered by the (scaled) schedule with the same id, until it gets 200", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const ids: Array<string> = []
      const url = yield* serve(handle(
        EventDispatcher.make({ encryptKey: KEY }).on("im.message.receive_v1", ({ header }) =>
          Effect.suspend(() => {
            ids.push(header.event_id)
            return ids.length < 3 ? Effect.fail("not yet") : Effect.void
          }))
      ))
      const attempts = yield* fake.pushEvent(url, { version: "v2", type: "im.message.receive_v1", event: {} }, {
        encryptKey: KEY,
        redelivery: platformRedelivery(0.0001)
      })
      assert.deepStrictEqual(attempts.map((a) => a._tag === "Answered" ? a.status : 0), [500, 500, 200])
      assert.strictEqual(ids.length, 3)
      assert.strictEqual(new Set(ids).size, 1)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet, Effect.scoped))

  it.live("the schedule bounds the redeliveries; an unreachable URL is reported, not an error", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const closed = yield* Effect.scoped(serve(handle(EventDispatcher.make()))) // closed again at once
      const attempts = yield* fake.pushEvent(closed, { version: "v2", type: "x.y", event: {} }, { redelivery: Schedule.recurs(1) })
      assert.deepStrictEqual(attempts.map((a) => a._tag), ["Unreachable", "Unreachable"])
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped))

  it.live("a legacy card action is signed with SHA-1 and the Verification Token; the handler's card comes back", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const url = yield* serve(handleCardAction(
        EventDispatcher.make({ verificationToken: TOKEN }).onCardAction((action) =>
          Effect.succeed({ elements: [{ tag: "markdown", content: `hi ${action.open_id}` }] }))
      ))
      const [attempt] = yield* fake.pushEvent(url, {
        version: "card",
        action: { open_id: "ou_c", token: "c-1", action: { tag: "button", value: { k: "v" } } }
      }, { verificationToken: TOKEN })
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 200)
      assert.deepStrictEqual(JSON.parse(attempt.body), { elements: [{ tag: "markdown", content: "hi ou_c" }] })
      // signed with another token: rejected, and the schedule ends without a 200
      const rejected = yield* fake.pushEvent(url, { version: "card", action: { open_id: "ou_c" } }, {
        verificationToken: "wrong",
        redelivery: Schedule.recurs(0)
      })
      assert.deepStrictEqual(rejected.map((a) => a._tag === "Answered" ? a.status : 0), [401])
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet, Effect.scoped))
})
