/**
 * `npm run example:send-text`: sends a text message with `im.v1.message.create`.
 *
 * On the built-in fake Open Platform by default; with `LARK_APP_ID` / `LARK_APP_SECRET` set, on the real
 * one, sending to `LARK_DEMO_RECEIVE_ID` (see examples/README.md).
 */
import { Console, Effect } from "effect"
import { im } from "../src/api/im/index.js"
import { example as defineExample, isMain, type Receiver, receiver, receiverSettings, runExample } from "./run.js"

/** Sends `text` to `to`; answers the created message. */
export const sendText = (to: Receiver, text: string) =>
  Effect.gen(function*() {
    const message = yield* im.v1.message.create({
      params: { receive_id_type: to.receiveIdType },
      // `content` is the message body as JSON text; for a text message, `{ text }`
      data: { receive_id: to.receiveId, msg_type: "text", content: JSON.stringify({ text }) }
    })
    yield* Console.log(`sent text message ${message.message_id} to chat ${message.chat_id}: ${JSON.stringify(text)}`)
    return message
  })

export const example = defineExample({
  name: "send-text",
  summary: "sends a text message",
  settings: {
    ...receiverSettings,
    LARK_DEMO_TEXT: { description: "the text to send", fake: "hello from lark-effect", default: "hello from lark-effect" }
  },
  program: (env) => Effect.flatMap(receiver(env), (to) => sendText(to, env.LARK_DEMO_TEXT))
})

if (isMain(import.meta.url)) void runExample(example)
