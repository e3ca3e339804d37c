/**
 * User access tokens on Redis, shared by every replica (`UserTokens` over a Redis `Store`).
 *
 * - An entry is `<prefix>user-token:<appId>:<userId>` holding the token as JSON, with a Redis expiry at the
 *   end of the refresh token's lifetime. The app id (of the `LarkConfig` the layer is built with) is in the
 *   key because a user's token belongs to one app: two apps on one Redis, under the same prefix, must neither
 *   read nor delete each other's. The access and refresh tokens are stored as the platform gave them (not
 *   encrypted): protect the Redis as you protect the app secret.
 * - A refresh token is single use (OAuth v2 / v3), so only one replica refreshes a user's token: it holds
 *   `SET <prefix>user-token-lock:<appId>:<userId> <nonce> NX PX lockTtl` meanwhile; the others wait and read
 *   the fresh entry. While it holds the lock it extends it to `lockTtl` every `lockTtl / 3`, only while the
 *   lock still holds its nonce (a compare-and-extend script): a refresh slower than `lockTtl` (HTTP timeouts,
 *   retries) keeps it. The release stops the renewal and deletes the lock only while it holds the holder's
 *   nonce; a holder that dies blocks that user for at most `lockTtl` after its last renewal. A lock whose
 *   answer never came (a timeout, an interruption) is deleted after it, should Redis have stored it
 *   (`claimCommand`).
 * - A refused refresh deletes the entry only while it still holds the entry the refresh was read from (a
 *   compare-and-delete script), never a token another replica stored meanwhile.
 */
import { randomUUID } from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { LarkConfig } from "../../src/LarkConfig.js"
import { LarkTokenError } from "../../src/LarkError.js"
import * as UserTokens from "../../src/UserTokens.js"
import { decodeDuration, type DurationInput, optionFromNullable } from "../../src/internal/dialect.js"
import { claimCommand, command, RedisClient } from "./client.js"

export interface Options extends UserTokens.Options {
  /**
   * How long the refresh lock lives after its holder's last renewal (the holder renews it every third of this
   * while its refresh runs), so how long a holder that died blocks that user's refreshes. Default 10 seconds.
   */
  readonly lockTtl?: DurationInput | undefined
}

const failed = (detail: string) => new LarkTokenError({ kind: "user", detail: `the user token store (Redis) failed: ${detail}` })

/** A `UserTokens.Store` on the `RedisClient` of the context, for the app of the `LarkConfig` of the context. */
export const makeStore = (options: Pick<Options, "lockTtl"> = {}): Effect.Effect<UserTokens.Store, never, RedisClient | LarkConfig> =>
  Effect.map(Effect.zip(RedisClient, LarkConfig), ([{ client, prefix }, { appId }]): UserTokens.Store => {
    const lockTtl = Duration.toMillis(decodeDuration(options.lockTtl ?? "10 seconds"))
    const entryKey = (userId: string) => `${prefix}user-token:${appId}:${userId}`
    const lockKey = (userId: string) => `${prefix}user-token-lock:${appId}:${userId}`

    const extend = (userId: string, nonce: string) => command(() => client.larkExtendIfEqual(lockKey(userId), nonce, lockTtl), failed)
    /** Extends the lock every `lockTtl / 3` while it still holds `nonce`; stops when it no longer does. */
    const renewing = (userId: string, nonce: string): Effect.Effect<void> =>
      Effect.matchEffect(Effect.delay(extend(userId, nonce), Duration.millis(lockTtl / 3)), {
        // Redis unreachable (the client logs that once): the next round tries again
        onFailure: (error) =>
          Effect.andThen(Effect.logDebug(`lark user tokens: renewing the refresh lock of ${userId} failed`, error), renewing(userId, nonce)),
        onSuccess: (extended) =>
          extended === 1
            ? renewing(userId, nonce)
            : Effect.logWarning(`lark user tokens: the refresh lock of ${userId} expired while held; another replica may refresh that token too`)
      })

    /** Starts renewing the lock in a scope of its own; answers the release: stop renewing, then delete it. */
    const held = (userId: string, nonce: string) =>
      Effect.flatMap(Scope.make(), (scope) =>
        // interruptible: the fork inherits the region it starts in, and closing the scope must stop it
        Effect.as(
          Effect.forkIn(Effect.interruptible(renewing(userId, nonce)), scope),
          Effect.andThen(
            Scope.close(scope, Exit.void),
            // A release that fails leaves the lock to expire: nothing to report to the caller.
            Effect.ignore(command(() => client.larkDeleteIfEqual(lockKey(userId), nonce), failed))
          )
        ))

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
      deleteIfEqual: (userId, entry) => Effect.asVoid(command(() => client.larkDeleteIfEqual(entryKey(userId), entry), failed)),
      lock: (userId) =>
        Effect.suspend(() => {
          const lock = lockKey(userId)
          const nonce = randomUUID()
          return Effect.flatMap(claimCommand(client, lock, nonce, () => client.set(lock, nonce, "PX", lockTtl, "NX"), failed), (answer) =>
            answer === "OK" ? Effect.map(held(userId, nonce), Option.some) : Effect.succeed(Option.none()))
        })
    }
  })

/** `UserTokens` with its entries in Redis, for the app of the `LarkConfig` it is built with. */
export const layer = (options: Options = {}): Layer.Layer<UserTokens.UserTokens, never, RedisClient | LarkConfig> =>
  Layer.effect(UserTokens.UserTokens, Effect.flatMap(makeStore(options), (store) => UserTokens.make(store, options)))
