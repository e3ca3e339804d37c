/**
 * The channel core on Effect 4: a webhook `Channel` over the test kit's `MockHttp` (the platform's side: the bot's
 * identity, the tenant token, the reply). One `im.message.receive_v1` event is pushed to `channel.webhook`: it is
 * normalized, admitted, queued on its chat and handed to the `Message` handler, which replies. The same event again
 * (same event id) is not handled again; the same message under another event id is a `Rejected` duplicate.
 * Prints one JSON line for tests/effect4/edition.test.ts.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { Channel } from "../src/channel/Channel.js"
import * as LarkConfig from "../src/LarkConfig.js"
import * as MockHttp from "../src/testing/MockHttp.js"

const BOT = "ou_bot"

const routes = [
  // the bot's identity answers flat, as the platform does
  MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({ body: { code: 0, msg: "ok", bot: { open_id: BOT, app_name: "Echo" } } })),
  MockHttp.route("POST", "/open-apis/im/v1/messages/:message_id/reply", (request) =>
    MockHttp.ok({ message_id: "om_reply_1", chat_id: "oc_1", msg_type: (request.body as { value: { msg_type: string } }).value.msg_type }))
]

/** An `im.message.receive_v1` envelope from Alice in a p2p chat, as the platform posts it (no Encrypt Key). */
const envelope = (eventId: string, messageId: string) => ({
  schema: "2.0",
  header: {
    event_id: eventId,
    event_type: "im.message.receive_v1",
    create_time: String(Date.now()),
    token: "",
    app_id: "cli_a",
    tenant_key: "tenant_1"
  },
  event: {
    sender: { sender_id: { open_id: "ou_alice", union_id: "on_alice", user_id: "alice" }, sender_type: "user", tenant_key: "tenant_1" },
    message: {
      message_id: messageId,
      root_id: "",
      parent_id: "",
      create_time: String(Date.now()),
      update_time: String(Date.now()),
      chat_id: "oc_1",
      thread_id: "",
      chat_type: "p2p",
      message_type: "text",
      content: JSON.stringify({ text: "hello" })
    }
  }
})

const post = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, rawBody: JSON.stringify(body) })

const program = Effect.gen(function*() {
  const channel = yield* Channel.make({ transport: "webhook" })
  const handled = yield* Ref.make<ReadonlyArray<unknown>>([])
  const rejected = yield* Ref.make<ReadonlyArray<unknown>>([])
  yield* channel.on("Message", (message) =>
    Effect.andThen(
      Ref.update(handled, (all) => [...all, {
        messageId: message.messageId,
        chatId: message.chatId,
        chatType: message.chatType,
        sender: message.sender.openId,
        contentType: message.contentType,
        bodyText: message.bodyText
      }]),
      channel.reply(message, { text: `echo: ${message.bodyText}` })
    ))
  yield* channel.on("Rejected", (event) => Ref.update(rejected, (all) => [...all, { reason: event.reason, messageId: event.messageId }]))
  yield* channel.connect
  const first = yield* channel.webhook(post(envelope("evt_1", "om_1")))
  const again = yield* channel.webhook(post(envelope("evt_1", "om_1")))
  const sameMessage = yield* channel.webhook(post(envelope("evt_2", "om_1")))
  const mock = yield* MockHttp.MockHttp
  const requests = (yield* mock.requests).map((request) => ({ method: request.method, path: request.path, body: request.body }))
  return {
    botOpenId: channel.botIdentity.openId,
    status: (yield* channel.status)._tag,
    statuses: [first.status, again.status, sameMessage.status],
    handled: yield* Ref.get(handled),
    rejected: yield* Ref.get(rejected),
    requests
  }
})

const layer = Layer.merge(MockHttp.layer(routes), LarkConfig.layer({ appId: "cli_a", appSecret: Redacted.make("secret") }))

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(layer))).then((result) => console.log(JSON.stringify(result)))
