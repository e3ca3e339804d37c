/**
 * De-duplication of deliveries by event id (v2 `header.event_id`, v1 `uuid`), shared by the webhook and
 * the long connection.
 *
 * The platform retries a push it did not get a 200 for (15 s, 5 min, 1 h, 6 h: about 7.1 h in all) and
 * a retry reuses the id. An id therefore has to be remembered for at least 7.2 hours; the stores here keep
 * it for 8 hours by default, judged by the `Clock` service (so `TestClock` drives them in tests).
 *
 * An id goes through a claim before its handler runs:
 * - `claim(id)` atomically answers `"Claimed"` (the caller runs the handler), `"Done"` (handled before:
 *   acknowledge without running it) or `"InProgress"` (another delivery is being handled right now: answer
 *   so that the platform redelivers later, because that other handler may still fail).
 * - `complete(id)` after the handler succeeded: the id is done for the TTL. When it fails, the id is not
 *   done yet, and the caller does not acknowledge the delivery: a store that can fail keeps the claim and
 *   records the id later (the Redis store does, see `layers/redis/dedupe.ts`), so the redelivery finds it
 *   in progress, then done.
 * - `release(id)` after it failed or was interrupted: the next delivery runs the handler again.
 * A claim that is neither completed nor released (its process died) expires after `claimTtl`; a store
 * shared by processes renews the claims of its own running handlers, so only a dead holder's claim expires.
 * In the in-memory store every holder is alive (it is in this process), so its claims never expire.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { currentTimeMillis, decodeDuration, type DurationInput, Service as ServiceKey } from "../internal/dialect.js"
import type { EventDedupeError } from "./errors.js"

export type Claim = "Claimed" | "Done" | "InProgress"

export interface Service {
  readonly claim: (id: string) => Effect.Effect<Claim, EventDedupeError>
  readonly complete: (id: string) => Effect.Effect<void, EventDedupeError>
  readonly release: (id: string) => Effect.Effect<void, EventDedupeError>
}

/**
 * The operations of the in-memory store, done at once: the dispatch calls them directly instead of running
 * an Effect per call (see {@link unsafeStoreOf}). `now` is the `Clock`'s time in milliseconds.
 *
 * @internal
 */
export interface UnsafeStore {
  readonly claim: (id: string, now: number) => Claim
  readonly complete: (id: string, now: number) => void
  readonly release: (id: string) => void
}

const UnsafeStoreKey = Symbol.for("lark-effect/EventDedupe/UnsafeStore")

/**
 * The {@link UnsafeStore} behind `service` when it is an in-memory store made here; `undefined` for any
 * other store. The key is not enumerable, so an object spread from a memory store (`{ ...store, claim }`)
 * does not carry it and keeps its own operations.
 *
 * @internal
 */
export const unsafeStoreOf = (service: Service): UnsafeStore | undefined =>
  (service as { readonly [UnsafeStoreKey]?: UnsafeStore })[UnsafeStoreKey]

/** The de-duplication store. Without one in the context, each `handle(...)` / connection keeps its own in memory. */
export class EventDedupe extends ServiceKey<EventDedupe, Service>()("lark-effect/EventDedupe") {}

/** The platform's retry window (~7.1 h) rounded up: a store must keep ids at least this long. */
export const MINIMUM_TTL: Duration.Duration = Duration.millis(7.2 * 60 * 60 * 1000)

/** Default time a handled id is remembered. */
export const DEFAULT_TTL: Duration.Duration = Duration.hours(8)

/** Default time a claim lives when its holder never completes or releases it. */
export const DEFAULT_CLAIM_TTL: Duration.Duration = Duration.minutes(5)

export interface StoreOptions {
  /** How long a handled id is remembered; at least {@link MINIMUM_TTL}. */
  readonly ttl?: DurationInput | undefined
  /**
   * How long an unfinished claim of a shared store blocks redeliveries when its holder stops renewing it (it
   * died). The in-memory store holds a claim until its handler ends.
   */
  readonly claimTtl?: DurationInput | undefined
}

/** Validated TTLs in milliseconds. A TTL shorter than {@link MINIMUM_TTL} is a programming error: `RangeError`. */
export const unsafeTtls = (options: StoreOptions = {}): { readonly ttl: number; readonly claimTtl: number } => {
  const ttl = Duration.toMillis(decodeDuration(options.ttl ?? DEFAULT_TTL))
  if (!(ttl >= Duration.toMillis(MINIMUM_TTL))) {
    throw new RangeError(`event dedupe TTL must be at least 7.2 hours, got ${ttl} ms`)
  }
  const claimTtl = Duration.toMillis(decodeDuration(options.claimTtl ?? DEFAULT_CLAIM_TTL))
  if (!(claimTtl > 0)) throw new RangeError(`event dedupe claim TTL must be positive, got ${claimTtl} ms`)
  return { ttl, claimTtl }
}

