/**
 * The `audit` security mode: everything `strict` would refuse is let through (compat behaviour) and
 * recorded through `auditRecorder` with `action: "allow"` and details without secrets: a webhook channel
 * without an Encrypt Key, a signed webhook request outside the strict replay window, a remote `ws://`
 * socket, a long-connection message over strict's part count or byte size, handlings in flight over
 * strict's handler concurrency (these last three on the fake platform over loopback, with the real strict
 * values). In `compat` nothing is recorded; `strict` still refuses.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { fakeOpenPlatform, layerTest } from "../../layers/testing.js"
import * as WsLayer from "../../layers/ws.js"
import type { AuditEvent } from "../../src/channel/audit.js"
import { Channel, type ChannelOptions } from "../../src/channel/Channel.js"
import { harden, type SecurityMode, strictDefaults } from "../../src/channel/security.js"
import { getFailure, getSuccess, isFailure, type Outcome } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { FakeLongConnection, layer as fakeLongConnection } from "../../src/testing/FakeLongConnection.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { seal } from "../../src/testing/pushEvent.js"
import { LongConnectionTransportError } from "../../src/ws/errors.js"
import { WebSocketFactory } from "../../src/ws/socket.js"
import { fork, scoped, scopedLive, withLogsTo } from "../dialect.js"

const quiet = withLogsTo(() => {})

/** The success of an outcome; its failure is thrown. */
const orThrow = <A, E>(outcome: Outcome<A, E>): A => {
  if (isFailure(outcome)) throw getFailure(outcome)
  return getSuccess(outcome)
}

const BOT_INFO = MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({
  body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } }
}))

const SOCKET_URL = "ws://events.example.com/ws?device_id=d1&service_id=7&access_key=secret_key"
const ENDPOINT = MockHttp.route("POST", "/callback/ws/endpoint", () => ({
  body: { code: 0, msg: "ok", data: { URL: SOCKET_URL, ClientConfig: { ReconnectCount: 0 } } }
}))

/** A channel with a recording audit recorder (in `mode`) and a socket factory that counts opens and refuses them. */
const audited = (mode: "audit" | "compat", options: ChannelOptions = {}) =>
  Effect.gen(function*() {
    const events = yield* Ref.make<ReadonlyArray<AuditEvent>>([])
    const opens = yield* Ref.make(0)
    const sockets = Layer.succeed(WebSocketFactory, {
      open: () =>
        Effect.andThen(
          Ref.update(opens, (n) => n + 1),
          Effect.fail(new LongConnectionTransportError({ stage: "open", reason: "Network", detail: "refused by the test" }))
        )
    })
    const channel = yield* Channel.make({
      ...options,
      security: { mode, auditRecorder: (event) => Ref.update(events, (all) => [...all, event]) }
    }).pipe(Effect.provide(sockets))
    return { channel, events: Ref.get(events), opens: Ref.get(opens) }
  })

const message = (text: string) =>
  FakeChat.toPush(FakeChat.messageEvent({ chatId: "oc_1", chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text }, 0))

describe("audit security mode", () => {
  scoped("a webhook channel without an Encrypt Key is made (strict refuses it) and recorded", () =>
    Effect.gen(function*() {
      const { events } = yield* audited("audit", { transport: "webhook" })
      assert.deepStrictEqual(yield* events, [{ reason: "webhook_without_encrypt_key", mode: "audit", action: "allow", details: {} }])
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("a signed request outside the strict replay window is handled and recorded", () =>
    Effect.gen(function*() {
      const encryptKey = Redacted.make("key")
      const { channel, events } = yield* audited("audit", { transport: "webhook", encryptKey })
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const old = yield* seal(message("old"), { encryptKey })
      yield* TestClock.adjust("6 minutes")
      const fresh = yield* seal(message("fresh"), { encryptKey })
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...old })).status, 200)
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...fresh })).status, 200)
      assert.strictEqual(yield* Ref.get(runs), 2)
      const recorded = yield* events
      assert.deepStrictEqual(recorded.map((e) => [e.reason, e.action]), [["webhook_timestamp_outside_window", "allow"]])
      assert.deepStrictEqual(recorded[0]!.details, { timestamp: old.headers["x-lark-request-timestamp"]!, windowSeconds: 300 })
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("a remote ws:// socket is opened (strict refuses it) and recorded with its host, not its URL", () =>
    Effect.gen(function*() {
      const { channel, events, opens } = yield* audited("audit", { readyTimeout: "1 minute" })
      const connecting = yield* fork(Effect.exit(channel.connect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* opens, 1)
      const recorded = yield* events
      assert.deepStrictEqual(recorded, [{ reason: "insecure_ws", mode: "audit", action: "allow", details: { host: "events.example.com" } }])
      assert.notInclude(JSON.stringify(recorded), "secret_key")
      yield* Fiber.interrupt(connecting)
    }).pipe(Effect.provide(layerTest([BOT_INFO, ENDPOINT])), quiet))

  scoped("compat records nothing for the same things", () =>
    Effect.gen(function*() {
      const webhook = yield* audited("compat", { transport: "webhook" })
      const ws = yield* audited("compat", { readyTimeout: "1 minute" })
      yield* fork(Effect.exit(ws.channel.connect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* ws.opens, 1)
      assert.deepStrictEqual([yield* webhook.events, yield* ws.events], [[], []])
    }).pipe(Effect.provide(layerTest([BOT_INFO, ENDPOINT])), quiet))
})

