/**
 * The per-attempt deadline on the live clock (one fiber and a timer) against `Effect.timeoutFail`: for every
 * attempt (a value, a failure, a defect, an interruption, or no answer at all) both give the same exit, and a
 * late attempt is interrupted by both. Under `TestClock` it is `Effect.timeoutFail` itself.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { raceClock } from "../../src/internal/raceClock.js"

type Kind = "succeed" | "fail" | "die" | "interrupt" | "never" | "late"

/** An attempt of `kind`; `finalized` counts the runs it was interrupted in. */
const attemptOf = (kind: Kind, value: number, finalized: { count: number }): Effect.Effect<number, string> => {
  const body: Effect.Effect<number, string> = kind === "succeed"
    ? Effect.as(Effect.yieldNow(), value)
    : kind === "fail"
    ? Effect.zipRight(Effect.yieldNow(), Effect.fail(`failed ${value}`))
    : kind === "die"
    ? Effect.zipRight(Effect.yieldNow(), Effect.die(`died ${value}`))
    : kind === "interrupt"
    ? Effect.interrupt
    : kind === "never"
    ? Effect.never
    : Effect.as(Effect.sleep("1 hour"), value)
  return Effect.onInterrupt(body, () => Effect.sync(() => void finalized.count++))
}

/** Exits compared by what a caller sees: the value, or the failures and defects (interruptions by any fiber). */
const seen = (exit: Exit.Exit<number, string>) =>
  Exit.isSuccess(exit)
    ? { value: exit.value }
    : { failures: [...Cause.failures(exit.cause)], defects: [...Cause.defects(exit.cause)], interrupted: Cause.isInterruptedOnly(exit.cause) }

describe("raceClock", () => {
  it.live("on the live clock it ends every attempt as Effect.timeoutFail does", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(
          FastCheck.constantFrom<Kind>("succeed", "fail", "die", "interrupt", "never", "late"),
          FastCheck.integer(),
          FastCheck.integer({ min: 5, max: 20 }),
          async (kind, value, millis) => {
            const timeout = Duration.millis(millis)
            const onTimeout = () => "timed out"
            const fast = { count: 0 }
            const slow = { count: 0 }
            const [fastExit, slowExit] = await Effect.runPromise(Effect.all([
              Effect.exit(raceClock(attemptOf(kind, value, fast), timeout, onTimeout)),
              Effect.exit(Effect.timeoutFail(attemptOf(kind, value, slow), { duration: timeout, onTimeout }))
            ]))
            assert.deepStrictEqual(seen(fastExit), seen(slowExit), kind)
            assert.strictEqual(fast.count, slow.count, `${kind}: interrupted attempts`)
          }
        ),
        { numRuns: 60 }
      )
    ))

  it.live("interrupting the call interrupts the attempt", () =>
    Effect.gen(function*() {
      const finalized = { count: 0 }
      const call = yield* Effect.fork(raceClock(attemptOf("never", 0, finalized), Duration.seconds(30), () => "timed out"))
      yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(call)
      assert.strictEqual(finalized.count, 1)
    }))

  it.effect("under TestClock the deadline follows the test's clock", () =>
    Effect.gen(function*() {
      const finalized = { count: 0 }
      const call = yield* Effect.fork(raceClock(attemptOf("late", 1, finalized), Duration.seconds(5), () => "timed out"))
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* Effect.flip(Fiber.join(call)), "timed out")
      assert.strictEqual(finalized.count, 1)
    }))
})
