/**
 * Where access tokens and app tickets are kept between calls.
 *
 * An interface so that many replicas of one bot can share tokens (a Redis cache in `layers/redis`); the
 * default keeps them in memory, per `LarkConfig` layer: two configs in one process never share tokens.
 *
 * A shared cache may fail (its server is down): its operations fail with {@link TokenCacheError}, which the
 * token functions turn into a `LarkTokenError` of the call that needed the token. A shared cache also offers
 * {@link TokenCache.tryLock}, so that one process of the fleet fetches a missing token while the others wait.
 */
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { currentTimeMillis, Defect, optionFromNullable } from "./internal/dialect.js"

export interface CachedToken {
  readonly token: Redacted.Redacted<string>
  /** Epoch milliseconds after which the platform no longer accepts the token. */
  readonly expiresAt: number
  /**
   * Epoch milliseconds after which a new token is fetched, ahead of `expiresAt`; a cache keeps it as given.
   * Absent (an entry stored without it): `refreshAhead` before `expiresAt`.
   */
  readonly refreshAt?: number | undefined
}

/** The cache could not be read or written (a shared store is unreachable, or answered nonsense). */
export class TokenCacheError extends Schema.TaggedError<TokenCacheError>()("TokenCacheError", {
  detail: Schema.String,
  cause: Schema.optional(Defect)
}) {
  override get message() {
    return `token cache failed: ${this.detail}`
  }
}

export interface TokenCache {
  readonly get: (key: string) => Effect.Effect<Option.Option<CachedToken>, TokenCacheError>
  readonly set: (key: string, token: CachedToken) => Effect.Effect<void, TokenCacheError>
  /**
   * Drops the entry of `key`. With `only`, the entry is dropped only while it still holds that token, so
   * that of many callers rejected with one stale token, the first evicts it and the others leave alone
   * the fresh token fetched meanwhile.
   */
  readonly remove: (key: string, only?: Redacted.Redacted<string>) => Effect.Effect<void, TokenCacheError>
  /**
   * For caches shared by several processes: tries to become the one process that fetches `key`.
   * `Some(release)` when this caller won (run `release` once the token is stored; the lock also expires by
   * itself, so a fetcher that dies blocks the others for at most the lock's lifetime); `None` when another
   * process holds the lock (wait for the value). Absent for a cache of one process.
   */
  readonly tryLock?: ((key: string) => Effect.Effect<Option.Option<Effect.Effect<void>>, TokenCacheError>) | undefined
  /**
   * For caches in the process's memory: what `get` would answer at `now` (epoch milliseconds), read at once
   * (`undefined` for none). Every API call reads its token, so the token functions try this first; a cache
   * without it is read through `get`.
   */
  readonly peek?: ((key: string, now: number) => CachedToken | undefined) | undefined
}

/** An in-memory cache; expired entries are dropped when read (time comes from `Clock`). */
export const makeMemory = (): TokenCache => {
  const entries = new Map<string, CachedToken>()
  const peek = (key: string, now: number): CachedToken | undefined => {
    const entry = entries.get(key)
    if (entry === undefined || entry.expiresAt > now) return entry
    entries.delete(key)
    return undefined
  }
  return {
    peek,
    get: (key) => Effect.clockWith((clock) => Effect.succeed(optionFromNullable(peek(key, currentTimeMillis(clock))))),
    set: (key, token) => Effect.sync(() => void entries.set(key, token)),
    remove: (key, only) =>
      Effect.sync(() => {
        const entry = entries.get(key)
        if (entry !== undefined && (only === undefined || Redacted.value(entry.token) === Redacted.value(only))) {
          entries.delete(key)
        }
      })
  }
}
