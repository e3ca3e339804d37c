/**
 * `LongConnection.run` against the fake platform on loopback, through the real `ws` socket: delivery and
 * acks, card callbacks, split messages, drops and silent sockets (reconnect, nothing lost, nothing handled
 * twice), every class of endpoint and handshake failure, and interruption at any point.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as WsLayer from "../../layers/ws.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import {
  event,
  FakeLongConnection,
  layer as fakeLayer
} from "../../src/testing/FakeLongConnection.js"
import { changesOf } from "../../src/internal/dialect.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import type { Watch } from "../../src/ws/watch.js"
import { scopedLive } from "../dialect.js"

const MESSAGE = "im.message.receive_v1"

/** Runs `LongConnection.run` (`runWatched` given a `watch`) in a fiber of the test scope against the fake in context. */
const connect = <R>(
  dispatcher: EventDispatcher.EventDispatcher<R>,
  options: LongConnection.Options & {
    readonly appSecret?: string
    readonly app?: Partial<LarkConfig.Options>
    readonly watch?: Watch
  } = {}
) =>
  Effect.gen(function*() {
    const fake = yield* FakeLongConnection
    const state = yield* LongConnection.makeState
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({
        appId: defaultApp.appId,
        appSecret: Redacted.make(options.appSecret ?? "fake_secret"),
        domain: fake.url,
        ...options.app
      })),
      FetchHttpClient.layer,
      WsLayer.layer
    )
    const fiber = yield* LongConnection.runWatched(dispatcher, {
      state,
      minReconnectDelay: "10 millis",
      // the fake's endpoint sends no waits, but its error answers carry no ClientConfig
      clientConfig: { reconnectNonce: 0, reconnectInterval: 0 },
      ...options
    }, options.watch).pipe(
      Effect.provide(wiring),
      Effect.forkScoped
    )
    const reached = (tag: LongConnection.State["_tag"]) =>
      changesOf(state).pipe(Stream.filter((s) => s._tag === tag), Stream.runHead, Effect.map(Option.getOrThrow))
    return { fake, state, fiber, reached }
  })

const withFake = (options: FakeLongConnection.Options = {}) => Effect.provide(fakeLayer(options))

const recorder = () => {
  const handled: Array<string> = []
  const dispatcher = EventDispatcher.make().on(MESSAGE, (e) => Effect.sync(() => void handled.push(e.header.event_id)))
  return { handled, dispatcher }
}

const acksOf = (fake: FakeLongConnection.Service, messageId: string) =>
  Effect.map(fake.acks, (acks) => acks.filter((a) => a.messageId === messageId))

