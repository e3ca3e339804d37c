/**
 * Exactly-once handling across replicas: real OS processes, each a webhook server with the Redis dedupe
 * store, on a real redis-server; deliveries are encrypted and signed as the platform sends them.
 */
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { deliver, ENCRYPT_KEY, workEvent } from "./fixtures/delivery.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import { fork, scopedLive } from "../dialect.js"
import { spawnWorker, type Worker } from "./fixtures/workers.js"

const replicas = (count: number, env: Record<string, string>) =>
  Effect.all(Array.from({ length: count }, () =>
    Effect.flatMap(spawnWorker("webhookReplica.ts", { ...env, ENCRYPT_KEY }), (worker) =>
      Effect.map(worker.waitFor("listening "), (url) => ({ worker, url })))), { concurrency: "unbounded" })

const post = (url: string, envelope: unknown) => Effect.promise(() => deliver(url, envelope))

/** How many times any replica started / finished the handler of `id`. */
const count = (workers: ReadonlyArray<{ readonly worker: Worker }>, line: string) =>
  workers.reduce((n, { worker }) => n + worker.lines.filter((l) => l === line).length, 0)

describe.skipIf(skipReason !== undefined)(`Redis event dedupe${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("3 replicas receive the same event at the same moment: the handler runs once", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fleet = yield* replicas(3, { REDIS_URL: redis.url, REDIS_PREFIX: "same:" })
      const event = workEvent("evt_same_moment", 300)
      const statuses = yield* Effect.all(fleet.map(({ url }) => post(url, event)), { concurrency: "unbounded" })
      // one replica handled it; the others acknowledged a duplicate or (while it was in progress) asked for a redelivery
      expect(statuses).toContain(200)
      for (const status of statuses) expect([200, 500]).toContain(status)
      expect(count(fleet, "done evt_same_moment")).toBe(1)
      // the redeliveries find it done: acknowledged without running the handler
      const again = yield* Effect.all(fleet.map(({ url }) => post(url, event)), { concurrency: "unbounded" })
      expect(again).toEqual([200, 200, 200])
      expect(count(fleet, "start evt_same_moment")).toBe(1)
    }), 60_000)

  scopedLive("a replica killed mid-handler: its renewed claim holds until it expires, then the redelivery runs once", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const [doomed, b, c] = yield* replicas(3, { REDIS_URL: redis.url, REDIS_PREFIX: "kill:", CLAIM_TTL_MS: "1500" })
      const event = workEvent("evt_killed", 60_000)
      const redelivery = { ...event, event: { delay_ms: 0 } }
      const first = yield* fork(post(doomed!.url, event).pipe(Effect.orElseSucceed(() => 0)))
      yield* doomed!.worker.waitFor("start evt_killed")
      // past the claim TTL the running handler still holds its (renewed) claim: a redelivery runs nothing
      yield* Effect.sleep("2 seconds")
      expect(yield* post(b!.url, redelivery)).toBe(500)
      yield* doomed!.worker.kill
      yield* Fiber.await(first)
      // the dead replica's claim still holds until it expires: a redelivery now is refused (500), no handler runs
      expect(yield* post(b!.url, redelivery)).toBe(500)
      expect(count([b!, c!], "start evt_killed")).toBe(0)
      // the platform retries later; once the claim expired the redelivery is handled, once
      let status = 500
      while (status !== 200) {
        yield* Effect.sleep("250 millis")
        status = yield* post(b!.url, redelivery)
      }
      expect(yield* post(c!.url, event)).toBe(200)
      expect(count([b!, c!], "done evt_killed")).toBe(1)
      expect(count([b!, c!], "start evt_killed")).toBe(1)
    }), 60_000)

  scopedLive("a handler 3x slower than the claim TTL keeps its claim: redeliveries meanwhile run nothing", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fleet = yield* replicas(2, { REDIS_URL: redis.url, REDIS_PREFIX: "slow:", CLAIM_TTL_MS: "900" })
      const [a, b] = fleet
      const event = workEvent("evt_slow", 3_000)
      const first = yield* fork(post(a!.url, event))
      yield* a!.worker.waitFor("start evt_slow")
      for (let i = 0; i < 2; i++) {
        yield* Effect.sleep("1 second")
        expect(yield* post(b!.url, { ...event, event: { delay_ms: 0 } })).toBe(500)
      }
      expect(yield* Fiber.join(first)).toBe(200)
      expect(yield* post(b!.url, event)).toBe(200)
      expect(count(fleet, "start evt_slow")).toBe(1)
    }), 60_000)

  scopedLive("Redis down when a handler finishes: answered 500, recorded once Redis is back, never run again", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fleet = yield* replicas(2, { REDIS_URL: redis.url, REDIS_PREFIX: "outage:", CLAIM_TTL_MS: "10000" })
      const [a, b] = fleet
      const event = workEvent("evt_outage", 1_000)
      const first = yield* fork(post(a!.url, event))
      yield* a!.worker.waitFor("start evt_outage")
      yield* redis.kill
      // the handler succeeded but its result could not be recorded: not a success, the platform redelivers
      expect(yield* Fiber.join(first)).toBe(500)
      expect(count(fleet, "done evt_outage")).toBe(1)
      expect(yield* post(b!.url, event)).toBe(500)
      yield* redis.start
      // redeliveries: 500 while the claim is held and the result unrecorded, 200 once recorded; none runs the handler
      let status = 500
      while (status !== 200) {
        yield* Effect.sleep("100 millis")
        status = yield* post(b!.url, event)
        expect([200, 500]).toContain(status)
      }
      expect(yield* post(a!.url, event)).toBe(200)
      expect(count(fleet, "start evt_outage")).toBe(1)
    }), 60_000)

  scopedLive("Redis restarted mid-run: deliveries fail with 500 and run nothing, then each event is handled once", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fleet = yield* replicas(2, { REDIS_URL: redis.url, REDIS_PREFIX: "restart:" })
      const [a, b] = fleet
      expect(yield* post(a!.url, workEvent("evt_before"))).toBe(200)

      yield* redis.kill
      expect(yield* post(a!.url, workEvent("evt_during"))).toBe(500)
      expect(yield* post(b!.url, workEvent("evt_before"))).toBe(500)
      expect(count(fleet, "start evt_during")).toBe(0)

      yield* redis.start
      // redeliveries until the replicas have reconnected; none of them may run the handler twice
      let status = 500
      while (status !== 200) {
        yield* Effect.sleep("100 millis")
        status = yield* post(b!.url, workEvent("evt_during"))
      }
      expect(yield* post(a!.url, workEvent("evt_during"))).toBe(200)
      // what was done before the crash is still done after it (append-only file)
      expect(yield* post(b!.url, workEvent("evt_before"))).toBe(200)
      expect(count(fleet, "start evt_during")).toBe(1)
      expect(count(fleet, "start evt_before")).toBe(1)
    }), 60_000)
})
