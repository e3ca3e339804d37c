/**
 * Cards.send / reply / update against the fake Open Platform on 127.0.0.1 (real Node transport): what goes
 * on the wire, what the fake stores, a card refused before anything is sent, and the fake's own card check
 * (230099) for a card that bypasses the builders. Then a card callback answered with a built card.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { layer } from "../../layers/index.js"
import * as message from "../../src/api/im/v1/message.js"
import { Card, Cards } from "../../src/cards/index.js"
import { CardResponse } from "../../src/events/callbacks.js"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { type RecordedCall } from "../../src/testing/FakeOpenPlatform.js"
import { withPlatformOn } from "../fixtures/platform.js"

const withPlatform = withPlatformOn(layer)

const jsonBody = (call: RecordedCall | undefined): Record<string, unknown> => {
  assert.strictEqual(call?.body._tag, "Json")
  return (call!.body as Extract<RecordedCall["body"], { _tag: "Json" }>).value as Record<string, unknown>
}

const approval = Card.make({
  header: Card.header("Leave request", { template: "orange" }),
  elements: [
    Card.markdown("Alice asks for **2 days**", { element_id: "summary" }),
    Card.form("decide", [Card.input("note", { placeholder: "A note" }), Card.submit("Approve", "approve", { type: "primary" })])
  ]
})

describe("Cards on the fake Open Platform (loopback)", () => {
  it.live("send, reply and update carry the card as interactive content; the fake stores them", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const sent = yield* Cards.send("oc_team", approval)
        const [create] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
        assert.deepStrictEqual(create!.query["receive_id_type"], ["chat_id"]) // guessed from the oc_ prefix
        const created = jsonBody(create)
        assert.strictEqual(created["receive_id"], "oc_team")
        assert.strictEqual(created["msg_type"], "interactive")
        assert.deepStrictEqual(JSON.parse(created["content"] as string), approval)
        assert.strictEqual(sent.msg_type, "interactive")
        assert.deepStrictEqual(JSON.parse(sent.body?.content ?? "null"), approval)

        const done = Card.make({ elements: [Card.markdown("Approved")] })
        yield* Cards.reply(sent.message_id!, done, { replyInThread: true, uuid: "r-1" })
        const [reply] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply")
        assert.strictEqual(reply!.path, `/open-apis/im/v1/messages/${sent.message_id}/reply`)
        assert.deepStrictEqual(jsonBody(reply), { msg_type: "interactive", content: JSON.stringify(done), reply_in_thread: true, uuid: "r-1" })

        yield* Cards.update(sent.message_id!, done)
        const edits = yield* fake.channel.edits
        assert.deepStrictEqual(edits, [{ messageId: sent.message_id!, kind: "patch", msgType: undefined, content: JSON.stringify(done) }])

        // node-sdk's createByCard: a template card, the id type given explicitly
        yield* Cards.send("someone@example.com", Card.template("AAq1", { n: 1 }), { receiveIdType: "email" })
        const creates = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
        assert.deepStrictEqual(creates[1]!.query["receive_id_type"], ["email"])
        assert.deepStrictEqual(JSON.parse(jsonBody(creates[1])["content"] as string), {
          type: "template",
          data: { template_id: "AAq1", template_variable: { n: 1 } }
        })
      })))

  it.live("a card the platform would refuse fails with LarkCardError and nothing is sent", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const bad = Card.make({ elements: [Card.submit("Go", "go")] })
        const error = yield* Effect.flip(Cards.send("oc_team", bad))
        assert.strictEqual(error._tag, "LarkCardError")
        assert.strictEqual(error._tag === "LarkCardError" ? error.reason : undefined, "FormActionOutsideForm")
        const updated = yield* Effect.flip(Cards.update("om_1", bad))
        assert.strictEqual(updated._tag, "LarkCardError")
        assert.deepStrictEqual(yield* fake.callsTo("POST", "/open-apis/im/v1/messages"), [])
        assert.deepStrictEqual(yield* fake.channel.edits, [])
      })))

  it.live("the fake refuses an invalid 2.0 card sent without the builders (230099), and takes 1.0 cards", () =>
    withPlatform(() =>
      Effect.gen(function*() {
        const send = (content: unknown) =>
          message.create({
            params: { receive_id_type: "chat_id" },
            data: { receive_id: "oc_team", msg_type: "interactive", content: JSON.stringify(content) }
          })
        const duplicate = { schema: "2.0", body: { elements: [{ tag: "hr", element_id: "x" }, { tag: "hr", element_id: "x" }] } }
        const refused = yield* Effect.flip(send(duplicate))
        assert.strictEqual(refused._tag, "LarkApiError")
        assert.strictEqual(refused._tag === "LarkApiError" ? refused.code : 0, 230099)
        assert.match(refused.message, /ErrCode: 200621; ErrPath: body\.elements\[1\]/)

        const oldTag = yield* Effect.flip(send({ schema: "2.0", body: { elements: [{ tag: "action", actions: [] }] } }))
        assert.match(oldTag.message, /ErrCode: 200861/)

        const patched = yield* Effect.exit(Effect.flip(message.patch({ path: { message_id: "om_1" }, data: { content: JSON.stringify(duplicate) } })))
        assert.isTrue(Exit.isSuccess(patched), "the patch should fail")

        // a 1.0 card (no schema) is not checked against the 2.0 rules
        const legacy = yield* send({ elements: [{ tag: "action", actions: [] }] })
        assert.strictEqual(legacy.msg_type, "interactive")
      })))
})

describe("a card callback answered with a built card", () => {
  it.effect("CardResponse.card takes a Card; the reply body carries it as the raw card", () =>
    Effect.gen(function*() {
      const answered = Card.make({ elements: [Card.markdown("Approved by ou_1")] })
      const respond = handle(
        EventDispatcher.make().on("card.action.trigger", ({ event }) =>
          Effect.succeed({
            ...CardResponse.toast("success", "done"),
            ...CardResponse.card(Card.make({ elements: [Card.markdown(`Approved by ${event.operator?.open_id}`)] }))
          }))
      )
      const rawBody = JSON.stringify({
        schema: "2.0",
        header: { event_id: "evt_card_1", event_type: "card.action.trigger", create_time: "1700000000000", app_id: "cli_x", tenant_key: "tk" },
        event: { operator: { open_id: "ou_1" }, action: { tag: "button", value: { approve: true } } }
      })
      const timestamp = "1700000000"
      const reply = yield* respond({
        method: "POST",
        headers: {
          "x-lark-request-timestamp": timestamp,
          "x-lark-request-nonce": "n1",
          "x-lark-signature": Crypto.signature(timestamp, "n1", "", rawBody)
        },
        rawBody
      })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(JSON.parse(reply.body), {
        toast: { type: "success", content: "done" },
        card: { type: "raw", data: answered }
      })
    }))
})
