/**
 * User access tokens kept for you: a store of user tokens keyed by user id that refreshes each one before it
 * expires, one refresh at a time per user (a refresh token is single use on OAuth v2 / v3).
 *
 * - `put` / `exchange` store a token, `get` answers a valid access token, `remove` forgets the user.
 * - A refresh the platform refuses (refresh token expired or revoked) removes the entry, unless a new token was
 *   stored meanwhile, and fails with `LarkTokenError` kind `"user"`: the user has to authorize the app again.
 * - A refresh runs in a fiber of the service's own, not in the caller's: a caller that stops waiting (a timeout,
 *   an interruption) neither stops it nor hands its interruption to the other callers waiting for that token,
 *   and a refresh the platform received (its refresh token is consumed then) is always followed by the save of
 *   its answer. When that save fails (the store is briefly down), the caller still gets the new access token:
 *   the save is retried in the background for up to a minute, and until it lands this process reads the new
 *   entry from memory, so that its next refresh sends the new refresh token.
 * - `withUser(userId, (userAccessToken) => call)` runs an API call as the user; when the platform says the user
 *   token is invalid or expired, the token is refreshed and the call retried once.
 * - Entries live in a `Store` (serialised, with a TTL of the refresh token's lifetime): `layerMemory` keeps them
 *   in the process, `lark-effect/layers/redis`'s `layerUserTokens` in Redis for many replicas.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import {
  catchAll,
  decodeDuration,
  type DurationInput,
  parseJson,
  Service as ServiceKey,
  unionSchedules,
  upTo,
  withDeferredMaker
} from "./internal/dialect.js"
import type { LarkConfig } from "./LarkConfig.js"
import { LarkApiError, type LarkError, LarkTokenError } from "./LarkError.js"
import { TOKEN_INVALID_CODES } from "./Tokens.js"
import * as UserAccessToken from "./UserAccessToken.js"

/**
 * Where entries are kept. `set` gets the entry serialised and how long to keep it.
 *
 * - `deleteIfEqual` (optional) deletes the entry only while it is still `entry` (as `get` answered it), in one
 *   step: a refused refresh must not delete the token another process stored meanwhile. Without it the entry is
 *   read again and deleted when it matches, in two steps: enough for a store used by one process.
 * - `lock` (optional) elects the one holder, across processes, that may refresh a user's token: it answers the
 *   release, or none while another holds it. The store keeps the lock for as long as the holder has not
 *   released it (a refresh can take longer than any fixed TTL); a TTL only frees it when the holder died.
 */
export interface Store {
  readonly get: (userId: string) => Effect.Effect<Option.Option<string>, LarkTokenError>
  readonly set: (userId: string, entry: string, ttl: Duration.Duration) => Effect.Effect<void, LarkTokenError>
  readonly delete: (userId: string) => Effect.Effect<void, LarkTokenError>
  readonly deleteIfEqual?: ((userId: string, entry: string) => Effect.Effect<void, LarkTokenError>) | undefined
  readonly lock?: ((userId: string) => Effect.Effect<Option.Option<Effect.Effect<void>>, LarkTokenError>) | undefined
}

export interface Options {
  /** Refresh a token this long before it expires. Default 5 minutes. */
  readonly refreshAhead?: DurationInput | undefined
  /** The OAuth endpoints used by `exchange` and refreshes. Default `"v3"`. */
  readonly version?: UserAccessToken.OAuthVersion | undefined
}

