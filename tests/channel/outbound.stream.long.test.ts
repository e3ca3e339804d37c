/**
 * `streamReply` against the fake Open Platform on 127.0.0.1, which refuses what the platform refuses: an
 * element text over 30,000 characters or empty. A long answer goes on in new cards, in order, and the
 * cards together show the whole text; a code fence cut between two cards is closed and reopened; an answer
 * without text shows a note, never an empty element.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schedule, Stream } from "effect"
import { layer } from "../../layers/index.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { Answer, FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { withLogsTo } from "../dialect.js"
import { type PlatformTest, withPlatformOn } from "../fixtures/platform.js"

const app = { appId: "cli_stream_long", appSecret: "stream_secret" }

const onPlatform = withPlatformOn(layer, { apps: [app] })
const withPlatform = <A, E>(test: PlatformTest<A, E>) =>
  onPlatform(test, { appId: app.appId, appSecret: Redacted.make(app.appSecret) })

const question = { messageId: "om_long_question", chatId: "oc_team", threadId: undefined }

const characters = (text: string) => Array.from(text).length

/** `n` characters of lines of words. */
const prose = (n: number) => {
  let text = ""
  for (let i = 0; characters(text) < n; i++) text += i % 13 === 12 ? `line ${i}\n` : `word${i % 97} `
  return Array.from(text).slice(0, n).join("")
}

/** About `n` characters of code lines, each ending with a line break. */
const code = (n: number) => {
  let text = ""
  for (let i = 0; characters(text) < n; i++) text += `const value${i} = compute(${i}) // step ${i}\n`
  return text
}

/** How many lines of `text` are code fence lines. */
const fenceLines = (text: string) => text.split("\n").filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line)).length

/** A 45,000-character fence from character 20,008 on: the cuts near 30,000 and 60,000 fall inside it. */
const fencedAnswer = prose(20_000) + "\n```ts\n" + code(45_000) + "```\n" + prose(5_000)

/**
 * The cards of `fencedAnswer`, finished: each under the limit, its updates only growing, every fence closed
 * in the card that opens it and reopened with its info string in the next; without those added lines they
 * show the whole answer.
 */
const assertFencedCards = (fake: FakeOpenPlatform.Service, cardIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const cards = yield* cardsOf(fake, cardIds)
    const shown = cards.map((card) => card.elements["answer"]!)
    assert.strictEqual(shown.length, 3)
    for (const [i, card] of cards.entries()) {
      assert.isFalse(card.streaming)
      assert.isAtMost(characters(shown[i]!), 30_000)
      assert.strictEqual(fenceLines(shown[i]!) % 2, 0, `card ${i} closes every fence it opens`)
      for (const update of card.contentUpdates) assert.isTrue(shown[i]!.startsWith(update.content), "a card's updates only grow")
    }
    assert.isTrue(shown[1]!.startsWith("```ts\n") && shown[2]!.startsWith("```ts\n"), "the fence is reopened with its info string")
    // the cuts are at line breaks: the closing line follows one, without an added line break
    const unfenced = shown.map((text, i) => {
      const reopened = i > 0 ? text.slice("```ts\n".length) : text
      if (i === shown.length - 1) return reopened
      assert.isTrue(reopened.endsWith("\n```"))
      return reopened.slice(0, -"```".length)
    })
    assert.strictEqual(unfenced.join(""), fencedAnswer, "without the added fence lines, the cards show the whole answer")
  })

/**
 * 100,000 characters: lines of words, and in the middle a 40,000-character run without a space or line
 * break, made of emoji (two UTF-16 units each), that can only be cut between two characters.
 */
const longAnswer = prose(35_000) + "😀".repeat(40_000) + prose(25_000)

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

  it.live("a code fence cut between two cards is closed at the end of one and reopened at the start of the next", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const text = Stream.fromIterable(pieces(fencedAnswer, 250)).pipe(Stream.schedule(Schedule.spaced("2 millis")))
        const result = yield* Outbound.streamReply(question, text, { updatesPerSecond: 20 })
        assert.strictEqual(result.text, fencedAnswer)
        yield* assertFencedCards(fake, result.cardIds)
      })))

  it.live("a card cut inside a fence whose finish was refused is finished with the same text by the next update", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        // the first card's finish, when the answer moves on past 30,000 characters
        yield* fake.program("PATCH", "/open-apis/cardkit/v1/cards/:card_id/settings", Answer.json(400, { code: 230099, msg: "refused by the test" }))
        const text = Stream.fromIterable(pieces(fencedAnswer, 250)).pipe(Stream.schedule(Schedule.spaced("2 millis")))
        const result = yield* Outbound.streamReply(question, text, { updatesPerSecond: 20 }).pipe(withLogsTo(() => {}))
        assert.strictEqual(result.text, fencedAnswer)
        assert.strictEqual((yield* fake.callsTo("PATCH", "/open-apis/cardkit/v1/cards/:card_id/settings")).length, 4)
        yield* assertFencedCards(fake, result.cardIds)
      })))

  it.live("a fence cut between two characters gets its closing line on a line of its own; a failure note still ends the last card", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        // 40,000 characters of minified code: no line break or space where the first card must end
        const answer = prose(10_000) + "\n~~~~ js\n" + "x=1;".repeat(10_000) + "\n~~~~\n" + prose(2_000)
        const failing = Stream.concat(Stream.fromIterable(pieces(answer, 2_000)), Stream.fail("model overloaded"))
        const error = yield* Effect.flip(Outbound.streamReply(question, failing, { updatesPerSecond: 20, failedNote: "(failed)" }))
        assert.strictEqual(error, "model overloaded")
        const [first, second, ...others] = (yield* fake.channel.cards).map((card) => card.elements["answer"]!)
        assert.strictEqual(others.length, 0)
        assert.match(first!, /[x=1;]\n~~~~$/, "the closing line on a line of its own, after the cut code")
        assert.strictEqual(characters(first!), 30_000)
        assert.match(second!, /^~~~~ js\n[x=1;]/, "the fence reopened with its info string, before the rest of the code")
        assert.isTrue(second!.endsWith("\n\n(failed)"))
        assert.deepStrictEqual([fenceLines(first!), fenceLines(second!)], [2, 2])
        assert.strictEqual(first!.slice(0, -"\n~~~~".length) + second!.slice("~~~~ js\n".length), `${answer}\n\n(failed)`)
      })))

  it.live("a cut outside any code fence adds no fence lines", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        // a closed fence well before the cut near 30,000
        const answer = prose(20_000) + "\n```ts\n" + code(3_000) + "```\n" + prose(20_000)
        const text = Stream.fromIterable(pieces(answer, 1_000)).pipe(Stream.schedule(Schedule.spaced("2 millis")))
        const result = yield* Outbound.streamReply(question, text, { updatesPerSecond: 20 })
        const shown = (yield* cardsOf(fake, result.cardIds)).map((card) => card.elements["answer"]!)
        assert.strictEqual(shown.length, 2)
        assert.strictEqual(shown.join(""), answer)
        assert.deepStrictEqual(shown.map(fenceLines), [2, 0])
        assert.isTrue(shown[0]!.endsWith("\n"), "cut at a line break, as without fences")
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
