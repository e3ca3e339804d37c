/**
 * The channel benchmark's `@larksuiteoapi/node-sdk` client: `createLarkChannel` on the long connection (run
 * by `run.ts`). Its text batching is off (`delayMs: 0`): by default it holds a chat's messages for 600 ms and
 * merges up to 8 into one handler call, which would make neither the rate nor the latency comparable.
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { APP } from "../shared/app.js"
import { runClient } from "./client.js"

void runClient(async (url, probe) => {
  const channel = lark.createLarkChannel({
    ...APP,
    domain: url,
    loggerLevel: lark.LoggerLevel.error,
    safety: { batch: { text: { delayMs: 0 } } }
  })
  channel.on("message", async (message) => {
    if (probe.onMessage()) await channel.send(message.chatId, { text: "pong" }, { replyTo: message.messageId })
  })
  await channel.connect()
})
