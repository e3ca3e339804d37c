/**
 * The channel's `Error` event for failures that were only logged: the de-duplication store failing while
 * an event is received (`source: "dedupe"`), and a card write that a stream survives or ends with
 * (`source: "stream"`: a refused update of `streamCardReply`, a refused note after `streamReply`'s stream
 * failed). Each is published (handlers and the `events` stream) with its typed cause.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Ref, Schedule, Stream } from "effect"
import { layer } from "../../layers/index.js"
import { layerTest } from "../../layers/testing.js"
import { Card } from "../../src/cards/index.js"
import { Channel, type ChannelService } from "../../src/channel/Channel.js"
import type { ChannelEvent } from "../../src/channel/ChannelEvent.js"
import { ChannelSendError } from "../../src/channel/errors.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { isInterruptedCause } from "../../src/internal/dialect.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { Answer } from "../../src/testing/FakeOpenPlatform.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { seal } from "../../src/testing/pushEvent.js"
import { defectsOf, failuresOf, scoped, withLogsTo } from "../dialect.js"
import { type PlatformTest, withPlatformOn } from "../fixtures/platform.js"

const quiet = withLogsTo(() => {})

type ErrorEvent = Extract<ChannelEvent, { readonly _tag: "Error" }>

/** The `Error` events the channel's handlers receive, and the ones its `events` stream saw. */
const recordErrors = (channel: ChannelService) =>
  Effect.gen(function*() {
    const handled = yield* Ref.make<ReadonlyArray<ErrorEvent>>([])
    yield* channel.on("Error", (error) => Ref.update(handled, (all) => [...all, error]))
    const events = yield* channel.subscribe
    return {
      handled: Ref.get(handled),
      published: (n: number) =>
        Effect.map(Stream.runCollect(Stream.take(Stream.filter(events, (e) => e._tag === "Error"), n)), (all) => [...all])
    }
  })

/** The first failure of the event's cause (there must be one). */
const failureOf = (error: ErrorEvent) => {
  const failures = failuresOf(error.cause)
  assert.isAbove(failures.length, 0, "the cause has a failure")
  return failures[0]
}

/**
 * An exit as a caller sees it: its value, or its failures, defects and whether it was interrupted (Effect 4's
 * causes carry stack annotations, so exits are not compared whole).
 */
const seen = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isSuccess(exit)
    ? { value: exit.value }
    : { failures: failuresOf(exit.cause), defects: defectsOf(exit.cause), interrupted: isInterruptedCause(exit.cause) }

const BOT_INFO = MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({
  body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } }
}))

describe("Error events: the de-duplication store", () => {
  scoped("a failed claim (the event id's, then the message id's) is an Error event; the redelivery after it is handled", () =>
    Effect.gen(function*() {
      // fails the first claim of an event id and the first of a message id, then works
      const memory = Dedupe.unsafeMakeMemory()
      const failedOnce = new Set<string>()
      const store: Dedupe.Service = {
        ...memory,
        claim: (id) => {
          const kind = id.startsWith("msg:") ? "message" : "event"
          if (failedOnce.has(kind)) return memory.claim(id)
          failedOnce.add(kind)
          return Effect.fail(new EventDedupeError({ detail: `the ${kind} claim failed (test)` }))
        }
      }
      const encryptKey = Redacted.make("key")
      const channel = yield* Channel.make({ transport: "webhook", encryptKey }).pipe(Effect.provideService(Dedupe.EventDedupe, store))
      const errors = yield* recordErrors(channel)
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const request = yield* seal(
        FakeChat.toPush(FakeChat.messageEvent({ chatId: "oc_1", chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text: "hi" }, 0)),
        { encryptKey }
      )
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* channel.webhook({ method: "POST", ...request })).status)
      assert.deepStrictEqual(statuses, [500, 500, 200], "each failed claim asks for a redelivery")
      assert.strictEqual(yield* Ref.get(runs), 1)

      const handled = yield* errors.handled
      assert.deepStrictEqual(handled.map((e) => e.source), ["dedupe", "dedupe"])
      assert.deepStrictEqual(handled.map((e) => (failureOf(e) as EventDedupeError).detail), [
        "the event claim failed (test)",
        "the message claim failed (test)"
      ])
      assert.deepStrictEqual(yield* errors.published(2), handled)
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))
})

const onPlatform = withPlatformOn(layer)
const withPlatform = <A, E>(test: PlatformTest<A, E>) => onPlatform(test).pipe(quiet)

const question = { messageId: "om_user_question", chatId: "oc_team", threadId: undefined }
const refused = Answer.json(400, { code: 230099, msg: "refused by the test" })
const spaced = <A, E>(stream: Stream.Stream<A, E>) => stream.pipe(Stream.schedule(Schedule.spaced("60 millis")))

describe("Error events: streaming", () => {
  it.live("a refused card update that streamCardReply goes on after is an Error event; the call succeeds", () =>
    withPlatform((fake) =>
      Effect.scoped(Effect.gen(function*() {
        const channel = yield* Channel.make({ transport: "webhook" })
        const errors = yield* recordErrors(channel)
        yield* fake.program("PUT", "/open-apis/cardkit/v1/cards/:card_id", refused)
        const cards = [1, 2, 3].map((n) => Card.make({ elements: [Card.markdown(`step ${n}`)] }))
        const result = yield* channel.streamCardReply(question, spaced(Stream.fromIterable(cards)), { updatesPerSecond: 20 })
        assert.deepStrictEqual(result.card, cards[2])

        const [error, ...more] = yield* errors.handled
        assert.strictEqual(more.length, 0)
        assert.strictEqual(error!.source, "stream")
        const failure = failureOf(error!)
        assert(failure instanceof ChannelSendError)
        assert.deepStrictEqual([failure.code, failure.larkCode], ["format_error", 230099])
        assert.deepStrictEqual(yield* errors.published(1), [error])
      }))))

  it.live("a refused note after streamReply's stream failed is an Error event; the call fails with the stream's error", () =>
    withPlatform((fake) =>
      Effect.scoped(Effect.gen(function*() {
        const channel = yield* Channel.make({ transport: "webhook" })
        const errors = yield* recordErrors(channel)
        // the note is written, then streaming mode is switched off: that last write is refused
        yield* fake.program("PATCH", "/open-apis/cardkit/v1/cards/:card_id/settings", refused)
        const failing = Stream.concat(spaced(Stream.make("half ", "an answer")), Stream.fail("model overloaded"))
        const exit = yield* Effect.exit(channel.streamReply(question, failing, { updatesPerSecond: 20 }))
        assert.deepStrictEqual(seen(exit), { failures: ["model overloaded"], defects: [], interrupted: false })

        const [error, ...more] = yield* errors.handled
        assert.strictEqual(more.length, 0)
        assert.strictEqual(error!.source, "stream")
        const failure = failureOf(error!)
        assert(failure instanceof ChannelSendError)
        assert.strictEqual(failure.larkCode, 230099)
      }))))
})
