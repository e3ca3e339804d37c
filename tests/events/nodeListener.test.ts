/**
 * The node:http listener on a real loopback server: a signed, encrypted event reaches its handler; a forged
 * one gets 401 and reaches nothing. A body a middleware already read is answered from those bytes, at once;
 * a defect in the entry point, or an interruption, is answered 500 (deliver again) whichever way the body came. A request something else answered
 * first (a timeout middleware) keeps that answer: the late one is dropped and logged, never thrown, and the
 * server goes on serving.
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
import { appRuntime, withLogsTo } from "../dialect.js"

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
      const url = yield* serving(nodeListener(respond, yield* appRuntime()))
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

  it.live("a defect in the entry point, one that throws, or an interrupted handler is answered 500, for a body read before and for one in the stream", () =>
    Effect.gen(function*() {
      const runtime = yield* appRuntime()
      const { replies, response } = recorder()
      const throwing = (): Effect.Effect<Response> => {
        throw new Error("boom")
      }
      for (const respond of [() => Effect.die("boom"), throwing, () => Effect.interrupt]) {
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
      assert.deepStrictEqual(replies.map(({ status }) => status), [500, 500, 500, 500, 500, 500])
    }))
})

/**
 * A timeout middleware in the manner of connect-timeout: answers 503 after `ms` unless the wrapped listener
 * answered first.
 */
const timingOut = (ms: number, listener: (request: IncomingMessage, response: ServerResponse) => void) =>
(request: IncomingMessage, response: ServerResponse): void => {
  const timer = setTimeout(() => {
    response.writeHead(503, { "content-length": Buffer.byteLength("timed out") })
    response.end("timed out")
  }, ms)
  response.once("finish", () => clearTimeout(timer))
  response.once("close", () => clearTimeout(timer))
  listener(request, response)
}

/** The uncaught exceptions of the process while the scope is open. */
const uncaughtExceptions = Effect.gen(function*() {
  const uncaught: Array<unknown> = []
  const onUncaught = (error: unknown) => void uncaught.push(error)
  yield* Effect.acquireRelease(
    Effect.sync(() => void process.on("uncaughtException", onUncaught)),
    () => Effect.sync(() => void process.off("uncaughtException", onUncaught))
  )
  return uncaught
})

/** Serves `listener` on 127.0.0.1 while the scope is open; its webhook URL. */
const serving = (listener: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.gen(function*() {
    const server = createServer(listener)
    yield* Effect.acquireRelease(
      callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () => Effect.sync(() => server.close())
    )
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`
  })

/** The text of each log line. */
const lineOf = (message: unknown): string => (Array.isArray(message) ? message : [message]).map(String).join(" ")

describe("node:http listener, a request answered before its answer is ready", () => {
  it.live("a timeout middleware's 503 stands: the late answer is dropped and logged, nothing is thrown, the server goes on", () => {
    const logs: Array<string> = []
    return Effect.gen(function*() {
      const uncaught = yield* uncaughtExceptions
      let slowDone!: () => void
      const slowAnswered = new Promise<void>((resolve) => (slowDone = resolve))
      // "slow" takes 200 ms, past the middleware's 50; anything else is echoed at once
      const respond = (request: Request): Effect.Effect<Response> =>
        Buffer.from(request.rawBody).toString("utf8") === "slow"
          ? Effect.sleep("200 millis").pipe(Effect.andThen(echo(request)), Effect.ensuring(Effect.sync(() => slowDone())))
          : echo(request)
      const url = yield* serving(timingOut(50, nodeListener(respond, yield* appRuntime())))

      const late = yield* Effect.promise(() => fetch(url, { method: "POST", body: "slow" }))
      assert.strictEqual(late.status, 503)
      assert.strictEqual(yield* Effect.promise(() => late.text()), "timed out")
      // the handler ends, its answer is handed on; then a macrotask, after which a rethrown write would have surfaced
      yield* Effect.promise(() => slowAnswered)
      yield* Effect.sleep("20 millis")
      assert.deepStrictEqual(uncaught, [])
      assert.isTrue(
        logs.some((line) => line.includes("was answered already") && line.includes("the answer (200) was dropped")),
        `no log of the dropped answer in ${JSON.stringify(logs)}`
      )

      const next = yield* Effect.promise(() => fetch(url, { method: "POST", body: "next" }))
      assert.strictEqual(next.status, 200)
      assert.strictEqual(yield* Effect.promise(() => next.text()), "next")
      assert.deepStrictEqual(uncaught, [])
    }).pipe(Effect.scoped, withLogsTo(({ message }) => void logs.push(lineOf(message))))
  })

  it.live("an answer Node refuses to write (a bad status) is answered 500 and logged, not thrown", () => {
    const logs: Array<string> = []
    return Effect.gen(function*() {
      const uncaught = yield* uncaughtExceptions
      const respond = (): Effect.Effect<Response> => Effect.succeed({ status: 42, headers: {}, body: "" })
      const url = yield* serving(nodeListener(respond, yield* appRuntime()))
      const refused = yield* Effect.promise(() => fetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) }))
      assert.strictEqual(refused.status, 500)
      assert.deepStrictEqual(JSON.parse(yield* Effect.promise(() => refused.text())), { msg: "the answer could not be written" })
      yield* Effect.sleep("20 millis")
      assert.deepStrictEqual(uncaught, [])
      assert.isTrue(logs.some((line) => line.includes("the answer (42) could not be written; answered 500")), JSON.stringify(logs))
    }).pipe(Effect.scoped, withLogsTo(({ message }) => void logs.push(lineOf(message))))
  })
})
