/**
 * The event de-duplication store on Redis: one claim per event id for the whole fleet, whatever replica or
 * long connection the delivery reached.
 *
 * `<prefix>event:<id>` holds `claim:<nonce>` while a replica runs the handler (expires after `claimTtl`, so
 * the claim of a replica that died goes away) and `done` for the dedupe TTL once it succeeded.
 * - claim: one script (one round trip) that reads the state and, when there is none, writes the claim.
 * - complete: `SET ... done PX ttl`.
 * - release: deletes the id only while it still holds this replica's own claim: a claim that expired and was
 *   taken by another replica meanwhile is left alone.
 */
import { randomUUID } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type Claim, EventDedupe, type Service, type StoreOptions, unsafeTtls } from "../../src/events/Dedupe.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { command, RedisClient } from "./client.js"

const DONE = "done"
const CLAIM = "claim:"

const failed = (detail: string, cause: unknown) => new EventDedupeError({ detail: `Redis: ${detail}`, cause })

/** A store on the `RedisClient` of the context. Throws `RangeError` for a TTL below the platform's retry window. */
export const make = (options: StoreOptions = {}): Effect.Effect<Service, never, RedisClient> =>
  Effect.map(RedisClient, ({ client, prefix }): Service => {
    const { claimTtl, ttl } = unsafeTtls(options)
    const key = (id: string) => `${prefix}event:${id}`
    /** The claims this replica holds, by id: what `release` may delete. */
    const held = new Map<string, string>()
    return {
      claim: (id) =>
        Effect.suspend(() => {
          const mine = `${CLAIM}${randomUUID()}`
          return Effect.flatMap(command(() => client.larkClaim(key(id), mine, claimTtl), failed), (state): Effect.Effect<Claim, EventDedupeError> => {
            if (state === null) {
              held.set(id, mine)
              return Effect.succeed("Claimed")
            }
            if (state === DONE) return Effect.succeed("Done")
            if (state.startsWith(CLAIM)) return Effect.succeed("InProgress")
            return Effect.fail(new EventDedupeError({ detail: `unexpected state under ${key(id)}` }))
          })
        }),
      complete: (id) =>
        Effect.suspend(() => {
          held.delete(id)
          return Effect.asVoid(command(() => client.set(key(id), DONE, "PX", ttl), failed))
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
  Layer.effect(EventDedupe, make(options))
