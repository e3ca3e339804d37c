/**
 * `npm run example:channel-echo-bot`: a `Channel` bot in a dozen lines (`echoBot` below). It echoes what
 * people write to it, sends a card with a button when asked for `card`, and thanks whoever presses it.
 * Group messages reach it only when they mention it (the default policy); duplicates, stale messages and
 * its own messages never do.
 *
 * On the built-in fake Open Platform (the default) fake users talk to it over the fake long connection
 * (`FakeChat`) and the conversation is printed. With `LARK_APP_ID` / `LARK_APP_SECRET` set it connects to
 * the real platform and runs until stopped (Ctrl-C): enable "long connection" event delivery for the app
 * and subscribe to `im.message.receive_v1` and the `card.action.trigger` callback.
 */
import { Console, Effect, Option } from "effect"
import * as WsLayer from "../layers/ws.js"
import { Channel, type ChannelService } from "../src/channel/Channel.js"
import { CardResponse } from "../src/events/callbacks.js"
import * as FakeChat from "../src/testing/FakeChat.js"
import { type Ack, FakeLongConnection } from "../src/testing/FakeLongConnection.js"
import { FakeOpenPlatform } from "../src/testing/FakeOpenPlatform.js"
import { example as defineExample, isMain, runExample } from "./run.js"
import { fakePlatform } from "./ws-echo-bot.js"

/** A card (JSON 2.0) with one button whose press comes back as a `CardAction` with this `value`. */
export const likeCard = {
  schema: "2.0",
  body: {
    elements: [
      { tag: "markdown", content: "Do you like this bot?" },
      { tag: "button", text: { tag: "plain_text", content: "👍 Like" }, behaviors: [{ type: "callback", value: { vote: "like" } }] }
    ]
  }
}

// ---- the bot -------------------------------------------------------------------------------------
export const echoBot = (channel: ChannelService) =>
  Effect.all([
    channel.on("Message", (message) =>
      message.bodyText.trim() === "card"
        ? channel.reply(message, { card: likeCard })
        : channel.reply(message, { text: `echo: ${message.bodyText}` })),
    channel.on("CardAction", (action) =>
      Effect.succeed(CardResponse.toast("success", `Thanks for the ${(action.action.value as { vote?: string }).vote ?? "click"}!`)))
  ])
// ---------------------------------------------------------------------------------------------------

/** The bot's replies the fake platform recorded after the first `seen`, one line each. */
const newReplies = (platform: FakeOpenPlatform.Service, seen: number) =>
  Effect.map(platform.callsTo("POST", "/open-apis/im/v1/messages/:message_id/reply"), (calls) =>
    calls.slice(seen).map((call) => {
      const body = call.body._tag === "Json" ? (call.body.value as { msg_type: string; content: string }) : undefined
      return body?.msg_type === "text" ? `bot: ${JSON.parse(body.content).text}` : `bot sends a message of type ${body?.msg_type}: ${body?.content}`
    }))

/** Fake users talk to the bot; the conversation is printed from what the fake platform saw. */
const selfTest = (ws: FakeLongConnection.Service, platform: FakeOpenPlatform.Service) =>
  Effect.gen(function*() {
    const alice: FakeChat.ChatUser = { openId: "ou_demo_alice", name: "Alice" }
    const chat = FakeChat.make(ws, { chatId: "oc_demo_group", chatType: "group" })
    const acks: Array<Ack> = []
    let replies = 0
    /** Pushes, waits for the bot's ack (it acks once its handlers finished), prints its replies. */
    const turn = (line: string, pushed: Effect.Effect<FakeChat.Pushed>) =>
      Effect.gen(function*() {
        yield* Console.log(line)
        const { frameId } = yield* pushed
        yield* ws.until((v) => v.acks.some((ack) => ack.messageId === frameId))
        const ack = (yield* ws.acks).find((ack) => ack.messageId === frameId)!
        acks.push(ack)
        const said = yield* newReplies(platform, replies)
        replies += said.length
        for (const reply of said) yield* Console.log(reply)
        return ack
      })
    yield* turn("Alice: @Fake Bot hello", chat.say(alice, "hello", { mentionBot: true }))
    yield* turn("Alice: @Fake Bot card", chat.say(alice, "card", { mentionBot: true }))
    yield* turn("Alice: lunch? (no mention: not for the bot)", chat.say(alice, "lunch?"))
    const click = yield* turn("Alice presses 👍 Like", chat.click({ from: alice, messageId: "om_demo_card", value: { vote: "like" } }))
    yield* Console.log(`bot (answering the click): ${JSON.stringify(click.data)}`)
    return acks
  })

export const example = defineExample({
  name: "channel-echo-bot",
  summary: "a Channel bot: echoes text, sends a card with a button, answers the button",
  settings: {
    LARK_ECHO_BOT_SELF_TEST: {
      description: "1: let fake users talk to the bot, then stop (fake platform only)",
      fake: "1",
      default: ""
    }
  },
  program: (env) =>
    Effect.scoped(Effect.gen(function*() {
      const channel = yield* Channel.make().pipe(Effect.provide(WsLayer.layer))
      yield* echoBot(channel)
      yield* channel.connect
      yield* Console.log(`${channel.botIdentity.name ?? "the bot"} (${channel.botIdentity.openId}) is connected`)
      const ws = yield* Effect.serviceOption(FakeLongConnection)
      const platform = yield* Effect.serviceOption(FakeOpenPlatform)
      if (Option.isNone(ws) || Option.isNone(platform) || env.LARK_ECHO_BOT_SELF_TEST !== "1") return yield* Effect.never
      return yield* selfTest(ws.value, platform.value)
    }))
})

if (isMain(import.meta.url)) void runExample(example, fakePlatform)
