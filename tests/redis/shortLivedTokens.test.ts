/**
 * A token that lives no longer than `refreshAhead`, shared through Redis: a replica takes the one another
 * replica stored, for the first half of its life, instead of fetching its own.
 */
import { assert, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Redis from "../../layers/Redis.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import * as Tokens from "../../src/Tokens.js"
import { scopedLive } from "../dialect.js"

const replica = (redisUrl: string) =>
  Redis.layerLarkConfig({ appId: "cli_short", appSecret: Redacted.make("app-secret"), refreshAhead: "3 minutes" }).pipe(
    Layer.provide(Redis.layerClient({ url: redisUrl, prefix: "short:" }))
  )

const twentyCalls = Effect.all(Array.from({ length: 20 }, () => Tokens.tenantAccessToken()))

describe.skipIf(skipReason !== undefined)(`Redis token cache${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("a short-lived token one replica stored serves the others: 2 replicas x 20 calls, 1 fetch", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const platform = yield* Layer.build(MockHttp.layer(MockHttp.tokenRoutes(60), { tokens: false })) // one platform for both
      const tokens = yield* Effect.forEach([replica(redis.url), replica(redis.url)], (config) =>
        twentyCalls.pipe(Effect.provide(config), Effect.provide(platform)))
      assert.deepStrictEqual([...new Set(tokens.flat().map(Redacted.value))], ["t-mock-1"])
      const sent = yield* Effect.provide(Effect.flatten(Effect.map(MockHttp.MockHttp, (mock) => mock.requests)), platform)
      assert.lengthOf(sent, 1)
    }), 30_000)
})
