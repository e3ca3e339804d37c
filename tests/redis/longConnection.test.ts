/**
 * The long connection with the Redis dedupe store on a real redis-server: its ack follows the dispatch
 * outcome, so a handler whose result could not be recorded is acked 500 and redelivered, never run again.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Redis from "../../layers/Redis.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import type { DurationInput } from "../../src/internal/dialect.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import { scopedLive } from "../dialect.js"

const MESSAGE = "im.message.receive_v1"

describe.skipIf(skipReason !== undefined)(`Redis dedupe on the long connection${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  scopedLive("Redis down when a handler finishes: acked 500, redelivered until recorded, handled once", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeLongConnection
      const started = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      let runs = 0
      const dispatcher = EventDispatcher.make().on(MESSAGE, () =>
        Effect.sync(() => runs++).pipe(
          Effect.andThen(Deferred.succeed(started, undefined)),
          Effect.andThen(Deferred.await(finish))
        ))
      const wiring = Layer.mergeAll(
        Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
        FetchHttpClient.layer,
        WsLayer.layer,
        Redis.layerDedupe({ claimTtl: "10 seconds" }).pipe(
          Layer.provide(Redis.layerClient({ url: redis.url, prefix: "ws:", commandTimeout: "500 millis" }))
        )
      )
      yield* LongConnection.run(dispatcher, {
        minReconnectDelay: "10 millis",
        clientConfig: { reconnectNonce: 0, reconnectInterval: 0 }
      }).pipe(Effect.provide(wiring), Effect.forkScoped)

      yield* fake.push(event(MESSAGE, {}, "evt_ws_outage"))
      yield* Deferred.await(started)
      yield* redis.kill
      yield* Deferred.succeed(finish, undefined)
      yield* fake.until((view) => view.acks.length === 1)
      // the handler succeeded but its result is not recorded: not acknowledged as handled
      expect((yield* fake.acks).map((ack) => ack.code)).toEqual([500])
      yield* redis.start
      // the platform's redeliveries are acked 500 until the result is recorded, then 200
      yield* fake.until((view) => view.acks.some((ack) => ack.code === 200))
      expect(runs).toBe(1)
      expect(yield* fake.pending).toBe(0)
    }).pipe(Effect.provide(fakeLayer({
      // the first redelivery after the first delivery's answer, then quick ones
      redelivery: ["3 seconds", ...Array.from({ length: 100 }, (): DurationInput => "200 millis")]
    }))), 30_000)
})
