/**
 * The outbound side end to end against the fake Open Platform on 127.0.0.1, over the real Node transport:
 * send, reply (and its gone-target fallback), an image upload, a streamed reply into a CardKit card,
 * edits, recall, reactions (and removing the bot's by emoji), a resource download and chat info.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Stream } from "effect"
import { layer } from "../../layers/index.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { type RecordedBody } from "../../src/testing/FakeOpenPlatform.js"
import { withPlatformOn } from "../fixtures/platform.js"

const withPlatform = withPlatformOn(layer)

const question = { messageId: "om_user_question", chatId: "oc_team", threadId: undefined }

const jsonBody = (body: RecordedBody) => {
  assert.strictEqual(body._tag, "Json")
  return (body as Extract<RecordedBody, { _tag: "Json" }>).value as Record<string, unknown>
}

describe("outbound on the fake Open Platform (loopback)", () => {
  it.live("send, reply, an uploaded image and a streamed reply", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const sent = yield* Outbound.send("ou_alice", { text: "hello" })
        const [create] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
        assert.deepStrictEqual(create!.query["receive_id_type"], ["open_id"])
        assert.match(sent.messageId, /^om_/)

        const replied = yield* Outbound.reply(question, "**answer**")
        const [reply] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.strictEqual(reply!.path, "/open-apis/im/v1/messages/om_user_question/reply")
        assert.strictEqual(jsonBody(reply!.body)["msg_type"], "post")
        assert.deepStrictEqual(replied.chunkIds, [replied.messageId])

        // the fake checks that an image message names an image uploaded there
        yield* Outbound.send("oc_team", { image: new Uint8Array([137, 80, 78, 71]) })
        const [upload] = yield* fake.callsTo("POST", "/open-apis/im/v1/images")
        assert.strictEqual(upload!.body._tag, "Multipart")

        const pieces = ["Streaming ", "works ", "end ", "to ", "end."]
        const streamed = yield* Outbound.streamReply(
          question,
          Stream.fromIterable(pieces).pipe(Stream.schedule(Schedule.spaced("30 millis"))),
          { updatesPerSecond: 20 }
        )
        const [card] = yield* fake.channel.cards
        assert.strictEqual(card!.cardId, streamed.cardId)
        assert.deepStrictEqual(card!.elements, { answer: pieces.join("") })
        assert.isFalse(card!.streaming, "streaming mode is off at the end")
        assert.isAtLeast(card!.contentUpdates.length, 1)
        const replies = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.deepStrictEqual(JSON.parse(jsonBody(replies.at(-1)!.body)["content"] as string), {
          type: "card",
          data: { card_id: streamed.cardId }
        })
      })))

  it.live("a reply to a withdrawn message arrives as a new message in the chat", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        yield* Outbound.recallMessage(question.messageId) // the fake then refuses replies to it with 230011
        const result = yield* Outbound.reply(question, { text: "still here" })
        const [refused] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.strictEqual(refused?.path, `/open-apis/im/v1/messages/${question.messageId}/reply`)
        const [create] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
        assert.deepStrictEqual(create!.query["receive_id_type"], ["chat_id"])
        assert.strictEqual(jsonBody(create!.body)["receive_id"], "oc_team")
        assert.match(result.messageId, /^om_/)
      })))

  it.live("edit, reactions, recall, a resource download and chat info", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const { messageId } = yield* Outbound.send("oc_team", { text: "draft" })
        yield* Outbound.editMessage(messageId, { text: "final" })
        const reactionId = yield* Outbound.addReaction(messageId, "DONE")
        yield* Outbound.removeReaction(messageId, reactionId)
        yield* Outbound.recallMessage(messageId)
        const afterRecall = yield* Effect.flip(Outbound.editMessage(messageId, { text: "too late" }))
        assert.strictEqual(afterRecall.code, "target_revoked")

        assert.deepStrictEqual((yield* fake.channel.edits).map((e) => [e.messageId, e.kind, e.content]), [
          [messageId, "update", JSON.stringify({ text: "final" })]
        ])
        assert.deepStrictEqual((yield* fake.channel.reactions).map((r) => [r.emojiType, r.removed]), [["DONE", true]])
        assert.deepStrictEqual(yield* fake.channel.recalls, [messageId])
        yield* fake.reset // forgets the channel records with the calls
        assert.deepStrictEqual([yield* fake.channel.edits, yield* fake.channel.reactions, yield* fake.channel.recalls], [[], [], []])

        yield* fake.channel.addResource("om_user_question", "file_v3_in", {
          kind: "file",
          fileName: "报告.pdf",
          contentType: "application/pdf",
          bytes: new Uint8Array([37, 80, 68, 70])
        })
        const file = yield* Outbound.downloadResource({ messageId: "om_user_question", key: "file_v3_in", downloadType: "file" })
        assert.deepStrictEqual([file.fileName, [...file.bytes]], ["报告.pdf", [37, 80, 68, 70]])

        yield* fake.channel.setChat("oc_team", { name: "Team", chat_mode: "topic", user_count: "7" })
        const info = yield* Outbound.getChatInfo("oc_team")
        assert.deepStrictEqual([info.name, info.chatMode, info.userCount], ["Team", "topic", 7])
      })))

  it.live("removeReactionByEmoji removes the bot's own reactions of that emoji only, over every page of the list", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const { messageId } = yield* Outbound.send("oc_team", { text: "working on it" })
        // 60 users' OK reactions first, so the bot's own OK is on the second page of 50
        for (let i = 0; i < 60; i++) yield* fake.channel.addUserReaction(messageId, "OK", `ou_user_${i}`)
        const ownOk = yield* Outbound.addReaction(messageId, "OK")
        const ownDone = yield* Outbound.addReaction(messageId, "DONE")

        assert.strictEqual(yield* Outbound.removeReactionByEmoji(messageId, "OK"), 1)
        const reactions = yield* fake.channel.reactions
        assert.deepStrictEqual(reactions.filter((r) => r.removed).map((r) => r.reactionId), [ownOk])
        assert.isFalse(reactions.find((r) => r.reactionId === ownDone)!.removed)
        const lists = yield* fake.callsTo("GET", "/open-apis/im/v1/messages/:message_id/reactions")
        assert.deepStrictEqual(lists.map((c) => c.query["reaction_type"]), [["OK"], ["OK"]])
        assert.isDefined(lists[1]!.query["page_token"])

        assert.strictEqual(yield* Outbound.removeReactionByEmoji(messageId, "OK"), 0, "nothing left of the bot's")
        // the fake, like the platform, refuses to delete another operator's reaction
        const othersId = reactions.find((r) => r.operatorType === "user")!.reactionId
        assert.strictEqual((yield* Effect.flip(Outbound.removeReaction(messageId, othersId))).larkCode, 231002)
      })))
})
