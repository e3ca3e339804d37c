/**
 * `npm run example:channel-stream-reply`: a `Channel` bot that answers with a growing card, the way an
 * LLM bot shows its answer while it is being generated. The "LLM" here is a fake: a `Stream<string>` of
 * words with a pause between them; any real client's token stream plugs in the same way.
 *
 * `streamReply` creates a CardKit card in streaming mode, replies with it, writes the text received so
 * far at most a few times a second, and switches streaming off when the stream ends (or marks the card
 * when it fails or is interrupted).
 *
 * On the built-in fake Open Platform (the default) a fake user asks a question over the fake long
 * connection and the card's updates are printed. With `LARK_APP_ID` / `LARK_APP_SECRET` set it connects
 * to the real platform and runs until stopped (Ctrl-C); the app needs the CardKit scope besides messages.
 */
import { Console, Effect, Option, Schedule, Stream } from "effect"
import * as WsLayer from "../layers/ws.js"
import { Channel, type ChannelService } from "../src/channel/Channel.js"
import * as FakeChat from "../src/testing/FakeChat.js"
import { FakeLongConnection } from "../src/testing/FakeLongConnection.js"
import { FakeOpenPlatform } from "../src/testing/FakeOpenPlatform.js"
import { example as defineExample, isMain, runExample } from "./run.js"
import { fakePlatform } from "./ws-echo-bot.js"

/** A stand-in for an LLM client: the answer to `question`, a word at a time. */
export const fakeLlm = (question: string): Stream.Stream<string> =>
  Stream.fromIterable(
    `You asked: "${question}". Here is a long answer, written one word at a time, so that you can watch it grow.`
      .split(/(?<= )/)
  ).pipe(Stream.schedule(Schedule.spaced("40 millis")))

// ---- the bot -------------------------------------------------------------------------------------
export const streamingBot = (channel: ChannelService) =>
  channel.on("Message", (message) => channel.streamReply(message, fakeLlm(message.bodyText), { title: "Fake LLM" }))
// ---------------------------------------------------------------------------------------------------

/** A fake user asks; the card's life is printed from what the fake platform recorded. */
const selfTest = (ws: FakeLongConnection.Service, platform: FakeOpenPlatform.Service) =>
  Effect.gen(function*() {
    const chat = FakeChat.make(ws, { chatId: "oc_demo_dm", chatType: "p2p" })
    yield* Console.log("Alice: what is a streaming card?")
    const { frameId } = yield* chat.say({ openId: "ou_demo_alice", name: "Alice" }, "what is a streaming card?")
    // the bot acknowledges once its handler (the whole streamed answer) finished
    yield* ws.until((v) => v.acks.some((ack) => ack.messageId === frameId))
    const [card] = yield* platform.channel.cards
    if (card === undefined) return yield* Console.log("the bot made no card")
    yield* Console.log(`the bot replied with card ${card.cardId} and updated it ${card.contentUpdates.length} times:`)
    for (const update of card.contentUpdates) yield* Console.log(`  #${update.sequence}: ${update.content}`)
    yield* Console.log(`streaming mode at the end: ${card.streaming ? "on" : "off"}`)
    return card
  })

export const example = defineExample({
  name: "channel-stream-reply",
  summary: "a Channel bot that streams a generated answer into one card",
  settings: {
    LARK_STREAM_BOT_SELF_TEST: {
      description: "1: let a fake user ask one question, then stop (fake platform only)",
      fake: "1",
      default: ""
    }
  },
  program: (env) =>
    Effect.scoped(Effect.gen(function*() {
      const channel = yield* Channel.make().pipe(Effect.provide(WsLayer.layer))
      yield* streamingBot(channel)
      yield* channel.connect
      const ws = yield* Effect.serviceOption(FakeLongConnection)
      const platform = yield* Effect.serviceOption(FakeOpenPlatform)
      if (Option.isNone(ws) || Option.isNone(platform) || env.LARK_STREAM_BOT_SELF_TEST !== "1") return yield* Effect.never
      return yield* selfTest(ws.value, platform.value)
    }))
})

if (isMain(import.meta.url)) void runExample(example, fakePlatform)
