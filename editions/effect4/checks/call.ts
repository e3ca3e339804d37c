/**
 * One generated API call on Effect 4: `im.v1.message.create` through the request executor, with the tenant token
 * fetched first, answered by the test kit's `MockHttp`. Prints one JSON line for tests/effect4/edition.test.ts.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Message from "../src/api/im/v1/message.js"
import * as LarkConfig from "../src/LarkConfig.js"
import * as MockHttp from "../src/testing/MockHttp.js"

const routes = [
  MockHttp.route("POST", "/open-apis/im/v1/messages", (request) =>
    MockHttp.ok({
      message_id: "om_1",
      chat_id: (request.body as { value: { receive_id: string } }).value.receive_id,
      msg_type: "text",
      body: { content: "{\"text\":\"hello\"}" },
      extra_field: "kept"
    }))
]

const program = Effect.gen(function*() {
  const send = Message.create({
    params: { receive_id_type: "chat_id" },
    data: { receive_id: "oc_1", msg_type: "text", content: JSON.stringify({ text: "hello" }) }
  })
  const first = yield* send
  const second = yield* send
  const mock = yield* MockHttp.MockHttp
  const requests = (yield* mock.requests).map((request) => ({
    method: request.method,
    path: request.path,
    query: request.query,
    authorization: request.headers["authorization"],
    contentType: request.headers["content-type"],
    body: request.body
  }))
  const failed = (answer: MockHttp.Answer) =>
    send.pipe(
      Effect.provide(MockHttp.layer([MockHttp.route("POST", "/open-apis/im/v1/messages", () => answer)])),
      Effect.flip,
      Effect.map((error) => ({ tag: error._tag, code: error._tag === "LarkApiError" ? error.code : undefined, message: error.message }))
    )
  return {
    first,
    second,
    requests,
    refused: yield* failed(MockHttp.fail(230001, "bad receive_id")),
    undecodable: yield* failed(MockHttp.ok({ message_id: 5 }))
  }
})

const layer = Layer.merge(MockHttp.layer(routes), LarkConfig.layer({ appId: "cli_a", appSecret: Redacted.make("secret") }))

Effect.runPromise(program.pipe(Effect.provide(layer))).then((result) => console.log(JSON.stringify(result)))
