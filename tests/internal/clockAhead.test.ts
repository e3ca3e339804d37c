/**
 * The live clock moved ahead (`liveClockAhead`, run with `withClock`), as `bench:soak` uses it to let hours of
 * de-duplication pass between slices: the fiber reads the offset time, sees the offset change, still sleeps in
 * real time, and a memory store's claims expire by it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Dedupe from "../../src/events/Dedupe.js"
import { liveClockAhead, withClock } from "../../src/internal/dialect.js"

const HOUR = 60 * 60 * 1000

describe("liveClockAhead", () => {
  it.live("reads the live time plus the current offset, and sleeps in real time", () => {
    let offset = HOUR
    const clock = liveClockAhead(() => offset)
    return withClock(
      Effect.gen(function*() {
        const before = Date.now()
        const first = yield* Clock.currentTimeMillis
        assert.isAtLeast(first, before + HOUR)
        assert.isAtMost(first, Date.now() + HOUR)
        offset = 3 * HOUR
        const nanos = yield* Clock.currentTimeNanos
        // the nanosecond reading counts from the monotonic clock, which may lag Date.now() by a millisecond or so
        // (a CI run saw 1 ms): a second of slack still tells the new offset from the old one
        assert.isAtLeast(Number(nanos / 1_000_000n), before + 3 * HOUR - 1000)
        const started = Date.now()
        yield* Effect.sleep(Duration.millis(30))
        assert.isAtLeast(Date.now() - started, 25)
      }),
      clock
    )
  })

  it.live("lets a memory store's remembered ids expire", () => {
    let offset = 0
    return withClock(
      Effect.gen(function*() {
        const store = Dedupe.unsafeMakeMemory()
        assert.strictEqual(yield* store.claim("ev_1"), "Claimed")
        yield* store.complete("ev_1")
        assert.strictEqual(yield* store.claim("ev_1"), "Done")
        offset = Duration.toMillis(Dedupe.DEFAULT_TTL) + 1
        assert.strictEqual(yield* store.claim("ev_1"), "Claimed")
      }),
      liveClockAhead(() => offset)
    )
  })
})
