/**
 * `Channel` with the webhook transport: the app mounts `channel.webhook` on its own route (here a plain
 * `node:http` server on loopback); the fake platform pushes encrypted, signed events to it.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel, ChannelConfigError, type ChannelOptions, type ChannelService } from "../../src/channel/Channel.js"
import type { ChannelEvent } from "../../src/channel/ChannelEvent.js"
import { ChannelSendError } from "../../src/channel/errors.js"
import { defaultPolicy } from "../../src/channel/policy.js"
import { CardResponse } from "../../src/events/callbacks.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback, doneUnsafe, unwrapLayer } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { platformRedelivery, type PushOptions } from "../../src/testing/pushEvent.js"
import { appRuntime, failuresOf, fork, pollUnsafe, scopedLive, withLogsTo } from "../dialect.js"

const secrets = { encryptKey: Redacted.make("channel-webhook-key"), verificationToken: Redacted.make("channel-webhook-token") }
const push: PushOptions = { ...secrets, redelivery: platformRedelivery(0.0001) }
const alice: FakeChat.ChatUser = { openId: "ou_alice", name: "Alice" }

/** A webhook channel on the fake platform, its `webhook` served on a loopback port; answers the URL too. */
const setup = (options: Omit<ChannelOptions, "transport"> = {}, store?: Dedupe.Service) => Effect.gen(function*() {
  const fake = yield* FakeOpenPlatform
  const context = yield* Layer.build(Layer.mergeAll(
    Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
    FetchHttpClient.layer
  ))
  // no WebSocketFactory anywhere: the webhook transport does not need one
  const channel: ChannelService = yield* Channel.make({ ...options, transport: "webhook", ...secrets }).pipe(
    Effect.provide(context),
    store === undefined ? (effect) => effect : Effect.provideService(Dedupe.EventDedupe, store)
  )
  const listener = nodeListener(channel.webhook, yield* appRuntime<never>())
  const requested = yield* Deferred.make<void>()
  const server = createServer((request, response) => {
    doneUnsafe(requested, Effect.void)
    listener(request, response)
  })
  yield* Effect.acquireRelease(
    callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
    () => callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lark/events`
  /** Completes once the first request reached the server. */
  return { channel, fake, url, requested: Deferred.await(requested) }
})

const chat = { chatId: "oc_webhook_chat", chatType: "p2p" } as const

const quiet = withLogsTo(() => {})

describe("Channel over a webhook", () => {
  scopedLive("a pushed message reaches the handler and the events stream; the reply goes out; redelivery is a duplicate", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      const events = yield* channel.subscribe
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", (message) =>
        Effect.andThen(Ref.update(runs, (n) => n + 1), channel.reply(message, `**echo:** ${message.bodyText}`)))
      yield* channel.connect
      assert.strictEqual((yield* channel.status)._tag, "Connected")

      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "hello" }, yield* Clock.currentTimeMillis)
      const attempts = yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      assert.deepStrictEqual(attempts.map((a) => a._tag === "Answered" && a.status), [200])
      // the platform delivers the same event again (its answer was lost): answered, not handled again
      const again = yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      assert.deepStrictEqual(again.map((a) => a._tag === "Answered" && a.status), [200])
      assert.strictEqual(yield* Ref.get(runs), 1)

      const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
      assert.strictEqual(replies.length, 1)
      assert(replies[0]!.body._tag === "Json")
      const body = replies[0]!.body.value as { msg_type: string; content: string }
      assert.strictEqual(body.msg_type, "post") // a bare string is markdown
      assert.include(body.content, "**echo:** hello")

      const [seen] = [...yield* Stream.runCollect(Stream.take(events, 1))]
      assert(seen?._tag === "Message")
      assert.strictEqual(seen.messageId, (envelope.event["message"] as { message_id: string }).message_id)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("a card action's handler answer is the HTTP reply", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      yield* channel.on("CardAction", () =>
        Effect.succeed({ ...CardResponse.toast("info", "noted"), ...CardResponse.card({ elements: [] }) }))
      yield* channel.connect
      const envelope = FakeChat.cardActionEvent(chat, { from: alice, messageId: "om_card", value: { ok: true } }, yield* Clock.currentTimeMillis)
      const [attempt] = yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 200)
      assert.deepStrictEqual(JSON.parse(attempt.body), {
        toast: { type: "info", content: "noted" },
        card: { type: "raw", data: { elements: [] } }
      })
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("a handler failing on a send error is an Error event (handlers and stream) with the typed cause; a failing Error handler is not reported again", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      const events = yield* channel.subscribe
      const reported = yield* Deferred.make<ChannelEvent>()
      yield* channel.on("Message", () => Effect.andThen(channel.recallMessage("om_twice"), channel.recallMessage("om_twice")))
      yield* channel.on("Error", (error) => Effect.andThen(Deferred.succeed(reported, error), Effect.fail("the Error handler fails too")))
      yield* channel.connect
      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "recall it" }, yield* Clock.currentTimeMillis)
      const [attempt] = yield* fake.pushEvent(url, FakeChat.toPush(envelope), { ...push, redelivery: Schedule.recurs(0) })
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 500, "the failed message is redelivered")

      const error = yield* Deferred.await(reported)
      assert(error._tag === "Error")
      assert.deepStrictEqual([error.source, error.event], ["handler", "Message"])
      const [failure] = failuresOf(error.cause)
      assert(failure instanceof ChannelSendError)
      assert.strictEqual(failure.code, "target_revoked")
      const seen = [...yield* Stream.runCollect(Stream.take(events, 2))].map((e) => e._tag)
      assert.deepStrictEqual(seen, ["Message", "Error"])
      const more = yield* Effect.timeout(Stream.runCollect(Stream.take(events, 1)), "200 millis").pipe(Effect.option)
      assert.isTrue(Option.isNone(more), "the Error handler's own failure is not another Error event")
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("an unsigned event is refused with 401 and reaches no handler", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "forged" }, yield* Clock.currentTimeMillis)
      // no Encrypt Key on the sending side: plain JSON, unsigned; delivered once
      const [attempt] = yield* fake.pushEvent(url, FakeChat.toPush(envelope), { redelivery: Schedule.recurs(0) })
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 401)
      assert.strictEqual(yield* Ref.get(runs), 0)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("Channel.layer provides the service; awaitReady is immediate once a webhook channel is connected", () =>
    Effect.gen(function*() {
      const channel = yield* Channel
      assert.strictEqual(channel.transport, "webhook")
      assert.strictEqual(channel.botIdentity.openId, "ou_fake_bot")
      yield* channel.connect
      yield* channel.awaitReady("1 millis")
    }).pipe(
      Effect.provide(unwrapLayer(Effect.map(FakeOpenPlatform, (fake) =>
        Channel.layer({ transport: "webhook" }).pipe(
          Layer.provide(Layer.mergeAll(
            Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
            FetchHttpClient.layer
          ))
        )))),
      Effect.provide(fakeOpenPlatform()),
      quiet
    ))

  scopedLive("the outbound methods use the channel's options: markdown style and chunk limit", () =>
    Effect.gen(function*() {
      const { channel, fake } = yield* setup({ markdownStyle: "card", chunkLimit: 25 })
      const sent = yield* channel.send("oc_announcements", "first paragraph here\nsecond paragraph here")
      assert.strictEqual(sent.chunkIds.length, 2)
      const created = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
      assert.deepStrictEqual(created.map((call) => call.query["receive_id_type"]), [["chat_id"], ["chat_id"]])
      assert.deepStrictEqual(
        created.map((call) => (call.body._tag === "Json" ? (call.body.value as { msg_type: string }).msg_type : undefined)),
        ["interactive", "interactive"]
      )
      // a call's own options win
      yield* channel.send("oc_announcements", "short", { chunkLimit: 3500 })
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length, 3)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("a delivery that arrives before connect waits for it, so handlers registered in between see it", () =>
    Effect.gen(function*() {
      const { channel, fake, requested, url } = yield* setup()
      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "early bird" }, yield* Clock.currentTimeMillis)
      const delivery = yield* fork(fake.pushEvent(url, FakeChat.toPush(envelope), { ...push, redelivery: Schedule.recurs(0) }))
      yield* requested
      // time enough for the delivery to reach the pipeline: it is held there, unanswered, until connect
      yield* Effect.sleep("100 millis")
      assert.isUndefined(pollUnsafe(delivery), "answered before connect")
      const seen = yield* Deferred.make<string>()
      yield* channel.on("Message", (message) => Deferred.succeed(seen, message.bodyText))
      yield* channel.connect
      const [attempt] = yield* Fiber.join(delivery)
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 200)
      assert.strictEqual(yield* Deferred.await(seen), "early bird")
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("replicas sharing one EventDedupe store handle a message once, whichever gets it", () =>
    Effect.gen(function*() {
      const store = Dedupe.unsafeMakeMemory()
      const replicas = [yield* setup({}, store), yield* setup({}, store)]
      const runs = yield* Ref.make(0)
      for (const { channel } of replicas) {
        yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
        yield* channel.connect
      }
      const now = yield* Clock.currentTimeMillis
      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "to both" }, now)
      const { fake } = replicas[0]!
      for (const { url } of replicas) yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      // the same message under a new event id, to the second replica
      const resent = FakeChat.messageEvent(chat, { from: alice, text: "to both", messageId: (envelope.event["message"] as { message_id: string }).message_id }, now)
      const events = yield* replicas[1]!.channel.subscribe
      yield* fake.pushEvent(replicas[1]!.url, FakeChat.toPush(resent), push)
      const [rejected] = [...yield* Stream.runCollect(Stream.take(events, 1))]
      assert(rejected?._tag === "Rejected")
      assert.strictEqual(rejected.reason, "duplicate")
      assert.strictEqual(yield* Ref.get(runs), 1)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))
  scopedLive("the webhook claims in the channel's own store, not in an EventDedupe of the runtime it is served on", () =>
    Effect.gen(function*() {
      // the runtime the listener runs on has a store that has seen every id already
      const seenEverything: Dedupe.Service = {
        claim: () => Effect.succeed("Done"),
        complete: () => Effect.void,
        release: () => Effect.void
      }
      const { channel, fake, url } = yield* Effect.provideService(setup({}, Dedupe.unsafeMakeMemory()), Dedupe.EventDedupe, seenEverything)
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const envelope = FakeChat.messageEvent(chat, { from: alice, text: "first time" }, yield* Clock.currentTimeMillis)
      const [attempt] = yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 200)
      assert.strictEqual(yield* Ref.get(runs), 1)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))
})

/** `envelope` with fields of its message replaced by what the fake chat would never send. */
const withMessage = (envelope: FakeChat.Envelope, fields: Readonly<Record<string, unknown>>): FakeChat.Envelope => ({
  ...envelope,
  event: { ...envelope.event, message: { ...(envelope.event["message"] as object), ...fields } }
})

const statuses = (attempts: ReadonlyArray<{ readonly _tag: string; readonly status?: number }>) =>
  attempts.map((a) => (a._tag === "Answered" ? a.status : a._tag))

describe("Channel over a webhook: hostile messages and settings from JavaScript", () => {
  scopedLive("a card nested past the call stack, mentions that are not a list, a time that is not one: events answered 200, not redelivered", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      const events = yield* channel.subscribe
      yield* channel.connect
      const now = yield* Clock.currentTimeMillis
      const depth = 20_000
      const hostile = [
        withMessage(FakeChat.messageEvent(chat, { from: alice, message: { type: "interactive", content: {} } }, now), {
          content: `{"x":${"[".repeat(depth)}{"tag":"markdown","content":"deep"}${"]".repeat(depth)}}`
        }),
        withMessage(FakeChat.messageEvent(chat, { from: alice, text: "hi" }, now), { mentions: {} }),
        withMessage(FakeChat.messageEvent(chat, { from: alice, text: "ho" }, now), { mentions: [null], create_time: { toString: "x" } })
      ]
      for (const envelope of hostile) {
        assert.deepStrictEqual(statuses(yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)), [200])
      }
      const seen = [...yield* Stream.runCollect(Stream.take(events, 3))]
      // the unreadable creation time reads as 0: the message is a stale one
      assert.deepStrictEqual(seen.map((event) => (event._tag === "Message" ? event.text : event._tag === "Rejected" ? event.reason : event._tag)), [
        "deep",
        "hi",
        "stale"
      ])
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  /** Pushes a DM and a group message that mentions the bot; answers their HTTP statuses. */
  const pushDmAndGroupMessage = (fake: FakeOpenPlatform.Service, url: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const messages = [
        FakeChat.messageEvent(chat, { from: alice, text: "in a DM" }, now),
        FakeChat.messageEvent({ chatId: "oc_webhook_group", chatType: "group" }, { from: alice, text: "in a group", mentionBot: true }, now)
      ]
      return yield* Effect.forEach(messages, (envelope) => Effect.map(fake.pushEvent(url, FakeChat.toPush(envelope), push), statuses))
    })

  scopedLive("updatePolicy with settings given as undefined leaves them as they are: messages are still handled", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      yield* channel.updatePolicy({ allowFrom: undefined, dmPolicy: undefined, requireMention: undefined })
      assert.deepStrictEqual(yield* pushDmAndGroupMessage(fake, url), [[200], [200]])
      assert.strictEqual(yield* Ref.get(runs), 2)
      assert.deepStrictEqual(yield* channel.policy, defaultPolicy)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("make: a policy setting given as undefined keeps its default, an unusable policy is a ChannelConfigError", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(setup({ policy: { dmPolicy: "closed" as never } }))
      assert(refused instanceof ChannelConfigError)
      assert.include(refused.detail, "policy.dmPolicy")
      const { channel, fake, url } = yield* setup({ policy: { allowFrom: undefined, dmPolicy: undefined } })
      yield* channel.connect
      assert.deepStrictEqual(yield* channel.policy, defaultPolicy)
      assert.deepStrictEqual(yield* pushDmAndGroupMessage(fake, url), [[200], [200]])
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("updatePolicy refuses an unusable policy with a ChannelConfigError and changes nothing", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup()
      yield* channel.connect
      const badValue = yield* Effect.flip(channel.updatePolicy({ groupPolicy: "admin-only" as never }))
      const badResult = yield* Effect.flip(channel.updatePolicy((current) => ({ ...current, allowFrom: undefined as never })))
      assert.deepStrictEqual([badValue._tag, badResult._tag], ["ChannelConfigError", "ChannelConfigError"])
      assert.deepStrictEqual(yield* channel.policy, defaultPolicy)
      assert.deepStrictEqual(yield* pushDmAndGroupMessage(fake, url), [[200], [200]])
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))

  scopedLive("a bot-loop guard setting given as undefined keeps its default", () =>
    Effect.gen(function*() {
      const { channel, fake, url } = yield* setup({ botLoopGuard: { maxBotMentions: undefined, windowMs: undefined, onTrip: "reject" } })
      const events = yield* channel.subscribe
      yield* channel.connect
      const now = yield* Clock.currentTimeMillis
      const group = { chatId: "oc_webhook_group", chatType: "group" } as const
      const otherBot: FakeChat.ChatUser = { openId: "ou_other_bot", name: "Other", type: "app" }
      for (let i = 0; i < 7; i++) {
        const envelope = FakeChat.messageEvent(group, { from: otherBot, text: `ping ${i}`, mentionBot: true }, now)
        yield* fake.pushEvent(url, FakeChat.toPush(envelope), push)
      }
      const seen = [...yield* Stream.runCollect(Stream.take(events, 7))].map((event) => (event._tag === "Rejected" ? event.reason : event._tag))
      // more than 5 (the default) within 60 s (the default)
      assert.deepStrictEqual(seen, ["Message", "Message", "Message", "Message", "Message", "bot_loop", "bot_loop"])
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet))
})
