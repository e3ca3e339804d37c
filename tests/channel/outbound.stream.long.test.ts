/**
 * `streamReply` against the fake Open Platform on 127.0.0.1, which refuses what the platform refuses: an
 * element text over 30,000 characters or empty. A long answer goes on in new cards, in order, and the
 * cards together show the whole text; an answer without text shows a note, never an empty element.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schedule, Stream } from "effect"
import { layer } from "../../layers/index.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { type PlatformTest, withPlatformOn } from "../fixtures/platform.js"

const app = { appId: "cli_stream_long", appSecret: "stream_secret" }

const onPlatform = withPlatformOn(layer, { apps: [app] })
const withPlatform = <A, E>(test: PlatformTest<A, E>) =>
  onPlatform(test, { appId: app.appId, appSecret: Redacted.make(app.appSecret) })

const question = { messageId: "om_long_question", chatId: "oc_team", threadId: undefined }

const characters = (text: string) => Array.from(text).length

/**
 * 100,000 characters: lines of words, and in the middle a 40,000-character run without a space or line
 * break, made of emoji (two UTF-16 units each), that can only be cut between two characters.
 */
const longAnswer = (() => {
  const prose = (n: number) => {
    let text = ""
    for (let i = 0; characters(text) < n; i++) text += i % 13 === 12 ? `line ${i}\n` : `word${i % 97} `
    return Array.from(text).slice(0, n).join("")
  }
  return prose(35_000) + "😀".repeat(40_000) + prose(25_000)
})()

/** `text` in pieces of `size` characters. */
const pieces = (text: string, size: number) => {
  const all = Array.from(text)
  return Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size).join(""))
}

/** The cards of `cardIds` on the fake, in that order, with what they show. */
const cardsOf = (fake: FakeOpenPlatform.Service, cardIds: ReadonlyArray<string>) =>
  Effect.map(fake.channel.cards, (all) => cardIds.map((id) => all.find((card) => card.cardId === id)!))

describe("streamReply: long answers on the fake Open Platform (loopback)", () => {
  it.live("a 100,000-character stream goes on in new cards: each under the limit, in order, together the whole text", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        assert.strictEqual(characters(longAnswer), 100_000)
        const text = Stream.fromIterable(pieces(longAnswer, 250)).pipe(Stream.schedule(Schedule.spaced("2 millis")))
        const result = yield* Outbound.streamReply(question, text, { updatesPerSecond: 20, placeholder: "Thinking…" })

        assert.strictEqual(result.text, longAnswer)
        assert.isAtLeast(result.cardIds.length, 4)
        assert.strictEqual(result.cardId, result.cardIds[0])
        assert.deepStrictEqual([result.messageId, result.chunkIds.length], [result.chunkIds[0], result.cardIds.length])
        const cards = yield* cardsOf(fake, result.cardIds)
        assert.strictEqual(cards.map((card) => card.elements["answer"]).join(""), longAnswer, "read in order, the cards show the whole answer")
        for (const card of cards) {
          const shown = card.elements["answer"]!
          assert.isAbove(characters(shown), 0)
          assert.isAtMost(characters(shown), 30_000)
          assert.isFalse(card.streaming, "every card is finished")
          assert.strictEqual(card.settings.length, 1)
          for (const update of card.contentUpdates) assert.isTrue(shown.startsWith(update.content), "a card's updates only grow")
        }
        // the emoji run is cut between two characters: no card starts or ends with half of one (a lone surrogate)
        for (const card of cards) assert.notMatch(card.elements["answer"]!, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/)

        const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.deepStrictEqual(
          replies.map((call) => call.body._tag === "Json" && JSON.parse((call.body.value as { content: string }).content).data.card_id),
          [...result.cardIds],
          "each card is replied to the question, in order"
        )
      })))

  it.live("a card that showed text past its last line break keeps it when the answer moves to a new card", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        // the first update shows 29,991 characters with a line break at 20,001; the next piece passes the limit
        const first = "w".repeat(20_000) + "\n" + "x".repeat(9_990)
        const text = Stream.make(first, "y".repeat(500)).pipe(Stream.schedule(Schedule.spaced("300 millis")))
        const result = yield* Outbound.streamReply(question, text, { updatesPerSecond: 20 })
        const [card, next] = yield* cardsOf(fake, result.cardIds)
        assert.strictEqual(result.cardIds.length, 2)
        assert.include(card!.contentUpdates.map((update) => update.content), first, "the first piece was shown alone")
        assert.isTrue(card!.elements["answer"]!.startsWith(first), "what the card showed stays in it")
        assert.strictEqual(card!.elements["answer"]! + next!.elements["answer"]!, first + "y".repeat(500))
      })))

  it.live("a long stream that fails ends with the note in its last card", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const answer = Array.from(longAnswer).slice(0, 65_000).join("")
        const failing = Stream.concat(Stream.fromIterable(pieces(answer, 5_000)), Stream.fail("model overloaded"))
        const error = yield* Effect.flip(Outbound.streamReply(question, failing, { failedNote: "(failed)" }))
        assert.strictEqual(error, "model overloaded")
        const cards = yield* fake.channel.cards
        assert.isAtLeast(cards.length, 3)
        assert.strictEqual(cards.map((card) => card.elements["answer"]).join(""), `${answer}\n\n(failed)`)
        assert.isTrue(cards.every((card) => !card.streaming && characters(card.elements["answer"]!) <= 30_000))
      })))

  it.live("a stream without text shows a placeholder, then a note: never an empty element", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const result = yield* Outbound.streamReply(question, Stream.make("", ""), { emptyNote: "(nothing to say)" })
        const [card] = yield* cardsOf(fake, result.cardIds)
        assert.strictEqual(result.cardIds.length, 1)
        assert.strictEqual(card!.elements["answer"], "(nothing to say)")
        assert.isFalse(card!.streaming)
        assert.notStrictEqual((card!.json as any).body.elements[0].content, "", "the card is created with a placeholder")
      })))
})
