/**
 * Streaming a card producer (`streamCardReply` / `streamCardSend`) against the fake Open Platform on
 * 127.0.0.1: one card entity made from the first card and replaced whole by the later ones (growing
 * sequences), streaming mode off at the end; a failing stream leaves the last card with a note; an empty
 * stream a card with the empty note. The fake's whole-card update is strict: the sequence must grow and
 * a card JSON 2.0 is checked as on create. A card `Card.validate` refuses ends the stream with `send`'s
 * `format_error` before it is written.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schedule, Stream } from "effect"
import { layer } from "../../layers/index.js"
import * as CardKit from "../../src/api/cardkit/v1/card.js"
import { Card } from "../../src/cards/index.js"
import { Channel } from "../../src/channel/Channel.js"
import * as Outbound from "../../src/channel/Outbound.js"
import type { LarkError } from "../../src/LarkError.js"
import { type RecordedBody } from "../../src/testing/FakeOpenPlatform.js"
import { defectsOf, failuresOf } from "../dialect.js"
import { withPlatformOn } from "../fixtures/platform.js"

const withPlatform = withPlatformOn(layer)

const question = { messageId: "om_user_question", chatId: "oc_team", threadId: undefined }

const step = (n: number, done = false) =>
  Card.make({
    header: "Deploy",
    elements: [
      Card.markdown(`step ${n} of 3`),
      ...(done ? [Card.button("Open", { onClick: Card.openUrl("https://example.com/deploy") })] : [])
    ]
  })

/** A failed exit as a caller sees it: its failures, its defects and how many fibers interrupted it. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? { failures: failuresOf(exit.cause), defects: defectsOf(exit.cause), interruptions: [...Cause.interruptors(exit.cause)].length }
    : undefined

const spaced = <A, E>(stream: Stream.Stream<A, E>) => stream.pipe(Stream.schedule(Schedule.spaced("30 millis")))

const jsonBody = (body: RecordedBody) => {
  assert.strictEqual(body._tag, "Json")
  return (body as Extract<RecordedBody, { _tag: "Json" }>).value as Record<string, unknown>
}

const markdownsOf = (json: unknown) =>
  ((json as { body: { elements: ReadonlyArray<{ tag: string; content?: string }> } }).body.elements)
    .filter((element) => element.tag === "markdown").map((element) => element.content)

describe("streaming a card producer (fake Open Platform, loopback)", () => {
  it.live("one card entity: made from the first card, replaced by the later ones, streaming off at the end", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const cards = [step(1), step(2), step(3, true)]
        const result = yield* Outbound.streamCardReply(question, spaced(Stream.fromIterable(cards)), { updatesPerSecond: 20 })
        const [entity, ...others] = yield* fake.channel.cards
        assert.strictEqual(others.length, 0)
        assert.strictEqual(entity!.cardId, result.cardId)
        assert.deepStrictEqual(markdownsOf(entity!.json), ["step 3 of 3"])
        assert.isFalse(entity!.streaming, "streaming mode is off at the end")
        assert.isAtLeast(entity!.cardUpdates.length, 1)
        const sequences = [...entity!.cardUpdates.map((u) => u.sequence), ...entity!.settings.map((s) => s.sequence)]
        assert.deepStrictEqual(sequences, sequences.map((_, i) => i + 1), "every write's sequence grows by one")
        assert.deepStrictEqual(result.card, cards[2])
        const [replied] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.deepStrictEqual(JSON.parse(jsonBody(replied!.body)["content"] as string), { type: "card", data: { card_id: result.cardId } })
        assert.deepStrictEqual(result.chunkIds, [result.messageId])
      })))

  it.live("a failing stream leaves the last card with the failed note, streaming off; an empty one the empty note", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const failing = Stream.concat(spaced(Stream.fromIterable([step(1), step(2)])), Stream.fail("producer broke"))
        const exit = yield* Effect.exit(Outbound.streamCardSend("oc_team", failing, { updatesPerSecond: 20, failedNote: "broke" }))
        assert.deepStrictEqual(failureOf(exit), { failures: ["producer broke"], defects: [], interruptions: 0 })
        yield* Outbound.streamCardSend("oc_team", Stream.empty)
        const [failed, empty] = yield* fake.channel.cards
        assert.deepStrictEqual(markdownsOf(failed!.json), ["step 2 of 3", "broke"])
        assert.isFalse(failed!.streaming)
        assert.deepStrictEqual(markdownsOf(empty!.json), ["(no answer)"])
        assert.isFalse(empty!.streaming)
      })))

  it.live("a channel's streamCardReply streams into one card replying to the message", () =>
    withPlatform((fake) =>
      Effect.scoped(Effect.gen(function*() {
        const channel = yield* Channel.make({ transport: "webhook" })
        const result = yield* channel.streamCardReply(question, Stream.make(step(1), step(2)))
        const [entity] = yield* fake.channel.cards
        assert.strictEqual(entity!.cardId, result.cardId)
        assert.deepStrictEqual(markdownsOf(entity!.json), ["step 2 of 3"])
        assert.isFalse(entity!.streaming)
      }))))

  it.live("a card Card.validate refuses ends the stream with send's format_error before anything is written for it", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        // two elements with one element_id: the platform refuses it (`send` gets 230099, a format_error)
        const twice = Card.make({ elements: [Card.markdown("a", { element_id: "same" }), Card.markdown("b", { element_id: "same" })] })
        const sent = yield* Effect.flip(Outbound.send("oc_team", { card: twice }))
        const streamed = yield* Effect.flip(Outbound.streamCardSend("oc_team", Stream.make(step(1), twice, step(3)), { failedNote: "broke" }))
        assert.strictEqual(sent._tag, "ChannelSendError")
        assert.strictEqual(sent.code, "format_error")
        assert.strictEqual(sent.larkCode, 230099, "send's refusal came from the platform")
        assert.strictEqual(streamed._tag, "ChannelSendError")
        assert.strictEqual(streamed.code, sent.code)
        assert.isUndefined(streamed.larkCode, "the stream's was found before sending")
        assert.include(streamed.detail, "element_id")
        const [entity, ...others] = yield* fake.channel.cards
        assert.strictEqual(others.length, 0)
        const written = [entity!.json, ...entity!.cardUpdates.map((update) => update.card)]
        assert.isFalse(written.some((card) => markdownsOf(card).includes("b")), "the refused card was never written")
        assert.isFalse(written.some((card) => markdownsOf(card).includes("step 3 of 3")), "nor anything after it")
        assert.deepStrictEqual(markdownsOf(entity!.json), ["step 1 of 3", "broke"])
        assert.isFalse(entity!.streaming)
      })))

  it.live("the fake's card update refuses a sequence that does not grow and a card the checks refuse", () =>
    withPlatform(() =>
      Effect.gen(function*() {
        const created = yield* CardKit.create({ data: { type: "card_json", data: JSON.stringify(step(1)) } })
        const path = { card_id: created.card_id! }
        const update = (card: unknown, sequence: number) =>
          Effect.flip(CardKit.update({ path, data: { card: { type: "card_json", data: JSON.stringify(card) }, sequence } }))
        yield* CardKit.update({ path, data: { card: { type: "card_json", data: JSON.stringify(step(2)) }, sequence: 1 } })
        const again = (yield* update(step(3), 1)) as LarkError
        assert.strictEqual(again._tag === "LarkApiError" ? again.code : undefined, 300317)
        // `action` is a card JSON 1.0 component: a 2.0 card with it is refused (card error 200861)
        const oldComponent = { schema: "2.0", body: { elements: [{ tag: "action", actions: [] }] } }
        const refused = (yield* update(oldComponent, 2)) as LarkError
        assert.strictEqual(refused._tag === "LarkApiError" ? refused.code : undefined, 230099)
      })))
})
