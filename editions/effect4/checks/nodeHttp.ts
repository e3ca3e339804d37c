/**
 * The `node:http` wiring (`lark-effect/layers/http`) on Effect 4, against a plain `node:http` server on 127.0.0.1:
 * its `HttpClient` reads a JSON answer and a 500 answer (and `filterStatusOk` turns the 500 into Effect 4's one
 * `HttpClientError`), a request under `IdleTimeout` to a silent route fails with a transport error whose cause
 * has the timeout code, and `im.v1.message.create` goes through `layer(...)` (the executor's direct exchange) with
 * a tenant token. Prints one JSON line for tests/effect4/edition.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Http from "../layers/http.js"
import * as NodeHttpClient from "../layers/internal/nodeHttpClient.js"
import * as Message from "../src/api/im/v1/message.js"

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}

const seen: Array<string> = []
const authorizations: Array<string | undefined> = []

const answer = (request: IncomingMessage, response: ServerResponse) => {
  seen.push(`${request.method} ${request.url}`)
  switch (request.url) {
    case "/json":
      return json(response, 200, { ok: true, n: 1 })
    case "/fail":
      return json(response, 500, { error: "boom" })
    case "/silent":
      return // never answers: the client's idle timeout ends the request
    case "/open-apis/auth/v3/tenant_access_token/internal":
      return json(response, 200, { code: 0, msg: "ok", tenant_access_token: "t-node-1", expire: 7200 })
    default:
      if (request.url?.startsWith("/open-apis/im/v1/messages") === true) {
        authorizations.push(request.headers.authorization)
        return json(response, 200, { code: 0, msg: "success", data: { message_id: "om_node", chat_id: "oc_1", msg_type: "text" } })
      }
      return json(response, 404, { error: "no route" })
  }
}

const errorOf = (effect: Effect.Effect<unknown, HttpClientError.HttpClientError>) =>
  Effect.flip(effect).pipe(Effect.map((error) => ({
    tag: error._tag,
    reason: error.reason._tag,
    status: error.response?.status,
    code: (error.reason.cause as { readonly code?: unknown } | undefined)?.code
  })))

const program = (base: string) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const ok = yield* client.get(`${base}/json`)
    const okBody = { status: ok.status, json: yield* ok.json, url: ok.url }
    const failed = yield* client.get(`${base}/fail`)
    const failedBody = { status: failed.status, text: yield* failed.text }
    const filtered = yield* errorOf(Effect.flatMap(client.get(`${base}/fail`), HttpClientResponse.filterStatusOk))
    const idle = yield* errorOf(Effect.provideService(client.get(`${base}/silent`), NodeHttpClient.IdleTimeout, 100))
    return { json: okBody, status500: failedBody, filtered, idle }
  }).pipe(Effect.provide(Http.HttpLive))

const lark = (base: string) =>
  Message.create({
    params: { receive_id_type: "chat_id" },
    data: { receive_id: "oc_1", msg_type: "text", content: JSON.stringify({ text: "hello" }) }
  }).pipe(
    Effect.map((message) => ({ messageId: message.message_id, authorizations })),
    Effect.provide(Http.layer({ appId: "cli_a", appSecret: Redacted.make("secret"), domain: base }))
  )

const server = createServer(answer)
server.listen(0, "127.0.0.1", () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  Effect.runPromise(Effect.all({ client: program(base), lark: lark(base) })).then(
    (result) => {
      console.log(JSON.stringify({ ...result, seen }))
      process.exit(0)
    },
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
})