describe("LongConnection: delivery", () => {
  scopedLive("an event is dispatched, then acked 200 with biz_rt; the state goes Connecting → Connected", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { fake, reached, state } = yield* connect(dispatcher)
      const connected = yield* reached("Connected")
      assert.strictEqual(connected._tag === "Connected" && connected.connectionId, "fake_device_1")
      const id = yield* fake.push(event(MESSAGE, { message: { message_id: "om_1" } }, "evt_1"))
      yield* fake.until((v) => v.acks.length === 1)
      const [ack] = yield* acksOf(fake, id)
      assert.strictEqual(ack?.code, 200)
      assert.isTrue(Number(ack?.bizRt) >= 0)
      assert.strictEqual(ack?.type, "event")
      assert.deepStrictEqual(handled, ["evt_1"])
      assert.strictEqual(yield* fake.pending, 0)
      assert.strictEqual((yield* SubscriptionRef.get(state))._tag, "Connected")
      yield* fake.until((v) => v.pings >= 1)
    }).pipe(withFake()))

  scopedLive("a card frame reaches the card.action.trigger handler; its result comes back as the ack's data", () =>
    Effect.gen(function*() {
      const dispatcher = EventDispatcher.make().on("card.action.trigger", () =>
        Effect.succeed({ toast: { type: "info" as const, content: "done" } }))
      const { fake, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      const id = yield* fake.push(event("card.action.trigger", { action: { value: { k: "v" } } }), { type: "card" })
      yield* fake.until((v) => v.acks.length === 1)
      const [ack] = yield* acksOf(fake, id)
      assert.strictEqual(ack?.type, "card")
      assert.strictEqual(ack?.code, 200)
      assert.deepStrictEqual(ack?.data, { toast: { type: "info", content: "done" } })
    }).pipe(withFake()))

  scopedLive("a card callback nothing handles is acked with data {}: without data the user sees an error", () =>
    Effect.gen(function*() {
      const { fake, reached } = yield* connect(EventDispatcher.make())
      yield* reached("Connected")
      const id = yield* fake.push(event("card.action.trigger", { action: { value: { k: "v" } } }), { type: "card" })
      yield* fake.until((v) => v.acks.length === 1)
      const [ack] = yield* acksOf(fake, id)
      assert.strictEqual(ack?.code, 200)
      assert.deepStrictEqual(ack?.data, {})
    }).pipe(withFake()))

  scopedLive("a message split in four parts sent out of order is handled once and acked once", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { fake, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      const id = yield* fake.push(event(MESSAGE, { text: "long ".repeat(500) }, "evt_big"), { parts: 4, order: [3, 1, 0, 2] })
      yield* fake.until((v) => v.acks.length === 1)
      assert.deepStrictEqual(handled, ["evt_big"])
      assert.deepStrictEqual((yield* acksOf(fake, id)).map((a) => a.code), [200])
    }).pipe(withFake()))

  scopedLive("a message in more parts than fragments.maxParts is refused: acked 200 once, not handled", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { fake, reached } = yield* connect(dispatcher, { fragments: { maxParts: 2 } })
      yield* reached("Connected")
      const refused = yield* fake.push(event(MESSAGE, { text: "long ".repeat(100) }, "evt_refused"), { parts: 3 })
      const next = yield* fake.push(event(MESSAGE, {}, "evt_next"))
      // frames are read in order: the refused message's parts are answered before the next message is
      yield* fake.until((v) => v.acks.some((a) => a.messageId === next))
      assert.deepStrictEqual((yield* fake.acks).map((a) => [a.messageId, a.code]), [[refused, 200], [next, 200]])
      assert.deepStrictEqual(handled, ["evt_next"])
      assert.strictEqual(yield* fake.pending, 0, "the platform stops redelivering it")
    }).pipe(withFake()))

  scopedLive("the dedupe store in context is shared: an event the webhook path handled is acked, not handled again", () => {
    const store = Dedupe.unsafeMakeMemory()
    return Effect.gen(function*() {
      yield* store.claim("evt_seen")
      yield* store.complete("evt_seen")
      const { dispatcher, handled } = recorder()
      const { fake, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_seen"))
      yield* fake.push(event(MESSAGE, {}, "evt_new"))
      yield* fake.until((v) => v.acks.length === 2)
      assert.deepStrictEqual(handled, ["evt_new"])
      assert.deepStrictEqual((yield* fake.acks).map((a) => a.code), [200, 200])
    }).pipe(Effect.provideService(Dedupe.EventDedupe, store), withFake())
  })
})

