/**
 * Outbound `send` / `reply` on the wire (MockHttp): id-type inference, every message kind's msg_type and
 * content, chunking with the uuid on the first chunk only, replies in and out of threads, both fallbacks,
 * error codes, and interruption mid-send.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { layerTest } from "../../layers/testing.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { isInterruptedExit } from "../../src/internal/dialect.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { fork } from "../dialect.js"

const CREATE = "/open-apis/im/v1/messages"
const REPLY = "/open-apis/im/v1/messages/:message_id/reply"

/** Message routes answering fresh ids (`om_1`, `om_2`, ...); `override` answers first when it returns an answer. */
const messageRoutes = (override?: (request: MockHttp.RecordedRequest) => MockHttp.Answer | undefined) => {
  let n = 0
  const answer = (request: MockHttp.RecordedRequest) => override?.(request) ?? MockHttp.ok({ message_id: `om_${++n}` })
  return [MockHttp.route("POST", CREATE, answer), MockHttp.route("POST", REPLY, answer)]
}

const sent = Effect.map(
  Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests),
  (all) => all.filter((r) => r.path.startsWith("/open-apis/im/"))
)

const bodyOf = (request: MockHttp.RecordedRequest) =>
  (request.body._tag === "Json" ? request.body.value : undefined) as Record<string, unknown>

const contentOf = (request: MockHttp.RecordedRequest) => JSON.parse(bodyOf(request)["content"] as string) as unknown

const bodyMsgType = (request: MockHttp.RecordedRequest) => bodyOf(request)["msg_type"]

describe("send: recipient id type", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ["oc_chat1", "chat_id"],
    ["ou_user1", "open_id"],
    ["on_union1", "union_id"],
    ["alice@example.com", "email"],
    ["a1b2c3", "user_id"]
  ]
  it.effect("the inferred receive_id_type goes on the query, the id in the body", () =>
    Effect.gen(function*() {
      for (const [to] of table) yield* Outbound.send(to, { text: "hi" })
      yield* Outbound.send("ou_user1", { text: "hi" }, { receiveIdType: "user_id" })
      const requests = yield* sent
      assert.deepStrictEqual(
        requests.map((r) => [bodyOf(r)["receive_id"], r.query["receive_id_type"]?.[0]]),
        [...table.map(([to, type]) => [to, type]), ["ou_user1", "user_id"]]
      )
    }).pipe(Effect.provide(layerTest(messageRoutes()))))
})

describe("send: each message kind on the wire", () => {
  const cases: ReadonlyArray<readonly [string, Outbound.OutboundMessage, string, unknown]> = [
    ["bare string (markdown post)", "**hi**", "post", { zh_cn: { content: [[{ tag: "md", text: "**hi**" }]] } }],
    ["text with a mention", { text: "hi", mentions: [{ openId: "ou_bob", name: "Bob" }] }, "text", {
      text: "<at user_id=\"ou_bob\">Bob</at> hi"
    }],
    ["markdown as a card", { markdown: "| a |", style: "card" }, "interactive", {
      schema: "2.0",
      body: { elements: [{ tag: "markdown", content: "| a |" }] }
    }],
    ["post", { post: { en_us: { title: "T", content: [[{ tag: "text", text: "x" }]] } } }, "post", {
      en_us: { title: "T", content: [[{ tag: "text", text: "x" }]] }
    }],
    ["card JSON", { card: { elements: [] } }, "interactive", { elements: [] }],
    ["card id", { cardId: "7355" }, "interactive", { type: "card", data: { card_id: "7355" } }],
    ["template", { template: { id: "AAq1", variables: { n: 1 } } }, "interactive", {
      type: "template",
      data: { template_id: "AAq1", template_variable: { n: 1 } }
    }],
    ["image key", { image: "img_v3_k" }, "image", { image_key: "img_v3_k" }],
    ["image key with caption", { image: "img_v3_k", caption: "look" }, "post", {
      zh_cn: { content: [[{ tag: "img", image_key: "img_v3_k" }], [{ tag: "text", text: "look" }]] }
    }],
    ["file key", { file: "file_v3_k" }, "file", { file_key: "file_v3_k" }],
    ["audio key", { audio: "file_v3_a" }, "audio", { file_key: "file_v3_a" }],
    ["video key with cover key", { video: "file_v3_v", cover: "img_v3_c" }, "media", { file_key: "file_v3_v", image_key: "img_v3_c" }],
    ["share chat", { shareChat: "oc_other" }, "share_chat", { chat_id: "oc_other" }],
    ["share user", { shareUser: "ou_carol" }, "share_user", { user_id: "ou_carol" }],
    ["sticker", { sticker: "st_k" }, "sticker", { file_key: "st_k" }]
  ]
  for (const [name, message, msgType, content] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const result = yield* Outbound.send("oc_chat1", message)
        const [request, ...more] = yield* sent
        assert.strictEqual(more.length, 0, "keys are used as they are: no upload")
        assert.strictEqual(bodyMsgType(request!), msgType)
        assert.deepStrictEqual(contentOf(request!), content)
        assert.deepStrictEqual(result, { messageId: "om_1", chunkIds: ["om_1"] })
      }).pipe(Effect.provide(layerTest(messageRoutes()))))
  }
})

