/**
 * User access tokens on Redis, shared by every replica (`UserTokens` over a Redis `Store`).
 *
 * - An entry is `<prefix>user-token:<userId>` holding the token as JSON, with a Redis expiry at the end of
 *   the refresh token's lifetime. The access and refresh tokens are stored as the platform gave them (not
 *   encrypted): protect the Redis as you protect the app secret.
 * - A refresh token is single use (OAuth v2 / v3), so only one replica refreshes a user's token: it holds
 *   `SET <prefix>user-token-lock:<userId> <nonce> NX PX lockTtl` meanwhile; the others wait and read the fresh
 *   entry. The release deletes the lock only while it holds the holder's nonce; a holder that dies blocks that
 *   user for at most `lockTtl`.
 */
import { randomUUID } from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { LarkTokenError } from "../../src/LarkError.js"
import * as UserTokens from "../../src/UserTokens.js"
import { decodeDuration, type DurationInput, optionFromNullable } from "../../src/internal/dialect.js"
import { command, RedisClient } from "./client.js"

export interface Options extends UserTokens.Options {
  /** How long the refresh lock lives when its holder never releases it. Default 10 seconds. */
  readonly lockTtl?: DurationInput | undefined
}

const failed = (detail: string) => new LarkTokenError({ kind: "user", detail: `the user token store (Redis) failed: ${detail}` })

/** A `UserTokens.Store` on the `RedisClient` of the context. */
export const makeStore = (options: Pick<Options, "lockTtl"> = {}): Effect.Effect<UserTokens.Store, never, RedisClient> =>
  Effect.map(RedisClient, ({ client, prefix }): UserTokens.Store => {
    const lockTtl = Duration.toMillis(decodeDuration(options.lockTtl ?? "10 seconds"))
    const entryKey = (userId: string) => `${prefix}user-token:${userId}`
    const lockKey = (userId: string) => `${prefix}user-token-lock:${userId}`
    return {
      get: (userId) => Effect.map(command(() => client.get(entryKey(userId)), failed), optionFromNullable),
      set: (userId, entry, ttl) => {
        const millis = Math.ceil(Duration.toMillis(ttl))
        return Effect.asVoid(command(
          (): Promise<unknown> => millis > 0 ? client.set(entryKey(userId), entry, "PX", millis) : client.del(entryKey(userId)),
          failed
        ))
      },
      delete: (userId) => Effect.asVoid(command(() => client.del(entryKey(userId)), failed)),
      lock: (userId) =>
        Effect.suspend(() => {
          const nonce = randomUUID()
          return Effect.map(command(() => client.set(lockKey(userId), nonce, "PX", lockTtl, "NX"), failed), (answer) =>
            answer === "OK"
              // A release that fails leaves the lock to expire: nothing to report to the caller.
              ? Option.some(Effect.ignore(command(() => client.larkDeleteIfEqual(lockKey(userId), nonce), failed)))
              : Option.none())
        })
    }
  })

/** `UserTokens` with its entries in Redis. */
export const layer = (options: Options = {}): Layer.Layer<UserTokens.UserTokens, never, RedisClient> =>
  Layer.effect(UserTokens.UserTokens, Effect.flatMap(makeStore(options), (store) => UserTokens.make(store, options)))
