/**
 * UserTokens on Redis: two replicas (two stores, two connections) over a real redis-server and one mock
 * platform.
 */
import { describe, expect } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { UserTokens } from "../../src/UserTokens.js"
import { fork, scopedLive } from "../dialect.js"

const TOKEN_PATH = "/oauth/v3/token"

/** Refresh token `r-<n>` gives `u-<n+1>` / `r-<n+1>`, a little later (so that replicas overlap). */
const tokenRoute = MockHttp.route("POST", TOKEN_PATH, (request) => {
  const next = Number((request.body as { value: { refresh_token: string } }).value.refresh_token.split("-")[1]) + 1
  return Effect.as(Effect.sleep("100 millis"), {
    body: { code: 0, access_token: `u-${next}`, refresh_token: `r-${next}`, expires_in: 7200, refresh_token_expires_in: 604800 }
  })
})

const replica = (url: string, prefix: string, options: Redis.UserTokensOptions = {}) =>
  Effect.map(
    Layer.build(Redis.layerUserTokens(options).pipe(Layer.provide(Redis.layerClient({ url, prefix, commandTimeout: "500 millis" })))),
    (context) => (userId: string) => Effect.map(Effect.flatMap(UserTokens, (tokens) => tokens.get(userId)), Redacted.value).pipe(Effect.provide(context))
  )

const token = (n: number, expiresIn: number) => ({
  accessToken: Redacted.make(`u-${n}`),
  refreshToken: Redacted.make(`r-${n}`),
  tokenType: "Bearer",
  expiresIn,
  refreshExpiresIn: 604800,
  scope: undefined
})

const platformWith = (route: MockHttp.Route) =>
  Layer.merge(LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret") }), MockHttp.layer([route]))
const platform = platformWith(tokenRoute)
const refreshes = Effect.map(Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests), (all) => all.filter((r) => r.path === TOKEN_PATH).length)

const refused = { status: 400, body: { error: "invalid_grant", error_description: "refresh token already used", code: 20064 } }

/**
 * A platform whose refresh tokens are single use, answering when `gate` opens: `r-<n>` gives `u-<n+1>` /
 * `r-<n+1>` once (consumed on arrival), and is refused at once when sent again; the tokens in `refuse` are
 * refused when the gate opens.
 */
const singleUse = (gate: Deferred.Deferred<void>, refuse: ReadonlyArray<string> = []) => {
  const used = new Set<string>()
  return platformWith(MockHttp.route("POST", TOKEN_PATH, (request) => {
    const refreshToken = (request.body as { value: { refresh_token: string } }).value.refresh_token
    if (refuse.includes(refreshToken)) return Effect.as(Deferred.await(gate), refused)
    if (used.has(refreshToken)) return refused
    used.add(refreshToken)
    const next = Number(refreshToken.split("-")[1]) + 1
    return Effect.as(Deferred.await(gate), {
      body: { code: 0, access_token: `u-${next}`, refresh_token: `r-${next}`, expires_in: 7200, refresh_token_expires_in: 604800 }
    })
  }))
}

/** Runs `f` with a gate that the platform's answers wait for. */
const gated = <A, E, R>(f: (gate: Deferred.Deferred<void>) => Effect.Effect<A, E, R>) => Effect.flatMap(Deferred.make<void>(), f)

/** Waits (polling) until `count` refreshes reached the platform. */
const untilRefreshes = (count: number): Effect.Effect<void, never, MockHttp.MockHttp> =>
  Effect.flatMap(refreshes, (sent) => sent >= count ? Effect.void : Effect.andThen(Effect.sleep("10 millis"), untilRefreshes(count)))

