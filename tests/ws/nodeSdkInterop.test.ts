/**
 * An independent oracle for the frame codec: the official Node SDK's `WSClient` (protobufjs underneath)
 * connects to our fake server. It must decode the frames our encoder writes (a split event, sent out of
 * order) and our decoder must read its pings and acks.
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { event, FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"

const APP = { appId: "cli_0123456789abcdef", appSecret: "interop_secret" }

describe("node-sdk WSClient against the fake server", () => {
  it.scopedLive("decodes our frames (reassembling parts) and its acks and pings decode with our codec", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLongConnection
      const received: Array<unknown> = []
      const client = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new lark.WSClient({ ...APP, domain: fake.url, loggerLevel: lark.LoggerLevel.error })
        ),
        (client) => Effect.sync(() => client.close({ force: true }))
      )
      const dispatcher = new lark.EventDispatcher({}).register({
        "im.message.receive_v1": async (data: unknown) => {
          received.push(data)
        }
      })
      yield* Effect.promise(() => client.start({ eventDispatcher: dispatcher }))
      yield* fake.until((v) => v.open === 1 && v.pings >= 1)
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
    }).pipe(Effect.provide(fakeLayer({ apps: [APP] }))))
})
