/**
 * Merging while busy (`mergeWhileBusy`): texts from one sender that arrive while their chat's handler is
 * busy reach it as one merged message when it is free; other senders, non-text messages and the limits
 * keep items apart; every original's `done` gets the merged outcome. First the merger over a real
 * `ChatQueue` with a handler held on a `Deferred`, then through a webhook channel (off by default).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import { layerTest } from "../../layers/testing.js"
import * as Batching from "../../src/channel/batching.js"
import * as BusyMerge from "../../src/channel/busyMerge.js"
import { Channel } from "../../src/channel/Channel.js"
import * as ChatQueue from "../../src/channel/ChatQueue.js"
import type { Message } from "../../src/channel/Message.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { scoped, withLogsTo } from "../dialect.js"
import { holdFirstMessage } from "../fixtures/heldHandler.js"
import { channelMessage } from "../fixtures/message.js"

const quiet = withLogsTo(() => {})
const bob = { openId: "ou_bob", type: "user" as const, isBot: false }

let counter = 0
const text = (body: string, overrides: Partial<Message> = {}): Message => {
  counter++
  return channelMessage({ eventId: `ev_${counter}`, messageId: `om_${counter}`, text: body, bodyText: body, ...overrides })
}

/**
 * A merger over a chat queue whose handler records each message's text and holds the first one until
 * `release`; `busy` completes once that first message is being handled.
 */
const heldMerger = (limits = Batching.defaultBatching, fail = (_: Message) => false) =>
  Effect.gen(function*() {
    const handled = yield* Ref.make<ReadonlyArray<Message>>([])
    const busy = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const queue = yield* ChatQueue.make<string>()
    const merger = BusyMerge.make(limits, queue.offer, (message) =>
      Effect.gen(function*() {
        const first = (yield* Ref.get(handled)).length === 0
        yield* Ref.update(handled, (all) => [...all, message])
        if (first) yield* Effect.andThen(Deferred.succeed(busy, undefined), Deferred.await(release))
        if (fail(message)) return yield* Effect.fail("handler failed")
      }))
    const offer = (message: Message) => Effect.tap(Deferred.make<unknown, unknown>(), (done) => merger(message, done))
    return { offer, busy, release: Deferred.succeed(release, undefined), texts: Effect.map(Ref.get(handled), (all) => all.map((m) => m.text)), handled }
  })

describe("merging while busy (merger over a ChatQueue)", () => {
  scoped("texts from one sender that arrive while the chat is busy are handled as one message when it is free", () =>
    Effect.gen(function*() {
      const { busy, handled, offer, release, texts } = yield* heldMerger()
      const first = yield* offer(text("one"))
      yield* Deferred.await(busy)
      const two = text("two"), three = text("three")
      const dones = [yield* offer(two), yield* offer(three)]
      const fromBob = yield* offer(text("bob here", { sender: bob }))
      const image = yield* offer(text("[image]", { contentType: "image" })) // ends Alice's pending item
      const after = yield* offer(text("four"))
      assert.deepStrictEqual(yield* texts, ["one"], "nothing else runs while the chat is busy")
      yield* release
      for (const done of [first, ...dones, fromBob, image, after]) yield* Deferred.await(done)
      assert.deepStrictEqual(yield* texts, ["one", "two\nthree", "bob here", "[image]", "four"])
      const merged = (yield* Ref.get(handled))[1]!
      assert.strictEqual(merged.messageId, two.messageId)
      assert.deepStrictEqual(merged.batched?.map((m) => m.messageId), [two.messageId, three.messageId])
    }))

  scoped("an item takes at most the batching limits; a message arriving once its item started waits for the next", () =>
    Effect.gen(function*() {
      const { busy, offer, release, texts } = yield* heldMerger({ ...Batching.defaultBatching, maxMessages: 2 })
      yield* offer(text("one"))
      yield* Deferred.await(busy)
      const dones = []
      for (const body of ["a", "b", "c"]) dones.push(yield* offer(text(body)))
      yield* release
      for (const done of dones) yield* Deferred.await(done)
      assert.deepStrictEqual(yield* texts, ["one", "a\nb", "c"])
    }))

  scoped("every merged original gets the merged message's failure", () =>
    Effect.gen(function*() {
      const { busy, offer, release } = yield* heldMerger(Batching.defaultBatching, (m) => m.batched !== undefined)
      yield* offer(text("one"))
      yield* Deferred.await(busy)
      const dones = [yield* offer(text("x")), yield* offer(text("y"))]
      yield* release
      for (const done of dones) assert.deepStrictEqual(yield* Effect.exit(Deferred.await(done)), Exit.fail("handler failed"))
    }))

  it("a burst merged again lists its originals, not the burst", () => {
    const a = text("a"), b = text("b"), c = text("c")
    const merged = Batching.mergeMessages([Batching.mergeMessages([a, b]), c])
    assert.strictEqual(merged.text, "a\nb\nc")
    assert.deepStrictEqual(merged.batched?.map((m) => m.messageId), [a.messageId, b.messageId, c.messageId])
  })
})

const BOT_INFO = MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({
  body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } }
}))

/** A webhook channel (`ack: "queued"`, so a post returns once its message is queued) whose handler holds the first message. */
const busyChannel = (mergeWhileBusy: boolean | undefined) =>
  Effect.gen(function*() {
    const channel = yield* Channel.make({ transport: "webhook", ack: "queued", mergeWhileBusy })
    const { busy, release, seen } = yield* holdFirstMessage(channel)
    yield* channel.connect
    const chat = { chatId: "oc_busy", chatType: "p2p" } as const
    const post = (body: string) =>
      channel.webhook({
        method: "POST",
        headers: { "content-type": "application/json" },
        rawBody: JSON.stringify(FakeChat.messageEvent(chat, { from: { openId: "ou_alice", name: "Alice" }, text: body }, 0))
      })
    yield* post("one")
    yield* busy
    for (const body of ["two", "three"]) assert.strictEqual((yield* post(body)).status, 200)
    yield* release
    // the handler runs three times without merging, twice with
    return yield* Effect.repeat(seen, { until: (all) => all.length >= (mergeWhileBusy === true ? 2 : 3) })
  })

describe("mergeWhileBusy in the channel (webhook)", () => {
  scoped("on: what arrived while the handler was busy comes as one message", () =>
    Effect.map(busyChannel(true), (seen) => assert.deepStrictEqual(seen, ["one", "two\nthree"])).pipe(
      Effect.provide(layerTest([BOT_INFO])),
      quiet
    ))

  scoped("off by default: each message on its own, in order", () =>
    Effect.map(busyChannel(undefined), (seen) => assert.deepStrictEqual(seen, ["one", "two", "three"])).pipe(
      Effect.provide(layerTest([BOT_INFO])),
      quiet
    ))
})
