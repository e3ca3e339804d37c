/**
 * `npm run example:send-image`: uploads an image with `im.v1.image.create`, then sends it as an image
 * message (`msg_type: "image"`, content `{ image_key }`).
 *
 * On the built-in fake Open Platform by default; with `LARK_APP_ID` / `LARK_APP_SECRET` set, on the real
 * one, sending to `LARK_DEMO_RECEIVE_ID` (see examples/README.md).
 */
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Console, Effect } from "effect"
import { im } from "../src/api/im/index.js"
import {
  cannotRead,
  example as defineExample,
  type ExampleSetupError,
  isMain,
  present,
  type Receiver,
  receiver,
  receiverSettings,
  runExample
} from "./run.js"

/** A 1×1 PNG, sent when no image file is given. */
export const PIXEL = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64")
)

/** Uploads `image` (its name and type go along, as a `File` carries them) and sends it to `to`. */
export const sendImage = (to: Receiver, image: File) =>
  Effect.gen(function*() {
    const uploaded = yield* im.v1.image.create({ data: { image_type: "message", image } })
    // every answer field is optional in the catalog: check it, or the content below would be `{}`
    const imageKey = yield* present(uploaded.image_key, "an image_key")
    yield* Console.log(`uploaded image ${image.name} (${image.size} bytes) as ${imageKey}`)
    const message = yield* im.v1.message.create({
      params: { receive_id_type: to.receiveIdType },
      data: { receive_id: to.receiveId, msg_type: "image", content: JSON.stringify({ image_key: imageKey }) }
    })
    yield* Console.log(`sent image message ${message.message_id} to chat ${message.chat_id}`)
    return { imageKey, message }
  })

const imageTypes: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp"
}

/** The image at `path`, or the built-in pixel when `path` is empty. */
export const loadImage = (path: string): Effect.Effect<File, ExampleSetupError> =>
  path === ""
    ? Effect.succeed(new File([PIXEL], "pixel.png", { type: "image/png" }))
    : Effect.tryPromise({
      try: () => readFile(path),
      catch: cannotRead("LARK_DEMO_IMAGE", path)
    }).pipe(Effect.map((bytes) => {
      const name = basename(path)
      const type = imageTypes[name.slice(name.lastIndexOf(".")).toLowerCase()] ?? "application/octet-stream"
      return new File([bytes], name, { type })
    }))

export const example = defineExample({
  name: "send-image",
  summary: "uploads an image and sends it in a message",
  settings: {
    ...receiverSettings,
    LARK_DEMO_IMAGE: { description: "a PNG, JPEG, GIF or WEBP file to send (else a built-in 1×1 PNG)", fake: "", default: "" }
  },
  program: (env) =>
    Effect.gen(function*() {
      const to = yield* receiver(env)
      const image = yield* loadImage(env.LARK_DEMO_IMAGE)
      return yield* sendImage(to, image)
    })
})

if (isMain(import.meta.url)) void runExample(example)
