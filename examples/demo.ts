/**
 * `npm run demo`: sends a text message and an image through lark-effect: `send-text` and `send-image` in
 * one go.
 *
 * Without credentials it starts the fake Open Platform in this process and prints what the platform
 * received. With `LARK_APP_ID` / `LARK_APP_SECRET` (and `LARK_DEMO_RECEIVE_ID`) it talks to the real one.
 */
import { Effect } from "effect"
import { example as defineExample, isMain, receiver, receiverSettings, runExample } from "./run.js"
import { PIXEL, sendImage } from "./send-image.js"
import { sendText } from "./send-text.js"

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

if (isMain(import.meta.url)) void runExample(example)
