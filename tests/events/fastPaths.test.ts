/**
 * The event path's fast paths against the slow ones they stand in for, on generated inputs:
 * - the Verification Token compare (`secretMatcher`, a character loop) answers exactly as string equality;
 * - the dispatch over an in-memory dedupe store (its operations called at once, `unsafeStoreOf`) gives the
 *   same outcomes and runs the same handlers as the dispatch over the same kind of store used through its
 *   Effect operations only (an object spread from it, which `unsafeStoreOf` does not recognise), over random
 *   sequences of deliveries, handler failures, claims held elsewhere and clock moves past both TTLs.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Crypto from "../../src/events/crypto.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { makeDispatch } from "../../src/events/dispatch.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"

describe("secretMatcher", () => {
  const text = FastCheck.oneof(FastCheck.string(), FastCheck.fullUnicodeString(), FastCheck.constantFrom("", "a", "tok", "tok-123"))

  it("is string equality, for every secret and received string", () => {
    FastCheck.assert(
      FastCheck.property(text, text, (secret, other) => {
        const matches = Crypto.secretMatcher(Redacted.make(secret))
        // the secret itself, a prefix, the secret repeated (the loop reuses its characters), and another string
        for (const received of [secret, secret.slice(0, -1), secret + secret, `${secret}x`, other]) {
          assert.strictEqual(matches(received), received === secret, JSON.stringify([secret, received]))
        }
      }),
      { numRuns: 2000 }
    )
  })
})

type Step =
  | { readonly _tag: "Deliver"; readonly id: number; readonly fails: boolean }
  | { readonly _tag: "HoldElsewhere"; readonly id: number }
  | { readonly _tag: "Advance"; readonly minutes: number }

const step: FastCheck.Arbitrary<Step> = FastCheck.oneof(
  { weight: 6, arbitrary: FastCheck.record({ _tag: FastCheck.constant("Deliver" as const), id: FastCheck.nat(5), fails: FastCheck.boolean() }) },
  { weight: 1, arbitrary: FastCheck.record({ _tag: FastCheck.constant("HoldElsewhere" as const), id: FastCheck.nat(5) }) },
  // minutes: within the claim TTL (5), past it, and past the 8-hour TTL
  { weight: 2, arbitrary: FastCheck.record({ _tag: FastCheck.constant("Advance" as const), minutes: FastCheck.constantFrom(1, 4, 6, 60, 481) }) }
)

/** Runs `steps` through a dispatch over `store`; answers what happened at each step, and the handler runs. */
const play = (store: Dedupe.Service, steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const runs: Array<string> = []
    const dispatcher = EventDispatcher.make().fallback((event) =>
      Effect.suspend(() => {
        runs.push(event.version === "v2" ? event.header.event_id : event.uuid)
        return event.event === "fail" ? Effect.fail("handler failed") : Effect.void
      })
    )
    const dispatch = makeDispatch(dispatcher, store, "required")
    const seen: Array<string> = []
    for (const s of steps) {
      switch (s._tag) {
        case "Deliver": {
          const outcome = yield* dispatch({
            schema: "2.0",
            header: { event_id: `evt_${s.id}`, event_type: "a.b_v1" },
            event: s.fails ? "fail" : "ok"
          })
          seen.push(outcome._tag === "Retry" ? `Retry:${outcome.reason}` : outcome._tag)
          break
        }
        case "HoldElsewhere":
          seen.push(`held:${yield* store.claim(`evt_${s.id}`)}`)
          break
        case "Advance":
          yield* TestClock.adjust(`${s.minutes} minutes`)
      }
    }
    return { seen, runs }
  })

describe("the dispatch over an in-memory store", () => {
  it("recognises the store itself, not an object spread from it", () => {
    const store = Dedupe.unsafeMakeMemory()
    assert.isDefined(Dedupe.unsafeStoreOf(store))
    assert.isUndefined(Dedupe.unsafeStoreOf({ ...store }))
  })

  it.effect.prop(
    "answers as through the store's Effect operations, step for step",
    [FastCheck.array(step, { maxLength: 40 })],
    ([steps]) =>
      Effect.gen(function*() {
        const fast = yield* play(Dedupe.unsafeMakeMemory(), steps)
        // each store counts time from its first use, so the clock having moved on in between changes nothing
        const slow = yield* play({ ...Dedupe.unsafeMakeMemory() }, steps)
        assert.deepStrictEqual(fast, slow)
      }).pipe(Logger.withMinimumLogLevel(LogLevel.None)),
    { fastCheck: { numRuns: 200 } }
  )
})
