/**
 * UserTokens on Redis: two replicas (two stores, two connections) over a real redis-server and one mock
 * platform.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { UserTokens } from "../../src/UserTokens.js"
import { scopedLive } from "../dialect.js"

const TOKEN_PATH = "/oauth/v3/token"

/** Refresh token `r-<n>` gives `u-<n+1>` / `r-<n+1>`, a little later (so that replicas overlap). */
const tokenRoute = MockHttp.route("POST", TOKEN_PATH, (request) => {
  const next = Number((request.body as { value: { refresh_token: string } }).value.refresh_token.split("-")[1]) + 1
  return Effect.as(Effect.sleep("100 millis"), {
    body: { code: 0, access_token: `u-${next}`, refresh_token: `r-${next}`, expires_in: 7200, refresh_token_expires_in: 604800 }
  })
})

const replica = (url: string, prefix: string) =>
  Effect.map(
    Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url, prefix, commandTimeout: "500 millis" })))),
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

const platform = Layer.merge(LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret") }), MockHttp.layer([tokenRoute]))
const refreshes = Effect.map(Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests), (all) => all.filter((r) => r.path === TOKEN_PATH).length)

describe.skipIf(skipReason !== undefined)(`Redis user tokens${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("an entry put by one replica is read by the other, kept for the refresh token's lifetime", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const a = yield* Layer.build(Redis.layerUserTokens().pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix: "p:" }))))
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_1", token(0, 7200))), a)
      const b = yield* replica(redis.url, "p:")
      expect(yield* b("ou_1")).toBe("u-0")
      const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(redis.url)), (client) => Effect.sync(() => client.disconnect()))
      const ttl = yield* Effect.promise(() => raw.pttl("p:user-token:ou_1"))
      expect(ttl).toBeGreaterThan(604_000_000)
      expect(ttl).toBeLessThanOrEqual(604_800_000)
      yield* Effect.provide(Effect.flatMap(UserTokens, (tokens) => tokens.remove("ou_1")), a)
      expect((yield* Effect.flip(b("ou_1"))).message).toContain("no token is stored")
    }).pipe(Effect.provide(platform)), 30_000)

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
})
