/**
 * Channel extras: debounce batching of text bursts (the batcher alone and through a webhook channel, all
 * under `TestClock`), the bound on the chat queues with `ack: "queued"`, and strict security (refusals
 * before any request or socket, the limits it sets).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../../layers/testing.js"
import * as Batching from "../../src/channel/batching.js"
import { Channel, ChannelConfigError, type ChannelOptions } from "../../src/channel/Channel.js"
import type { Message } from "../../src/channel/Message.js"
import { harden, strictDefaults } from "../../src/channel/security.js"
import type { ChannelEvent } from "../../src/channel/ChannelEvent.js"
import { decodeDuration, getFailure, getSuccess, isFailure, isInterruptedExit, type Outcome } from "../../src/internal/dialect.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { seal } from "../../src/testing/pushEvent.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { isInsecureRemote } from "../../src/ws/endpoint.js"
import { LongConnectionTransportError } from "../../src/ws/errors.js"
import { WebSocketFactory } from "../../src/ws/socket.js"
import { fork, scoped, withLogsTo } from "../dialect.js"
import { holdFirstMessage } from "../fixtures/heldHandler.js"
import { channelMessage } from "../fixtures/message.js"

const quiet = withLogsTo(() => {})

/** The success of an outcome; its failure is thrown. */
const orThrow = <A, E>(outcome: Outcome<A, E>): A => {
  if (isFailure(outcome)) throw getFailure(outcome)
  return getSuccess(outcome)
}

let counter = 0
const text = (body: string, overrides: Partial<Message> = {}): Message => {
  counter++
  return channelMessage({ eventId: `ev_${counter}`, messageId: `om_${counter}`, createTime: counter, text: body, bodyText: body, ...overrides })
}

/** A batcher whose submissions are recorded (and handled at once). */
const recordingBatcher = (config: Partial<Batching.BatchingConfig> = {}) =>
  Effect.gen(function*() {
    const submitted = yield* Ref.make<ReadonlyArray<Message>>([])
    const batcher = yield* Batching.make({ ...Batching.defaultBatching, ...config }, (message, done) =>
      Effect.andThen(Ref.update(submitted, (all) => [...all, message]), Deferred.succeed(done, undefined)))
    return { batcher, submitted: Ref.get(submitted) }
  })

