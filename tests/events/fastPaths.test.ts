/**
 * The event path's fast paths against the slow ones they stand in for, on generated inputs:
 * - the Verification Token compare (`secretMatcher`, a character loop) answers exactly as string equality;
 * - the dispatch over an in-memory dedupe store (its operations called at once, `unsafeStoreOf`) gives the
 *   same outcomes and runs the same handlers as the dispatch over the same kind of store used through its
 *   Effect operations only (an object spread from it, which `unsafeStoreOf` does not recognise), over random
 *   sequences of deliveries, handler failures, claims held elsewhere and clock moves past both TTLs.
 *
 * Inputs are generated from schemas (`it.prop`), so that the same properties run on both majors.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Crypto from "../../src/events/crypto.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { dedupeOfContext, makeDispatch } from "../../src/events/dispatch.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { Literals, Union } from "../../src/internal/dialect.js"
import { propertyRuns, withMinimumLogLevel } from "../dialect.js"
import { fnv1a, mulberry32 } from "../fixtures/random.js"

/**
 * A string: what each major generates for `Schema.String`, any Unicode text (code points, astral ones included,
 * from any numbers), or one of a few short ones.
 */
const Text = Union(Schema.String, Schema.Array(Schema.Number), Literals("", "a", "tok", "tok-123"))

/** `n` folded into a code point. */
const codePoint = (n: number) => Number.isFinite(n) ? Math.floor(Math.abs(n)) % 0x110000 : 0x1F600

const textOf = (text: typeof Text.Type): string => typeof text === "string" ? text : String.fromCodePoint(...text.map(codePoint))

describe("secretMatcher", () => {
  it.prop("is string equality, for every secret and received string", [Text, Text], ([secretText, otherText]) => {
    const secret = textOf(secretText)
    const matches = Crypto.secretMatcher(Redacted.make(secret))
    // the secret itself, a prefix, the secret repeated (the loop reuses its characters), and another string
    for (const received of [secret, secret.slice(0, -1), secret + secret, `${secret}x`, textOf(otherText)]) {
      assert.strictEqual(matches(received), received === secret, JSON.stringify([secret, received]))
    }
  }, propertyRuns(2000))
})

type Step =
  | { readonly _tag: "Deliver"; readonly id: number; readonly fails: boolean }
  | { readonly _tag: "HoldElsewhere"; readonly id: number }
  | { readonly _tag: "Advance"; readonly minutes: number }

/**
 * A sequence of steps: `length` of them (0 to 40, each as likely), drawn from `seed`. Each major sizes a generated
 * array or integer its own way (Effect 4's start out small), so the steps are drawn here, by a small generator of
 * our own; a shorter sequence from the same seed is a prefix of a longer one.
 */
const Steps = Schema.Struct({ length: Literals(...Array.from({ length: 41 }, (_, n) => `${n}`)), seed: Schema.Number })

/**
 * The steps `steps` stands for: each a delivery 6 times in 9 (failing half the time), a claim held elsewhere
 * once, a clock move twice; ids 0 to 5; minutes within the claim TTL (5), past it, and past the 8-hour TTL.
 */
const stepsOf = ({ length, seed }: typeof Steps.Type): Array<Step> => {
  const random = mulberry32(fnv1a(`${seed}`)) // any number: its text hashed
  const pick = (size: number) => Math.floor(random() * size)
  return Array.from({ length: Number(length) }, (): Step => {
    const kind = pick(9)
    if (kind < 6) return { _tag: "Deliver", id: pick(6), fails: pick(2) === 1 }
    if (kind === 6) return { _tag: "HoldElsewhere", id: pick(6) }
    return { _tag: "Advance", minutes: [1, 4, 6, 60, 481][pick(5)]! }
  })
}

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
    const dispatch = makeDispatch(dispatcher, dedupeOfContext(store), "required")
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
    [Steps],
    ([drawn]) =>
      Effect.gen(function*() {
        const steps = stepsOf(drawn)
        const fast = yield* play(Dedupe.unsafeMakeMemory(), steps)
        // each store counts time from its first use, so the clock having moved on in between changes nothing
        const slow = yield* play({ ...Dedupe.unsafeMakeMemory() }, steps)
        assert.deepStrictEqual(fast, slow)
      }).pipe(withMinimumLogLevel("None")),
    propertyRuns(200)
  )
})
