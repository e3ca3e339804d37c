/**
 * Runs at most one effect per key at a time: callers that arrive while one is running wait for its result
 * instead of starting their own. This is what makes 1,000 concurrent first calls fetch one token.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { catchAllCause, isInterruptedExit, isInterruptedOnly, withDeferredMaker } from "./dialect.js"
export interface SingleFlight {
  readonly run: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const make = (): SingleFlight => {
  const running = new Map<string, Deferred.Deferred<any, any>>()
  const run = <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    withDeferredMaker((makeDeferred) => {
      // No yield between the look-up and the insert below: the check-then-set is atomic.
      const current = running.get(key) as Deferred.Deferred<A, E> | undefined
      if (current !== undefined) {
        // If the leader was interrupted, its waiters are not: one of them takes over.
        return Deferred.await(current).pipe(
          catchAllCause((cause) => isInterruptedOnly(cause) ? run(key, effect) : Effect.failCause(cause))
        )
      }
      const deferred = makeDeferred<A, E>()
      running.set(key, deferred)
      return effect.pipe(
        Effect.onExit((exit) => {
          running.delete(key)
          return isInterruptedExit(exit) ? Deferred.interrupt(deferred) : Deferred.done(deferred, exit)
        })
      )
    })
  return { run }
}