describe("debounce batching (batcher under TestClock)", () => {
  scoped("a burst of three quick texts becomes one message: first ids, texts joined, originals kept", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher()
      const a = text("hi"), b = text("can you"), c = text("check this?")
      const doneA = yield* batcher.offer(a)
      yield* TestClock.adjust("200 millis")
      const doneB = yield* batcher.offer(b)
      yield* TestClock.adjust("500 millis") // 700 ms after the first, 500 after the latest: still waiting
      const doneC = yield* batcher.offer(c)
      yield* TestClock.adjust("599 millis")
      assert.deepStrictEqual(yield* submitted, [])
      assert.isFalse(yield* Deferred.isDone(doneA))
      yield* TestClock.adjust("1 millis")
      const [merged, ...rest] = yield* submitted
      assert.strictEqual(rest.length, 0)
      assert.strictEqual(merged!.messageId, a.messageId)
      assert.strictEqual(merged!.eventId, a.eventId)
      assert.strictEqual(merged!.text, "hi\ncan you\ncheck this?")
      assert.strictEqual(merged!.bodyText, "hi\ncan you\ncheck this?")
      assert.deepStrictEqual(merged!.batched?.map((m) => m.messageId), [a.messageId, b.messageId, c.messageId])
      // every original is answered with the batch
      for (const done of [doneA, doneB, doneC]) assert.isTrue(yield* Deferred.isDone(done))
    }))

  scoped("a pause longer than the debounce keeps messages apart; a lone message is passed on unchanged", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher()
      const a = text("first"), b = text("second")
      yield* batcher.offer(a)
      yield* TestClock.adjust("600 millis")
      yield* batcher.offer(b)
      yield* TestClock.adjust("600 millis")
      const all = yield* submitted
      assert.deepStrictEqual(all, [a, b])
      assert.isUndefined(all[0]!.batched)
    }))

  scoped("after a long message the wait is the long debounce", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher()
      yield* batcher.offer(text("x".repeat(1000)))
      yield* TestClock.adjust("1999 millis")
      const early = yield* batcher.offer(text("tail"))
      yield* TestClock.adjust("1999 millis") // the short message restarted the window at 600 ms
      assert.strictEqual((yield* submitted).length, 1)
      assert.isTrue(yield* Deferred.isDone(early))
      assert.strictEqual((yield* submitted)[0]!.batched?.length, 2)
    }))

  scoped("a batch is passed on at once when it reaches the message limit", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher({ maxMessages: 3 })
      for (const body of ["1", "2", "3", "4"]) yield* batcher.offer(text(body))
      const now = yield* submitted
      assert.strictEqual(now.length, 1)
      assert.strictEqual(now[0]!.text, "1\n2\n3")
      yield* TestClock.adjust("600 millis")
      assert.deepStrictEqual((yield* submitted).map((m) => m.text), ["1\n2\n3", "4"])
    }))

  scoped("a text that would pass the character limit starts the next batch", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher({ maxChars: 10 })
      yield* batcher.offer(text("aaaa"))
      yield* batcher.offer(text("bbbb"))
      yield* batcher.offer(text("cccc")) // 12 > 10
      assert.deepStrictEqual((yield* submitted).map((m) => m.text), ["aaaa\nbbbb"])
      yield* batcher.offer(text("d".repeat(10))) // full on its own: passed on at once, after "cccc"
      assert.deepStrictEqual((yield* submitted).map((m) => m.text), ["aaaa\nbbbb", "cccc", "dddddddddd"])
    }))

  scoped("a non-text message passes the sender's pending texts on first; other senders batch apart", () =>
    Effect.gen(function*() {
      const { batcher, submitted } = yield* recordingBatcher()
      const bob = { openId: "ou_bob", type: "user" as const, isBot: false }
      yield* batcher.offer(text("look"))
      yield* batcher.offer(text("bob here", { sender: bob }))
      const image = text("[image]", { contentType: "image" })
      const imageDone = yield* batcher.offer(image)
      assert.isTrue(yield* Deferred.isDone(imageDone))
      assert.deepStrictEqual((yield* submitted).map((m) => m.text), ["look", "[image]"])
      yield* batcher.offer(text("in a thread", { threadId: "omt_1" }))
      yield* TestClock.adjust("600 millis")
      // two separate batches (Bob's, and Alice's in the thread), their timers due at the same instant
      const later = (yield* submitted).slice(2).map((m) => m.text).sort()
      assert.deepStrictEqual(later, ["bob here", "in a thread"])
    }))

  it.effect("closing the scope interrupts the waiters of batches not passed on", () =>
    Effect.gen(function*() {
      const done = yield* Effect.scoped(Effect.flatMap(recordingBatcher(), ({ batcher }) => batcher.offer(text("pending"))))
      const exit = yield* Effect.exit(Deferred.await(done))
      assert.isTrue(isInterruptedExit(exit))
    }))

  it("bad limits are refused", () => {
    assert.isUndefined(Batching.batchingProblem(Batching.defaultBatching))
    assert.isDefined(Batching.batchingProblem({ ...Batching.defaultBatching, maxMessages: 0 }))
    assert.isDefined(Batching.batchingProblem({ ...Batching.defaultBatching, debounce: 0 }))
  })
})

const BOT_INFO = MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({
  body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } }
}))

