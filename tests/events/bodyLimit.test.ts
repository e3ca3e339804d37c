/**
 * Every webhook entry has a maximum body size (default 1 MiB): a larger body is answered 413 as soon as the
 * limit is passed (or at once when `content-length` declares it), the rest is not read, and no entry point or
 * handler runs. The servers here measure what they read from the socket: a 50 MB body and 8 concurrent 10 MB
 * bodies cost at most a few MiB each, not their size.
 */
import { createServer, request as httpRequest, type RequestListener } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel } from "../../src/channel/Channel.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle, type Request, type Response } from "../../src/events/handle.js"
import * as EventHttp from "../../src/events/httpApp.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback, httpUrlOf } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { appRuntime, withLogsTo } from "../dialect.js"

const MiB = 1024 * 1024
const quiet = withLogsTo(() => {})

interface Outcome {
  /** The status the client saw (`undefined`: the connection ended without a response). */
  readonly status: number | undefined
  /** The bytes the client managed to hand to its socket before the server answered or closed. */
  readonly sent: number
}

/** POSTs `total` bytes in 64 KiB chunks (chunked, or with `content-length` when `declare`), stopping at the answer. */
const postHuge = (url: string, total: number, declare: boolean): Promise<Outcome> =>
  new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let sent = 0
    let status: number | undefined
    const finish = () => resolve({ status, sent })
    const request = httpRequest(url, { method: "POST", headers: declare ? { "content-length": String(total) } : {} })
    request.on("response", (response) => {
      status = response.statusCode
      response.resume()
      response.on("end", () => {
        request.destroy()
        finish()
      })
    })
    request.on("error", finish)
    const pump = () => {
      while (sent < total && status === undefined && !request.destroyed) {
        sent += chunk.length
        if (!request.write(chunk)) return void request.once("drain", pump)
      }
      if (sent >= total) request.end()
    }
    pump()
  })

/** Serves `listener` on loopback; `reads` gets each request's socket byte count when its answer is sent. */
const serveCounting = (listener: RequestListener) =>
  Effect.gen(function*() {
    const reads: Array<number> = []
    const server = createServer((request, response) => {
      response.on("close", () => void reads.push(request.socket.bytesRead))
      listener(request, response)
    })
    yield* Effect.acquireRelease(
      callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () => callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
    )
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, reads }
  })

/** An entry point that records the size of each body it is given and answers 200. */
const recording = () => {
  const bodies: Array<number> = []
  const respond = (request: Request): Effect.Effect<Response> =>
    Effect.sync(() => {
      bodies.push(typeof request.rawBody === "string" ? request.rawBody.length : request.rawBody.byteLength)
      return { status: 200, headers: {}, body: "{}" }
    })
  return { bodies, respond }
}

/**
 * The oversized cases every adapter must pass: 50 MB chunked, 50 MB declared, 8 × 10 MB at once. A declared
 * size gets 413 before anything is read; a chunked body past the limit gets `chunkedAnswers` (413, or the
 * connection cut: the platform's server destroys a request whose body is left unread).
 */
const oversizedCases = (
  url: string,
  reads: ReadonlyArray<number>,
  bodies: ReadonlyArray<number>,
  chunkedAnswers: ReadonlyArray<number | undefined>
) =>
  Effect.gen(function*() {
    for (const declare of [false, true]) {
      const outcome = yield* Effect.promise(() => postHuge(url, 50 * 1000 * 1000, declare))
      assert.include(declare ? [413] : chunkedAnswers, outcome.status, `50 MB, content-length declared: ${declare}`)
      assert.isBelow(outcome.sent, 25 * 1000 * 1000, "the client was stopped long before the end of its body")
    }
    const parallel = yield* Effect.promise(() => Promise.all(Array.from({ length: 8 }, () => postHuge(url, 10 * 1000 * 1000, false))))
    for (const outcome of parallel) {
      assert.include(chunkedAnswers, outcome.status)
      assert.isBelow(outcome.sent, 10 * 1000 * 1000)
    }
    assert.strictEqual(reads.length, 10)
    for (const read of reads) assert.isBelow(read, 4 * MiB, "bytes the server read for one oversized request")
    assert.deepStrictEqual(bodies, [], "no entry point ran")
  })

