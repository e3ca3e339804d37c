/**
 * The node:http listener on a real loopback server: a signed, encrypted event reaches its handler; a forged
 * one gets 401 and reaches nothing. A body a middleware already read is answered from those bytes, at once;
 * a defect in the entry point is answered 400 whichever way the body came.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle, type Request, type Response } from "../../src/events/handle.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback } from "../../src/internal/dialect.js"
import { appRuntime } from "../dialect.js"

const KEY = "loopback key"

const event = JSON.stringify({
  schema: "2.0",
  header: { event_id: "evt_http_1", event_type: "im.message.receive_v1", create_time: "1700000000000" },
  event: { message: { message_id: "om_http", content: "{\"text\":\"hi\"}" } }
})

describe("node:http listener", () => {
  it.live("a signed event over HTTP reaches its handler; a forged one gets 401", () =>
    Effect.gen(function*() {
      const received: Array<string | undefined> = []
      const respond = handle(
        EventDispatcher.make({ encryptKey: KEY }).on("im.message.receive_v1", ({ event }) =>
          Effect.sync(() => received.push(event.message?.message_id)))
      )
      const server = createServer(nodeListener(respond, yield* appRuntime()))
      yield* Effect.acquireRelease(
        callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => server.close())
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`
      const body = JSON.stringify({ encrypt: Crypto.encrypt(KEY, event) })
      const headers = {
        "content-type": "application/json",
        "x-lark-request-timestamp": "1700000000",
        "x-lark-request-nonce": "n1",
        "x-lark-signature": Crypto.signature("1700000000", "n1", KEY, body)
      }
      const ok = yield* Effect.promise(() => fetch(url, { method: "POST", headers, body }))
      assert.strictEqual(ok.status, 200)
      // one write with its length declared, as node-sdk's reply: not a chunked stream
      const okText = yield* Effect.promise(() => ok.text())
      assert.deepStrictEqual(JSON.parse(okText), { msg: "success" })
      assert.strictEqual(ok.headers.get("content-length"), String(Buffer.byteLength(okText)))
      assert.isNull(ok.headers.get("transfer-encoding"))
      assert.deepStrictEqual(received, ["om_http"])

      const forged = yield* Effect.promise(() =>
        fetch(url, { method: "POST", headers: { ...headers, "x-lark-signature": "0".repeat(64) }, body }))
      assert.strictEqual(forged.status, 401)
      assert.strictEqual(forged.headers.get("content-length"), String(Buffer.byteLength(yield* Effect.promise(() => forged.text()))))
      assert.deepStrictEqual(received, ["om_http"])
    }).pipe(Effect.scoped))
})

/** What a listener wrote: the status and body of each reply. */
const recorder = () => {
  const replies: Array<{ status: number; body: string }> = []
  let status = 0
  const response = {
    writeHead: (code: number) => void (status = code),
    end: (body: string) => void replies.push({ status, body })
  } as unknown as ServerResponse
  return { replies, response }
}

/** A request whose body was read by a middleware (`express.raw()`): `body` holds the bytes, the stream is not read. */
const preRead = (body: Buffer) => ({ method: "POST", headers: {}, body, readableDidRead: true }) as unknown as IncomingMessage

/** A request whose body is still in its stream. */
const streamed = (body: Buffer) =>
  Object.assign(Readable.from([body]), { method: "POST", headers: { "content-length": String(body.length) } }) as unknown as IncomingMessage

const echo = (request: Request): Effect.Effect<Response> =>
  Effect.succeed({ status: 200, headers: {}, body: Buffer.from(request.rawBody).toString("utf8") })

describe("node:http listener, bodies read before it", () => {
  it.effect("answers from the bytes a middleware read, before the listener returns; over maxBodySize, 413", () =>
    Effect.gen(function*() {
      const listener = nodeListener(echo, yield* appRuntime(), { maxBodySize: 8 })
      const { replies, response } = recorder()
      listener(preRead(Buffer.from("12345678")), response)
      assert.deepStrictEqual(replies, [{ status: 200, body: "12345678" }])
      listener(preRead(Buffer.from("123456789")), response)
      assert.strictEqual(replies[1]?.status, 413)
    }))

  it.live("a defect in the entry point, or one that throws, is answered 400, for a body read before and for one in the stream", () =>
    Effect.gen(function*() {
      const runtime = yield* appRuntime()
      const { replies, response } = recorder()
      const throwing = (): Effect.Effect<Response> => {
        throw new Error("boom")
      }
      for (const respond of [() => Effect.die("boom"), throwing]) {
        const listener = nodeListener(respond, runtime)
        listener(preRead(Buffer.from("{}")), response)
        yield* callback<void>((resume) => void listener(streamed(Buffer.from("{}")), {
          writeHead: response.writeHead,
          end: (body: string) => {
            response.end(body)
            resume(Effect.void)
          }
        } as unknown as ServerResponse))
      }
      assert.deepStrictEqual(replies.map(({ status }) => status), [400, 400, 400, 400])
    }))
})