/**
 * An in-memory store (a `Map` from id to state and expiry); expired entries are pruned as time passes.
 *
 * Memory: every id is kept for the TTL, so the store grows with the event rate up to its bound, about 80
 * bytes an id (measured: 200,000 webhook events add 16 MB of heap; the heap stays flat without a store).
 * At 10 events a second that is ~23 MB after 8 hours, then flat; a busier bot that cannot spare it shares a
 * Redis store (`layers/redis`), which also dedupes across replicas.
 */
export const unsafeMakeMemory = (options: StoreOptions = {}): Service => {
  const { claimTtl, ttl } = unsafeTtls(options)
  // The ids claimed and neither completed nor released. Their holders run in this process, so such a claim
  // belongs to a handler still running, however slow: it stays in progress past `claimTtl` (which only
  // bounds how long its entry is kept), and only its holder's release drops it.
  const held = new Set<string>()
  // An entry is a number (no object per id, nothing for the garbage collector to trace): its expiry in
  // milliseconds after `origin`, negated while the id is claimed but not done. Relative to `origin` the
  // numbers stay small integers (for about twelve days), which V8 stores unboxed.
  const entries = new Map<string, number>()
  let origin: number | undefined
  const expiryOf = (entry: number) => Math.abs(entry)
  // Entries go in at their claim, and a completion updates its entry in place (a Map re-insertion costs
  // more than the lookup): the Map is in claim order, which is expiry order up to handler durations.
  // No entry put since the last pass, and not the first one left, expires before this: until then a
  // claim skips the pass (walking the Map costs more than the lookup itself).
  let nextPrune = Infinity
  const prune = (now: number) => {
    if (now < nextPrune) return
    // Stop at the first live entry and let the rest go on a later pass.
    nextPrune = Infinity
    for (const [key, entry] of entries) {
      if (expiryOf(entry) > now) {
        nextPrune = expiryOf(entry)
        break
      }
      entries.delete(key)
    }
  }
  const put = (id: string, entry: number) => {
    entries.set(id, entry)
    if (expiryOf(entry) < nextPrune) nextPrune = expiryOf(entry)
  }
  /** Milliseconds after `origin` of the `Clock` time `millis`. */
  const relative = (millis: number) => {
    // a `ttl` below the first reading: a clock set back by up to that still gives positive times
    origin ??= millis - ttl
    return millis - origin
  }
  const unsafe: UnsafeStore = {
    claim: (id, millis) => {
      if (held.has(id)) return "InProgress"
      const now = relative(millis)
      prune(now)
      const entry = entries.get(id)
      if (entry !== undefined) {
        if (expiryOf(entry) > now) return entry > 0 ? "Done" : "InProgress"
        entries.delete(id)
      }
      // the claim's expiry is at least `claimTtl` > 0, so the negated number is never 0
      put(id, -(now + claimTtl))
      held.add(id)
      return "Claimed"
    },
    complete: (id, millis) => {
      held.delete(id)
      const now = relative(millis)
      if (entries.has(id)) entries.set(id, now + ttl)
      else put(id, now + ttl)
    },
    release: (id) => {
      if (!held.delete(id)) return // not claimed here, or done: nothing of another claim is dropped
      const entry = entries.get(id)
      if (entry !== undefined && entry < 0) entries.delete(id)
    }
  }
  const service: Service = {
    claim: (id) => Effect.clockWith((clock) => Effect.succeed(unsafe.claim(id, currentTimeMillis(clock)))),
    complete: (id) => Effect.clockWith((clock) => Effect.succeed(unsafe.complete(id, currentTimeMillis(clock)))),
    release: (id) => Effect.sync(() => unsafe.release(id))
  }
  return Object.defineProperty(service, UnsafeStoreKey, { value: unsafe })
}

/** An in-memory store with the default TTLs. */
export const layerMemory: Layer.Layer<EventDedupe> = Layer.sync(EventDedupe, () => unsafeMakeMemory())

/** An in-memory store with custom TTLs. */
export const layerMemoryWith = (options: StoreOptions): Layer.Layer<EventDedupe> =>
  Layer.sync(EventDedupe, () => unsafeMakeMemory(options))
