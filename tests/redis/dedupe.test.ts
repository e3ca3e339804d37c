/**
 * The Redis dedupe store itself, in one process with several store instances (as several replicas would
 * hold them) on a real redis-server.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { clientCommands, redisServer, skipReason } from "../../layers/redis/testServer.js"
import { scopedLive } from "../dialect.js"

const rawClient = (url: string) =>
  Effect.acquireRelease(Effect.sync(() => new IORedis(url)), (client) => Effect.sync(() => client.disconnect()))

const store = (url: string, prefix: string, claimTtl = 60_000) =>
  Effect.flatMap(Layer.build(Redis.layerClient({ url, prefix, commandTimeout: "500 millis" })), (context) =>
    Effect.provide(Redis.makeDedupe({ claimTtl }), context))

describe.skipIf(skipReason !== undefined)(`Redis dedupe store${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("claim / complete / release across two replicas", () =>
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

  scopedLive("a held claim is renewed: it outlives the claim TTL until it is completed or released", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [holder, other] = yield* Effect.all([store(redis.url, "r:", 300), store(redis.url, "r:")])
      expect(yield* holder.claim("e1")).toBe("Claimed")
      yield* Effect.sleep("1 second")
      expect(yield* other.claim("e1")).toBe("InProgress")
      yield* holder.release("e1")
      expect(yield* other.claim("e1")).toBe("Claimed")
    }))

  scopedLive("a claim that expired and was taken over is neither renewed nor released by its first holder", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [slow, fast, third] = yield* Effect.all([
        store(redis.url, "t:", 300),
        store(redis.url, "t:", 60_000),
        store(redis.url, "t:")
      ])
      const raw = yield* rawClient(redis.url)
      expect(yield* slow.claim("e2")).toBe("Claimed")
      // as if the claim had expired while its holder could not reach Redis
      yield* Effect.promise(() => raw.del("t:event:e2"))
      expect(yield* fast.claim("e2")).toBe("Claimed")
      // the first holder's renewals (every 100 ms) leave the new claim's TTL alone
      yield* Effect.sleep("500 millis")
      expect(yield* Effect.promise(() => raw.pttl("t:event:e2"))).toBeGreaterThan(50_000)
      yield* slow.release("e2")
      expect(yield* third.claim("e2")).toBe("InProgress")
    }))

  scopedLive("a completion that fails while Redis is down keeps the claim and is recorded once Redis is back", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [holder, other] = yield* Effect.all([store(redis.url, "l:", 5_000), store(redis.url, "l:")])
      expect(yield* holder.claim("e3")).toBe("Claimed")
      yield* redis.kill
      expect(yield* Effect.flip(holder.complete("e3"))).toBeInstanceOf(EventDedupeError)
      yield* redis.start
      // until the id is done or (wrongly) free again: in progress meanwhile, never free
      const seen: Array<string> = []
      while (seen.at(-1) !== "Done" && seen.at(-1) !== "Claimed") {
        yield* Effect.sleep("100 millis")
        seen.push(yield* Effect.orElseSucceed(other.claim("e3"), () => "Failed"))
      }
      expect(seen.at(-1)).toBe("Done")
    }), 30_000)

  scopedLive("closing the store's scope stops a recording still pending, even one started after a handler", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const scope = yield* Scope.make()
      const dedupe = yield* Effect.provideService(store(redis.url, "p:"), Scope.Scope, scope)
      expect(yield* dedupe.claim("e4")).toBe("Claimed")
      yield* redis.kill
      // dispatch completes a claim where interruption is off
      expect(yield* Effect.flip(Effect.uninterruptible(dedupe.complete("e4")))).toBeInstanceOf(EventDedupeError)
      const closed = yield* Effect.timeout(Scope.close(scope, Exit.void), "10 seconds").pipe(Effect.option)
      expect(Option.isSome(closed)).toBe(true)
    }), 30_000)

  scopedLive("a claim is one command (one round trip): EVALSHA of the claim script", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const dedupe = yield* store(redis.url, "c:")
      yield* dedupe.claim("warm-up") // loads the script (NOSCRIPT, then EVAL) once per connection
      const seen = yield* clientCommands(redis.url, Effect.forEach(Array.from({ length: 50 }, (_, i) => `id-${i}`), dedupe.claim))
      expect(seen).toEqual({ evalsha: 50 })
    }))

  scopedLive("with Redis down every operation fails with EventDedupeError", () =>
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

  scopedLive("a client layer that cannot reach Redis at startup fails with RedisConnectError", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      yield* redis.kill
      const error = yield* Effect.flip(Layer.build(Redis.layerClient({ url: redis.url, connectTimeout: "1 second" })))
      expect(error).toBeInstanceOf(Redis.RedisConnectError)
    }))
})