describe("LongConnection: concurrency", () => {
  scopedLive("at most `concurrency` handlers run at once; the others wait their turn, unacknowledged", () =>
    Effect.gen(function*() {
      let running = 0
      let most = 0
      const gate = yield* Deferred.make<void>()
      const dispatcher = EventDispatcher.make().on(MESSAGE, () =>
        Effect.gen(function*() {
          most = Math.max(most, ++running)
          yield* Deferred.await(gate)
          running--
        }))
      const { fake, reached } = yield* connect(dispatcher, { concurrency: 2 })
      yield* reached("Connected")
      for (const id of ["a", "b", "c", "d", "e"]) yield* fake.push(event(MESSAGE, {}, `evt_${id}`))
      yield* Effect.sleep("100 millis")
      assert.strictEqual(running, 2)
      assert.deepStrictEqual(yield* fake.acks, [])
      yield* Deferred.succeed(gate, undefined)
      yield* fake.until((v) => v.acks.length === 5)
      assert.strictEqual(most, 2)
      assert.deepStrictEqual((yield* fake.acks).map((a) => a.code), [200, 200, 200, 200, 200])
    }).pipe(withFake()))

  scopedLive("past `maxQueued` waiting messages, one more is answered 500 at once, then handled once on its redelivery", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const dispatcher = EventDispatcher.make().on(MESSAGE, (e) =>
        Effect.andThen(Deferred.await(gate), Effect.sync(() => void handled.push(e.header.event_id))))
      const { fake, reached } = yield* connect(dispatcher, { concurrency: 1, maxQueued: 2 })
      yield* reached("Connected")
      const ids: Array<string> = []
      for (const id of ["a", "b", "c", "d"]) ids.push(yield* fake.push(event(MESSAGE, {}, `evt_${id}`)))
      // a runs, b and c wait: d finds the queue full (without the cap nothing is acked while the gate is shut)
      yield* fake.until((v) => v.acks.length === 1).pipe(Effect.timeout("5 seconds"))
      assert.deepStrictEqual((yield* fake.acks).map((a) => [a.messageId, a.code]), [[ids[3], 500]])
      yield* Deferred.succeed(gate, undefined)
      yield* fake.until((v) => v.acks.filter((a) => a.code === 200).length === 4)
      assert.deepStrictEqual([...handled].sort(), ["evt_a", "evt_b", "evt_c", "evt_d"])
      assert.deepStrictEqual((yield* acksOf(fake, ids[3]!)).map((a) => a.code), [500, 200])
      assert.strictEqual(yield* fake.pending, 0)
    }).pipe(withFake({ redelivery: Array.from({ length: 20 }, () => "100 millis") })))
})

describe("LongConnection: drops and silence", () => {
  scopedLive("the server drops the socket mid-stream: reconnect, the unacked event is redelivered, none lost or doubled", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const dispatcher = EventDispatcher.make().on(MESSAGE, (e) =>
        Effect.gen(function*() {
          if (e.header.event_id === "evt_2") {
            yield* Deferred.succeed(started, undefined)
            yield* Deferred.await(gate)
          }
          handled.push(e.header.event_id)
        }))
      const { fake, reached } = yield* connect(dispatcher, { minReconnectDelay: "300 millis" })
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_1"))
      yield* fake.until((v) => v.acks.length === 1)
      yield* fake.push(event(MESSAGE, {}, "evt_2"))
      yield* Deferred.await(started)
      yield* fake.dropConnections
      yield* fake.until((v) => v.open === 0)
      // the handler finishes after its socket is gone: its ack is lost, its claim completes
      yield* Deferred.succeed(gate, undefined)
      yield* reached("Reconnecting")
      yield* fake.until((v) => v.accepted === 2 && v.open === 1)
      yield* fake.push(event(MESSAGE, {}, "evt_3"))
      yield* fake.until((v) => v.acks.length === 3)
      assert.deepStrictEqual(handled, ["evt_1", "evt_2", "evt_3"])
      assert.deepStrictEqual((yield* fake.acks).map((a) => a.code), [200, 200, 200])
      assert.strictEqual(yield* fake.pending, 0)
      assert.strictEqual(yield* fake.endpointCalls, 2, "a fresh endpoint for the new socket")
    }).pipe(withFake()))

  scopedLive("a failing handler is acked 500; the platform's redelivery (here: on the next socket) runs it again", () =>
    Effect.gen(function*() {
      let calls = 0
      const dispatcher = EventDispatcher.make().on(MESSAGE, () => ++calls === 1 ? Effect.fail("flaky") : Effect.void)
      const { fake, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_flaky"))
      yield* fake.until((v) => v.acks.length === 1)
      assert.strictEqual(yield* fake.pending, 1)
      yield* fake.dropConnections
      yield* fake.until((v) => v.acks.length === 2)
      assert.deepStrictEqual((yield* fake.acks).map((a) => a.code), [500, 200])
      assert.strictEqual(calls, 2)
      assert.strictEqual(yield* fake.pending, 0)
    }).pipe(withFake()))

  scopedLive("a failing handler is acked 500; the platform's timed redelivery on the same socket runs it again", () =>
    Effect.gen(function*() {
      let calls = 0
      const dispatcher = EventDispatcher.make().on(MESSAGE, () => ++calls === 1 ? Effect.fail("flaky") : Effect.void)
      const { fake, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_flaky"))
      yield* fake.until((v) => v.acks.some((a) => a.code === 200))
      const codes = (yield* fake.acks).map((a) => a.code)
      assert.deepStrictEqual([codes[0], codes.at(-1)], [500, 200])
      assert.strictEqual(calls, 2)
      assert.strictEqual(yield* fake.pending, 0)
      assert.strictEqual((yield* fake.connections).accepted, 1, "the same socket")
    }).pipe(withFake({ redelivery: Array.from({ length: 20 }, () => "100 millis") })))

  scopedLive("a socket that stops answering pings is taken for dead and replaced", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { fake, reached } = yield* connect(dispatcher, { pongTimeout: "200 millis" })
      yield* fake.answerPings(false)
      yield* reached("Connected")
      const reconnecting = yield* reached("Reconnecting")
      assert.include(reconnecting._tag === "Reconnecting" ? reconnecting.error : "", "Silent")
      yield* fake.answerPings(true)
      yield* fake.until((v) => v.accepted === 2 && v.open === 1)
      yield* fake.push(event(MESSAGE, {}, "evt_after"))
      yield* fake.until((v) => v.acks.length === 1)
      assert.deepStrictEqual(handled, ["evt_after"])
    }).pipe(withFake({ clientConfig: { PingInterval: 1 } })))
})

