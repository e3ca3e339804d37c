/**
 * The webhook echo bot on the fake Open Platform: one encrypted, signed message event pushed to its
 * node:http server, answered 200, and echoed back through `im.v1.message.reply` to the fake.
 */
import { assert, describe } from "@effect/vitest"
import { Effect } from "effect"
import * as EchoBot from "../../examples/webhook-echo-bot.js"
import * as Run from "../../examples/run.js"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive } from "../dialect.js"
import { captured } from "../fixtures/console.js"

describe("webhook-echo-bot on the fake Open Platform", () => {
  scopedLive("the pushed message is answered 200 and echoed back as a reply to it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(EchoBot.example))
      assert.deepStrictEqual(result, [{ _tag: "Answered", status: 200, body: "{\"msg\":\"success\"}" }])
      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      assert.strictEqual(replies.length, 1)
      assert.strictEqual(replies[0]?.path, "/open-apis/im/v1/messages/om_demo_incoming/reply")
      assert(replies[0]?.body._tag === "Json")
      assert.deepStrictEqual(replies[0].body.value, { msg_type: "text", content: JSON.stringify({ text: "echo: hello" }) })
      assert.include(output, "received message om_demo_incoming: \"hello\"")
      assert.match(output, /replied with message om_fake\d+/)
      assert.include(output, "POST /open-apis/im/v1/messages/om_demo_incoming/reply")
      assert.notInclude(output, "echo-bot-key")
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("a message from a bot is acknowledged but not echoed", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      yield* Run.onFake(Effect.scoped(Effect.gen(function*() {
        const secrets = { encryptKey: undefined, verificationToken: undefined }
        const url = yield* EchoBot.serve(0, secrets)
        const event = { ...EchoBot.sampleEvent.event, sender: { sender_type: "app" } }
        const attempts = yield* fake.pushEvent(url, { ...EchoBot.sampleEvent, event })
        assert.deepStrictEqual(attempts.map((a) => a._tag === "Answered" && a.status), [200])
      })))
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")).length, 0)
    }).pipe(Effect.provide(fakeOpenPlatform())))
})
