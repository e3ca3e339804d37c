/**
 * The channel's view of its connection: readiness (the first `Connected` state, or the terminal error
 * that ended the connection) and the `Reconnecting` / `Reconnected` channel events.
 *
 * One outage is one `Reconnecting` (when the first retry is scheduled) and one `Reconnected` (when a
 * socket is up again), however many attempts it takes. A failed first connect is an outage too.
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as SubscriptionRef from "effect/SubscriptionRef"
import { changesOf } from "../internal/dialect.js"
import type { LongConnectionError } from "../ws/errors.js"
import type { State } from "../ws/LongConnection.js"
import { ChannelEvent } from "./ChannelEvent.js"

/**
 * The channel is not connected: `timeout` when the first handshake did not happen in time (the connection
 * keeps trying in the background), `closed` when the connection ended for good (`cause`: bad credentials,
 * the connection limit, the reconnect budget spent).
 */
export class ChannelNotReady extends Data.TaggedError("ChannelNotReady")<{
  readonly reason: "timeout" | "closed"
  readonly detail: string
  readonly cause?: LongConnectionError | undefined
}> {
  override get message() {
    return `the channel is not connected (${this.reason}): ${this.detail}`
  }
}

export interface Watcher {
  /** Succeeds on the first `Connected` state; fails with the error that closed the connection for good. */
  readonly ready: Deferred.Deferred<void, LongConnectionError>
}

/**
 * Watches `state` for the lifetime of the scope, emitting connection events through `emit`. Returns once
 * it is subscribed, so no state change after that is missed.
 */
export const watch = (
  state: SubscriptionRef.SubscriptionRef<State>,
  emit: (event: ChannelEvent) => Effect.Effect<void>
): Effect.Effect<Watcher, never, Scope.Scope> =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<void, LongConnectionError>()
    const subscribed = yield* Deferred.make<void>()
    let down = false
    const step = (current: State): Effect.Effect<void> => {
      switch (current._tag) {
        case "Connected": {
          const wasDown = down
          down = false
          return Effect.andThen(Deferred.succeed(ready, undefined), wasDown ? emit(ChannelEvent.Reconnected()) : Effect.void)
        }
        case "Reconnecting": {
          if (down) return Effect.void
          down = true
          return emit(ChannelEvent.Reconnecting())
        }
        case "Closed":
          return current.error === undefined ? Effect.void : Deferred.fail(ready, current.error)
        case "Idle":
        case "Connecting":
          return Effect.void
      }
    }
    yield* changesOf(state).pipe(
      // the first element is the state at subscription time
      Stream.tap(() => Deferred.succeed(subscribed, undefined)),
      Stream.runForEach(step),
      Effect.forkScoped
    )
    yield* Deferred.await(subscribed)
    return { ready }
  })
