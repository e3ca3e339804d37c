/**
 * `streamReply` on the wire (MockHttp, TestClock): the streaming card entity, the reply by card id,
 * batched element updates with growing sequences, the final content and streaming mode switched off,
 * and the failure / interruption notes.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../../layers/testing.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { type DurationInput, isInterruptedExit } from "../../src/internal/dialect.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { fork } from "../dialect.js"

const CONTENT = "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content"

const routes = [
  MockHttp.route("POST", "/open-apis/cardkit/v1/cards", () => MockHttp.ok({ card_id: "card_1" })),
  MockHttp.route("POST", "/open-apis/im/v1/messages/:message_id/reply", () => MockHttp.ok({ message_id: "om_answer" })),
  MockHttp.route("PUT", CONTENT, () => MockHttp.ok({})),
  MockHttp.route("PATCH", "/open-apis/cardkit/v1/cards/:card_id/settings", () => MockHttp.ok({}))
]

const question = { messageId: "om_q", chatId: "oc_1", threadId: undefined }

const json = (request: MockHttp.RecordedRequest) => (request.body as { value: Record<string, unknown> }).value

const wire = Effect.map(Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests), (all) => {
  const api = all.filter((r) => !r.path.includes("/auth/v3/"))
  const updates = api.filter((r) => r.path.endsWith("/content")).map((r) => json(r) as { content: string; sequence: number })
  const settings = api.filter((r) => r.path.endsWith("/settings")).map((r) => json(r) as { settings: string; sequence: number })
  return { api, updates, settings }
})

/** `n` pieces `"w0 " "w1 " ...`, one every `every`. */
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `)
const timed = (n: number, every: DurationInput) => Stream.fromIterable(words(n)).pipe(Stream.schedule(Schedule.spaced(every)))

/** Moves the test clock forward in small steps, letting the stream and the requests run between them. */
const advance = (steps: number, step: DurationInput) =>
  Effect.gen(function*() {
    for (let i = 0; i < steps; i++) yield* TestClock.adjust(step)
  })

describe("streamReply", () => {
  it.effect("creates a streaming card, replies with it by card id, ends with the full text and streaming off", () =>
    Effect.gen(function*() {
      const result = yield* Outbound.streamReply(question, Stream.fromIterable(words(200)), { title: "Answer" })
      const { api, settings, updates } = yield* wire
      const card = JSON.parse((json(api[0]!) as { type: string; data: string }).data)
      assert.deepStrictEqual(json(api[0]!)["type"], "card_json")
      assert.strictEqual(card.config.streaming_mode, true)
      assert.deepStrictEqual(card.body.elements, [{ tag: "markdown", element_id: "answer", content: "…" }], "never an empty element")
      assert.deepStrictEqual(card.header.title.content, "Answer")
      assert.strictEqual(api[1]!.path, "/open-apis/im/v1/messages/om_q/reply")
      assert.deepStrictEqual(JSON.parse(json(api[1]!)["content"] as string), { type: "card", data: { card_id: "card_1" } })
      // a fast stream is batched: 200 pieces, a handful of updates
      assert.isAtMost(updates.length, 2)
      assert.strictEqual(updates.at(-1)!.content, words(200).join(""))
      assert.strictEqual(settings.length, 1)
      assert.strictEqual(JSON.parse(settings[0]!.settings).config.streaming_mode, false)
      const sequences = [...updates, ...settings].map((u) => u.sequence)
      assert.deepStrictEqual(sequences, sequences.map((_, i) => i + 1), "sequences grow by one per card")
      assert.deepStrictEqual([result.messageId, result.cardId, result.text], ["om_answer", "card_1", words(200).join("")])
      assert.deepStrictEqual([result.chunkIds, result.cardIds], [["om_answer"], ["card_1"]])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a slow stream is throttled to at most updatesPerSecond, each update the text so far", () =>
    Effect.gen(function*() {
      // 100 pieces over 5 seconds, 4 updates per second at most
      const fiber = yield* fork(Outbound.streamReply(question, timed(100, "50 millis"), { updatesPerSecond: 4 }))
      yield* advance(120, "50 millis")
      const result = yield* Fiber.join(fiber)
      const { updates } = yield* wire
      assert.isAtLeast(updates.length, 10, "the card grows while the stream runs")
      assert.isAtMost(updates.length, 5 * 4 + 2)
      for (const [i, update] of updates.entries()) {
        assert.isTrue(words(100).join("").startsWith(update.content), "each update is a prefix of the answer")
        if (i > 0) assert.isAbove(update.content.length, updates[i - 1]!.content.length)
      }
      assert.strictEqual(updates.at(-1)!.content, result.text)
      assert.strictEqual(result.text, words(100).join(""))
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a slow long stream goes on in new cards, each under 30,000 characters, with the same throttle", () =>
    Effect.gen(function*() {
      let created = 0
      const platform = [
        MockHttp.route("POST", "/open-apis/cardkit/v1/cards", () => MockHttp.ok({ card_id: `card_${++created}` })),
        // as the platform: an element text over 30,000 characters is refused
        MockHttp.route("PUT", CONTENT, (request) =>
          (json(request) as { content: string }).content.length > 30_000
            ? MockHttp.fail(230099, "Failed to create card content, ext=ErrCode: 11310; ErrMsg: element exceeds the limit; ")
            : MockHttp.ok({})),
        ...routes
      ]
      yield* Effect.gen(function*() {
        // 90,000 characters over 9 seconds, 2 updates per second at most
        const piece = (i: number) => `${"lorem ipsum ".repeat(24)}${String(i).padStart(11, "0")}\n`
        const answer = Array.from({ length: 300 }, (_, i) => piece(i)).join("")
        const text = Stream.fromIterable(Array.from({ length: 300 }, (_, i) => piece(i))).pipe(Stream.schedule(Schedule.spaced("30 millis")))
        const fiber = yield* fork(Outbound.streamReply(question, text, { updatesPerSecond: 2 }))
        yield* advance(320, "30 millis")
        const result = yield* Fiber.join(fiber)
        const { api } = yield* wire
        const cardOf = (request: MockHttp.RecordedRequest) => request.path.split("/")[5]!
        const writes = api.filter((r) => r.path.endsWith("/content") || r.path.endsWith("/settings"))
        const updates = api.filter((r) => r.path.endsWith("/content"))

        assert.strictEqual(answer.length, 90_000)
        assert.strictEqual(result.text, answer)
        assert.deepStrictEqual(result.cardIds, Array.from({ length: created }, (_, i) => `card_${i + 1}`))
        assert.isAtLeast(created, 3)
        // one update per tick, plus the one that finishes a card before the next
        assert.isAtLeast(updates.length, 10, "the cards grow while the stream runs")
        assert.isAtMost(updates.length, 9 * 2 + 2 + created)
        const shown = result.cardIds.map((cardId) => {
          type Write = { path: string; content?: string; sequence: number }
          const mine = writes.filter((r) => cardOf(r) === cardId).map((r) => ({ path: r.path, ...json(r) }) as Write)
          assert.deepStrictEqual(mine.map((w) => w.sequence), mine.map((_, i) => i + 1), "sequences grow by one per card")
          assert.isTrue(mine.at(-1)!.path.endsWith("/settings"), "each card ends with streaming switched off")
          const contents = mine.flatMap((w) => (w.content === undefined ? [] : [w.content]))
          for (const [i, content] of contents.entries()) {
            assert.isAtMost(content.length, 30_000)
            if (i > 0) assert.isTrue(content.startsWith(contents[i - 1]!), "a card's text only grows")
          }
          return contents.at(-1)!
        })
        assert.strictEqual(shown.join(""), answer, "read in order, the cards show the whole answer")
        assert.isTrue(shown.slice(0, -1).every((text) => text.endsWith("\n")), "a full card ends at a line break")
      }).pipe(Effect.provide(layerTest(platform)))
    }))

  it.effect("a failing stream marks the card failed, switches streaming off and fails with the stream's error", () =>
    Effect.gen(function*() {
      const failing = Stream.concat(Stream.fromIterable(["partial ", "answer"]), Stream.fail("model overloaded"))
      const error = yield* Effect.flip(Outbound.streamReply(question, failing, { failedNote: "(failed)" }))
      assert.strictEqual(error, "model overloaded")
      const { settings, updates } = yield* wire
      assert.strictEqual(updates.at(-1)!.content, "partial answer\n\n(failed)")
      assert.strictEqual(settings.length, 1)
      assert.strictEqual(JSON.parse(settings[0]!.settings).config.streaming_mode, false)
      assert.isAbove(settings[0]!.sequence, updates.at(-1)!.sequence)
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("an interrupted stream marks the card interrupted and switches streaming off", () =>
    Effect.gen(function*() {
      const reachedTheEnd = yield* Deferred.make<void>()
      const hanging = Stream.concat(
        Stream.fromIterable(["half ", "an answer"]),
        Stream.fromEffect(Effect.andThen(Deferred.succeed(reachedTheEnd, undefined), Effect.never))
      )
      const fiber = yield* fork(Outbound.streamReply(question, hanging, { interruptedNote: "(stopped)" }))
      yield* Deferred.await(reachedTheEnd)
      yield* advance(4, "500 millis")
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(isInterruptedExit(exit))
      const { settings, updates } = yield* wire
      assert.strictEqual(updates.at(-2)!.content, "half an answer", "the text was shown while streaming")
      assert.strictEqual(updates.at(-1)!.content, "half an answer\n\n(stopped)")
      assert.strictEqual(JSON.parse(settings.at(-1)!.settings).config.streaming_mode, false)
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a failed intermediate update is skipped; the final content still goes out", () =>
    Effect.gen(function*() {
      let calls = 0
      const flaky = MockHttp.route("PUT", CONTENT, () => (++calls === 1 ? MockHttp.fail(230020, "too fast") : MockHttp.ok({})))
      yield* Effect.gen(function*() {
        const fiber = yield* fork(Outbound.streamReply(question, timed(20, "100 millis"), { updatesPerSecond: 2 }))
        yield* advance(30, "100 millis")
        const result = yield* Fiber.join(fiber)
        const { updates } = yield* wire
        assert.strictEqual(updates.at(-1)!.content, result.text)
        assert.strictEqual(result.text, words(20).join(""))
      }).pipe(Effect.provide(layerTest([flaky, ...routes])))
    }))
})
