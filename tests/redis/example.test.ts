/**
 * `examples/replicas.ts` on a private redis-server: every pushed event (some twice at the same moment) is
 * handled once by the fleet, which fetched one token.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { runFleet } from "../../examples/replicas.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import { scopedLive } from "../dialect.js"

describe.skipIf(skipReason !== undefined)(`example: replicas${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("3 replicas behind a proxy handle each event once and fetch one token", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const run = yield* runFleet(redis.url, 9)
      expect(run.handled.map((h) => h.id).sort()).toEqual(run.ids)
      // duplicates were delivered (every third event twice), yet nothing was handled twice
      expect(run.deliveries).toBeGreaterThan(run.ids.length)
      expect(run.messagesSent).toBe(run.ids.length)
      expect(run.tokenFetches).toBe(1)
      // the proxy spread the work over the replicas
      expect(new Set(run.handled.map((h) => h.replica)).size).toBeGreaterThan(1)
    }), 60_000)
})
