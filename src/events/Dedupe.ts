/**
 * De-duplication of webhook deliveries by event id (v2 `header.event_id`, v1 `uuid`).
 *
 * The platform retries a push it did not get a 200 for (15 s, 5 min, 1 h, 6 h: about 7.1 h in all) and
 * a retry reuses the id. An id therefore has to be remembered for at least 7.2 hours; the in-memory store
 * keeps it for 8 hours by default, judged by the `Clock` service (so `TestClock` drives it in tests).
 *
 * `handle` asks `seen` before dispatching and calls `markSeen` only after the handler succeeded, so a
 * redelivery after a failed handler is handled again.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface Service {
  /** Whether `id` was marked seen and has not expired. */
  readonly seen: (id: string) => Effect.Effect<boolean>
  /** Remembers `id` for the store's TTL. */
  readonly markSeen: (id: string) => Effect.Effect<void>
}

/** The de-duplication store used by `handle`. Without one in the context, `handle` keeps its own in memory. */
export class EventDedupe extends Context.Tag("lark-effect/EventDedupe")<EventDedupe, Service>() {}

/** The platform's retry window (~7.1 h) rounded up: a store must keep ids at least this long. */
export const MINIMUM_TTL: Duration.Duration = Duration.millis(7.2 * 60 * 60 * 1000)

/** Default time an id is remembered. */
export const DEFAULT_TTL: Duration.Duration = Duration.hours(8)

/**
 * An in-memory store (a `Map` from id to expiry time). Expired entries are pruned on `markSeen`.
 * A TTL shorter than {@link MINIMUM_TTL} is a programming error and throws a `RangeError`.
 */
export const unsafeMakeMemory = (ttl: Duration.DurationInput = DEFAULT_TTL): Service => {
  const ttlMillis = Duration.toMillis(Duration.decode(ttl))
  if (!(ttlMillis >= Duration.toMillis(MINIMUM_TTL))) {
    throw new RangeError(`event dedupe TTL must be at least 7.2 hours, got ${ttlMillis} ms`)
  }
  const expiries = new Map<string, number>()
  return {
    seen: (id) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const expiresAt = expiries.get(id)
        if (expiresAt === undefined) return false
        if (expiresAt <= now) {
          expiries.delete(id)
          return false
        }
        return true
      }),
    markSeen: (id) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        // Insertion order is expiry order (one TTL), so pruning stops at the first live entry.
        for (const [key, expiresAt] of expiries) {
          if (expiresAt > now) break
          expiries.delete(key)
        }
        // Re-insert so that the Map's insertion order stays the expiry order.
        expiries.delete(id)
        expiries.set(id, now + ttlMillis)
      })
  }
}

/** An in-memory store with the default 8 h TTL. */
export const layerMemory: Layer.Layer<EventDedupe> = Layer.sync(EventDedupe, () => unsafeMakeMemory())

/** An in-memory store with a custom TTL (at least 7.2 h). */
export const layerMemoryWith = (options: { readonly ttl: Duration.DurationInput }): Layer.Layer<EventDedupe> =>
  Layer.sync(EventDedupe, () => unsafeMakeMemory(options.ttl))
