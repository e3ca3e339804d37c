/**
 * `npm run demo`: sends a text message and an image through lark-effect.
 *
 * Without credentials it starts the fake Open Platform in this process and prints what the platform
 * received. With `LARK_APP_ID` / `LARK_APP_SECRET` (and `LARK_DEMO_RECEIVE_ID`) it talks to the real one.
 */
import { Console, Effect, Redacted } from "effect"
import { LarkLive, layer as larkLayer } from "../layers/index.js"
import { fakeOpenPlatform } from "../layers/testing.js"
import { im } from "../src/api/im/index.js"
import { FakeOpenPlatform, type RecordedCall } from "../src/testing/FakeOpenPlatform.js"

/** A 1×1 PNG. */
const PIXEL = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64")
)

type ReceiveIdType = "open_id" | "user_id" | "union_id" | "email" | "chat_id"

/** The SDK calls the demo makes; the same code runs against the fake and the real platform. */
const sendTextAndImage = (receiveId: string, receiveIdType: ReceiveIdType) =>
  Effect.gen(function*() {
    const text = yield* im.v1.message.create({
      params: { receive_id_type: receiveIdType },
      data: { receive_id: receiveId, msg_type: "text", content: JSON.stringify({ text: "hello from lark-effect" }) }
    })
    yield* Console.log(`sent text message ${text.message_id}`)
    const uploaded = yield* im.v1.image.create({
      data: { image_type: "message", image: new File([PIXEL], "pixel.png", { type: "image/png" }) }
    })
    yield* Console.log(`uploaded image ${uploaded.image_key} (${PIXEL.length} bytes)`)
    const image = yield* im.v1.message.create({
      params: { receive_id_type: receiveIdType },
      data: { receive_id: receiveId, msg_type: "image", content: JSON.stringify({ image_key: uploaded.image_key }) }
    })
    yield* Console.log(`sent image message ${image.message_id}`)
  })

const SECRET_FIELDS = new Set(["app_secret", "app_access_token", "app_ticket", "client_secret"])

/** One line per call, secrets masked. */
const describeCall = (call: RecordedCall): string => {
  const query = Object.entries(call.query).flatMap(([key, values]) => values.map((value) => `${key}=${value}`)).join("&")
  const auth = call.headers.authorization === undefined ? "" : "  authorization: Bearer <redacted>"
  const body = call.body
  const shown = body._tag === "Json"
    ? JSON.stringify(body.value, (key, value) => SECRET_FIELDS.has(key) ? "<redacted>" : value)
    : body._tag === "Multipart"
    ? `multipart ${[
      ...Object.entries(body.fields).map(([name, value]) => `${name}=${value}`),
      ...Object.entries(body.files).map(([name, file]) => `${name}=<${file.size} bytes ${file.contentType} "${file.fileName}">`)
    ].join(", ")}`
    : ""
  return `  ${call.method} ${call.path}${query ? `?${query}` : ""}${auth}\n      ${shown}`
}

const onFakePlatform = Effect.gen(function*() {
  const fake = yield* FakeOpenPlatform
  yield* Console.log(`lark-effect demo on the built-in fake Open Platform at ${fake.url}`)
  yield* Console.log("(set LARK_APP_ID, LARK_APP_SECRET and LARK_DEMO_RECEIVE_ID to use the real platform)\n")
  const sdk = larkLayer({ appId: "cli_fake", appSecret: Redacted.make("fake_secret"), domain: fake.url })
  yield* Effect.provide(sendTextAndImage("oc_demo_chat", "chat_id"), sdk)
  yield* Console.log("\nwhat the platform received:")
  for (const call of yield* fake.calls) yield* Console.log(describeCall(call))
  yield* Console.log(`\ntoken fetches: ${yield* fake.tokenFetches}`)
}).pipe(Effect.provide(fakeOpenPlatform()))

const onRealPlatform = (receiveId: string | undefined) =>
  receiveId === undefined
    ? Effect.fail(new Error("LARK_DEMO_RECEIVE_ID is not set: the chat (or user) id to send the demo messages to"))
    : Effect.gen(function*() {
      yield* Console.log(`lark-effect demo on the real Open Platform (${process.env.LARK_DOMAIN ?? "feishu"}) as ${process.env.LARK_APP_ID}\n`)
      const receiveIdType = (process.env.LARK_DEMO_RECEIVE_ID_TYPE ?? "chat_id") as ReceiveIdType
      yield* Effect.provide(sendTextAndImage(receiveId, receiveIdType), LarkLive)
    })

const real = process.env.LARK_APP_ID !== undefined && process.env.LARK_APP_SECRET !== undefined
const program = real ? onRealPlatform(process.env.LARK_DEMO_RECEIVE_ID) : onFakePlatform

Effect.runPromise(program).catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
