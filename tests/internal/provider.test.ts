/**
 * `provider(context)` must behave as `Effect.provide(effect, context)` whatever the context of the fiber that
 * runs it: its skip (when that context holds each service already, the same instance) and the answer it keeps
 * for the context it saw last must never show.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Service } from "../../src/internal/dialect.js"
import { provider } from "../../src/internal/provider.js"

interface Named {
  readonly name: string
}

class First extends Service<First, Named>()("test/provider/First") {}
class Second extends Service<Second, Named>()("test/provider/Second") {}
class Third extends Service<Third, Named>()("test/provider/Third") {}

const first = { name: "first" }
const otherFirst = { name: "another first" }
const second = { name: "second" }
const third = { name: "third" }

const nameOf = (service: Option.Option<Named>): string => Option.match(service, { onNone: () => "-", onSome: ({ name }) => name })

/** What an effect sees of the three services (`-` for a missing one). */
const seen = Effect.gen(function*() {
  const first = yield* Effect.serviceOption(First)
  const second = yield* Effect.serviceOption(Second)
  const third = yield* Effect.serviceOption(Third)
  return [first, second, third].map(nameOf).join(",")
})

/** The contexts a fiber may run the provided effect in. */
const outers: ReadonlyArray<readonly [string, Context.Context<never>]> = [
  ["empty", Context.empty()],
  ["holding both, the same instances", Context.add(Context.make(First, first), Second, second) as Context.Context<never>],
  ["holding both and more", Context.add(Context.add(Context.make(First, first), Second, second), Third, third) as Context.Context<never>],
  ["holding another instance of one", Context.add(Context.make(First, otherFirst), Second, second) as Context.Context<never>],
  ["holding one of them", Context.add(Context.make(Second, second), Third, third) as Context.Context<never>]
]

const provided = Context.add(Context.make(First, first), Second, second)

/**
 * What the fiber sees inside the provided effect, run twice in a row in one context (the second run finds the
 * answer kept for it), then after it.
 */
const inAndAfter = (provide: (effect: typeof seen) => Effect.Effect<string>, outer: Context.Context<never>) =>
  Effect.provide(Effect.all([provide(seen), provide(seen), seen]), outer)

const byEffectProvide = (effect: typeof seen) => Effect.provide(effect, provided)

describe("provider", () => {
  it.effect("gives what Effect.provide gives, in and after the effect, from every context in turn", () =>
    Effect.gen(function*() {
      // every pair of contexts in a row, each with a new provider, so that the answer kept for the first
      // context it sees is tried against every other
      for (const [previousName, previous] of outers) {
        for (const [name, outer] of outers) {
          const provide = provider(provided)
          expect(yield* inAndAfter(provide, previous), previousName).toEqual(yield* inAndAfter(byEffectProvide, previous))
          expect(yield* inAndAfter(provide, outer), `${name} after ${previousName}`).toEqual(yield* inAndAfter(byEffectProvide, outer))
        }
      }
    }))

  it.effect("the provided instance wins over another one under the same key, and only inside", () =>
    Effect.gen(function*() {
      const outer = Context.add(Context.make(First, otherFirst), Second, second) as Context.Context<never>
      expect(yield* inAndAfter(provider(provided), outer)).toEqual(["first,second,-", "first,second,-", "another first,second,-"])
    }))
})