export interface Service {
  readonly put: (userId: string, token: UserAccessToken.UserToken) => Effect.Effect<void, LarkTokenError>
  /** A valid access token of the user, refreshed first when it is within `refreshAhead` of expiry. */
  readonly get: (userId: string) => Effect.Effect<Redacted.Redacted<string>, LarkError, LarkConfig | HttpClient.HttpClient>
  /** Refreshes the user's token unless the stored one is no longer `stale` (someone refreshed it already). */
  readonly refresh: (
    userId: string,
    stale: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, LarkError, LarkConfig | HttpClient.HttpClient>
  readonly remove: (userId: string) => Effect.Effect<void, LarkTokenError>
  /** Trades an authorization code for the user's token and stores it. */
  readonly exchange: (
    userId: string,
    code: UserAccessToken.CodeExchange
  ) => Effect.Effect<UserAccessToken.UserToken, LarkError, LarkConfig | HttpClient.HttpClient>
}

export class UserTokens extends ServiceKey<UserTokens, Service>()("lark-effect/UserTokens") {}

/** Stored as the platform gave it: the secrets are plain strings inside the store. */
const Entry = parseJson(Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.optional(Schema.String),
  /** Epoch milliseconds. */
  expiresAt: Schema.Number,
  refreshExpiresAt: Schema.optional(Schema.Number)
}))
type Entry = typeof Entry.Type
/** An entry and the text it is stored as. */
interface Stored {
  readonly entry: Entry
  readonly stored: string
}
const decodeEntry = Schema.decodeUnknownOption(Entry)
const encodeEntry = Schema.encodeSync(Entry)

/** "Invalid / expired user access token" codes (99991668 / 99991677 as reported; see spec §4.2) and the generic ones. */
export const USER_TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991668, 99991677, ...TOKEN_INVALID_CODES])

const toEntry = (token: UserAccessToken.UserToken, now: number): Entry => ({
  accessToken: Redacted.value(token.accessToken),
  refreshToken: token.refreshToken === undefined ? undefined : Redacted.value(token.refreshToken),
  expiresAt: now + token.expiresIn * 1000,
  refreshExpiresAt: token.refreshExpiresIn === undefined ? undefined : now + token.refreshExpiresIn * 1000
})

/** An entry is kept while its refresh token lives; one without a refresh token only while its access token does. */
const keepFor = (entry: Entry, now: number) =>
  Duration.millis(Math.max(0, (entry.refreshToken === undefined ? entry.expiresAt : entry.refreshExpiresAt ?? entry.expiresAt) - now))

/**
 * The platform refused the refresh token, so it will never work again. Not so: transport failures, a 5xx (an
 * OAuth error answer without a code carries its HTTP status as the code) and rate limiting (99991400).
 */
const refusedForGood = (error: LarkError) =>
  error._tag === "LarkTokenError" && error.code !== undefined && !(error.code >= 500 && error.code < 600) &&
  error.code !== 99991400

const noToken = (userId: string, why: string) => new LarkTokenError({ kind: "user", detail: `user ${userId}: ${why}` })

/** How long a replica that lost the refresh lock waits before it reads the store again. */
const LOCK_POLL = Duration.millis(50)

