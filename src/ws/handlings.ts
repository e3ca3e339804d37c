/**
 * Runs message handlings (dispatch, then ack) for the long connection, at most `limit` at once.
 *
 * A handling starts right away on the caller's stack and runs as far as it can synchronously (a handler
 * that only queues work, the in-memory dedupe store and the ack are all synchronous): no fiber switch at
 * all in that case. Once it has to wait (an HTTP call in the handler, a Redis dedupe store), its fiber is
 * handed to a `FiberSet` owned by the caller's scope, so interrupting `run` interrupts it. While `limit`
 * handlings are waiting, new ones queue (unacknowledged) and start in arrival order as slots free up; at
 * most `maxQueued` of them: past that, a submission runs its `refused()` effect instead (the session answers
 * 500, so the platform redelivers the message later), rather than piling up while handlers are stuck.
 *
 * Closing the scope stops launching before it interrupts the running handlings: the queue is emptied and
 * nothing submitted or freed from then on starts (an interrupted handling frees its slot). The messages
 * not started stay unacknowledged, so the platform redelivers them.
 *
 * Measured: starting each handling in a forked fiber instead halves the throughput.
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import { addFiberUnsafe, stackRunner } from "../internal/dialect.js"

/** Starts or queues `handling`; runs `refused()` instead when the queue is full (made only then: once per message). */
export type Submit<R> = (handling: Effect.Effect<void, never, R>, refused: () => Effect.Effect<void>) => Effect.Effect<void>

export const make = <R>(limit: number, maxQueued: number): Effect.Effect<Submit<R>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* stackRunner<R>()
    const fibers = yield* FiberSet.make()
    const logDefect = (cause: Cause.Cause<unknown>) => run(Effect.logError("lark long connection: a message handling died", cause))
    let running = 0
    const waiting: Array<Effect.Effect<void, never, R>> = []
    let closing = false
    // added after the FiberSet's finalizer, so it runs first: nothing starts while the set interrupts its fibers
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closing = true
        waiting.length = 0
      })
    )

    /** Starts `handling`; true when it is still running (in a fiber of the set) and keeps its slot. */
    const launch = (handling: Effect.Effect<void, never, R>): boolean => {
      const started = run(handling)
      if (!Exit.isExit(started)) {
        addFiberUnsafe(fibers, started)
        started.addObserver(freeSlot)
        return true
      }
      if (Exit.isFailure(started)) logDefect(started.cause)
      return false
    }

    /** A running handling finished: start queued ones until one keeps the slot, or give the slot back. */
    const freeSlot = () => {
      for (let queued = closing ? undefined : waiting.shift(); queued !== undefined; queued = waiting.shift()) {
        if (launch(queued)) return
      }
      running--
    }

    return (handling, refused) =>
      Effect.suspend(() => {
        if (closing) return Effect.void
        if (running >= limit) {
          if (waiting.length >= maxQueued) return refused()
          waiting.push(handling)
          return Effect.void
        }
        running++
        if (!launch(handling)) running--
        return Effect.void
      })
  })
