/**
 * The outbound helpers on the wire (MockHttp): edit, recall, reactions, card update, resource download
 * (bytes and stream) and chat info, and how their failures are classified.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { layerTest } from "../../layers/testing.js"
import * as Outbound from "../../src/channel/Outbound.js"
import * as MockHttp from "../../src/testing/MockHttp.js"

const BYTES = new Uint8Array([1, 2, 3, 4])

const routes = [
  MockHttp.route("PUT", "/open-apis/im/v1/messages/:message_id", () => MockHttp.ok({})),
  MockHttp.route("PATCH", "/open-apis/im/v1/messages/:message_id", () => MockHttp.ok({})),
  MockHttp.route("DELETE", "/open-apis/im/v1/messages/:message_id", () => MockHttp.ok({})),
  MockHttp.route("POST", "/open-apis/im/v1/messages/:message_id/reactions", () =>
    MockHttp.ok({ reaction_id: "rx_1", reaction_type: { emoji_type: "THUMBSUP" } })),
  MockHttp.route("DELETE", "/open-apis/im/v1/messages/:message_id/reactions/:reaction_id", () => MockHttp.ok({ reaction_id: "rx_1" })),
  MockHttp.route("GET", "/open-apis/im/v1/messages/:message_id/resources/:file_key", (request) =>
    request.path.endsWith("/gone")
      ? MockHttp.fail(234003, "File not in msg.")
      : { body: BYTES, headers: { "content-type": "application/octet-stream", "content-disposition": "attachment; filename=\"a.bin\"" } }),
  MockHttp.route("GET", "/open-apis/im/v1/chats/:chat_id", () =>
    MockHttp.ok({ name: "Team", description: "d", chat_mode: "group", chat_type: "private", owner_id: "ou_o", user_count: "12", bot_count: "1" }))
]

const last = Effect.map(Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests), (all) => all.at(-1)!)
const bodyOf = (request: MockHttp.RecordedRequest) => (request.body as { value: Record<string, unknown> }).value

describe("message helpers", () => {
  it.effect("editMessage puts the new text or post", () =>
    Effect.gen(function*() {
      yield* Outbound.editMessage("om_1", { text: "fixed" })
      const request = yield* last
      assert.deepStrictEqual([request.method, request.path], ["PUT", "/open-apis/im/v1/messages/om_1"])
      assert.deepStrictEqual(bodyOf(request), { msg_type: "text", content: JSON.stringify({ text: "fixed" }) })
      yield* Outbound.editMessage("om_1", "**md**")
      assert.deepStrictEqual(bodyOf(yield* last)["msg_type"], "post")
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("recallMessage deletes the message", () =>
    Effect.gen(function*() {
      yield* Outbound.recallMessage("om_1")
      const request = yield* last
      assert.deepStrictEqual([request.method, request.path], ["DELETE", "/open-apis/im/v1/messages/om_1"])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("addReaction answers the reaction id; removeReaction deletes it", () =>
    Effect.gen(function*() {
      const reactionId = yield* Outbound.addReaction("om_1", "THUMBSUP")
      assert.strictEqual(reactionId, "rx_1")
      assert.deepStrictEqual(bodyOf(yield* last), { reaction_type: { emoji_type: "THUMBSUP" } })
      yield* Outbound.removeReaction("om_1", reactionId)
      const request = yield* last
      assert.deepStrictEqual([request.method, request.path], ["DELETE", "/open-apis/im/v1/messages/om_1/reactions/rx_1"])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("updateCard patches the card JSON", () =>
    Effect.gen(function*() {
      const card = { schema: "2.0", body: { elements: [{ tag: "markdown", content: "done" }] } }
      yield* Outbound.updateCard("om_1", card)
      const request = yield* last
      assert.deepStrictEqual([request.method, request.path], ["PATCH", "/open-apis/im/v1/messages/om_1"])
      assert.deepStrictEqual(JSON.parse(bodyOf(request)["content"] as string), card)
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a recalled target: target_revoked", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.editMessage("om_1", { text: "x" }))
      assert.deepStrictEqual([error.code, error.larkCode], ["target_revoked", 230011])
    }).pipe(Effect.provide(layerTest([MockHttp.route("PUT", "/open-apis/im/v1/messages/:message_id", () => MockHttp.fail(230011, "withdrawn"))]))))
})

describe("downloads and chat info", () => {
  const resource = { messageId: "om_in", key: "file_v3_k", downloadType: "file" as const }

  it.effect("downloadResource gets the bytes with the resource type and the file name", () =>
    Effect.gen(function*() {
      const file = yield* Outbound.downloadResource(resource)
      assert.deepStrictEqual([file.fileName, [...file.bytes]], ["a.bin", [1, 2, 3, 4]])
      const request = yield* last
      assert.strictEqual(request.path, "/open-apis/im/v1/messages/om_in/resources/file_v3_k")
      assert.deepStrictEqual(request.query["type"], ["file"])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("downloadResourceStream streams the same bytes", () =>
    Effect.gen(function*() {
      const file = yield* Outbound.downloadResourceStream({ ...resource, key: "img_v3_k", downloadType: "image" })
      const chunks = yield* Stream.runCollect(file.stream)
      assert.deepStrictEqual(Array.from(chunks).flatMap((c) => [...c]), [1, 2, 3, 4])
      assert.deepStrictEqual((yield* last).query["type"], ["image"])
    }).pipe(Effect.scoped, Effect.provide(layerTest(routes))))

  it.effect("a missing resource is download_failed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.downloadResource({ ...resource, key: "gone" }))
      assert.deepStrictEqual([error.code, error.larkCode], ["download_failed", 234003])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("getChatInfo reads the chat", () =>
    Effect.gen(function*() {
      const info = yield* Outbound.getChatInfo("oc_1")
      assert.deepStrictEqual(
        { ...info, raw: undefined },
        {
          chatId: "oc_1",
          name: "Team",
          description: "d",
          chatMode: "group",
          chatType: "private",
          ownerId: "ou_o",
          external: false,
          userCount: 12,
          botCount: 1,
          raw: undefined
        }
      )
    }).pipe(Effect.provide(layerTest(routes))))
})