/** How long a refreshed entry the store refused is saved again: 100 ms apart, doubling up to 5 s. */
const SAVE_PATIENCE = Duration.minutes(1)
const saveRetries = upTo(unionSchedules(Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")), SAVE_PATIENCE)

/**
 * The service over any `Store`. Its refreshes run in a scope of its own that nothing closes: a refresh sent is
 * not cut off, by a caller or by the end of the app's layers, before its answer is saved; each ends by itself
 * within the HTTP timeouts (and a save the store failed is retried there for up to {@link SAVE_PATIENCE}).
 */
export const make = (store: Store, options: Options = {}): Effect.Effect<Service> =>
  Effect.map(Scope.make(), (scope) => {
    const ahead = Duration.toMillis(decodeDuration(options.refreshAhead ?? "5 minutes"))
    const version = options.version ?? "v3"
    const inflight = new Map<string, Deferred.Deferred<Redacted.Redacted<string>, LarkError>>()
    /**
     * Refreshed entries the store failed to save, by user, while their save is retried. The platform consumed
     * the refresh token the store still holds: until the save lands this process reads these instead, so that
     * its next refresh sends the new refresh token. A later save (`put`, `exchange`, another refresh) or
     * `remove` drops them, and so stops their saves: what happened since wins.
     */
    const unsaved = new Map<string, Stored>()

    /** The entry, an unsaved one first, with the stored text it was decoded from (what `forget` compares). */
    const readStored = (userId: string): Effect.Effect<Option.Option<Stored>, LarkTokenError> => {
      const pending = unsaved.get(userId)
      if (pending !== undefined) return Effect.succeed(Option.some(pending))
      return Effect.map(store.get(userId), Option.flatMap((stored) => Option.map(decodeEntry(stored), (entry) => ({ entry, stored }))))
    }
    const read = (userId: string) => Effect.map(readStored(userId), Option.map(({ entry }) => entry))

    /**
     * Deletes the entry only while it is still `stored`: another replica may have saved a new token meanwhile.
     * An unsaved entry that was read instead is dropped.
     */
    const forget = (userId: string, stored: string) => {
      if (unsaved.get(userId)?.stored === stored) unsaved.delete(userId)
      return store.deleteIfEqual !== undefined
        ? store.deleteIfEqual(userId, stored)
        : Effect.flatMap(store.get(userId), (now) => Option.isSome(now) && now.value === stored ? store.delete(userId) : Effect.void)
    }

    /** The entry of `token`, issued now, with its text. */
    const toStored = (token: UserAccessToken.UserToken) =>
      Effect.map(Clock.currentTimeMillis, (now): Stored => {
        const entry = toEntry(token, now)
        return { entry, stored: encodeEntry(entry) }
      })
    /** Writes `pending` to the store, kept from now for as long as its tokens live. */
    const write = (userId: string, pending: Stored) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => store.set(userId, pending.stored, keepFor(pending.entry, now)))
    /** Writes `pending` as the user's entry: it replaces any refreshed entry still unsaved, and so stops its save. */
    const replace = (userId: string, pending: Stored) =>
      Effect.suspend(() => {
        unsaved.delete(userId)
        return write(userId, pending)
      })

    const save = (userId: string, token: UserAccessToken.UserToken) => Effect.flatMap(toStored(token), (pending) => replace(userId, pending))

    /**
     * Keeps `pending` in `unsaved` and writes it again, in a fiber of `scope`, until it lands, it is replaced,
     * or {@link SAVE_PATIENCE} has passed. Interruptible: the fork inherits the region it starts in.
     */
    const saveLater = (userId: string, pending: Stored) => {
      unsaved.set(userId, pending)
      const current = () => unsaved.get(userId) === pending
      const done = Effect.sync(() => {
        if (current()) unsaved.delete(userId)
      })
      const attempt = Effect.suspend(() => (current() ? write(userId, pending) : Effect.void))
      return Effect.forkIn(
        Effect.interruptible(Effect.matchEffect(Effect.retry(attempt, saveRetries), {
          onSuccess: () => done,
          onFailure: (error) =>
            Effect.andThen(
              done,
              Effect.logWarning(`lark user tokens: gave up saving the refreshed token of ${userId}; its next refresh may be refused`, error)
            )
        })),
        scope
      )
    }

    /**
     * Saves a refreshed token. The platform has consumed the refresh token it replaces, so a failed save must
     * not lose it: the caller gets its access token all the same, and the save goes on in the background.
     */
    const saveRefreshed = (userId: string, token: UserAccessToken.UserToken) =>
      Effect.flatMap(toStored(token), (pending) =>
        catchAll(() => Effect.asVoid(saveLater(userId, pending)))(replace(userId, pending)))

    /**
     * One flight per user in this process, run in a fiber of `scope`: every caller, the first one included, only
     * waits for it, and may stop waiting without stopping it. (`internal/singleFlight` runs the effect in the
     * first caller's fiber, where a timeout of that caller would cut a refresh off from its save.)
     */
    const singleFlight = <R>(userId: string, effect: Effect.Effect<Redacted.Redacted<string>, LarkError, R>) =>
      Effect.uninterruptibleMask((restore) =>
        withDeferredMaker((makeDeferred) => {
          // No yield between the look-up and the insert, and no interruption between the insert and the fork: a
          // flight in the map always has a fiber that completes it.
          const running = inflight.get(userId)
          if (running !== undefined) return restore(Deferred.await(running))
          const mine = makeDeferred<Redacted.Redacted<string>, LarkError>()
          inflight.set(userId, mine)
          const flight = Effect.interruptible(effect).pipe(
            Effect.onExit((exit) => Effect.andThen(Effect.sync(() => inflight.delete(userId)), Deferred.done(mine, exit)))
          )
          return Effect.andThen(Effect.forkIn(flight, scope), restore(Deferred.await(mine)))
        })
      )

    /** Under the store's lock when it has one; another replica refreshing means waiting and reading again. */
    const locked = <A, R>(userId: string, effect: Effect.Effect<A, LarkError, R>): Effect.Effect<A, LarkError, R> => {
      const { lock } = store
      if (lock === undefined) return effect
      // the release is ensured from the moment the lock is taken
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(lock(userId), Option.match({
          onNone: () => restore(Effect.andThen(Effect.sleep(LOCK_POLL), locked(userId, effect))),
          onSome: (release) => Effect.ensuring(restore(effect), release)
        }))
      )
    }

    /** Reads the entry again and refreshes it unless `fresh` says it need not be. */
    const renew = (userId: string, fresh: (entry: Entry, now: number) => boolean) =>
      singleFlight(userId, locked(userId, Effect.gen(function*() {
        const found = yield* readStored(userId)
        if (Option.isNone(found)) return yield* noToken(userId, "no token is stored")
        const { entry, stored } = found.value
        const now = yield* Clock.currentTimeMillis
        if (fresh(entry, now)) return Redacted.make(entry.accessToken)
        if (entry.refreshToken === undefined) {
          if (now < entry.expiresAt) return Redacted.make(entry.accessToken)
          yield* forget(userId, stored)
          return yield* noToken(userId, "the token expired and has no refresh token")
        }
        const token = yield* UserAccessToken.refresh(Redacted.make(entry.refreshToken), version).pipe(
          Effect.tapError((error) => refusedForGood(error) ? forget(userId, stored) : Effect.void)
        )
        yield* saveRefreshed(userId, token)
        return token.accessToken
      })))

    const isFresh = (entry: Entry, now: number) => now < entry.expiresAt - ahead

    return {
      put: save,
      get: (userId) =>
        Effect.flatMap(Effect.zip(read(userId), Clock.currentTimeMillis), ([found, now]) =>
          Option.isSome(found) && isFresh(found.value, now)
            ? Effect.succeed(Redacted.make(found.value.accessToken))
            : renew(userId, isFresh)),
      refresh: (userId, stale) => renew(userId, (entry) => entry.accessToken !== Redacted.value(stale)),
      remove: (userId) => Effect.suspend(() => {
        unsaved.delete(userId)
        return store.delete(userId)
      }),
      exchange: (userId, code) =>
        Effect.tap(UserAccessToken.exchangeCode(code, version), (token) => save(userId, token))
    }
  })

