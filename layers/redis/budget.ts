/**
 * A shared outbound budget: every request to the Open Platform first takes its turn from a rate limiter per
 * app and per API family, so that N replicas together stay under the platform's limits instead of each
 * running into 99991400 answers and retrying.
 *
 * Built on `@effect/experimental`'s `RateLimiter` (fixed window, "delay" mode: a request over the budget
 * waits for the next window), with its Redis store for a fleet or its memory store for one process. It
 * decorates the `HttpClient` (and the transport's exchange, when it has one), so it covers every call and
 * every retry without touching the calls.
 * A failing store (Redis down) does not stop calls: the request goes out unmetered and a warning is logged.
 * Needs the optional peer `@effect/experimental` (0.61) besides `ioredis`.
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Exchange from "../../src/Exchange.js"
import { catchAll, type DurationInput } from "../../src/internal/dialect.js"
import { DEFAULT_URL } from "./client.js"

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

/** Decorates the `HttpClient` below it with the budget of the `RateLimiter` in the context. */
export const layer = (
  options: BudgetOptions
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient | RateLimiter.RateLimiter> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const limiter = yield* RateLimiter.RateLimiter
      // `RateLimiter.makeSleep` (Effect 4: `RateLimiter.sleep`): over the budget, wait for the next window
      const sleep = (options: Omit<Parameters<typeof limiter.consume>[0], "onExceeded">) =>
        Effect.flatMap(
          limiter.consume({ ...options, onExceeded: "delay" }),
          (result) => Duration.isZero(result.delay) ? Effect.void : Effect.sleep(result.delay)
        )
      const turn = (url: string) => {
        const family = familyOf(url)
        const limit = family === undefined ? undefined : options.limits[family] ?? options.limits["*"]
        if (limit === undefined) return Effect.void
        return sleep({ key: `${options.app}:${family}`, limit: limit.limit, window: limit.window, algorithm: "fixed-window" }).pipe(
          catchAll((error) => Effect.logWarning("lark-effect outbound budget unavailable; request sent unmetered", error))
        )
      }
      const budgeted = HttpClient.tapRequest(client, (request) => turn(request.url))
      // The transport's own exchange stays, behind the same turn (taken before the attempt's deadline starts).
      const exchange = Exchange.ownExchange(client)
      return exchange === undefined
        ? budgeted
        : Exchange.withExchange(budgeted, (outgoing, timeout) => Effect.andThen(turn(outgoing.url), exchange(outgoing, timeout)))
    })
  )

/** The budget of one process. */
export const layerMemory = (options: BudgetOptions): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  layer(options).pipe(Layer.provide(RateLimiter.layer), Layer.provide(RateLimiter.layerStoreMemory))

/** The budget of a fleet, on Redis (its own connection, set up to fail fast). */
export const layerRedis = (
  options: BudgetOptions & {
    readonly url?: Redacted.Redacted<string> | string | undefined
    /** Default `"lark:budget:"`. */
    readonly prefix?: string | undefined
  }
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> => {
  const url = new URL(
    options.url === undefined ? DEFAULT_URL : Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
  )
  const store = RateLimiterRedis.layerStore({
    host: url.hostname,
    port: Number(url.port || "6379"),
    username: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    db: Number(url.pathname.slice(1) || "0"),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    // queued while connecting, failed at the first failed reconnect or after 2 s: never a request held for long
    maxRetriesPerRequest: 0,
    commandTimeout: Duration.toMillis(Duration.seconds(2)),
    prefix: options.prefix ?? "lark:budget:"
  })
  return layer(options).pipe(Layer.provide(RateLimiter.layer), Layer.provide(store))
}
