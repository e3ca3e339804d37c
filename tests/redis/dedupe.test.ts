/**
 * The Redis dedupe store itself, in one process with several store instances (as several replicas would
 * hold them) on a real redis-server.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "../../layers/Redis.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { clientCommands, redisServer, skipReason } from "../../layers/redis/testServer.js"

const store = (url: string, prefix: string, claimTtl = 60_000) =>
  Effect.flatMap(Layer.build(Redis.layerClient({ url, prefix, commandTimeout: "500 millis" })), (context) =>
    Effect.provide(Redis.makeDedupe({ claimTtl }), context))

describe.skipIf(skipReason !== undefined)(`Redis dedupe store${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  it.scopedLive("claim / complete / release across two replicas", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [a, b] = yield* Effect.all([store(redis.url, "s:"), store(redis.url, "s:")])
      expect(yield* a.claim("e1")).toBe("Claimed")
      expect(yield* b.claim("e1")).toBe("InProgress")
      // a release by a replica that does not hold the claim changes nothing
      yield* b.release("e1")
      expect(yield* b.claim("e1")).toBe("InProgress")
      yield* a.release("e1")
      expect(yield* b.claim("e1")).toBe("Claimed")
      yield* b.complete("e1")
      expect(yield* a.claim("e1")).toBe("Done")
      // another prefix (another app) has its own ids
      const other = yield* store(redis.url, "other:")
      expect(yield* other.claim("e1")).toBe("Claimed")
    }))

  it.scopedLive("a claim that expired and was taken over is not released by its first holder", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [slow, fast, third] = yield* Effect.all([
        store(redis.url, "t:", 200),
        store(redis.url, "t:", 60_000),
        store(redis.url, "t:")
      ])
      expect(yield* slow.claim("e2")).toBe("Claimed")
      while ((yield* fast.claim("e2")) !== "Claimed") yield* Effect.sleep("50 millis")
      yield* slow.release("e2")
      expect(yield* third.claim("e2")).toBe("InProgress")
    }))

  it.scopedLive("a claim is one command (one round trip): EVALSHA of the claim script", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const dedupe = yield* store(redis.url, "c:")
      yield* dedupe.claim("warm-up") // loads the script (NOSCRIPT, then EVAL) once per connection
      const seen = yield* clientCommands(redis.url, Effect.forEach(Array.from({ length: 50 }, (_, i) => `id-${i}`), dedupe.claim))
      expect(seen).toEqual({ evalsha: 50 })
    }))

  it.scopedLive("with Redis down every operation fails with EventDedupeError", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const dedupe = yield* store(redis.url, "d:")
      expect(yield* dedupe.claim("e3")).toBe("Claimed")
      expect(yield* dedupe.claim("e4")).toBe("Claimed")
      yield* redis.kill
      for (const operation of [dedupe.claim("e5"), dedupe.complete("e3"), dedupe.release("e4")]) {
        expect(yield* Effect.flip(operation)).toBeInstanceOf(EventDedupeError)
      }
    }))

  it.scopedLive("a client layer that cannot reach Redis at startup fails with RedisConnectError", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      yield* redis.kill
      const error = yield* Effect.flip(Layer.build(Redis.layerClient({ url: redis.url, connectTimeout: "1 second" })))
      expect(error).toBeInstanceOf(Redis.RedisConnectError)
    }))
})
