/**
 * `Effect.provide(effect, context)` for a context given on every message: a channel's own, to its handlers and
 * chat queue.
 *
 * Providing a context merges it into the fiber's and sets, then restores, the fiber's context: about 6 µs on
 * Effect 3 and 4 on Effect 4 with twenty services, a tenth of a channel's work for a message. Most of the time
 * there is nothing to provide: the app runs the channel's webhook or long connection in the context it made the
 * channel in, which holds each of the services already, the same instances. Then `effect` runs as it is. Whether
 * the fiber's context holds them is found once per context seen last, not for every message.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { servicesOf, withCurrentContext } from "./dialect.js"

/** Whether `outer` holds every service of `inner`, the same instance under the same key. */
const holds = (outer: Context.Context<never>, inner: Context.Context<never>): boolean => {
  const services = servicesOf(outer)
  for (const [key, service] of servicesOf(inner)) {
    if (services.get(key) !== service) return false
  }
  return true
}

/** Provides `context` to effects, skipping the provide when the fiber's context holds its services already. */
export const provider = <R>(context: Context.Context<R>) => {
  const inner = context as Context.Context<never>
  let lastSeen: Context.Context<never> | undefined
  let lastHolds = false
  return <A, E, R2>(effect: Effect.Effect<A, E, R2>): Effect.Effect<A, E, Exclude<R2, R>> =>
    withCurrentContext((outer) => {
      if (outer !== lastSeen) {
        lastSeen = outer
        lastHolds = holds(outer, inner)
      }
      // holding each service of `context`, the fiber's context is what providing it would make
      return lastHolds ? effect as Effect.Effect<A, E, Exclude<R2, R>> : Effect.provide(effect, context)
    })
}
