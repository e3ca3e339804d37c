/**
 * The token cache on Redis: tenant / app tokens and the marketplace app_ticket, shared by every replica.
 *
 * - An entry is `<prefix>token:<appId>:<kind>:<tenantKey>` holding `{"token", "expiresAt", "refreshAt"}` as
 *   JSON, with a Redis expiry at `expiresAt`.
 * - Removing with a token compares and deletes in one script, so a stale token is evicted once.
 * - `tryLock` elects the one replica that fetches a missing token: `SET <prefix>lock:<key> <nonce> NX PX
 *   lockTtl`. Its release deletes the lock only while it still holds the holder's nonce; a holder that dies
 *   blocks the fleet for at most `lockTtl`. A lock whose answer never came (a timeout, an interruption) is
 *   deleted after it, should Redis have stored it (`claimCommand`).
 */
import { randomUUID } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type CachedToken, type TokenCache, TokenCacheError } from "../../src/TokenCache.js"
import { decodeDuration, type DurationInput } from "../../src/internal/dialect.js"
import { claimCommand, command, RedisClient } from "./client.js"

export interface Options {
  /** How long the fetch lock lives when its holder never releases it. Default 10 seconds. */
  readonly lockTtl?: DurationInput | undefined
}

const Entry = Schema.Struct({ token: Schema.String, expiresAt: Schema.Number, refreshAt: Schema.optional(Schema.Number) })
const parseJson = Option.liftThrowable((raw: string): unknown => JSON.parse(raw))
const decodeEntry = (raw: string) => Option.flatMap(parseJson(raw), Schema.decodeUnknownOption(Entry))

const failed = (detail: string, cause: unknown) => new TokenCacheError({ detail: `Redis: ${detail}`, cause })

/** A `TokenCache` on the `RedisClient` of the context. */
export const make = (options: Options = {}): Effect.Effect<TokenCache, never, RedisClient> =>
  Effect.map(RedisClient, ({ client, prefix }): TokenCache => {
    const lockTtl = Duration.toMillis(decodeDuration(options.lockTtl ?? "10 seconds"))
    const entryKey = (key: string) => `${prefix}token:${key}`
    const lockKey = (key: string) => `${prefix}lock:${key}`
    return {
      get: (key) =>
        Effect.map(command(() => client.get(entryKey(key)), failed), (raw) =>
          Option.map(
            raw === null ? Option.none() : decodeEntry(raw),
            (entry): CachedToken => ({ token: Redacted.make(entry.token), expiresAt: entry.expiresAt, refreshAt: entry.refreshAt })
          )),
      set: (key, token) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const ttl = Math.ceil(token.expiresAt - now)
          if (ttl <= 0) return Effect.void
          const entry = JSON.stringify({ token: Redacted.value(token.token), expiresAt: token.expiresAt, refreshAt: token.refreshAt })
          return Effect.asVoid(command(() => client.set(entryKey(key), entry, "PX", ttl), failed))
        }),
      remove: (key, only) =>
        Effect.asVoid(command(
          () => only === undefined ? client.del(entryKey(key)) : client.larkDeleteTokenIfEqual(entryKey(key), Redacted.value(only)),
          failed
        )),
      tryLock: (key) =>
        Effect.suspend(() => {
          const lock = lockKey(key)
          const nonce = randomUUID()
          return Effect.map(claimCommand(client, lock, nonce, () => client.set(lock, nonce, "PX", lockTtl, "NX"), failed), (answer) =>
            answer === "OK"
              // A release that fails leaves the lock to expire: nothing to report to the caller.
              ? Option.some(Effect.ignore(command(() => client.larkDeleteIfEqual(lock, nonce), failed)))
              : Option.none())
        })
    }
  })