describe("send: chunking", () => {
  it.effect("long text becomes several messages; the uuid goes on the first only", () =>
    Effect.gen(function*() {
      const text = "first line\nsecond line\nthird line"
      const result = yield* Outbound.send("oc_chat1", { text }, { chunkLimit: 12, uuid: "u-1" })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => (contentOf(r) as { text: string }).text), ["first line", "second line", "third line"])
      assert.deepStrictEqual(requests.map((r) => bodyOf(r)["uuid"]), ["u-1", undefined, undefined])
      assert.deepStrictEqual(result, { messageId: "om_1", chunkIds: ["om_1", "om_2", "om_3"] })
    }).pipe(Effect.provide(layerTest(messageRoutes()))))

  it.effect("mentions lead the first text chunk only; markdown chunks are each a post", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_chat1", { text: "aaaa bbbb", mentions: [{ openId: "ou_bob", name: "B" }] }, { chunkLimit: 5 })
      yield* Outbound.send("oc_chat1", "xxxx\nyyyy", { chunkLimit: 5 })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map(contentOf), [
        { text: "<at user_id=\"ou_bob\">B</at> aaaa" },
        { text: "bbbb" },
        { zh_cn: { content: [[{ tag: "md", text: "xxxx" }]] } },
        { zh_cn: { content: [[{ tag: "md", text: "yyyy" }]] } }
      ])
    }).pipe(Effect.provide(layerTest(messageRoutes()))))
})

const flat = { messageId: "om_user", chatId: "oc_chat1", threadId: undefined }
const threaded = { messageId: "om_user", chatId: "oc_chat1", threadId: "omt_1" }

describe("reply", () => {
  it.effect("a flat message: the first chunk replies, later chunks are new messages to the chat", () =>
    Effect.gen(function*() {
      yield* Outbound.reply(flat, { text: "one\ntwo" }, { chunkLimit: 4 })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => r.path), ["/open-apis/im/v1/messages/om_user/reply", CREATE])
      assert.strictEqual(bodyOf(requests[0]!)["reply_in_thread"], undefined)
      assert.deepStrictEqual([bodyOf(requests[1]!)["receive_id"], requests[1]!.query["receive_id_type"]], ["oc_chat1", ["chat_id"]])
    }).pipe(Effect.provide(layerTest(messageRoutes()))))

  it.effect("a message in a thread: every chunk replies in the thread", () =>
    Effect.gen(function*() {
      yield* Outbound.reply(threaded, { text: "one\ntwo" }, { chunkLimit: 4 })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => [r.path, bodyOf(r)["reply_in_thread"]]), [
        ["/open-apis/im/v1/messages/om_user/reply", true],
        ["/open-apis/im/v1/messages/om_user/reply", true]
      ])
    }).pipe(Effect.provide(layerTest(messageRoutes()))))
})

