/**
 * The ws-echo-bot example on the fake platform: one event over the socket, one reply through the API,
 * one ack 200.
 */
import { assert, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as WsEchoBot from "../../examples/ws-echo-bot.js"
import * as Run from "../../examples/run.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive, withMinimumLogLevel } from "../dialect.js"

describe("ws-echo-bot example", () => {
  scopedLive("replies to the message pushed over the long connection and acks it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const acks = yield* Run.runOnFake(WsEchoBot.example)
      assert.deepStrictEqual(acks?.map((ack) => ack.code), [200])
      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      assert.strictEqual(replies.length, 1)
      const body = replies[0]!.body
      assert(body._tag === "Json")
      assert.deepStrictEqual(JSON.parse((body.value as { content: string }).content), { text: "echo: hello" })
      assert.strictEqual((yield* fake.callsTo("POST", "/callback/ws/endpoint")).length, 1)
    }).pipe(Effect.provide(WsEchoBot.fakePlatform), withMinimumLogLevel("Warning")))
})
