/**
 * A claim or a lock whose command the caller gave up on (it timed out while Redis was slow, or the caller was
 * interrupted) must not stay behind in Redis: Redis runs the command late and stores its nonce, which nobody
 * would then renew or release, so every replica would be refused for the whole TTL. A real redis-server made
 * slow with `CLIENT PAUSE`.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../layers/Redis.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { fork, scopedLive } from "../dialect.js"

/** How long Redis holds every command of every client. */
const PAUSE_MILLIS = 1000

/** A raw connection, and a lark-effect client on the same server whose commands time out after 200 ms. */
const setup = (prefix: string) =>
  Effect.gen(function*() {
    const redis = yield* redisServer
    const raw = yield* Effect.acquireRelease(Effect.sync(() => new IORedis(redis.url)), (client) => Effect.sync(() => client.disconnect()))
    const context = yield* Layer.build(Layer.merge(
      Redis.layerClient({ url: redis.url, prefix, commandTimeout: "200 millis" }),
      LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret") })
    ))
    /** Holds every command for a second, then runs `attempt`. */
    const whilePaused = <A, E>(attempt: Effect.Effect<A, E, never>) =>
      Effect.andThen(Effect.promise(() => raw.client("PAUSE", PAUSE_MILLIS, "ALL")), attempt)
    /** Whether `key` exists once the commands held by the pause have run. */
    const existsAfterPause = (key: string) =>
      Effect.andThen(Effect.sleep(`${PAUSE_MILLIS + 300} millis`), Effect.promise(() => raw.exists(key)))
    return { context, whilePaused, existsAfterPause }
  })

describe.skipIf(skipReason !== undefined)(`Redis claims and locks after a late command${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("an event claim that timed out is deleted after Redis stores it late", () =>
    Effect.gen(function*() {
      const { context, existsAfterPause, whilePaused } = yield* setup("e:")
      const dedupe = yield* Effect.provide(Redis.makeDedupe(), context)
      expect((yield* Effect.flip(whilePaused(dedupe.claim("evt_1"))))._tag).toBe("EventDedupeError")
      expect(yield* existsAfterPause("e:event:evt_1")).toBe(0)
    }), 30_000)

  scopedLive("an event claim whose caller was interrupted is deleted after Redis stores it late", () =>
    Effect.gen(function*() {
      const { context, existsAfterPause, whilePaused } = yield* setup("i:")
      const dedupe = yield* Effect.provide(Redis.makeDedupe(), context)
      const claiming = yield* fork(whilePaused(dedupe.claim("evt_1")))
      yield* Effect.sleep("100 millis") // sent, not answered: Redis is paused
      yield* Fiber.interrupt(claiming)
      expect(yield* existsAfterPause("i:event:evt_1")).toBe(0)
    }), 30_000)

  scopedLive("a token fetch lock that timed out is deleted after Redis stores it late", () =>
    Effect.gen(function*() {
      const { context, existsAfterPause, whilePaused } = yield* setup("t:")
      const cache = yield* Effect.provide(Redis.makeTokenCache(), context)
      expect((yield* Effect.flip(whilePaused(cache.tryLock!("cli_1:tenant:"))))._tag).toBe("TokenCacheError")
      expect(yield* existsAfterPause("t:lock:cli_1:tenant:")).toBe(0)
    }), 30_000)

  scopedLive("a user token refresh lock that timed out is deleted after Redis stores it late", () =>
    Effect.gen(function*() {
      const { context, existsAfterPause, whilePaused } = yield* setup("u:")
      const store = yield* Effect.provide(Redis.makeUserTokenStore(), context)
      expect((yield* Effect.flip(whilePaused(store.lock!("ou_1"))))._tag).toBe("LarkTokenError")
      expect(yield* existsAfterPause("u:user-token-lock:cli_1:ou_1")).toBe(0)
    }), 30_000)
})
