/**
 * Runs message handlings (dispatch, then ack) for the long connection, at most `limit` at once.
 *
 * A handling starts right away on the caller's stack and runs as far as it can synchronously (a handler
 * that only queues work, the in-memory dedupe store and the ack are all synchronous): no fiber switch at
 * all in that case. Once it has to wait (an HTTP call in the handler, a Redis dedupe store), its fiber is
 * handed to a `FiberSet` owned by the caller's scope, so interrupting `run` interrupts it. While `limit`
 * handlings are waiting, new ones queue (unacknowledged) and start in arrival order as slots free up.
 *
 * Measured: starting each handling in a forked fiber instead halves the throughput.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"

export type Submit<R> = (handling: Effect.Effect<void, never, R>) => Effect.Effect<void>

export const make = <R>(limit: number): Effect.Effect<Submit<R>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<R>()
    const fibers = yield* FiberSet.make()
    const runSyncExit = Runtime.runSyncExit(runtime)
    const logDefect = (cause: Cause.Cause<unknown>) =>
      Runtime.runSync(runtime)(Effect.logError("lark long connection: a message handling died", cause))
    let running = 0
    const waiting: Array<Effect.Effect<void, never, R>> = []

    /** Starts `handling`; true when it is still running (in a fiber of the set) and keeps its slot. */
    const launch = (handling: Effect.Effect<void, never, R>): boolean => {
      const exit = runSyncExit(handling)
      if (Exit.isSuccess(exit)) return false
      const defect = Cause.dieOption(exit.cause)
      if (Option.isSome(defect) && Runtime.isAsyncFiberException(defect.value)) {
        const fiber = defect.value.fiber
        FiberSet.unsafeAdd(fibers, fiber)
        fiber.addObserver(freeSlot)
        return true
      }
      logDefect(exit.cause)
      return false
    }

    /** A running handling finished: start queued ones until one keeps the slot, or give the slot back. */
    const freeSlot = () => {
      for (let queued = waiting.shift(); queued !== undefined; queued = waiting.shift()) {
        if (launch(queued)) return
      }
      running--
    }

    return (handling) =>
      Effect.sync(() => {
        if (running >= limit) {
          waiting.push(handling)
          return
        }
        running++
        if (!launch(handling)) running--
      })
  })