describe("fallbacks", () => {
  const targetGone = (request: MockHttp.RecordedRequest) =>
    request.path.endsWith("/reply") ? MockHttp.fail(230011, "The message was withdrawn.") : undefined

  it.effect("a reply target that is gone becomes a new message in the chat", () =>
    Effect.gen(function*() {
      const result = yield* Outbound.reply(flat, { text: "answer" }, { uuid: "u-9" })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => r.path), ["/open-apis/im/v1/messages/om_user/reply", CREATE])
      assert.deepStrictEqual(bodyOf(requests[1]!), {
        receive_id: "oc_chat1",
        msg_type: "text",
        content: JSON.stringify({ text: "answer" }),
        uuid: "u-9"
      })
      assert.deepStrictEqual(result.chunkIds, ["om_1"])
    }).pipe(Effect.provide(layerTest(messageRoutes(targetGone)))))

  it.effect("in a thread, once the target is known to be gone, later chunks go straight to the chat", () =>
    Effect.gen(function*() {
      const result = yield* Outbound.reply(threaded, { text: "one\ntwo\nthree" }, { chunkLimit: 5 })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => r.path), ["/open-apis/im/v1/messages/om_user/reply", CREATE, CREATE, CREATE])
      assert.deepStrictEqual(result.chunkIds, ["om_1", "om_2", "om_3"])
    }).pipe(Effect.provide(layerTest(messageRoutes(targetGone)))))

  it.effect("with replyTargetGone: \"fail\" it fails as target_revoked and sends nothing else", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.reply(flat, { text: "answer" }, { replyTargetGone: "fail" }))
      assert.strictEqual(error.code, "target_revoked")
      assert.strictEqual(error.larkCode, 230011)
      assert.strictEqual((yield* sent).length, 1)
    }).pipe(Effect.provide(layerTest(messageRoutes(targetGone)))))

  const postRefused = (request: MockHttp.RecordedRequest) =>
    bodyMsgType(request) === "post" ? MockHttp.fail(230001, "invalid message content") : undefined

  it.effect("a post refused as malformed is resent as text", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_chat1", { markdown: "**bold** text" })
      yield* Outbound.send("oc_chat1", { post: { zh_cn: { title: "Title", content: [[{ tag: "text", text: "body" }]] } } })
      const requests = yield* sent
      assert.deepStrictEqual(requests.map(bodyMsgType), ["post", "text", "post", "text"])
      assert.deepStrictEqual(contentOf(requests[1]!), { text: "**bold** text" })
      assert.deepStrictEqual(contentOf(requests[3]!), { text: "Title\nbody" })
    }).pipe(Effect.provide(layerTest(messageRoutes(postRefused)))))

  it.effect("both: a reply whose target is gone, then refused as a post, arrives as a new text message", () =>
    Effect.gen(function*() {
      const result = yield* Outbound.reply(flat, "*hi*")
      const requests = yield* sent
      assert.deepStrictEqual(requests.map((r) => [r.path, bodyMsgType(r)]), [
        ["/open-apis/im/v1/messages/om_user/reply", "post"],
        [CREATE, "post"],
        [CREATE, "text"]
      ])
      assert.strictEqual(result.messageId, "om_1")
    }).pipe(Effect.provide(layerTest(messageRoutes((r) => targetGone(r) ?? (bodyMsgType(r) === "post" ? postRefused(r) : undefined)))))
  )

  it.effect("a malformed text message is not retried: format_error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_chat1", { text: "x" }))
      assert.deepStrictEqual([error._tag, error.code, error.larkCode], ["ChannelSendError", "format_error", 230001])
      assert.strictEqual((yield* sent).length, 1)
    }).pipe(Effect.provide(layerTest(messageRoutes(() => MockHttp.fail(230001, "invalid"))))))

  it.effect("a message with nothing to send is a format_error, nothing sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_chat1", { text: " ".repeat(4_000) }))
      assert.strictEqual(error.code, "format_error")
      assert.strictEqual((yield* sent).length, 0)
    }).pipe(Effect.provide(layerTest(messageRoutes()))))

  it.effect("the bot outside the chat: permission_denied with the log id", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_chat1", { text: "x" }))
      assert.deepStrictEqual([error.code, error.larkCode, error.logId], ["permission_denied", 230002, "log-1"])
    }).pipe(Effect.provide(layerTest(messageRoutes(() => MockHttp.fail(230002, "Bot is not in the chat.", 400, { "x-tt-logid": "log-1" }))))))
})

describe("interruption", () => {
  it.effect("interrupting a send mid-request aborts it and sends no later chunk", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const aborted = yield* Deferred.make<void>()
      const hanging = MockHttp.route("POST", CREATE, () =>
        Effect.andThen(Deferred.succeed(started, undefined), Effect.never).pipe(
          Effect.onInterrupt(() => Deferred.succeed(aborted, undefined))
        ))
      yield* Effect.gen(function*() {
        const fiber = yield* fork(Outbound.send("oc_chat1", { text: "one\ntwo" }, { chunkLimit: 4 }))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(isInterruptedExit(exit))
        yield* Deferred.await(aborted) // the request's fiber was interrupted too: nothing left running
        assert.strictEqual((yield* sent).length, 1)
      }).pipe(Effect.provide(layerTest([hanging])))
    }))
})