describe.skipIf(skipReason !== undefined)(`Redis user tokens${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("an entry put by one replica is read by the other, kept for the refresh token's lifetime", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const a = yield* Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "p:" }))))
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 7200))), a)
      const b = yield* replica(redis.url, "p:")
      expect(yield* b("ou_1")).toBe("u-0")
      const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(redis.url)), (client) => Effect.sync(() => client.disconnect()))
      const ttl = yield* Effect.promise(() => raw.pttl("p:user-token:cli_1:ou_1"))
      expect(ttl).toBeGreaterThan(604_000_000)
      expect(ttl).toBeLessThanOrEqual(604_800_000)
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.remove("ou_1")), a)
      expect((yield* Effect.flip(b("ou_1"))).message).toContain("no token is stored")
    }).pipe(Effect.provide(platform)), 30_000)

  scopedLive("two apps on one Redis, under one prefix, keep their users' tokens apart", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const app = (appId: string) =>
        Layer.build(Redis.layerUserTokens().pipe(
          Layer.provide(Redis.layerClient({ url: redis.url, prefix: "lark:" })),
          Layer.provide(LarkConfig.layer({ appId, appSecret: Redacted.make("app-secret") }))
        ))
      const [a, b] = yield* Effect.all([app("cli_a"), app("cli_b")])
      const tokensOf = (context: typeof a) => Effect.provide(UserTokens, context)
      yield* (yield* tokensOf(a)).put("ou_1", token(0, 7200))
      yield* (yield* tokensOf(b)).put("ou_1", token(5, 7200))
      expect(Redacted.value(yield* (yield* tokensOf(a)).get("ou_1"))).toBe("u-0")
      // app b forgetting its user (as a refused refresh does) leaves app a's token alone
      yield* (yield* tokensOf(b)).remove("ou_1")
      expect(Redacted.value(yield* (yield* tokensOf(a)).get("ou_1"))).toBe("u-0")
    }).pipe(Effect.provide(platform)), 30_000)

  scopedLive("a refresh whose save fails while Redis is down answers its token, and is saved once Redis is back", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      // the platform answers the refresh, and Redis dies before the answer is saved
      const dying = MockHttp.route("POST", TOKEN_PATH, () =>
        Effect.as(redis.kill, {
          body: { code: 0, access_token: "u-1", refresh_token: "r-1", expires_in: 7200, refresh_token_expires_in: 604800 }
        }))
      yield* Effect.gen(function*() {
        const a = yield* Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "down:" }))))
        const get = Effect.map(Effect.flatMap(UserTokens, (tokens) => tokens.get("ou_1")), Redacted.value).pipe(Effect.provide(a))
        yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 60))), a)
        expect(yield* get).toBe("u-1")
        yield* redis.start
        const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(redis.url)), (client) => Effect.sync(() => client.disconnect()))
        const saved = Effect.map(Effect.promise(() => raw.get("down:user-token:cli_1:ou_1")), (entry) => entry?.includes("u-1") === true)
        while (!(yield* saved)) yield* Effect.sleep("100 millis")
      }).pipe(Effect.provide(platformWith(dying)))
    }), 30_000)

  scopedLive("two replicas asking at once for an expiring token make one refresh (the refresh token is single use)", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [a, b] = yield* Effect.all([replica(redis.url, "q:"), replica(redis.url, "q:")])
      const seed = yield* Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "q:" }))))
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 60))), seed)
      const got = yield* Effect.all([a("ou_1"), b("ou_1"), a("ou_1"), b("ou_1")], { concurrency: "unbounded" })
      expect(got).toEqual(["u-1", "u-1", "u-1", "u-1"])
      expect(yield* refreshes).toBe(1)
    }).pipe(Effect.provide(platform)), 30_000)

  scopedLive("a held refresh lock is renewed until it is released, however long past its TTL", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const context = yield* Layer.build(Redis.layerClient({ url: redis.url, prefix: "l:" }))
      const store = yield* Effect.provide(Redis.makeUserTokenStore({ lockTtl: "200 millis" }), context)
      const lock = store.lock!
      const held = yield* Effect.flatMap(lock("ou_1"), Option.match({ onNone: () => Effect.die("not taken"), onSome: Effect.succeed }))
      yield* Effect.sleep("700 millis") // three and a half TTLs: a lock that is not renewed has expired
      expect(Option.isNone(yield* lock("ou_1"))).toBe(true)
      yield* held
      const again = yield* lock("ou_1")
      expect(Option.isSome(again)).toBe(true)
      if (Option.isSome(again)) yield* again.value
    }).pipe(Effect.provide(platform)), 30_000)

  scopedLive("a refresh slower than the lock's TTL keeps the lock: the other replica waits for its token, sends no refresh", () =>
    gated((gate) => Effect.gen(function*() {
      const redis = yield* redisServer
      const [a, b] = yield* Effect.all([replica(redis.url, "s:", { lockTtl: "200 millis" }), replica(redis.url, "s:", { lockTtl: "200 millis" })])
      const seed = yield* Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "s:" }))))
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 60))), seed)
      const first = yield* fork(a("ou_1"))
      yield* untilRefreshes(1)
      yield* Effect.sleep("700 millis") // a lock that is not renewed has expired
      const second = yield* fork(b("ou_1"))
      yield* Effect.sleep("300 millis") // b waits for the lock meanwhile (were it free, b would refresh with r-0 again)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(first)).toBe("u-1")
      expect(yield* Fiber.join(second)).toBe("u-1")
      expect(yield* refreshes).toBe(1)
    }).pipe(Effect.provide(singleUse(gate)))), 30_000)

  scopedLive("a refused refresh deletes the entry it read, not the token another replica stored meanwhile", () =>
    gated((gate) => Effect.gen(function*() {
      const redis = yield* redisServer
      const [a, b] = yield* Effect.all([
        Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "d:" })))),
        Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "d:" }))))
      ])
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 60))), a)
      const refreshing = yield* fork(Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.get("ou_1")), a))
      yield* untilRefreshes(1)
      // the user authorized the app again, on the other replica
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(5, 7200))), b)
      yield* Deferred.succeed(gate, undefined)
      expect((yield* Effect.flip(Fiber.join(refreshing)))._tag).toBe("LarkTokenError")
      const got = yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.get("ou_1")), b)
      expect(Redacted.value(got)).toBe("u-5")
      expect(yield* refreshes).toBe(1)
    }).pipe(Effect.provide(singleUse(gate, ["r-0"])))), 30_000)
})
