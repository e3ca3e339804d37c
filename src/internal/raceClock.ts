/**
 * A per-attempt deadline raced against the `Clock`, for attempts whose transport cannot keep it itself.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** The live clock's prototype: its `sleep` is a plain timer. */
const liveClock = Object.getPrototypeOf(Clock.make())

/** The longest delay a timer takes; the live clock sleeps forever beyond it. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * `attempt`, failing with `onTimeout()` when `timeout` passes first; a late attempt is interrupted (and so
 * aborted). `Effect.timeoutFail` on any clock; on the live one, the same race with one fiber and the timer the
 * live clock's `sleep` would set, which costs half as much (`timeoutFail` forks the attempt and a sleeper and
 * joins their fiber refs: about 80 µs per attempt).
 */
export const raceClock = <A, E, R, E2>(
  attempt: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (Object.getPrototypeOf(clock) !== liveClock) return Effect.timeoutFail(attempt, { duration: timeout, onTimeout })
    const millis = Duration.toMillis(timeout)
    return millis > MAX_TIMER_MILLIS ? attempt : Effect.flatMap(Effect.fork(attempt), (fiber) => onTimer(fiber, millis, onTimeout))
  })

/** Waits for `fiber`, or for `millis` to pass and then interrupts it; interrupting the wait interrupts it too. */
const onTimer = <A, E, E2>(fiber: Fiber.RuntimeFiber<A, E>, millis: number, onTimeout: () => E2) =>
  Effect.async<A, E | E2>((resume) => {
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      resume(Effect.zipRight(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
    }, millis)
    fiber.addObserver((exit) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resume(exit)
    })
    return Effect.suspend(() => {
      clearTimeout(timer)
      return Fiber.interrupt(fiber)
    })
  })