/** A `Store` in this process's memory; entries are dropped when their TTL has passed. */
export const memoryStore: Effect.Effect<Store> = Effect.sync(() => {
  const entries = new Map<string, { readonly entry: string; readonly until: number }>()
  return {
    get: (userId) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const kept = entries.get(userId)
        if (kept === undefined) return Option.none()
        if (kept.until > now) return Option.some(kept.entry)
        entries.delete(userId)
        return Option.none()
      }),
    set: (userId, entry, ttl) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entries.set(userId, { entry, until: now + Duration.toMillis(ttl) })
      }),
    delete: (userId) => Effect.sync(() => {
      entries.delete(userId)
    }),
    deleteIfEqual: (userId, entry) => Effect.sync(() => {
      if (entries.get(userId)?.entry === entry) entries.delete(userId)
    })
  }
})

export const layerMemory = (options: Options = {}): Layer.Layer<UserTokens> =>
  Layer.effect(UserTokens, Effect.flatMap(memoryStore, (store) => make(store, options)))

const tokenInvalid = (error: unknown) => error instanceof LarkApiError && USER_TOKEN_INVALID_CODES.has(error.code)

/**
 * Runs `call` with the user's access token, e.g.
 * `withUser("ou_1", (userAccessToken) => calendar.v4.calendar.primary({}, { userAccessToken }))`.
 * A "user token invalid / expired" answer refreshes the token and runs `call` once more.
 */
export const withUser = <A, E, R>(
  userId: string,
  call: (userAccessToken: string) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | LarkError, R | UserTokens | LarkConfig | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const tokens = yield* UserTokens
    const token = yield* tokens.get(userId)
    return yield* Effect.catchIf(call(Redacted.value(token)), tokenInvalid, () =>
      Effect.flatMap(tokens.refresh(userId, token), (fresh) => call(Redacted.value(fresh))))
  })
