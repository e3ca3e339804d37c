/**
 * `locallyWith` (one step) against `Effect.locallyWith`: for every effect (a value, a failure, a defect, an
 * interruption from inside or from outside, and one that changes the value itself), both give the same exit,
 * the same value inside, and the outer value back afterwards.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { locallyWith } from "../../src/internal/locally.js"

type Kind = "succeed" | "fail" | "die" | "interrupt" | "outside" | "sets"

const ref = FiberRef.unsafeMake(0)

const seen = (exit: Exit.Exit<number, string>) =>
  Exit.isSuccess(exit)
    ? { value: exit.value }
    : { failures: [...Cause.failures(exit.cause)], defects: [...Cause.defects(exit.cause)], interrupted: Cause.isInterruptedOnly(exit.cause) }

const run = (
  kind: Kind,
  outer: number,
  wrap: (effect: Effect.Effect<number, string>) => Effect.Effect<number, string>
) =>
  Effect.gen(function*() {
    yield* FiberRef.set(ref, outer)
    const body: Effect.Effect<number, string> = kind === "succeed"
      ? Effect.zipRight(Effect.yieldNow(), FiberRef.get(ref))
      : kind === "fail"
      ? Effect.zipRight(Effect.yieldNow(), Effect.flatMap(FiberRef.get(ref), (inside) => Effect.fail(`failed ${inside}`)))
      : kind === "die"
      ? Effect.zipRight(Effect.yieldNow(), Effect.flatMap(FiberRef.get(ref), (inside) => Effect.die(`died ${inside}`)))
      : kind === "interrupt"
      ? Effect.interrupt
      : kind === "sets"
      ? Effect.zipRight(FiberRef.set(ref, -1), FiberRef.get(ref))
      : Effect.never
    const exit = kind === "outside"
      ? yield* Effect.flatMap(Effect.fork(wrap(body)), (fiber) => Effect.zipRight(Effect.yieldNow(), Fiber.interrupt(fiber)))
      : yield* Effect.exit(wrap(body))
    return { exit: seen(exit), after: yield* FiberRef.get(ref) }
  })

describe("locallyWith", () => {
  it.effect("answers as Effect.locallyWith, and sets the value back however the effect ends", () =>
    Effect.promise(() =>
      FastCheck.assert(FastCheck.asyncProperty(
        FastCheck.constantFrom<Kind>("succeed", "fail", "die", "interrupt", "outside", "sets"),
        FastCheck.integer(),
        FastCheck.integer({ min: 1, max: 1000 }),
        async (kind, outer, delta) => {
          let exitSeen: unknown
          const fast = await Effect.runPromise(run(kind, outer, (effect) =>
            locallyWith(effect, ref, (value) => value + delta, (exit) => void (exitSeen = seen(exit)))))
          const slow = await Effect.runPromise(run(kind, outer, (effect) => Effect.locallyWith(effect, ref, (value) => value + delta)))
          assert.deepStrictEqual(fast, slow)
          assert.strictEqual(fast.after, outer)
          assert.deepStrictEqual(exitSeen, fast.exit)
          if (kind === "succeed") assert.deepStrictEqual(fast.exit, { value: outer + delta })
        }
      ), { numRuns: 300 })
    ))
})
