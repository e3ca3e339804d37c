/**
 * The channel-echo-bot example on the fake platform: fake users talk to it over the fake long connection;
 * it echoes, sends a card on request, ignores an unaddressed group message, and answers the button.
 */
import { assert, describe } from "@effect/vitest"
import { Effect } from "effect"
import * as EchoBot from "../../examples/channel-echo-bot.js"
import * as Run from "../../examples/run.js"
import { fakePlatform } from "../../examples/ws-echo-bot.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive, withMinimumLogLevel } from "../dialect.js"
import { captured } from "../fixtures/console.js"

describe("channel-echo-bot on the fake Open Platform", () => {
  scopedLive("echoes, sends the card, stays quiet when not mentioned, answers the button", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result: acks } = yield* captured(Run.runOnFake(EchoBot.example))
      assert.deepStrictEqual(acks.map((ack) => ack.code), [200, 200, 200, 200])
      assert.deepStrictEqual(acks.at(-1)?.data, { toast: { type: "success", content: "Thanks for the like!" } })

      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      const bodies = replies.map((call) => (call.body._tag === "Json" ? call.body.value : undefined) as { msg_type: string; content: string })
      assert.deepStrictEqual(bodies.map((b) => b.msg_type), ["text", "interactive"])
      assert.deepStrictEqual(JSON.parse(bodies[0]!.content), { text: "echo: hello" })
      assert.deepStrictEqual(JSON.parse(bodies[1]!.content), EchoBot.likeCard)

      assert.include(output, "Fake Bot (ou_fake_bot) is connected")
      assert.include(output, "bot: echo: hello")
      assert.include(output, "\"Thanks for the like!\"")
      assert.notInclude(output, "fake_secret")
    }).pipe(Effect.provide(fakePlatform), withMinimumLogLevel("Warning")))
})
