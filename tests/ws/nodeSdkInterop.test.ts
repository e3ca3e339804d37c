/**
 * An independent oracle for the frame codec: the official Node SDK's `WSClient` (protobufjs underneath)
 * connects to our fake server as the fake's default app (node-sdk insists on a `cli_` + 16 hex digits id).
 * It must decode the frames our encoder writes (a split event, sent out of order), our decoder must read
 * its pings and acks, and its acks must pass the fake's checks, but for the sign of its `biz_rt`.
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { assert, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"
import { scopedLive } from "../dialect.js"

/** node-sdk's `WSClient` with `handler` for message events, connected to the fake in context. */
const nodeSdkClient = (handler: (data: unknown) => Promise<void>): Effect.Effect<void, never, FakeLongConnection | Scope.Scope> =>
  Effect.gen(function*() {
    const fake = yield* FakeLongConnection
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => new lark.WSClient({ ...defaultApp, domain: fake.url, loggerLevel: lark.LoggerLevel.error })),
      (client) => Effect.sync(() => client.close({ force: true }))
    )
    const dispatcher = new lark.EventDispatcher({}).register({ "im.message.receive_v1": handler })
    yield* Effect.promise(() => client.start({ eventDispatcher: dispatcher }))
    yield* fake.until((v) => v.open === 1 && v.pings >= 1)
  })

describe("node-sdk WSClient against the fake server", () => {
  scopedLive("decodes our frames (reassembling parts) and its acks and pings decode with our codec", () =>
    Effect.gen(function*() {
      const received: Array<unknown> = []
      yield* nodeSdkClient(async (data) => void received.push(data))
      const fake = yield* FakeLongConnection
      const id = yield* fake.push(
        event("im.message.receive_v1", { message: { message_id: "om_interop", content: "{\"text\":\"你好\"}" } }, "evt_i"),
        { parts: 3, order: [2, 0, 1] }
      )
      yield* fake.until((v) => v.acks.length === 1)
      const [ack] = yield* fake.acks
      assert.strictEqual(ack?.messageId, id)
      assert.strictEqual(ack?.code, 200)
      assert.strictEqual(ack?.frame.service, 7)
      assert.strictEqual((received[0] as { message?: { message_id?: string } }).message?.message_id, "om_interop")
      // and no violation: the end of the fake's scope would fail the test
    }).pipe(Effect.provide(fakeLayer({ acceptNegativeBizRt: true }))))

  scopedLive("its biz_rt is start − end: negative once a handler takes time, a violation unless accepted", () =>
    Effect.gen(function*() {
      yield* nodeSdkClient(() => new Promise((resolve) => setTimeout(resolve, 20)))
      const fake = yield* FakeLongConnection
      yield* fake.push(event("im.message.receive_v1", {}, "evt_slow"))
      yield* fake.until((v) => v.violations.length === 1)
      const [violation] = yield* fake.takeViolations
      assert.match(violation?.reason ?? "", /biz_rt -\d+ is negative/)
      assert.strictEqual(yield* fake.pending, 1)
    }).pipe(Effect.provide(fakeLayer())))
})