/** A channel in `mode` on the fake platform (API and long connection on loopback), connected; records audit events. */
const onFakePlatform = (mode: SecurityMode, options: ChannelOptions = {}) =>
  Effect.gen(function*() {
    const ws = yield* FakeLongConnection
    const platform = yield* FakeOpenPlatform
    const events = yield* Ref.make<ReadonlyArray<AuditEvent>>([])
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: platform.url })),
      FetchHttpClient.layer,
      WsLayer.layer
    )
    const channel = yield* Channel.make({
      longConnection: { minReconnectDelay: "10 millis", clientConfig: { reconnectNonce: 0, reconnectInterval: 0 } },
      ...options,
      security: { mode, auditRecorder: (event) => Ref.update(events, (all) => [...all, event]) }
    }).pipe(Effect.provide(wiring))
    /** Pushes a message from A in `parts` parts, in chat `chatId`; answers its frame id. */
    const push = (text: string, parts: number, chatId = "oc_audit") =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        ws.push(FakeChat.messageEvent({ chatId, chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text }, now), { parts }))
    return { channel, ws, push, events: Ref.get(events) }
  })

/** Re-reads `read` every few milliseconds until `done` holds. */
const eventually = <A>(read: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.repeat(read, { until: done, schedule: Schedule.spaced("5 millis") })

const withFakePlatform = Effect.provide(fakeOpenPlatform().pipe(Layer.provideMerge(fakeLongConnection())))

describe("strict security and the Encrypt Key", () => {
  it("an empty Encrypt Key is none: strict refuses a webhook channel with one, as without", () => {
    for (const encryptKey of [undefined, "", Redacted.make("")]) {
      const hardened = harden({ transport: "webhook", security: "strict", encryptKey }, 512)
      assert.isTrue(isFailure(hardened), String(encryptKey))
    }
    assert.isFalse(isFailure(harden({ transport: "webhook", security: "strict", encryptKey: "k" }, 512)))
  })
})

describe("audit security mode: long-connection limits", () => {
  it("audit watches strict's long-connection limits where they are tighter than the ones in force", () => {
    const watched = (input: Omit<Parameters<typeof harden>[0], "transport">) =>
      orThrow(harden({ transport: "ws", ...input }, 512)).audit?.watched
    assert.deepStrictEqual(watched({ security: "audit" }), {
      maxParts: strictDefaults.maxFragmentParts,
      maxBytes: strictDefaults.maxFragmentBytes,
      concurrency: strictDefaults.maxConcurrentHandlers
    })
    // set explicitly in `security`: enforced in every mode, so nothing left to watch
    assert.deepStrictEqual(
      watched({ security: { mode: "audit", maxFragmentParts: 500, maxFragmentBytes: 1024, maxConcurrentHandlers: 300 } }),
      { maxParts: undefined, maxBytes: undefined, concurrency: undefined }
    )
    // a tighter `longConnection` setting already enforces more than strict would; a looser one is watched at strict's
    assert.deepStrictEqual(
      watched({ security: "audit", longConnection: { concurrency: 100, fragments: { maxParts: 1000, maxBytes: 1024 } } }),
      { maxParts: 128, maxBytes: undefined, concurrency: undefined }
    )
    assert.isUndefined(watched({ security: "compat" }))
    assert.isUndefined(watched({ security: "strict" }))
  })

  scopedLive("audit: a message in more parts than strict allows is handled and recorded once", () =>
    Effect.gen(function*() {
      const { channel, ws, push, events } = yield* onFakePlatform("audit")
      const handled = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(handled, (n) => n + 1))
      yield* channel.connect
      const within = yield* push("x".repeat(3000), 128)
      const over = yield* push("y".repeat(3000), 129)
      yield* ws.until((v) => v.acks.length === 2)
      yield* eventually(Ref.get(handled), (n) => n === 2)
      assert.deepStrictEqual((yield* ws.acks).map((a) => [a.messageId, a.code]), [[within, 200], [over, 200]])
      assert.deepStrictEqual(yield* events, [{
        reason: "ws_fragment_parts_over_limit",
        mode: "audit",
        action: "allow",
        details: { parts: 129, limit: 128, messageId: over }
      }])
    }).pipe(withFakePlatform, quiet))

  scopedLive("audit: a message in parts larger than strict allows (8 MiB) is handled and recorded once", () =>
    Effect.gen(function*() {
      const { channel, ws, push, events } = yield* onFakePlatform("audit")
      const texts = yield* Ref.make<ReadonlyArray<number>>([])
      yield* channel.on("Message", (message) => Ref.update(texts, (all) => [...all, message.text.length]))
      yield* channel.connect
      const over = yield* push("z".repeat(strictDefaults.maxFragmentBytes), 4)
      yield* ws.until((v) => v.acks.length === 1)
      assert.strictEqual((yield* ws.acks)[0]?.code, 200)
      const recorded = yield* events
      assert.deepStrictEqual(recorded.map((e) => [e.reason, e.details["limit"], e.details["messageId"]]), [
        ["ws_fragment_bytes_over_limit", strictDefaults.maxFragmentBytes, over]
      ])
      assert.isAbove(recorded[0]!.details["bytes"] as number, strictDefaults.maxFragmentBytes)
      yield* eventually(Ref.get(texts), (all) => all.length === 1)
      assert.deepStrictEqual(yield* Ref.get(texts), [strictDefaults.maxFragmentBytes])
    }).pipe(withFakePlatform, quiet))

  scopedLive("audit: more messages in flight than strict's handler concurrency is recorded once per crossing", () =>
    Effect.gen(function*() {
      // one chat is handled in order: a chat each, and room for all of them in the channel's queue
      const { channel, ws, push, events } = yield* onFakePlatform("audit", { concurrency: 1000 })
      const gate = yield* Deferred.make<void>()
      const started = yield* Ref.make(0)
      yield* channel.on("Message", () => Effect.andThen(Ref.update(started, (n) => n + 1), Deferred.await(gate)))
      yield* channel.connect
      const limit = strictDefaults.maxConcurrentHandlers
      yield* Effect.forEach(Array.from({ length: limit + 4 }, (_, i) => i), (i) => push(`m${i}`, 1, `oc_${i}`), {
        discard: true
      })
      yield* eventually(Ref.get(started), (n) => n === limit + 4)
      assert.deepStrictEqual(yield* events, [{
        reason: "ws_concurrent_handlers_over_limit",
        mode: "audit",
        action: "allow",
        details: { inFlight: limit + 1, limit }
      }])
      yield* Deferred.succeed(gate, undefined)
      yield* ws.until((v) => v.acks.length === limit + 4)
      assert.strictEqual((yield* events).length, 1)
    }).pipe(withFakePlatform, quiet))

  scopedLive("compat: the same messages are handled and nothing is recorded", () =>
    Effect.gen(function*() {
      const { channel, ws, push, events } = yield* onFakePlatform("compat")
      const handled = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(handled, (n) => n + 1))
      yield* channel.connect
      yield* push("y".repeat(3000), 129)
      yield* push("z".repeat(strictDefaults.maxFragmentBytes), 4)
      yield* ws.until((v) => v.acks.length === 2)
      yield* eventually(Ref.get(handled), (n) => n === 2)
      assert.deepStrictEqual(yield* events, [])
    }).pipe(withFakePlatform, quiet))

  scopedLive("strict: a message in more parts than 128 is refused (never handled; acked 200 once, so not redelivered)", () =>
    Effect.gen(function*() {
      const { channel, ws, push, events } = yield* onFakePlatform("strict")
      const handled = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(handled, (n) => n + 1))
      yield* channel.connect
      const refused = yield* push("y".repeat(3000), 129)
      const within = yield* push("x".repeat(3000), 128)
      yield* ws.until((v) => v.acks.length === 2)
      assert.deepStrictEqual((yield* ws.acks).map((a) => [a.messageId, a.code]), [[refused, 200], [within, 200]])
      assert.strictEqual(yield* ws.pending, 0)
      assert.strictEqual(yield* Ref.get(handled), 1)
      assert.deepStrictEqual(yield* events, [])
    }).pipe(withFakePlatform, quiet))
})
