/**
 * `Channel` over the long connection, on the fake Open Platform (API + long-connection server on
 * loopback, real `ws` sockets): users talk through `FakeChat`, the bot answers through the channel, the
 * fake records what it sent and what it acknowledged.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as WsLayer from "../../layers/ws.js"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel, type ChannelOptions } from "../../src/channel/Channel.js"
import type { ChannelEvent } from "../../src/channel/ChannelEvent.js"
import { CardResponse } from "../../src/events/callbacks.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FAKE_BOT } from "../../src/testing/FakeChannelApis.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { event, FakeLongConnection, layer as fakeLongConnection } from "../../src/testing/FakeLongConnection.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { failuresOf, fork, scopedLive, withLogsTo } from "../dialect.js"

const alice: FakeChat.ChatUser = { openId: "ou_alice", name: "Alice" }
const bob: FakeChat.ChatUser = { openId: "ou_bob", name: "Bob" }

const platform = (options?: FakeLongConnection.Options) => fakeOpenPlatform().pipe(Layer.provideMerge(fakeLongConnection(options)))

/** A channel on the fake platform in context, made in `scope` (the test's unless given). */
const setup = (options: ChannelOptions = {}, scope?: Scope.Scope) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenPlatform
    const ws = yield* FakeLongConnection
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
      FetchHttpClient.layer,
      WsLayer.layer
    )
    const build = Effect.gen(function*() {
      const context = yield* Layer.build(wiring)
      return yield* Channel.make({
        longConnection: { minReconnectDelay: "10 millis", clientConfig: { reconnectNonce: 0, reconnectInterval: 0 } },
        ...options
      }).pipe(Effect.provide(context))
    })
    const channel = yield* (scope === undefined ? build : Effect.provideService(build, Scope.Scope, scope))
    return { channel, fake, ws }
  })

/** Waits until the fake received an ack for the frame `frameId` that satisfies `check`; answers it. */
const ackOf = (ws: FakeLongConnection.Service, frameId: string, check: (code: number) => boolean = () => true) =>
  Effect.gen(function*() {
    yield* ws.until((v) => v.acks.some((a) => a.messageId === frameId && check(a.code)))
    return (yield* ws.acks).filter((a) => a.messageId === frameId && check(a.code)).at(-1)!
  })

/** The first `n` events of `events` that satisfy `keep`. */
const take = (events: Stream.Stream<ChannelEvent>, n: number, keep: (e: ChannelEvent) => boolean = () => true) =>
  Effect.map(Stream.runCollect(Stream.take(Stream.filter(events, keep), n)), (collected): ReadonlyArray<ChannelEvent> => Array.from(collected))

const quiet = withLogsTo(() => {})

