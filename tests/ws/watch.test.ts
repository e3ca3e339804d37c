/**
 * Watched limits (the channel's audit mode, `watch.ts`), against the fake platform on loopback through the
 * real `ws` socket: a message in parts over a watched part count or byte size, and handlings in flight
 * over a watched concurrency, are reported once per crossing and still handled; the enforced limits
 * still apply; without a watch nothing is reported.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"
import { changesOf } from "../../src/internal/dialect.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import type { Submit } from "../../src/ws/handlings.js"
import { countHandlings, type Crossing, type Watch } from "../../src/ws/watch.js"
import { scopedLive, withLogsTo } from "../dialect.js"

const MESSAGE = "im.message.receive_v1"
const quiet = withLogsTo(() => {})

/** `runWatched` in a fiber of the test scope against the fake in context; `crossings` holds what was reported. */
const connect = <R>(
  dispatcher: EventDispatcher.EventDispatcher<R>,
  watched: Omit<Watch, "crossed"> | undefined,
  options: LongConnection.Options = {}
) =>
  Effect.gen(function*() {
    const fake = yield* FakeLongConnection
    const state = yield* LongConnection.makeState
    const crossings = yield* Ref.make<ReadonlyArray<Crossing>>([])
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
      FetchHttpClient.layer,
      WsLayer.layer
    )
    const watch = watched === undefined
      ? undefined
      : { ...watched, crossed: (crossing: Crossing) => Ref.update(crossings, (all) => [...all, crossing]) }
    yield* LongConnection.runWatched(dispatcher, {
      state,
      minReconnectDelay: "10 millis",
      clientConfig: { reconnectNonce: 0, reconnectInterval: 0 },
      ...options
    }, watch).pipe(Effect.provide(wiring), Effect.forkScoped)
    yield* changesOf(state).pipe(Stream.filter((s) => s._tag === "Connected"), Stream.runHead, Effect.map(Option.getOrThrow))
    return { fake, crossings: Ref.get(crossings) }
  })

const recorder = () => {
  const handled: Array<string> = []
  const dispatcher = EventDispatcher.make().on(MESSAGE, (e) => Effect.sync(() => void handled.push(e.header.event_id)))
  return { handled, dispatcher }
}

const withFake = Effect.provide(fakeLayer())

describe("LongConnection: watched fragment limits", () => {
  scopedLive("a message with more parts than watched is reported once, then handled and acked 200", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { crossings, fake } = yield* connect(dispatcher, { maxParts: 3 })
      const text = "long ".repeat(200)
      const within = yield* fake.push(event(MESSAGE, { text }, "evt_3"), { parts: 3 })
      const over = yield* fake.push(event(MESSAGE, { text }, "evt_5"), { parts: 5, order: [4, 2, 0, 1, 3] })
      yield* fake.until((v) => v.acks.length === 2)
      assert.deepStrictEqual(handled, ["evt_3", "evt_5"])
      assert.deepStrictEqual((yield* fake.acks).map((a) => [a.messageId, a.code]), [[within, 200], [over, 200]])
      assert.deepStrictEqual(yield* crossings, [{ _tag: "FragmentParts", parts: 5, limit: 3, messageId: over }])
    }).pipe(withFake, quiet))

  scopedLive("a message with more bytes than watched is reported once, then handled; a single frame is not watched", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { crossings, fake } = yield* connect(dispatcher, { maxBytes: 1000 })
      const big = event(MESSAGE, { text: "x".repeat(2000) }, "evt_big")
      const size = new TextEncoder().encode(JSON.stringify(big)).length
      const whole = yield* fake.push(event(MESSAGE, { text: "x".repeat(2000) }, "evt_whole"))
      const small = yield* fake.push(event(MESSAGE, { text: "small" }, "evt_small"), { parts: 2 })
      const parts = yield* fake.push(big, { parts: 4 })
      yield* fake.until((v) => v.acks.length === 3)
      assert.deepStrictEqual(handled, ["evt_whole", "evt_small", "evt_big"])
      assert.deepStrictEqual((yield* fake.acks).map((a) => [a.messageId, a.code]), [[whole, 200], [small, 200], [parts, 200]])
      assert.deepStrictEqual(yield* crossings, [{ _tag: "FragmentBytes", bytes: size, limit: 1000, messageId: parts }])
    }).pipe(withFake, quiet))

  scopedLive("a message over both is reported once for each; the enforced limits still drop what they refuse", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { crossings, fake } = yield* connect(dispatcher, { maxParts: 2, maxBytes: 100 }, { fragments: { maxParts: 4 } })
      const both = yield* fake.push(event(MESSAGE, { text: "y".repeat(300) }, "evt_both"), { parts: 3 })
      const refused = yield* fake.push(event(MESSAGE, { text: "z".repeat(300) }, "evt_refused"), { parts: 5 })
      const next = yield* fake.push(event(MESSAGE, {}, "evt_next"))
      // frames are read in order: the refused message's parts are answered before the next message is
      yield* fake.until((v) => v.acks.some((a) => a.messageId === next))
      assert.deepStrictEqual(handled, ["evt_both", "evt_next"], "the 5-part message is over the enforced limit: dropped, not handled")
      assert.deepStrictEqual(
        (yield* fake.acks).map((a) => [a.messageId, a.code]),
        [[both, 200], [refused, 200], [next, 200]],
        "a dropped message is acked 200 once, so that the platform stops redelivering it"
      )
      assert.deepStrictEqual((yield* crossings).map((c) => c._tag), ["FragmentParts", "FragmentBytes"])
    }).pipe(withFake, quiet))

  scopedLive("without a watch nothing is reported", () =>
    Effect.gen(function*() {
      const { dispatcher, handled } = recorder()
      const { crossings, fake } = yield* connect(dispatcher, undefined)
      yield* fake.push(event(MESSAGE, { text: "long ".repeat(200) }, "evt_5"), { parts: 5 })
      yield* fake.until((v) => v.acks.length === 1)
      assert.deepStrictEqual(handled, ["evt_5"])
      assert.deepStrictEqual(yield* crossings, [])
    }).pipe(withFake, quiet))
})