describe("LongConnection: endpoint and handshake failures", () => {
  const terminal = (configure: (fake: FakeLongConnection.Service) => Effect.Effect<void>, options?: Parameters<typeof connect>[1]) =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      yield* configure(fake)
      const { fiber, state } = yield* connect(EventDispatcher.make(), options)
      const error = yield* Effect.flip(Fiber.join(fiber))
      const closed = yield* SubscriptionRef.get(state)
      assert.strictEqual(closed._tag, "Closed")
      assert.strictEqual(closed._tag === "Closed" ? closed.error : undefined, error)
      return { error, fake }
    })

  const recovers = (configure: (fake: FakeLongConnection.Service) => Effect.Effect<void>) =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      yield* configure(fake)
      const { reached } = yield* connect(EventDispatcher.make())
      const reconnecting = yield* reached("Reconnecting")
      yield* reached("Connected")
      return reconnecting
    })

  scopedLive("handshake 403 (forbidden) is terminal", () =>
    Effect.gen(function*() {
      const { error, fake } = yield* terminal((fake) => fake.refuseHandshake({ httpStatus: 403, status: 403, msg: "forbidden" }))
      assert.strictEqual(error._tag, "LongConnectionHandshakeError")
      assert.strictEqual(error._tag === "LongConnectionHandshakeError" && error.status, 403)
      assert.strictEqual(yield* fake.endpointCalls, 1, "not retried")
    }).pipe(withFake()))

  scopedLive("handshake 514 with auth error 1000040350 (connection limit) is terminal", () =>
    Effect.gen(function*() {
      const { error } = yield* terminal((fake) =>
        fake.refuseHandshake({ httpStatus: 514, status: 514, msg: "limit", authErrorCode: 1000040350 }))
      assert.strictEqual(error._tag === "LongConnectionHandshakeError" && error.authErrorCode, 1000040350)
    }).pipe(withFake()))

  scopedLive("a second client over the app's connection limit stops with the limit error", () =>
    Effect.gen(function*() {
      const first = yield* connect(EventDispatcher.make())
      yield* first.reached("Connected")
      const second = yield* connect(EventDispatcher.make())
      const error = yield* Effect.flip(Fiber.join(second.fiber))
      assert.strictEqual(error._tag === "LongConnectionHandshakeError" && error.authErrorCode, 1000040350)
      assert.strictEqual((yield* SubscriptionRef.get(first.state))._tag, "Connected", "the first one is unaffected")
    }).pipe(withFake({ maxConnections: 1 })))

  scopedLive("handshake 514 with another auth error, and a refusal without headers, are retried", () =>
    Effect.gen(function*() {
      const reconnecting = yield* recovers((fake) =>
        fake.refuseHandshake({ httpStatus: 514, status: 514, msg: "auth busy", authErrorCode: 1 }, { httpStatus: 502 }))
      assert.include(reconnecting._tag === "Reconnecting" ? reconnecting.error : "", "514")
      const fake = yield* FakeLongConnection
      assert.strictEqual((yield* fake.connections).accepted, 1)
      assert.strictEqual(yield* fake.endpointCalls, 3, "a fresh endpoint for every attempt")
    }).pipe(withFake()))

  scopedLive("endpoint codes: busy (1) and internal (1000040343) are retried", () =>
    Effect.gen(function*() {
      yield* recovers((fake) => fake.failEndpoint({ code: 1, msg: "busy" }, { code: 1000040343, msg: "internal" }))
      assert.strictEqual(yield* (yield* FakeLongConnection).endpointCalls, 3)
    }).pipe(withFake()))

  scopedLive("endpoint code 1000040350 and a wrong secret are terminal", () =>
    Effect.gen(function*() {
      const limit = yield* terminal((fake) => fake.failEndpoint({ code: 1000040350, msg: "limit" }))
      assert.strictEqual(limit.error._tag === "LongConnectionEndpointError" && limit.error.code, 1000040350)
      const secret = yield* terminal(() => Effect.void, { appSecret: "wrong" })
      assert.strictEqual(secret.error._tag === "LongConnectionEndpointError" && secret.error.code, 10014)
      assert.notInclude(secret.error.message, "wrong")
    }).pipe(withFake()))

  scopedLive("a keyless app connects with its client assertion, signed for the OpenAPI host", () =>
    Effect.gen(function*() {
      const audiences: Array<string> = []
      const keyless = (assertion: string) => ({
        appId: "cli_keyless",
        appSecret: undefined,
        clientAssertion: (audience: string) => Effect.sync(() => (audiences.push(audience), Redacted.make(assertion)))
      })
      const { reached } = yield* connect(EventDispatcher.make(), { app: keyless("jwt-keyless") })
      yield* reached("Connected")
      const fake = yield* FakeLongConnection
      assert.deepStrictEqual(audiences, [new URL(fake.url).host])

      const { error } = yield* terminal(() => Effect.void, { app: keyless("jwt-forged") })
      assert.strictEqual(error._tag === "LongConnectionEndpointError" && error.code, 10014)
      assert.notInclude(error.message, "jwt-forged")
    }).pipe(withFake({ apps: [{ appId: "cli_keyless", clientAssertion: "jwt-keyless" }], maxConnections: 2 })))

  scopedLive("a signer that fails ends the connection with a config error", () =>
    Effect.gen(function*() {
      const { error } = yield* terminal(() => Effect.void, {
        app: { appId: "cli_keyless", appSecret: undefined, clientAssertion: () => Effect.fail(new Error("KMS unavailable")) }
      })
      assert.strictEqual(error._tag, "LongConnectionConfigError")
      assert.include(error.message, "KMS unavailable")
      assert.strictEqual(yield* (yield* FakeLongConnection).endpointCalls, 0)
    }).pipe(withFake()))

  scopedLive("after ReconnectCount failed attempts it gives up", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      yield* fake.failEndpoint({ code: 1, msg: "busy" }, { code: 1, msg: "busy" }, { code: 1, msg: "busy" })
      const { fiber } = yield* connect(EventDispatcher.make(), {
        clientConfig: { reconnectCount: 2, reconnectNonce: 0, reconnectInterval: 0 }
      })
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "LongConnectionGaveUp")
      assert.strictEqual(error._tag === "LongConnectionGaveUp" && error.attempts, 2)
      assert.strictEqual(yield* fake.endpointCalls, 3)
    }).pipe(withFake()))
})

