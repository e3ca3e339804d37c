// lark-effect.mjs (the `im` service) on node:http (`lark-effect/layers/http`) instead of undici.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { im } from "lark-effect/im"
import { layer } from "lark-effect/layers/http"

// the app the fake platform knows (bench/request/protocol.ts)
const live = layer({ appId: "cli_a1b2c3d4e5f6a7b8", appSecret: Redacted.make("fake_secret"), domain: process.argv[2] })
const send = im.v1.message.create({
  params: { receive_id_type: "chat_id" },
  data: { receive_id: "oc_cost", msg_type: "text", content: JSON.stringify({ text: "hi" }) }
})
const message = await Effect.runPromise(send.pipe(Effect.provide(live)))
if (message.message_id === undefined) throw new Error("lark-effect: no message_id in the answer")