describe("LongConnection: watched handler concurrency", () => {
  scopedLive("going over the watched concurrency is reported once per crossing; every handler still runs at once", () =>
    Effect.gen(function*() {
      let running = 0
      let most = 0
      const gate = yield* Ref.make(yield* Deferred.make<void>())
      const dispatcher = EventDispatcher.make().on(MESSAGE, () =>
        Effect.gen(function*() {
          most = Math.max(most, ++running)
          yield* Deferred.await(yield* Ref.get(gate))
          running--
        }))
      const { crossings, fake } = yield* connect(dispatcher, { concurrency: 2 }, { concurrency: 10 })
      const burst = (prefix: string, n: number) =>
        Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => fake.push(event(MESSAGE, {}, `evt_${prefix}${i}`)), { discard: true })
      const release = Effect.flatMap(Ref.get(gate), (open) => Deferred.succeed(open, undefined))
      const runningAll = (n: number) =>
        Effect.repeat(Effect.sync(() => running), { until: (r) => r === n, schedule: Schedule.spaced("5 millis") })

      // first burst: 5 at once, watched 2: reported when the third starts, not again for the fourth and fifth
      yield* burst("a", 5)
      yield* runningAll(5)
      assert.deepStrictEqual(yield* crossings, [{ _tag: "Concurrency", inFlight: 3, limit: 2 }])
      yield* release
      yield* fake.until((v) => v.acks.length === 5)

      // back to 0 in flight: the next crossing is reported again
      yield* Ref.set(gate, yield* Deferred.make<void>())
      yield* burst("b", 4)
      yield* runningAll(4)
      assert.deepStrictEqual((yield* crossings).length, 2)
      yield* release
      yield* fake.until((v) => v.acks.length === 9)
      assert.strictEqual(most, 5, "the enforced concurrency (10) applies, not the watched one")
      assert.deepStrictEqual((yield* fake.acks).map((a) => a.code), Array(9).fill(200))
    }).pipe(withFake, quiet))
})

describe("countHandlings", () => {
  scopedLive("a submission refused (queue full) leaves the count: refusals never add up to a crossing", () =>
    Effect.gen(function*() {
      const reported: Array<Crossing> = []
      let refusals = 0
      const queueFull: Submit<never> = (_handling, refused) => refused()
      const fork = countHandlings(queueFull, 1, (crossing) => Effect.sync(() => void reported.push(crossing)))
      for (let i = 0; i < 3; i++) yield* fork(Effect.void, () => Effect.sync(() => void refusals++))
      assert.strictEqual(refusals, 3)
      assert.deepStrictEqual(reported, [])
    }))
})
