/**
 * `npm run example:ws-echo-bot`: the echo bot of `webhook-echo-bot`, receiving its `im.message.receive_v1`
 * events over the long connection instead: no public URL, no Encrypt Key. Each text message is answered
 * with `im.v1.message.reply`.
 *
 * On the built-in fake Open Platform (the default) the fake long-connection server pushes one message
 * event over the socket; the reply shows up in what the fake platform received, and the event's ack in
 * the output. With `LARK_APP_ID` / `LARK_APP_SECRET` set it connects to the real platform and runs until
 * stopped (Ctrl-C): enable "long connection" event delivery for the app and subscribe to
 * `im.message.receive_v1`.
 */
import { Console, Effect, Fiber, Layer, Option, Stream } from "effect"
import * as WsLayer from "../layers/ws.js"
import { fakeOpenPlatform } from "../layers/testing.js"
import { changesOf } from "../src/internal/dialect.js"
import { FakeLongConnection, layer as fakeLongConnection } from "../src/testing/FakeLongConnection.js"
import * as LongConnection from "../src/ws/LongConnection.js"
import { example as defineExample, isMain, runExample } from "./run.js"
import { echoBot, sampleEvent } from "./webhook-echo-bot.js"

const bot = echoBot({ encryptKey: undefined, verificationToken: undefined })

/** Prints every state change of the connection. */
const logStates = (state: LongConnection.Options["state"] & {}) =>
  changesOf(state).pipe(
    Stream.runForEach((s) =>
      Console.log(
        s._tag === "Reconnecting"
          ? `long connection: reconnecting (attempt ${s.attempt}): ${s.error}`
          : `long connection: ${s._tag.toLowerCase()}`
      )
    )
  )

export const example = defineExample({
  name: "ws-echo-bot",
  summary: "receives message events over the long connection and replies to each one",
  settings: {
    LARK_ECHO_BOT_SELF_TEST: {
      description: "1: push one sample message event over the socket, then stop (fake platform only)",
      fake: "1",
      default: ""
    }
  },
  program: (env) =>
    Effect.scoped(Effect.gen(function*() {
      const state = yield* LongConnection.makeState
      yield* Effect.forkScoped(logStates(state))
      const running = yield* LongConnection.run(bot, { state }).pipe(Effect.provide(WsLayer.layer), Effect.forkScoped)
      const fake = yield* Effect.serviceOption(FakeLongConnection)
      if (Option.isNone(fake) || env.LARK_ECHO_BOT_SELF_TEST !== "1") return yield* Fiber.join(running)

      yield* changesOf(state).pipe(Stream.takeUntil((s) => s._tag === "Connected"), Stream.runDrain)
      yield* Console.log("the fake platform pushes one im.message.receive_v1 event over the socket")
      const id = yield* fake.value.push({
        schema: "2.0",
        header: { event_id: "evt_ws_demo", event_type: sampleEvent.type, create_time: "1700000000000" },
        event: sampleEvent.event
      })
      yield* fake.value.until((v) => v.acks.some((ack) => ack.messageId === id))
      const acks = (yield* fake.value.acks).filter((ack) => ack.messageId === id)
      for (const ack of acks) yield* Console.log(`the bot acknowledged the event: code ${ack.code}, handled in ${ack.bizRt} ms`)
      return acks
    }))
})

/** The fake Open Platform with the long-connection server behind its `/callback/ws/endpoint`. */
export const fakePlatform = fakeOpenPlatform().pipe(Layer.provideMerge(fakeLongConnection()))

if (isMain(import.meta.url)) void runExample(example, fakePlatform)
