/**
 * The Redis client layer's URL and connection errors: a bad URL or a refused connection is a
 * `RedisConnectError` that says why, and never holds the password. A real redis-server where one is needed.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import * as Budget from "../../layers/redis/budget.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import { scoped, scopedLive } from "../dialect.js"

const PASSWORD = "hunter2-secret"

/** The error of building a client layer on `url`. */
const connectError = (url: string) =>
  Effect.flip(Layer.build(Redis.layerClient({ url, connectTimeout: "1 second" })))

/** Its detail and every way it prints, for the checks that the password is in none of them. */
const printed = (error: Redis.RedisConnectError) => `${error.detail} ${error.message} ${String(error)} ${JSON.stringify(error)}`

describe("Redis URLs", () => {
  scoped("a port that is not a number is a RedisConnectError without the password", () =>
    Effect.gen(function*() {
      const error = yield* connectError(`redis://:${PASSWORD}@127.0.0.1:port`)
      expect(error).toBeInstanceOf(Redis.RedisConnectError)
      expect(error.detail).toContain("not a valid URL")
      expect(printed(error)).not.toContain(PASSWORD)
    }))

  scoped("a database path that is not a number is a RedisConnectError (ioredis would reject it unhandled)", () =>
    Effect.gen(function*() {
      const error = yield* connectError(`redis://:${PASSWORD}@127.0.0.1:6379/x`)
      expect(error.detail).toContain("database number")
      expect(printed(error)).not.toContain(PASSWORD)
    }))

  scoped("a URL of another scheme is a RedisConnectError", () =>
    Effect.gen(function*() {
      expect((yield* connectError("http://127.0.0.1:6379")).detail).toContain("redis://")
    }))

  scoped("the budget's connection checks its URL the same way", () =>
    Effect.gen(function*() {
      const budget = Budget.layerRedis({ app: "cli_1", url: `redis://:${PASSWORD}@127.0.0.1:port`, limits: {} })
      const error = yield* Effect.flip(Layer.build(budget.pipe(Layer.provide(FetchHttpClient.layer))))
      expect(error).toBeInstanceOf(Redis.RedisConnectError)
      expect(printed(error)).not.toContain(PASSWORD)
    }))
})

describe.skipIf(skipReason !== undefined)(`Redis connections${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("the database of the URL's path is used; one the server does not have fails the layer", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const context = yield* Layer.build(Redis.layerClient({ url: `${redis.url}/3` }))
      const { client } = yield* Effect.provide(Redis.RedisClient, context)
      yield* Effect.promise(() => client.set("where", "db 3"))
      const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(`${redis.url}/3`)), (client) => Effect.sync(() => client.disconnect()))
      expect(yield* Effect.promise(() => raw.get("where"))).toBe("db 3")
      // redis-server has 16 databases unless told otherwise
      expect((yield* connectError(`${redis.url}/16`)).detail).toContain("database 16 cannot be selected: ERR DB index is out of range")
    }), 30_000)

  scopedLive("a refused connection says why: wrong password, missing password, unknown host", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(redis.url)), (client) => Effect.sync(() => client.disconnect()))
      yield* Effect.promise(() => raw.config("SET", "requirepass", "the-right-one"))
      const wrong = yield* connectError(redis.url.replace("redis://", `redis://:${PASSWORD}@`))
      expect(wrong.detail).toContain("WRONGPASS")
      expect(printed(wrong)).not.toContain(PASSWORD)
      expect((yield* connectError(redis.url)).detail).toContain("NOAUTH")
      expect((yield* connectError("redis://nosuchhost.invalid:6379")).detail).toContain("nosuchhost.invalid")
    }), 30_000)
})
