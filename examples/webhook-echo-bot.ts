/**
 * `npm run example:webhook-echo-bot`: a bot on a plain `node:http` server that receives
 * `im.message.receive_v1` webhooks and echoes each text message back with `im.v1.message.reply`.
 *
 * On the built-in fake Open Platform (the default) the bot listens on a free loopback port and the fake
 * platform's push helper delivers one encrypted, signed message event to it; the reply then shows up in
 * what the fake platform received. With `LARK_APP_ID` / `LARK_APP_SECRET` set it listens on
 * `LARK_ECHO_BOT_PORT` (default 3000) until stopped: point the app's event request URL at it and set
 * `LARK_ENCRYPT_KEY` / `LARK_VERIFICATION_TOKEN` to the app's values.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpClient } from "@effect/platform/HttpClient"
import { Console, Effect, Redacted } from "effect"
import { im } from "../src/api/im/index.js"
import * as EventDispatcher from "../src/events/EventDispatcher.js"
import { handle } from "../src/events/handle.js"
import { appRuntime, callback } from "../src/internal/dialect.js"
import { nodeListener } from "../src/events/nodeListener.js"
import type { LarkConfig } from "../src/LarkConfig.js"
import { platformRedelivery, pushEvent } from "../src/testing/pushEvent.js"
import { example as defineExample, isMain, runExample, wholeNumber } from "./run.js"

/** The webhook secrets; empty settings mean "not configured". */
export interface Secrets {
  readonly encryptKey: Redacted.Redacted<string> | undefined
  readonly verificationToken: Redacted.Redacted<string> | undefined
}

/** The text of a text message's `content` (JSON `{"text": ...}`), if it is one. */
const textOf = (messageType: string | undefined, content: string | undefined): string | undefined => {
  if (messageType !== "text" || content === undefined) return undefined
  try {
    const text: unknown = JSON.parse(content).text
    return typeof text === "string" ? text : undefined
  } catch {
    return undefined
  }
}

/** The bot: every text message a user sends is answered, in reply, with `echo: <text>`. */
export const echoBot = (secrets: Secrets) =>
  EventDispatcher.make(secrets).on("im.message.receive_v1", ({ event }) =>
    Effect.gen(function*() {
      const message = event.message
      // bots (this one included) are not echoed, so two bots never talk forever
      if (event.sender?.sender_type !== "user" || message?.message_id === undefined) return
      const text = textOf(message.message_type, message.content)
      yield* Console.log(`received message ${message.message_id}: ${JSON.stringify(text ?? message.message_type)}`)
      const reply = yield* im.v1.message.reply({
        path: { message_id: message.message_id },
        data: { msg_type: "text", content: JSON.stringify({ text: text === undefined ? "I can only echo text" : `echo: ${text}` }) }
      })
      yield* Console.log(`replied with message ${reply.message_id}`)
    }))

/** Serves the bot on 127.0.0.1 (`port` 0: a free one) for the scope; answers its webhook URL. */
export const serve = (port: number, secrets: Secrets) =>
  Effect.gen(function*() {
    const listener = nodeListener(handle(echoBot(secrets)), yield* appRuntime<LarkConfig | HttpClient>())
    const server = createServer(listener)
    yield* Effect.acquireRelease(
      callback<void>((resume) => void server.listen(port, "127.0.0.1", () => resume(Effect.void))),
      () => callback<void>((resume) => void server.close(() => resume(Effect.void)))
    )
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`
  })

/** The message event the self-test pushes: a user writing "hello" in a group chat. */
export const sampleEvent = {
  version: "v2",
  type: "im.message.receive_v1",
  event: {
    sender: { sender_id: { open_id: "ou_demo_user" }, sender_type: "user", tenant_key: "fake_tenant" },
    message: {
      message_id: "om_demo_incoming",
      chat_id: "oc_demo_chat",
      chat_type: "group",
      message_type: "text",
      content: JSON.stringify({ text: "hello" })
    }
  }
} as const

const secretOf = (value: string) => (value === "" ? undefined : Redacted.make(value))

export const example = defineExample({
  name: "webhook-echo-bot",
  summary: "receives message events on a node:http webhook and replies to each one",
  settings: {
    LARK_ECHO_BOT_PORT: { description: "the port to listen on (0: any free one)", fake: "0", default: "3000" },
    LARK_ENCRYPT_KEY: { description: "the app's Encrypt Key (events are encrypted and signed)", fake: "echo-bot-key", default: "" },
    LARK_VERIFICATION_TOKEN: { description: "the app's Verification Token", fake: "echo-bot-token", default: "" },
    LARK_ECHO_BOT_SELF_TEST: {
      description: "1: push one sample message event to the bot, then stop (fake platform only)",
      fake: "1",
      default: ""
    }
  },
  program: (env) =>
    Effect.scoped(Effect.gen(function*() {
      const port = yield* wholeNumber("LARK_ECHO_BOT_PORT", env.LARK_ECHO_BOT_PORT, 0, 65535)
      const secrets: Secrets = {
        encryptKey: secretOf(env.LARK_ENCRYPT_KEY),
        verificationToken: secretOf(env.LARK_VERIFICATION_TOKEN)
      }
      const url = yield* serve(port, secrets)
      yield* Console.log(`echo bot listening on ${url}`)
      if (env.LARK_ECHO_BOT_SELF_TEST !== "1") return yield* Effect.never
      yield* Console.log("pushing one encrypted, signed im.message.receive_v1 event to it, as the platform would")
      // redeliveries (if the bot failed) 10,000 times sooner than the platform's 15 s, 5 min, 1 h, 6 h
      const attempts = yield* pushEvent(url, sampleEvent, { ...secrets, redelivery: platformRedelivery(0.0001) })
      for (const attempt of attempts) {
        yield* Console.log(
          attempt._tag === "Answered"
            ? `the webhook answered ${attempt.status} ${attempt.body}`
            : `the webhook was unreachable: ${attempt.reason}`
        )
      }
      return attempts
    }))
})

if (isMain(import.meta.url)) void runExample(example)
