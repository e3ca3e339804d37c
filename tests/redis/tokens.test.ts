/**
 * Tokens shared by a fleet through Redis, on a real redis-server and the fake Open Platform over loopback.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { LarkTokenError } from "../../src/LarkError.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { Answer, FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import * as Tokens from "../../src/Tokens.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import { intersectSchedules } from "../../src/internal/dialect.js"
import { scopedLive, withVariables } from "../dialect.js"
import { spawnWorker } from "./fixtures/workers.js"

const TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"

/** One in-process replica: LarkConfig with its tokens in Redis, on the fake platform. */
const replica = (redisUrl: string, domain: string, prefix: string) =>
  Redis.layerLarkConfig({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain }).pipe(
    Layer.provide(Redis.layerClient({ url: redisUrl, prefix, commandTimeout: "500 millis" })),
    Layer.merge(FetchHttpClient.layer)
  )

describe.skipIf(skipReason !== undefined)(`Redis token cache${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("4 OS processes x 64 concurrent first calls make 1 token request in total", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const env = { REDIS_URL: redis.url, REDIS_PREFIX: "fleet:", LARK_DOMAIN: fake.url, CALLS: "64" }
      const workers = yield* Effect.all(Array.from({ length: 4 }, () => spawnWorker("tokenWorker.ts", env)))
      yield* Effect.forEach(workers, (worker) => worker.waitFor("ready"))
      yield* Effect.forEach(workers, (worker) => worker.send("go"))
      const results = yield* Effect.forEach(workers, (worker) => worker.waitFor("tokens "))
      expect(yield* fake.tokenFetches).toBe(1)
      // every call of every process got the same token
      expect(new Set(results).size).toBe(1)
      expect(results[0]!.split(" ")[0]).toBe("1")
    }).pipe(Effect.provide(fakeOpenPlatform())), 60_000)

  scopedLive("a fetcher killed mid-fetch blocks the fleet only until its lock expires", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      // the first token request hangs: its process wins the lock and is killed while waiting for the answer
      yield* fake.program("POST", TOKEN_PATH, Answer.slow("1 hour"))
      const env = { REDIS_URL: redis.url, REDIS_PREFIX: "dead:", LARK_DOMAIN: fake.url, CALLS: "8", LOCK_TTL_MS: "1000" }
      const doomed = yield* spawnWorker("tokenWorker.ts", env)
      yield* doomed.waitFor("ready")
      yield* doomed.send("go")
      while ((yield* fake.tokenFetches) === 0) yield* Effect.sleep("20 millis")
      yield* doomed.kill

      const survivor = yield* spawnWorker("tokenWorker.ts", env)
      yield* survivor.waitFor("ready")
      yield* survivor.send("go")
      expect((yield* survivor.waitFor("tokens ")).split(" ")[0]).toBe("1")
      // the dead one's request, then the survivor's once the lock had expired
      expect(yield* fake.tokenFetches).toBe(2)
    }).pipe(Effect.provide(fakeOpenPlatform())), 60_000)

  scopedLive("a rejected token is evicted once: other replicas keep the fresh one fetched meanwhile", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const [a, b] = yield* Effect.all([
        Layer.build(replica(redis.url, fake.url, "evict:")),
        Layer.build(replica(redis.url, fake.url, "evict:"))
      ])
      const stale = yield* Effect.provide(Tokens.tenantAccessToken(), a)
      expect(Redacted.value(yield* Effect.provide(Tokens.tenantAccessToken(), b))).toBe(Redacted.value(stale))
      yield* fake.expireTokens
      // replica a sees the rejection first: evicts and fetches a fresh token
      yield* Effect.provide(Tokens.invalidate("tenant", undefined, stale), a)
      const fresh = yield* Effect.provide(Tokens.tenantAccessToken(), a)
      expect(Redacted.value(fresh)).not.toBe(Redacted.value(stale))
      // replica b was rejected with the same stale token: its eviction must not drop the fresh one
      yield* Effect.provide(Tokens.invalidate("tenant", undefined, stale), b)
      expect(Redacted.value(yield* Effect.provide(Tokens.tenantAccessToken(), b))).toBe(Redacted.value(fresh))
      expect(yield* fake.tokenFetches).toBe(2)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("the app_ticket pushed to one replica is used by another", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const marketplace = (prefix: string) =>
        Redis.layerLarkConfig({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), appType: "marketplace", domain: fake.url })
          .pipe(Layer.provide(Redis.layerClient({ url: redis.url, prefix })), Layer.merge(FetchHttpClient.layer))
      const [receiver, caller] = yield* Effect.all([Layer.build(marketplace("isv:")), Layer.build(marketplace("isv:"))])
      yield* Effect.provide(Tokens.setAppTicket("ticket-1"), receiver)
      const token = yield* Effect.provide(Tokens.tenantAccessToken("tenant-1"), caller)
      expect(Redacted.value(token)).toMatch(/^t-fake/)
    }).pipe(Effect.provide(fakeOpenPlatform({ appTickets: ["ticket-1"] }))))

  scopedLive("while Redis is down a token call fails with LarkTokenError; it works again once Redis is back", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const context = yield* Layer.build(replica(redis.url, fake.url, "down:"))
      yield* Effect.provide(Tokens.tenantAccessToken(), context)
      yield* redis.kill
      const error = yield* Effect.flip(Effect.provide(Tokens.tenantAccessToken(), context))
      expect(error).toBeInstanceOf(LarkTokenError)
      expect(error.message).toContain("token cache failed")
      yield* redis.start
      // ioredis reconnects in the background; until then calls keep failing with the same typed error
      const token = yield* Effect.provide(Tokens.tenantAccessToken(), context).pipe(
        Effect.tapError((error) => Effect.sync(() => expect(error).toBeInstanceOf(LarkTokenError))),
        Effect.retry(intersectSchedules(Schedule.spaced("50 millis"), Schedule.recurs(200)))
      )
      expect(Redacted.value(token)).toMatch(/^t-fake/)
      // the token written before the crash survived the restart (append-only file): no second fetch
      expect(yield* fake.tokenFetches).toBe(1)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("from the environment: REDIS_URL, and keys under lark:<LARK_APP_ID>:", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const environment = withVariables({
        REDIS_URL: redis.url,
        LARK_APP_ID: defaultApp.appId,
        LARK_APP_SECRET: "fake_secret",
        LARK_DOMAIN: fake.url
      })
      const live = Redis.layerLarkConfigFromEnv().pipe(
        Layer.provide(Redis.layerClientConfig()),
        Layer.merge(FetchHttpClient.layer)
      )
      yield* Effect.provide(Tokens.tenantAccessToken(), yield* environment(Layer.build(live)))
      const keys = yield* Effect.acquireUseRelease(
        Effect.sync(() => new IORedis(redis.url)),
        (client) => Effect.promise(() => client.keys("*")),
        (client) => Effect.promise(() => client.quit())
      )
      expect(keys).toEqual([`lark:${defaultApp.appId}:token:${defaultApp.appId}:tenant:`])
    }).pipe(Effect.provide(fakeOpenPlatform())))
})
