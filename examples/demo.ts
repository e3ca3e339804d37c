/**
 * `npm run demo`: the SDK end to end.
 *
 * On the built-in fake Open Platform (no credentials set) it runs two parts in this process:
 * 1. `send-text` and `send-image` in one go: a text message, an image uploaded and sent, then what the
 *    platform received (secrets masked) and how many tokens were fetched;
 * 2. the `channel-echo-bot`: a `Channel` bot connects over the fake long connection, fake users talk to it
 *    in a group chat, and the conversation is printed.
 *
 * With `LARK_APP_ID` / `LARK_APP_SECRET` (and `LARK_DEMO_RECEIVE_ID`) set it runs the first part against the
 * real platform; `npm run example:channel-echo-bot` runs the bot there.
 */
import { Console, Effect } from "effect"
import { fakeOpenPlatform } from "../layers/testing.js"
import * as ChannelEchoBot from "./channel-echo-bot.js"
import { example as defineExample, isMain, platformOf, receiver, receiverSettings, runMain, runOnFake, runOnReal } from "./run.js"
import { PIXEL, sendImage } from "./send-image.js"
import { sendText } from "./send-text.js"
import { fakePlatform as fakePlatformWithLongConnection } from "./ws-echo-bot.js"

export const example = defineExample({
  name: "demo",
  summary: "sends a text message and an image",
  settings: receiverSettings,
  program: (env) =>
    Effect.gen(function*() {
      const to = yield* receiver(env)
      const text = yield* sendText(to, "hello from lark-effect")
      const image = yield* sendImage(to, new File([PIXEL], "pixel.png", { type: "image/png" }))
      return { text, image }
    })
})

/** Both parts on fresh fake platforms. */
export const onFake = Effect.gen(function*() {
  const sent = yield* Effect.provide(runOnFake(example, process.env), fakeOpenPlatform(example.fake))
  yield* Console.log(`\n${"-".repeat(100)}\n`)
  const conversation = yield* Effect.provide(runOnFake(ChannelEchoBot.example, process.env), fakePlatformWithLongConnection)
  return { sent, conversation }
})

if (isMain(import.meta.url)) {
  void runMain(
    "demo",
    Effect.flatMap(platformOf(process.env), (platform): Effect.Effect<unknown, unknown> => platform === "real" ? runOnReal(example) : onFake)
  )
}