describe("Channel over the long connection", () => {
  scopedLive("a full loop: message in, handler, reply out, acknowledged 200, seen by the events stream", () =>
    Effect.gen(function*() {
      const { channel, fake, ws } = yield* setup()
      assert.strictEqual(channel.botIdentity.openId, FAKE_BOT.open_id)
      assert.strictEqual(channel.botIdentity.name, FAKE_BOT.app_name)
      const events = yield* channel.subscribe
      yield* channel.on("Message", (message) => channel.reply(message, { text: `echo: ${message.bodyText}` }))
      yield* channel.connect

      const chat = FakeChat.make(ws, { chatType: "p2p" })
      const pushed = yield* chat.say(alice, "hello")
      const ack = yield* ackOf(ws, pushed.frameId)
      assert.strictEqual(ack.code, 200)

      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      assert.strictEqual(replies.length, 1)
      assert.strictEqual(replies[0]!.path, `/open-apis/im/v1/messages/${pushed.messageId}/reply`)
      assert(replies[0]!.body._tag === "Json")
      assert.deepStrictEqual(JSON.parse((replies[0]!.body.value as { content: string }).content), { text: "echo: hello" })

      const [seen] = yield* take(events, 1)
      assert(seen?._tag === "Message")
      assert.strictEqual(seen.messageId, pushed.messageId)
      assert.strictEqual(seen.chatId, chat.chatId)
      assert.strictEqual(seen.chatType, "p2p")
      assert.strictEqual(seen.sender.openId, alice.openId)
      assert.strictEqual(seen.text, "hello")
      assert.strictEqual((yield* fake.callsTo("GET", "/open-apis/bot/v3/info")).length, 1)
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("nothing is handled twice: a redelivery after a dropped socket, and the same message under a new event id", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const events = yield* channel.subscribe
      const runs = yield* Ref.make(0)
      const running = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      yield* channel.on("Message", () =>
        Ref.update(runs, (n) => n + 1).pipe(
          Effect.andThen(Deferred.succeed(running, undefined)),
          Effect.andThen(Deferred.await(release))
        ))
      yield* channel.connect
      const chat = FakeChat.make(ws, { chatType: "p2p" })
      const pushed = yield* chat.say(alice, "only once")
      yield* Deferred.await(running)

      // the socket drops while the handler runs: the fake delivers the unacknowledged message again on the
      // next socket, where it is still in progress (500: ask again later)
      yield* ws.dropConnections
      yield* ackOf(ws, pushed.frameId, (code) => code === 500)
      yield* Deferred.succeed(release, undefined)

      // later redeliveries are answered 200 without running the handler again (the first ack went to the
      // dead socket, so the fake keeps delivering until one is acknowledged)
      for (let attempt = 0; attempt < 20 && (yield* ws.pending) > 0; attempt++) {
        const acked = (yield* ws.acks).length
        yield* ws.dropConnections
        yield* ws.until((v) => v.acks.length > acked)
      }
      assert.strictEqual(yield* ws.pending, 0)
      assert.strictEqual((yield* ackOf(ws, pushed.frameId, (code) => code === 200)).code, 200)

      // the platform sends the same message again under another event id
      const again = yield* chat.send({ from: alice, text: "only once", messageId: pushed.messageId })
      assert.strictEqual((yield* ackOf(ws, again.frameId)).code, 200)
      assert.strictEqual(yield* Ref.get(runs), 1)

      const seen = yield* take(events, 2, (e) => e._tag === "Message" || e._tag === "Rejected")
      assert.deepStrictEqual(seen.map((e) => e._tag === "Rejected" ? e.reason : e._tag), ["Message", "duplicate"])
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("a group message without the bot's mention is Rejected (policy_no_mention); with it, the handler gets the body", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const events = yield* channel.subscribe
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      yield* channel.on("Message", (message) => Ref.update(handled, (all) => [...all, message.bodyText]))
      const rejected = yield* Ref.make<ReadonlyArray<string>>([])
      yield* channel.on("Rejected", (event) => Ref.update(rejected, (all) => [...all, event.reason]))
      yield* channel.connect
      const chat = FakeChat.make(ws, { chatType: "group" })
      const unaddressed = yield* chat.say(alice, "talking among ourselves")
      const addressed = yield* chat.say(bob, "what time is it?", { mentionBot: true })
      assert.strictEqual((yield* ackOf(ws, unaddressed.frameId)).code, 200)
      assert.strictEqual((yield* ackOf(ws, addressed.frameId)).code, 200)

      const [first, second] = yield* take(events, 2)
      assert(first?._tag === "Rejected")
      assert.strictEqual(first.reason, "policy_no_mention")
      assert.strictEqual(first.messageId, unaddressed.messageId)
      assert.strictEqual(first.chatId, chat.chatId)
      assert.strictEqual(first.sender?.openId, alice.openId)
      assert(second?._tag === "Message")
      assert.isTrue(second.mentionedBot)
      assert.strictEqual(second.text, `@${FAKE_BOT.app_name} what time is it?`)
      assert.deepStrictEqual(yield* Ref.get(handled), ["what time is it?"])
      assert.deepStrictEqual(yield* Ref.get(rejected), ["policy_no_mention"])
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("updatePolicy applies to the next message; the bot's own and stale messages are dropped", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const events = yield* channel.subscribe
      yield* channel.updatePolicy({ requireMention: false })
      assert.isFalse((yield* channel.policy).requireMention)
      yield* channel.connect
      const chat = FakeChat.make(ws, { chatType: "group" })
      yield* chat.say(alice, "no mention needed now")
      yield* chat.say({ openId: FAKE_BOT.open_id, type: "app" }, "my own words")
      yield* chat.say(bob, "from long ago", { createTime: Date.now() - 31 * 60_000 })
      const seen = yield* take(events, 3)
      assert.deepStrictEqual(seen.map((e) => e._tag === "Rejected" ? e.reason : e._tag), ["Message", "self_sent", "stale"])
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("one chat is handled in order while another chat runs in parallel", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const releaseA = yield* Deferred.make<void>()
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      const allDone = yield* Deferred.make<void>()
      yield* channel.on("Message", (message) =>
        Effect.gen(function*() {
          // a1 waits until chat B was handled: B must not queue behind A
          if (message.bodyText === "a1") yield* Deferred.await(releaseA)
          const all = yield* Ref.updateAndGet(handled, (list) => [...list, message.bodyText])
          if (message.bodyText === "b1") yield* Deferred.succeed(releaseA, undefined)
          if (all.length === 5) yield* Deferred.succeed(allDone, undefined)
        }))
      yield* channel.connect
      const chatA = FakeChat.make(ws, { chatType: "p2p" })
      const chatB = FakeChat.make(ws, { chatType: "p2p" })
      for (const text of ["a1", "a2", "a3", "a4"]) yield* chatA.say(alice, text)
      yield* chatB.say(bob, "b1")
      yield* Deferred.await(allDone)
      assert.deepStrictEqual(yield* Ref.get(handled), ["b1", "a1", "a2", "a3", "a4"])
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("a card action handler's answer is the callback reply (the ack's data)", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      yield* channel.on("CardAction", (event) =>
        Effect.succeed(CardResponse.toast("success", `you chose ${(event.action.value as { choice: string }).choice}`)))
      yield* channel.connect
      const chat = FakeChat.make(ws, { chatType: "group" })
      const clicked = yield* chat.click({ from: alice, messageId: "om_card_1", value: { choice: "yes" } })
      const ack = yield* ackOf(ws, clicked.frameId)
      assert.strictEqual(ack.code, 200)
      assert.strictEqual(ack.type, "card")
      assert.deepStrictEqual(ack.data, { toast: { type: "success", content: "you chose yes" } })
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("a failing handler gets a redelivery (ack 500); the retry is handled", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const attempts = yield* Ref.make(0)
      yield* channel.on("Message", () =>
        Effect.flatMap(Ref.updateAndGet(attempts, (n) => n + 1), (n) => (n === 1 ? Effect.fail("the model is down") : Effect.void)))
      yield* channel.connect
      const pushed = yield* FakeChat.make(ws, { chatType: "p2p" }).say(alice, "try again")
      assert.strictEqual((yield* ackOf(ws, pushed.frameId)).code, 500)
      yield* ws.dropConnections // the platform redelivers the unacknowledged message on the next socket
      assert.strictEqual((yield* ackOf(ws, pushed.frameId, (code) => code === 200)).code, 200)
      assert.strictEqual(yield* Ref.get(attempts), 2)
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("ack \"queued\": the platform is answered once the message is queued; a failing handler is not redelivered", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup({ ack: "queued", includeRaw: true })
      const attempts = yield* Ref.make(0)
      const raw = yield* Deferred.make<unknown>()
      yield* channel.on("Message", (message) =>
        Effect.andThen(Ref.update(attempts, (n) => n + 1), Deferred.succeed(raw, message.raw)).pipe(Effect.andThen(Effect.fail("boom"))))
      yield* channel.connect
      const pushed = yield* FakeChat.make(ws, { chatType: "p2p" }).say(alice, "fire and forget")
      assert.strictEqual((yield* ackOf(ws, pushed.frameId)).code, 200)
      const payload = (yield* Deferred.await(raw)) as { message: { message_id: string } }
      assert.strictEqual(payload.message.message_id, pushed.messageId)
      yield* ws.dropConnections
      yield* ws.until((v) => v.accepted === 2)
      assert.strictEqual(yield* ws.pending, 0)
      assert.strictEqual(yield* Ref.get(attempts), 1)
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("other platform events become channel events; an unregistered handler is not called", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      const events = yield* channel.subscribe
      const calls = yield* Ref.make(0)
      const off = yield* channel.on("BotAdded", () => Ref.update(calls, (n) => n + 1))
      yield* channel.connect
      const added = {
        chat_id: "oc_new_team",
        name: "New team",
        external: false,
        operator_id: { open_id: alice.openId, union_id: "on_alice", user_id: "u_alice" }
      }
      yield* ws.push(event("im.chat.member.bot.added_v1", added))
      const [first] = yield* take(events, 1)
      assert(first?._tag === "BotAdded")
      assert.strictEqual(first.chatId, "oc_new_team")
      assert.strictEqual(first.operator.openId, alice.openId)
      // unregistered as soon as the stream has the event (on Effect 4 the subscriber goes on within the
      // publish, before the handlers run): the delivery keeps the handlers it started with
      yield* off
      yield* ws.push(event("im.chat.member.bot.deleted_v1", added))
      const [second] = yield* take(events, 1)
      assert.strictEqual(second?._tag, "BotRemoved")
      const thirdFrame = yield* ws.push(event("im.chat.member.bot.added_v1", added))
      yield* take(events, 1)
      yield* ackOf(ws, thirdFrame)
      assert.strictEqual(yield* Ref.get(calls), 1)
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("closing the scope closes the socket, interrupts running handlers and ends the events stream", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { channel, ws } = yield* setup({}, scope)
      const running = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      yield* channel.on("Message", () =>
        Deferred.succeed(running, undefined).pipe(
          Effect.andThen(Effect.never),
          Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
        ))
      const drained = yield* fork(Stream.runDrain(channel.events))
      yield* channel.connect
      yield* FakeChat.make(ws, { chatType: "p2p" }).say(alice, "hang")
      yield* Deferred.await(running)
      assert.strictEqual((yield* ws.connections).open, 1)

      yield* Scope.close(scope, Exit.void)
      yield* Deferred.await(interrupted)
      yield* ws.until((v) => v.open === 0)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(drained)))
      assert.strictEqual(yield* ws.pending, 1) // never acknowledged: the platform will deliver it again
      assert.strictEqual((yield* channel.status)._tag, "Closed")
    }).pipe(Effect.provide(platform()), quiet))
})

describe("Channel readiness", () => {
  scopedLive("connect fails with ChannelNotReady (timeout) when no handshake happens in time", () =>
    Effect.gen(function*() {
      const ws = yield* FakeLongConnection
      yield* ws.refuseHandshake({ hang: true })
      const { channel } = yield* setup({ readyTimeout: "200 millis" })
      const error = yield* Effect.flip(channel.connect)
      assert.strictEqual(error._tag, "ChannelNotReady")
      assert.strictEqual(error.reason, "timeout")
      assert.notStrictEqual((yield* channel.status)._tag, "Connected")
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("with autoReconnect off a drop ends the connection: an Error event carries LongConnectionDisconnected", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup({ longConnection: { autoReconnect: false } })
      const events = yield* channel.subscribe
      yield* channel.connect
      yield* ws.dropConnections
      const [error] = yield* take(events, 1, (e) => e._tag === "Error")
      assert(error?._tag === "Error")
      assert.strictEqual(error.source, "connection")
      const failure = failuresOf(error.cause)[0] as { readonly _tag: string; readonly wasConnected: boolean }
      assert.deepStrictEqual([failure._tag, failure.wasConnected], ["LongConnectionDisconnected", true])
      const status = yield* channel.status
      assert.strictEqual(status._tag, "Closed")
      assert.strictEqual((yield* ws.connections).accepted, 1, "no reconnect")
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("a failed first connect is retried like a drop: Reconnecting, then Reconnected and ready", () =>
    Effect.gen(function*() {
      const ws = yield* FakeLongConnection
      yield* ws.failEndpoint({ code: 1, msg: "system busy" })
      const { channel } = yield* setup()
      const events = yield* channel.subscribe
      yield* channel.connect
      assert.strictEqual((yield* channel.status)._tag, "Connected")
      assert.strictEqual(yield* ws.endpointCalls, 2)
      assert.deepStrictEqual((yield* take(events, 2)).map((e) => e._tag), ["Reconnecting", "Reconnected"])
      yield* channel.awaitReady("1 millis") // ready stays ready
    }).pipe(Effect.provide(platform()), quiet))

  scopedLive("a terminal failure (credentials the endpoint refuses) fails connect with ChannelNotReady (closed)", () =>
    Effect.gen(function*() {
      const { channel } = yield* setup()
      const error = yield* Effect.flip(channel.connect)
      assert.strictEqual(error.reason, "closed")
      assert.strictEqual(error.cause?._tag, "LongConnectionEndpointError")
      assert.strictEqual((yield* channel.status)._tag, "Closed")
    }).pipe(Effect.provide(platform({ apps: [{ appId: defaultApp.appId, appSecret: "another_secret" }] })), quiet))

  scopedLive("nothing is received before connect", () =>
    Effect.gen(function*() {
      const { channel, ws } = yield* setup()
      assert.strictEqual((yield* channel.status)._tag, "Idle")
      assert.strictEqual((yield* ws.connections).accepted, 0)
      const error = yield* Effect.flip(channel.awaitReady("10 millis"))
      assert.strictEqual(error.reason, "timeout")
    }).pipe(Effect.provide(platform()), quiet))
})
