/**
 * A shared outbound budget: every request to the Open Platform first takes its turn from a rate limiter per
 * app and per API family, so that N replicas together stay under the platform's limits instead of each
 * running into 99991400 answers and retrying.
 *
 * Fixed windows in "delay" mode: a request over the budget waits for the next window. In one process the
 * budget is the `RateLimiter` of `@effect/experimental` (Effect 4: `effect/persistence`) with its memory store;
 * for a fleet it is kept in Redis by a Lua script over ioredis (`larkFixedWindow`, layers/redis/scripts.ts),
 * with the same arithmetic, so it reads and behaves the same on both Effect majors. It decorates the
 * `HttpClient` (and the transport's exchange, when it has one), so it covers every call and every retry
 * without touching the calls.
 * A failing store (Redis down) does not stop calls: the request goes out unmetered and a warning is logged.
 * Needs the optional peer `@effect/experimental` (0.61) on Effect 3, and `ioredis` for `layerRedis`.
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import * as Exchange from "../../src/Exchange.js"
import { catchAll, currentForker, decodeDuration, type DurationInput, scopedLayer } from "../../src/internal/dialect.js"
import { command, parseUrl, type RedisConnectError, urlOf, watchConnection } from "./client.js"
import { defineScripts } from "./scripts.js"

export interface Limit {
  /** Requests allowed per window, for the whole fleet. */
  readonly limit: number
  readonly window: DurationInput
}

export interface BudgetOptions {
  /** Whose budget this is (e.g. the app id): the replicas of one app share it, other apps have their own. */
  readonly app: string
  /**
   * Limits by API family, `service/version/resource` as in the URL (`im/v1/messages`), and `"*"` for every
   * family not named. A request of a family without a limit is not metered.
   */
  readonly limits: Readonly<Record<string, Limit>>
}

/** `/open-apis/im/v1/messages/om_1/reply` → `im/v1/messages`; `undefined` outside `/open-apis/`. */
export const familyOf = (url: string): string | undefined => {
  const match = /\/open-apis\/([^/?#]+)\/([^/?#]+)\/([^/?#]+)/.exec(new URL(url, "http://x").pathname)
  return match === null ? undefined : `${match[1]}/${match[2]}/${match[3]}`
}

/** How long a request waits for its turn of `key` under `limit`; a failure sends the request unmetered. */
type TakeTurn = (key: string, limit: Limit) => Effect.Effect<Duration.Duration, unknown>

/** The `HttpClient` in the context, each request behind its turn. */
const budgeted = (options: BudgetOptions, take: TakeTurn): Effect.Effect<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const turn = (url: string) => {
      const family = familyOf(url)
      const limit = family === undefined ? undefined : options.limits[family] ?? options.limits["*"]
      if (limit === undefined) return Effect.void
      return take(`${options.app}:${family}`, limit).pipe(
        // over the budget: wait for the next window
        Effect.flatMap((delay) => Duration.isZero(delay) ? Effect.void : Effect.sleep(delay)),
        catchAll((error) => Effect.logWarning("lark-effect outbound budget unavailable; request sent unmetered", error))
      )
    }
    const metered = HttpClient.tapRequest(client, (request) => turn(request.url))
    // The transport's own exchange stays, behind the same turn (taken before the attempt's deadline starts).
    const exchange = Exchange.ownExchange(client)
    return exchange === undefined
      ? metered
      : Exchange.withExchange(metered, (outgoing, timeout, maxBytes) => Effect.andThen(turn(outgoing.url), exchange(outgoing, timeout, maxBytes)))
  })

/** Decorates the `HttpClient` below it with the budget of the `RateLimiter` in the context. */
export const layer = (
  options: BudgetOptions
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient | RateLimiter.RateLimiter> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.RateLimiter
      return yield* budgeted(options, (key, limit) =>
        Effect.map(
          limiter.consume({ key, limit: limit.limit, window: limit.window, algorithm: "fixed-window", onExceeded: "delay" }),
          (result) => result.delay
        ))
    })
  )

/** The budget of one process. */
export const layerMemory = (options: BudgetOptions): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  layer(options).pipe(Layer.provide(RateLimiter.layer), Layer.provide(RateLimiter.layerStoreMemory))

/**
 * The wait of the `count`-th token taken from a fixed-window budget whose key now expires in `ttlMillis`: the
 * tokens fill windows of `limit` one after another, each token's share of the window (`window / limit`) added to
 * the key's life, and a token waits for the start of its window, less the time gone by since the first.
 * The arithmetic of `RateLimiter`'s fixed window in "delay" mode, so the memory and the Redis budgets meter alike.
 */
export const fixedWindowDelay = (count: number, ttlMillis: number, limit: number, windowMillis: number): Duration.Duration => {
  const elapsed = count * (windowMillis / limit) - ttlMillis
  const wait = Math.floor((count - 1) / limit) * windowMillis - elapsed
  return wait <= 0 ? Duration.zero : Duration.millis(wait)
}

/**
 * The budget of a fleet, on Redis: its own ioredis connection, set up to fail fast (commands queued while it
 * connects, failed at the first failed reconnect or after 2 s: never a request held for long). The layer does
 * not wait for Redis: while it is unreachable, requests go out unmetered. It fails (`RedisConnectError`) only
 * for a URL that is not one.
 */
export const layerRedis = (
  options: BudgetOptions & {
    readonly url?: Redacted.Redacted<string> | string | undefined
    /** Default `"lark:budget:"`. */
    readonly prefix?: string | undefined
  }
): Layer.Layer<HttpClient.HttpClient, RedisConnectError, HttpClient.HttpClient> => {
  const prefix = options.prefix ?? "lark:budget:"
  return scopedLayer(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const { url } = yield* parseUrl(urlOf(options.url))
      const redis = yield* Effect.acquireRelease(
        Effect.sync(() => defineScripts(new Redis(url, { maxRetriesPerRequest: 0, commandTimeout: Duration.toMillis(Duration.seconds(2)) }))),
        (redis) => Effect.promise(() => redis.quit().catch(() => redis.disconnect()))
      )
      watchConnection(redis, yield* currentForker)
      return yield* budgeted(options, (key, limit) => {
        const windowMillis = Duration.toMillis(decodeDuration(limit.window))
        // as Effect 3's RateLimiter does (Effect 4's waits for ever): a budget under one request a window lets one through a window
        if (limit.limit < 1) return Effect.succeed(Duration.millis(windowMillis))
        return Effect.map(
          command(() => redis.larkFixedWindow(`${prefix}${key}`, 1, windowMillis / limit.limit), (detail) => detail),
          ([count, ttl]) => fixedWindowDelay(count, ttl, limit.limit, windowMillis)
        )
      })
    })
  )
}