describe("LongConnection: autoReconnect: false", () => {
  scopedLive("a dropped socket ends run with LongConnectionDisconnected (the drop inside); no reconnect", () =>
    Effect.gen(function*() {
      const { fake, fiber, reached, state } = yield* connect(EventDispatcher.make(), { autoReconnect: false })
      yield* reached("Connected")
      yield* fake.dropConnections
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "LongConnectionDisconnected")
      if (error._tag !== "LongConnectionDisconnected") return
      assert.isTrue(error.wasConnected)
      assert.strictEqual(error.failure._tag, "LongConnectionTransportError")
      assert.strictEqual(error.failure._tag === "LongConnectionTransportError" && error.failure.reason, "Closed")
      assert.deepStrictEqual(yield* SubscriptionRef.get(state), { _tag: "Closed", error })
      assert.strictEqual(yield* fake.endpointCalls, 1, "no second attempt")
      assert.strictEqual((yield* fake.connections).accepted, 1)
    }).pipe(withFake()))

  scopedLive("a retryable failure of the first attempt (endpoint busy) ends run at once, as node-sdk's onError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      yield* fake.failEndpoint({ code: 1, msg: "busy" })
      const { fiber, state } = yield* connect(EventDispatcher.make(), { autoReconnect: false })
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "LongConnectionDisconnected")
      if (error._tag !== "LongConnectionDisconnected") return
      assert.isFalse(error.wasConnected)
      assert.strictEqual(error.failure._tag === "LongConnectionEndpointError" && error.failure.code, 1)
      assert.notStrictEqual((yield* SubscriptionRef.get(state))._tag, "Reconnecting")
      assert.strictEqual(yield* fake.endpointCalls, 1)
    }).pipe(withFake()))
})

