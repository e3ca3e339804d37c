/**
 * The channel-stream-reply example on the fake platform: the fake "LLM" stream ends up, whole, in one
 * CardKit card replied to the question, updated as it grows, streaming mode switched off at the end.
 */
import { assert, describe } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as StreamBot from "../../examples/channel-stream-reply.js"
import * as Run from "../../examples/run.js"
import { fakePlatform } from "../../examples/ws-echo-bot.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive, withConsoleTo, withMinimumLogLevel } from "../dialect.js"

/** Runs an effect with what it prints (`Console.log`, `Console.error`) dropped. */
const silentConsole = withConsoleTo(() => {})

describe("channel-stream-reply on the fake Open Platform", () => {
  scopedLive("streams the whole answer into one card and closes it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const card = yield* silentConsole(Run.runOnFake(StreamBot.example))
      const expected = [...yield* Stream.runCollect(StreamBot.fakeLlm("what is a streaming card?"))].join("")
      assert(card !== undefined)
      assert.strictEqual(card.elements["answer"], expected)
      assert.isFalse(card.streaming)
      // each update carries everything so far: the text only grows
      assert.isAtLeast(card.contentUpdates.length, 1)
      const lengths = card.contentUpdates.map((u) => u.content.length)
      assert.deepStrictEqual(lengths, [...lengths].sort((a, b) => a - b))

      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      assert.strictEqual(replies.length, 1)
      assert(replies[0]!.body._tag === "Json")
      assert.deepStrictEqual(JSON.parse((replies[0]!.body.value as { content: string }).content), {
        type: "card",
        data: { card_id: card.cardId }
      })
    }).pipe(Effect.provide(fakePlatform), withMinimumLogLevel("Warning")))
})