/** A webhook channel on `MockHttp` (no sockets, no real timers) and a way to post plaintext events to it. */
const webhookChannel = (options: Omit<ChannelOptions, "transport">) =>
  Effect.gen(function*() {
    const channel = yield* Channel.make({ ...options, transport: "webhook" })
    const post = (envelope: FakeChat.Envelope) =>
      channel.webhook({ method: "POST", headers: { "content-type": "application/json" }, rawBody: JSON.stringify(envelope) })
    return { channel, post }
  })

describe("debounce batching in the channel (webhook, TestClock)", () => {
  scoped("three quick texts reach the handler once, merged; every request is answered after it", () =>
    Effect.gen(function*() {
      const { channel, post } = yield* webhookChannel({ batching: true })
      const seen = yield* Ref.make<ReadonlyArray<Message>>([])
      yield* channel.on("Message", (message) => Ref.update(seen, (all) => [...all, message]))
      yield* channel.connect
      const chat = { chatId: "oc_burst", chatType: "p2p" } as const
      const alice = { openId: "ou_alice", name: "Alice" }
      const requests = []
      for (const body of ["one", "two", "three"]) {
        requests.push(yield* fork(post(FakeChat.messageEvent(chat, { from: alice, text: body }, 0))))
        yield* TestClock.adjust("100 millis")
      }
      assert.deepStrictEqual(yield* Ref.get(seen), [])
      yield* TestClock.adjust("600 millis")
      const answers = yield* Effect.forEach(requests, Fiber.join)
      assert.deepStrictEqual(answers.map((a) => a.status), [200, 200, 200])
      const [merged, ...rest] = yield* Ref.get(seen)
      assert.strictEqual(rest.length, 0)
      assert.strictEqual(merged!.text, "one\ntwo\nthree")
      assert.strictEqual(merged!.batched?.length, 3)
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("batching is off by default: each text is its own message", () =>
    Effect.gen(function*() {
      const { channel, post } = yield* webhookChannel({})
      const seen = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(seen, (n) => n + 1))
      yield* channel.connect
      const chat = { chatId: "oc_plain", chatType: "p2p" } as const
      for (const body of ["one", "two"]) {
        const answer = yield* post(FakeChat.messageEvent(chat, { from: { openId: "ou_alice", name: "A" }, text: body }, 0))
        assert.strictEqual(answer.status, 200)
      }
      assert.strictEqual(yield* Ref.get(seen), 2)
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("bad batching limits fail make with a ChannelConfigError before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(webhookChannel({ batching: { maxMessages: 0 } }))
      assert.instanceOf(error, ChannelConfigError)
      assert.deepStrictEqual(yield* MockHttp.MockHttp.pipe(Effect.flatMap((m) => m.requests)), [])
    }).pipe(Effect.provide(layerTest([BOT_INFO]))))

  scoped("a bot-loop guard that could never trip, or of an unknown mode, fails make with a ChannelConfigError", () =>
    Effect.gen(function*() {
      const guards = [{ maxBotMentions: Number.NaN }, { maxBotMentions: 0 }, { windowMs: -1 }, { scope: "room" }, { onTrip: "ignore" }]
      for (const guard of guards) {
        const error = yield* Effect.flip(webhookChannel({ botLoopGuard: guard as ChannelOptions["botLoopGuard"] }))
        assert.instanceOf(error, ChannelConfigError)
        assert.include(error.detail, "botLoopGuard.")
      }
      assert.deepStrictEqual(yield* MockHttp.MockHttp.pipe(Effect.flatMap((m) => m.requests)), [])
    }).pipe(Effect.provide(layerTest([BOT_INFO]))))
})

describe("ack: \"queued\" keeps the chat queues bounded (webhook)", () => {
  scoped("past maxQueued a message is answered 500 and not queued; its redelivery, once there is room, is handled", () =>
    Effect.gen(function*() {
      const { channel, post } = yield* webhookChannel({ ack: "queued", maxQueued: 2 })
      const { busy, release, seen } = yield* holdFirstMessage(channel)
      yield* channel.connect
      const chat = { chatId: "oc_flood", chatType: "p2p" } as const
      const [one, two, three] = ["one", "two", "three"].map((body) =>
        FakeChat.messageEvent(chat, { from: { openId: "ou_alice", name: "Alice" }, text: body }, 0))
      assert.strictEqual((yield* post(one!)).status, 200)
      yield* busy
      assert.strictEqual((yield* post(two!)).status, 200, "the second waits: the queues hold two")
      assert.strictEqual((yield* post(three!)).status, 500, "the third finds them full")
      yield* release
      yield* Effect.repeat(seen, { until: (all) => all.length === 2 })
      assert.strictEqual((yield* post(three!)).status, 200, "the platform's redelivery")
      yield* Effect.repeat(seen, { until: (all) => all.length === 3 })
      assert.deepStrictEqual(yield* seen, ["one", "two", "three"])
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))
})

/** A socket factory that records every open and refuses it. */
const recordingSockets = Effect.map(Ref.make(0), (opens) => ({
  opens: Ref.get(opens),
  layer: Layer.succeed(WebSocketFactory, {
    open: () =>
      Effect.andThen(
        Ref.update(opens, (n) => n + 1),
        Effect.fail(new LongConnectionTransportError({ stage: "open", reason: "Network", detail: "refused by the test" }))
      )
  })
}))

const endpointAnswering = (url: string) =>
  MockHttp.route("POST", "/callback/ws/endpoint", () => ({
    body: { code: 0, msg: "ok", data: { URL: url, ClientConfig: { ReconnectCount: 0 } } }
  }))

describe("strict security", () => {
  scoped("webhook without an Encrypt Key: make fails with a ChannelConfigError, nothing requested", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(webhookChannel({ security: "strict" }))
      assert.instanceOf(error, ChannelConfigError)
      assert.include(error.message, "Encrypt Key")
      assert.deepStrictEqual(yield* MockHttp.MockHttp.pipe(Effect.flatMap((m) => m.requests)), [])
    }).pipe(Effect.provide(layerTest([BOT_INFO]))))

  scoped("webhook with an Encrypt Key: an unsigned event is refused and reaches no handler", () =>
    Effect.gen(function*() {
      const { channel, post } = yield* webhookChannel({ security: "strict", encryptKey: Redacted.make("key") })
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const answer = yield* post(FakeChat.messageEvent({ chatId: "oc_1", chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text: "x" }, 0))
      assert.strictEqual(answer.status, 401)
      assert.strictEqual(yield* Ref.get(runs), 0)
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("webhook: the replay window is on (5 minutes): a signed event sealed 6 minutes ago is refused", () =>
    Effect.gen(function*() {
      const encryptKey = Redacted.make("key")
      const { channel } = yield* webhookChannel({ security: "strict", encryptKey })
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const envelope = (text: string) =>
        FakeChat.toPush(FakeChat.messageEvent({ chatId: "oc_1", chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text }, 0))
      const old = yield* seal(envelope("old"), { encryptKey })
      yield* TestClock.adjust("6 minutes")
      const fresh = yield* seal(envelope("fresh"), { encryptKey })
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...old })).status, 401)
      assert.strictEqual(yield* Ref.get(runs), 0)
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...fresh })).status, 200)
      assert.strictEqual(yield* Ref.get(runs), 1)
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  scoped("long connection: a remote ws:// endpoint ends the connection before any socket is opened", () =>
    Effect.gen(function*() {
      const sockets = yield* recordingSockets
      const channel = yield* Channel.make({ security: "strict", readyTimeout: "1 minute" }).pipe(Effect.provide(sockets.layer))
      const connecting = yield* fork(Effect.flip(channel.connect))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(connecting)
      assert.strictEqual(error.reason, "closed")
      assert.strictEqual(error.cause?._tag, "LongConnectionConfigError")
      assert.strictEqual(yield* sockets.opens, 0)
      const status = yield* channel.status
      assert.strictEqual(status._tag, "Closed")
    }).pipe(Effect.provide(layerTest([BOT_INFO, endpointAnswering("ws://events.example.com/ws?device_id=d1&service_id=7")])), quiet))

  scoped("long connection: compat mode (the default) still opens a remote ws:// URL", () =>
    Effect.gen(function*() {
      const sockets = yield* recordingSockets
      const channel = yield* Channel.make({}).pipe(Effect.provide(sockets.layer))
      yield* fork(Effect.exit(channel.connect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* sockets.opens, 1)
    }).pipe(Effect.provide(layerTest([BOT_INFO, endpointAnswering("ws://events.example.com/ws?device_id=d1&service_id=7")])), quiet))

  it("only wss:// and loopback ws:// pass the TLS check", () => {
    assert.isFalse(isInsecureRemote("wss://msg-frontier.feishu.cn/ws/v2?device_id=1"))
    assert.isFalse(isInsecureRemote("ws://127.0.0.1:8080/ws"))
    assert.isFalse(isInsecureRemote("ws://localhost:8080/ws"))
    assert.isFalse(isInsecureRemote("ws://[::1]:8080/ws"))
    assert.isTrue(isInsecureRemote("ws://msg-frontier.feishu.cn/ws/v2"))
    assert.isTrue(isInsecureRemote("ws://127.0.0.1.evil.example/ws"))
    assert.isTrue(isInsecureRemote("not a url"))
  })

  it("strict mode sets the limits and the replay window; explicit tighter settings win", () => {
    const strict = orThrow(harden({ transport: "ws", security: "strict" }, 512))
    assert.strictEqual(strict.longConnection.concurrency, strictDefaults.maxConcurrentHandlers)
    assert.strictEqual(strict.longConnection.fragments?.maxParts, 128)
    assert.strictEqual(strict.longConnection.fragments?.maxBytes, 8 * 1024 * 1024)
    assert.isTrue(strict.longConnection.requireTls)
    assert.strictEqual(Duration.toMillis(decodeDuration(strict.maxClockSkew!)), 5 * 60_000)

    const tighter = orThrow(harden({
      transport: "ws",
      security: { mode: "strict", allowInsecureWs: true, maxFragmentParts: 16 },
      longConnection: { concurrency: 8 },
      maxClockSkew: "30 seconds"
    }, 512))
    assert.strictEqual(tighter.longConnection.concurrency, 8)
    assert.strictEqual(tighter.longConnection.fragments?.maxParts, 16)
    assert.isFalse(tighter.longConnection.requireTls)
    assert.strictEqual(Duration.toMillis(decodeDuration(tighter.maxClockSkew!)), 30_000)

    const compat = orThrow(harden({ transport: "webhook" }, 512))
    assert.strictEqual(compat.longConnection.concurrency, 512)
    assert.isFalse(compat.longConnection.requireTls)
    assert.isUndefined(compat.maxClockSkew)
    assert.isTrue(isFailure(harden({ transport: "ws", security: { mode: "compat", maxConcurrentHandlers: 0 } }, 512)))
  })
})

const reactionEnvelope = (messageId: string, n: number) => ({
  schema: "2.0",
  header: {
    event_id: `evt_reaction_${messageId}_${n}`,
    event_type: "im.message.reaction.created_v1",
    create_time: "0",
    token: "",
    app_id: "cli_test",
    tenant_key: "tenant"
  },
  event: { message_id: messageId, reaction_type: { emoji_type: "THUMBSUP" }, operator_type: "user", user_id: { open_id: "ou_a" }, action_time: "0" }
})

const MESSAGE_SENDERS = MockHttp.route("GET", "/open-apis/im/v1/messages/:message_id", (request) =>
  MockHttp.ok({
    items: [{
      message_id: request.path.split("/").at(-1),
      sender: request.path.endsWith("om_bot")
        ? { id: "cli_test", id_type: "app_id", sender_type: "app" }
        : { id: "ou_a", id_type: "open_id", sender_type: "user" }
    }]
  }))

/** Posts reactions on `om_bot`, `om_user`, then `om_bot` again; answers the reacted message ids delivered. */
const reactionsDelivered = (options: Omit<ChannelOptions, "transport">) =>
  Effect.gen(function*() {
    const channel = yield* Channel.make({ ...options, transport: "webhook" })
    const seen = yield* Ref.make<ReadonlyArray<string>>([])
    const errors = yield* Ref.make<ReadonlyArray<string>>([])
    yield* channel.on("Reaction", (event: Extract<ChannelEvent, { _tag: "Reaction" }>) =>
      Ref.update(seen, (all) => [...all, event.messageId]))
    yield* channel.on("Error", (event: Extract<ChannelEvent, { _tag: "Error" }>) =>
      Ref.update(errors, (all) => [...all, event.source]))
    yield* channel.connect
    for (const [id, n] of [["om_bot", 1], ["om_user", 1], ["om_bot", 2]] as const) {
      const answer = yield* channel.webhook({ method: "POST", headers: {}, rawBody: JSON.stringify(reactionEnvelope(id, n)) })
      assert.strictEqual(answer.status, 200)
    }
    const lookups = (yield* MockHttp.MockHttp.pipe(Effect.flatMap((m) => m.requests))).filter((r) => r.path.startsWith("/open-apis/im/v1/messages/"))
    return { delivered: yield* Ref.get(seen), lookups: lookups.length, errors: yield* Ref.get(errors) }
  })

describe("reaction notifications and chat mode", () => {
  scoped("own: only reactions on the bot's messages, each message looked up once", () =>
    Effect.gen(function*() {
      const { delivered, errors, lookups } = yield* reactionsDelivered({ reactions: "own" })
      assert.deepStrictEqual(delivered, ["om_bot", "om_bot"])
      assert.strictEqual(lookups, 2)
      assert.deepStrictEqual(errors, [])
    }).pipe(Effect.provide(layerTest([BOT_INFO, MESSAGE_SENDERS])), quiet))

  scoped("all (the default) delivers every reaction without lookups; off delivers none", () =>
    Effect.gen(function*() {
      const all = yield* reactionsDelivered({})
      assert.deepStrictEqual(all.delivered, ["om_bot", "om_user", "om_bot"])
      assert.strictEqual(all.lookups, 0)
      const off = yield* reactionsDelivered({ reactions: "off" })
      assert.deepStrictEqual(off.delivered, [])
    }).pipe(Effect.provide(layerTest([BOT_INFO, MESSAGE_SENDERS])), quiet))

  scoped("own: a reaction whose message cannot be looked up is dropped, and published as an Error event", () =>
    Effect.gen(function*() {
      const { delivered, errors } = yield* reactionsDelivered({ reactions: "own" })
      assert.deepStrictEqual(delivered, [])
      assert.deepStrictEqual(errors, ["reactions", "reactions", "reactions"])
    }).pipe(
      Effect.provide(layerTest([BOT_INFO, MockHttp.route("GET", "/open-apis/im/v1/messages/:message_id", () => MockHttp.fail(230002, "bot not in chat"))])),
      quiet
    ))

  scoped("getChatMode reads chat_mode from the chat API", () =>
    Effect.gen(function*() {
      const channel = yield* Channel.make({ transport: "webhook" })
      assert.strictEqual(yield* channel.getChatMode("oc_topic"), "topic")
      assert.strictEqual(yield* channel.getChatMode("oc_group"), "group")
    }).pipe(
      Effect.provide(layerTest([
        BOT_INFO,
        MockHttp.route("GET", "/open-apis/im/v1/chats/:chat_id", (request) =>
          MockHttp.ok({ chat_mode: request.path.endsWith("oc_topic") ? "topic" : "group", name: "x" }))
      ]))
    ))
})
