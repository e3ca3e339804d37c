/**
 * The channel's outbound retry settings (`retry: { maxAttempts, baseDelay }`) on the wire (MockHttp) under
 * `TestClock`: how many attempts, when each goes out, and that refusals are never sent twice.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../../layers/testing.js"
import * as Outbound from "../../src/channel/Outbound.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { fork, yieldNow } from "../dialect.js"

const CREATE = "/open-apis/im/v1/messages"

/** `POST /im/v1/messages` answering `answer` every time. */
const always = (answer: MockHttp.Answer) => layerTest([MockHttp.route("POST", CREATE, () => answer)])

const rateLimited = MockHttp.fail(99991400, "request trigger frequency limit", 429)

const attempts = Effect.map(
  Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests),
  (all) => all.filter((r) => r.path === CREATE).length
)

/** Moves the clock on to `millis` after the start and lets the retrying fiber run. */
const at = (start: number, millis: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(start + millis)
    for (let i = 0; i < 20; i++) yield* yieldNow
  })

const sendHi = (retry?: Outbound.SendOptions["retry"]) =>
  fork(Effect.flip(Outbound.send("oc_chat1", { text: "hi" }, retry === undefined ? {} : { retry })))

describe("send: retry settings", () => {
  it.effect("a rate-limited send goes out maxAttempts times, baseDelay apart and doubling (jitter ±20 %)", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* sendHi({ maxAttempts: 3, baseDelay: "1 second" })
      yield* at(start, 0)
      assert.strictEqual(yield* attempts, 1)
      yield* at(start, 799)
      assert.strictEqual(yield* attempts, 1, "the first retry waits at least 0.8 s")
      yield* at(start, 1200)
      assert.strictEqual(yield* attempts, 2, "and at most 1.2 s")
      yield* at(start, 2399)
      assert.strictEqual(yield* attempts, 2, "the second waits 2 s ±20 % after it")
      yield* at(start, 3600)
      assert.strictEqual(yield* attempts, 3)
      yield* at(start, 60_000)
      assert.strictEqual(yield* attempts, 3, "no fourth attempt")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.code, "rate_limited")
    }).pipe(Effect.provide(always(rateLimited))))

  it.effect("by default: 3 attempts, the first retry 500 ms (±20 %) later", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* sendHi()
      yield* at(start, 399)
      assert.strictEqual(yield* attempts, 1)
      yield* at(start, 600)
      assert.strictEqual(yield* attempts, 2)
      yield* at(start, 60_000)
      assert.strictEqual(yield* attempts, 3)
      assert.strictEqual((yield* Fiber.join(fiber)).code, "rate_limited")
    }).pipe(Effect.provide(always(rateLimited))))

  it.effect("maxAttempts 1 sends once", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* sendHi({ maxAttempts: 1 })
      yield* at(start, 60_000)
      assert.strictEqual((yield* Fiber.join(fiber)).code, "rate_limited")
      assert.strictEqual(yield* attempts, 1)
    }).pipe(Effect.provide(always(rateLimited))))

  const refusals: ReadonlyArray<readonly [string, MockHttp.Answer, string]> = [
    ["a malformed message (230001)", MockHttp.fail(230001, "invalid content"), "format_error"],
    ["no permission (230002)", MockHttp.fail(230002, "bot not in chat"), "permission_denied"],
    ["a 5xx on create, which may have been applied", MockHttp.fail(500, "internal", 500), "unknown"]
  ]
  for (const [name, answer, code] of refusals) {
    it.effect(`${name} is not retried, whatever the settings`, () =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const fiber = yield* sendHi({ maxAttempts: 5, baseDelay: "10 millis" })
        yield* at(start, 60_000)
        assert.strictEqual((yield* Fiber.join(fiber)).code, code)
        assert.strictEqual(yield* attempts, 1)
      }).pipe(Effect.provide(always(answer))))
  }

  it.effect("invalid settings fail the send before anything is sent", () =>
    Effect.gen(function*() {
      for (const retry of [{ maxAttempts: 0 }, { maxAttempts: 1.5 }]) {
        const error = yield* Effect.flip(Outbound.send("oc_chat1", { text: "hi" }, { retry }))
        assert.strictEqual(error.code, "format_error")
        assert.include(error.detail, "maxAttempts")
      }
      assert.strictEqual(yield* attempts, 0)
    }).pipe(Effect.provide(always(rateLimited))))
})