describe("eventListener (node:http)", () => {
  it.live("refuses 50 MB and 8 × 10 MB bodies with 413 after reading at most a few MiB", () =>
    Effect.gen(function*() {
      const { bodies, respond } = recording()
      const { reads, url } = yield* serveCounting(nodeListener(respond, yield* appRuntime()))
      yield* oversizedCases(url, reads, bodies, [413])
    }).pipe(quiet, Effect.scoped))

  it.live("a body of exactly maxBodySize is read whole; one byte more is refused", () =>
    Effect.gen(function*() {
      const { bodies, respond } = recording()
      const { url } = yield* serveCounting(nodeListener(respond, yield* appRuntime(), { maxBodySize: 100_000 }))
      assert.strictEqual((yield* Effect.promise(() => postHuge(url, 100_000 - 100_000 % 65_536, false))).status, 200)
      const exact = yield* Effect.promise(() => fetch(url, { method: "POST", body: "x".repeat(100_000) }))
      assert.strictEqual(exact.status, 200)
      const over = yield* Effect.promise(() => fetch(url, { method: "POST", body: "x".repeat(100_001) }))
      assert.strictEqual(over.status, 413)
      assert.deepStrictEqual(yield* Effect.promise(() => over.json()), { msg: "request body too large" })
      assert.deepStrictEqual(bodies, [65_536, 100_000])
    }).pipe(quiet, Effect.scoped))

  it("refuses a maxBodySize that is not a positive whole number", () => {
    const { respond } = recording()
    for (const maxBodySize of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => nodeListener(respond, undefined as never, { maxBodySize }), RangeError)
    }
  })
})

describe("EventHttp.app (@effect/platform server)", () => {
  it.live("refuses 50 MB and 8 × 10 MB bodies with 413 after reading at most a few MiB", () =>
    Effect.gen(function*() {
      const { bodies, respond } = recording()
      const reads: Array<number> = []
      // the platform's Node server, with our counting wrapper as its `createServer`
      const server = createServer()
      server.prependListener("request", (request, response) => {
        response.on("close", () => void reads.push(request.socket.bytesRead))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
      const context = yield* Layer.build(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" }))
      const platform = yield* Effect.provide(HttpServer.HttpServer, context)
      yield* platform.serve(EventHttp.fromHandler(respond))
      const base = httpUrlOf(platform.address)
      assert(base !== undefined, "the server listens on TCP")
      yield* oversizedCases(`${base}/`, reads, bodies, [413, undefined])
    }).pipe(quiet, Effect.scoped))

  it.live("the dispatcher's maxBodySize bounds EventHttp.app; a body within it is read whole", () =>
    Effect.gen(function*() {
      const dispatcher = EventDispatcher.make({ maxBodySize: 2_000 })
      const context = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      const platform = yield* Effect.provide(HttpServer.HttpServer, context)
      yield* platform.serve(EventHttp.app(dispatcher))
      const base = httpUrlOf(platform.address)
      assert(base !== undefined, "the server listens on TCP")
      const url = `${base}/`
      const event = JSON.stringify({ schema: "2.0", header: { event_id: "e1", event_type: "x.y" }, event: { pad: "p".repeat(1_800) } })
      const within = yield* Effect.promise(() => fetch(url, { method: "POST", body: event }))
      assert.strictEqual(within.status, 200)
      const over = yield* Effect.promise(() => fetch(url, { method: "POST", body: event.replace("pad", "padding".repeat(40)) }))
      assert.strictEqual(over.status, 413)
    }).pipe(quiet, Effect.scoped))
})

describe("the entry points themselves", () => {
  it.effect("handle and handleCardAction refuse a body over the dispatcher's maxBodySize with 413", () =>
    Effect.gen(function*() {
      const dispatcher = EventDispatcher.make({ maxBodySize: 1_000 }).fallback(() => Effect.die("must not run"))
      const body = JSON.stringify({ schema: "2.0", header: { event_id: "e1", event_type: "x.y" }, event: { pad: "é".repeat(500) } })
      for (const respond of [handle(dispatcher), handleCardAction(dispatcher)]) {
        for (const rawBody of [body, new TextEncoder().encode(body)]) {
          const response = yield* respond({ method: "POST", headers: {}, rawBody })
          assert.strictEqual(response.status, 413)
          assert.strictEqual(response.headers["connection"], "close")
        }
      }
      assert.throws(() => EventDispatcher.make({ maxBodySize: 0 }), RangeError)
    }).pipe(quiet))
})

describe("the Channel's webhook", () => {
  it.effect("refuses a body over the channel's maxBodySize with 413", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const context = yield* Layer.build(Layer.mergeAll(
        Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: fake.url })),
        FetchHttpClient.layer
      ))
      const channel = yield* Channel.make({ transport: "webhook", maxBodySize: 4_096 }).pipe(Effect.provide(context))
      yield* channel.connect
      const event = (pad: number) =>
        JSON.stringify({ schema: "2.0", header: { event_id: `e${pad}`, event_type: "x.y" }, event: { pad: "p".repeat(pad) } })
      assert.strictEqual((yield* channel.webhook({ method: "POST", headers: {}, rawBody: event(3_000) })).status, 200)
      assert.strictEqual((yield* channel.webhook({ method: "POST", headers: {}, rawBody: event(5_000) })).status, 413)
    }).pipe(Effect.provide(fakeOpenPlatform()), quiet, Effect.scoped))
})
