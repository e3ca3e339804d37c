/**
 * The event de-duplication store on Redis: one claim per event id for the whole fleet, whatever replica or
 * long connection the delivery reached.
 *
 * `<prefix>event:<id>` holds `claim:<nonce>` while a replica runs the handler and `done` for the dedupe TTL
 * once it succeeded.
 * - claim: one script (one round trip) that reads the state and, when there is none, writes the claim for
 *   `claimTtl`. A claim whose answer never came (a timeout, an interruption) is deleted after it, should
 *   Redis have stored it (`claimCommand`).
 * - renewal: every `claimTtl / 3` the store extends each claim it holds, only while the value is still its own
 *   claim (a compare-and-extend script). A handler slower than `claimTtl` keeps its claim; the claim of a
 *   replica that died expires at most `claimTtl` after its last renewal.
 * - complete: `SET ... done PX ttl`, retried for up to a second. When Redis still fails, `complete` fails, but
 *   the store keeps the claim (renewing it) and goes on recording the id in the background until that works
 *   or the TTL has passed: a redelivery meanwhile finds the claim (InProgress), then the id done.
 * - release: deletes the id only while it still holds this replica's own claim: a claim that expired and was
 *   taken by another replica meanwhile is left alone.
 *
 * The renewals and the background recordings are fibers of the layer's scope.
 */
import { randomUUID } from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { type Claim, EventDedupe, type Service, type StoreOptions, unsafeTtls } from "../../src/events/Dedupe.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { catchAll, scopedLayer, unionSchedules, upTo } from "../../src/internal/dialect.js"
import { claimCommand, command, RedisClient } from "./client.js"

const DONE = "done"
const CLAIM = "claim:"

/** `complete` tries for this long before it fails: the webhook answers within 3 s, the handler's time included. */
const COMPLETE_PATIENCE = Duration.seconds(1)

const completeRetries = upTo(Schedule.spaced("100 millis"), COMPLETE_PATIENCE)

/** In the background: 100 ms apart, doubling up to 2 s, while the id is still worth remembering. */
const laterRetries = (ttl: number) =>
  upTo(unionSchedules(Schedule.exponential("100 millis"), Schedule.spaced("2 seconds")), ttl)

const failed = (detail: string, cause: unknown) => new EventDedupeError({ detail: `Redis: ${detail}`, cause })

/**
 * A store on the `RedisClient` of the context, renewing its claims until `Scope` closes. Throws `RangeError`
 * for a TTL below the platform's retry window.
 */
export const make = (options: StoreOptions = {}): Effect.Effect<Service, never, RedisClient | Scope.Scope> =>
  Effect.gen(function*() {
    const { client, prefix } = yield* RedisClient
    const scope = yield* Effect.scope
    const { claimTtl, ttl } = unsafeTtls(options)
    const key = (id: string) => `${prefix}event:${id}`
    /** The claims this replica holds, by id: what it renews, and what `release` may delete. */
    const held = new Map<string, string>()
    const forget = (id: string) => Effect.sync(() => void held.delete(id))

    const lost = (id: string) =>
      Effect.andThen(
        forget(id),
        Effect.logWarning(`lark event dedupe: the claim on ${id} expired or was taken over while held; a redelivery may run its handler again`)
      )
    const renew = (id: string, mine: string) =>
      Effect.matchEffect(command(() => client.larkExtendIfEqual(key(id), mine, claimTtl), failed), {
        // Redis unreachable (the client logs that once): the next round tries again
        onFailure: (error) => Effect.logDebug(`lark event dedupe: renewing the claim on ${id} failed`, error),
        // a claim completed or released while the script ran is not lost
        onSuccess: (extended) => (extended === 1 || held.get(id) !== mine ? Effect.void : lost(id))
      })
    // The fibers below are made interruptible: a fork inherits the region it starts in, and `complete`
    // runs where interruption is off (after a handler); an uninterruptible one would hold up the closing of
    // the scope for as long as Redis stays down.
    yield* Effect.forkScoped(Effect.interruptible(Effect.forever(Effect.delay(
      Effect.suspend(() => Effect.forEach(Array.from(held), ([id, mine]) => renew(id, mine), { concurrency: "unbounded", discard: true })),
      Duration.millis(claimTtl / 3)
    ))))

    const record = (id: string) => Effect.asVoid(command(() => client.set(key(id), DONE, "PX", ttl), failed))
    const recordLater = (id: string) =>
      Effect.forkIn(
        Effect.interruptible(Effect.matchEffect(Effect.retry(record(id), laterRetries(ttl)), {
          onSuccess: () => Effect.andThen(forget(id), Effect.logInfo(`lark event dedupe: ${id} is recorded as done now that Redis answers`)),
          onFailure: (error) =>
            Effect.andThen(forget(id), Effect.logError(`lark event dedupe: gave up recording ${id} as done; a redelivery may run its handler again`, error))
        })),
        scope
      )

    return {
      claim: (id) =>
        Effect.suspend(() => {
          const claimKey = key(id)
          const mine = `${CLAIM}${randomUUID()}`
          const claimed = claimCommand(client, claimKey, mine, () => client.larkClaim(claimKey, mine, claimTtl), failed)
          return Effect.flatMap(claimed, (state): Effect.Effect<Claim, EventDedupeError> => {
            if (state === null) {
              held.set(id, mine)
              return Effect.succeed("Claimed")
            }
            if (state === DONE) return Effect.succeed("Done")
            if (state.startsWith(CLAIM)) return Effect.succeed("InProgress")
            return Effect.fail(new EventDedupeError({ detail: `unexpected state under ${key(id)}` }))
          })
        }),
      // the schedule only after a first failure: its driver would cost on every event
      complete: (id) =>
        Effect.matchEffect(record(id).pipe(catchAll(() => Effect.retry(record(id), completeRetries))), {
          onSuccess: () => forget(id),
          onFailure: (error) => Effect.andThen(recordLater(id), Effect.fail(error))
        }),
      release: (id) =>
        Effect.suspend(() => {
          const mine = held.get(id)
          held.delete(id)
          return mine === undefined ? Effect.void : Effect.asVoid(command(() => client.larkDeleteIfEqual(key(id), mine), failed))
        })
    }
  })

/** `EventDedupe` on Redis, for `handleEvent` and the long connection of every replica. */
export const layer = (options: StoreOptions = {}): Layer.Layer<EventDedupe, never, RedisClient> =>
  scopedLayer(EventDedupe, make(options))
