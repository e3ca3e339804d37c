/**
 * The channel benchmark's `@larksuiteoapi/node-sdk` client: `createLarkChannel` on the long connection or on
 * the webhook transport (run by `run.ts`). On the webhook, the channel's event dispatcher is plugged into a
 * node:http server with node-sdk's own adapter (`adaptDefault`), Encrypt Key and Verification Token
 * configured. Its text batching is off (`delayMs: 0`): by default it holds a chat's messages for 600 ms and
 * merges up to 8 into one handler call, which would make neither the rate nor the latency comparable.
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { APP, WEBHOOK } from "../shared/app.js"
import { runClient, serveWebhook, WEBHOOK_PATH } from "./client.js"

void runClient(async (url, transport, probe) => {
  const channel = lark.createLarkChannel({
    ...APP,
    domain: url,
    transport: transport === "webhook" ? "webhook" : "websocket",
    webhook: WEBHOOK,
    loggerLevel: lark.LoggerLevel.error,
    safety: { batch: { text: { delayMs: 0 } } }
  })
  channel.on("message", async (message) => {
    if (probe.onMessage()) await channel.send(message.chatId, { text: "pong" }, { replyTo: message.messageId })
  })
  await channel.connect()
  if (transport === "ws") return undefined
  // what node-sdk's webhook transport leaves to the app: its dispatcher (private in the typings) on a route
  const { dispatcher } = channel as unknown as { readonly dispatcher: lark.EventDispatcher }
  return serveWebhook(lark.adaptDefault(WEBHOOK_PATH, dispatcher))
})