describe("LongConnection: interruption", () => {
  scopedLive("interrupting while the upgrade hangs closes the TCP connection and the state says Closed", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      yield* fake.refuseHandshake({ hang: true })
      const { fiber, state } = yield* connect(EventDispatcher.make())
      yield* fake.until((v) => v.hanging === 1)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(yield* SubscriptionRef.get(state), { _tag: "Closed", error: undefined })
      yield* fake.until((v) => v.hanging === 0)
      assert.strictEqual((yield* fake.connections).accepted, 0)
    }).pipe(withFake()))

  scopedLive("interrupting during a slow handler interrupts it, closes the socket and sends no ack", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const dispatcher = EventDispatcher.make().on(MESSAGE, () =>
        Effect.andThen(Deferred.succeed(started, undefined), Effect.never).pipe(
          Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
        ))
      const { fake, fiber, reached } = yield* connect(dispatcher)
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_slow"))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Deferred.isDone(interrupted), "the handler fiber did not outlive run")
      yield* fake.until((v) => v.open === 0)
      assert.deepStrictEqual(yield* fake.acks, [])
      assert.strictEqual(yield* fake.pending, 1, "the platform will redeliver it")
    }).pipe(withFake()))

  scopedLive("interrupting while messages wait for a handler slot starts none of them; all stay unacked", () =>
    Effect.gen(function*() {
      const slotTaken = yield* Deferred.make<void>()
      const queued = yield* Deferred.make<void>()
      const started: Array<string> = []
      const dispatcher = EventDispatcher.make().on(MESSAGE, (e) =>
        e.header.event_id === "evt_slow"
          ? Effect.andThen(Deferred.succeed(slotTaken, undefined), Effect.never)
          : Effect.sync(() => void started.push(e.header.event_id)))
      // one slot; the watch reports the fourth message in flight, submitted after the two before it queued
      const watch: Watch = { concurrency: 3, crossed: () => Effect.asVoid(Deferred.succeed(queued, undefined)) }
      const { fake, fiber, reached } = yield* connect(dispatcher, { concurrency: 1, watch })
      yield* reached("Connected")
      yield* fake.push(event(MESSAGE, {}, "evt_slow"))
      yield* Deferred.await(slotTaken)
      for (const id of ["evt_b", "evt_c", "evt_d"]) yield* fake.push(event(MESSAGE, {}, id))
      yield* Deferred.await(queued)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(started, [], "a waiting handler started after the interrupt")
      yield* fake.until((v) => v.open === 0)
      assert.deepStrictEqual(yield* fake.acks, [])
      assert.strictEqual(yield* fake.pending, 4, "the platform will redeliver them")
    }).pipe(withFake()))
})
