/**
 * Where access tokens and app tickets are kept between calls.
 *
 * An interface so that many replicas of one bot can share tokens (a Redis cache in `layers/`); the default
 * keeps them in memory, per `LarkConfig` layer: two configs in one process never share tokens.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
export interface CachedToken {
  readonly token: Redacted.Redacted<string>
  /** Epoch milliseconds after which the platform no longer accepts the token. */
  readonly expiresAt: number
}

export interface TokenCache {
  readonly get: (key: string) => Effect.Effect<Option.Option<CachedToken>>
  readonly set: (key: string, token: CachedToken) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
}

/** An in-memory cache; expired entries are dropped when read (time comes from `Clock`). */
export const makeMemory = (): TokenCache => {
  const entries = new Map<string, CachedToken>()
  return {
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        if (entry === undefined) return Option.none()
        if (entry.expiresAt <= now) {
          entries.delete(key)
          return Option.none()
        }
        return Option.some(entry)
      }),
    set: (key, token) => Effect.sync(() => void entries.set(key, token)),
    remove: (key) => Effect.sync(() => void entries.delete(key))
  }
}
