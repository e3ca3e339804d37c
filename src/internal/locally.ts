/**
 * `Effect.locallyWith` in one step, for the per-call path: `Effect.locallyWith` sets and restores the value
 * through `acquireUseRelease`, several times the work of the effect it wraps when that is small.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/**
 * Runs `effect` with `ref` set to `f` of its value, and sets it back however `effect` ends (interruption
 * included); `onExit` sees the exit first, on the same fiber, with the value still set.
 */
export const locallyWith = <A, E, R, V>(
  effect: Effect.Effect<A, E, R>,
  ref: FiberRef.FiberRef<V>,
  f: (value: V) => V,
  onExit?: (exit: Exit.Exit<A, E>, fiber: Fiber.RuntimeFiber<any, any>) => void
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime<A, E, R>((fiber) => {
      const outer = fiber.getFiberRef(ref)
      const end = (exit: Exit.Exit<A, E>) => {
        onExit?.(exit, fiber)
        return Effect.zipRight(FiberRef.set(ref, outer), exit)
      }
      return Effect.zipRight(
        FiberRef.set(ref, f(outer)),
        Effect.matchCauseEffect(restore(effect), {
          onFailure: (cause) => end(Exit.failCause(cause)),
          onSuccess: (value) => end(Exit.succeed(value))
        })
      )
    })
  )
