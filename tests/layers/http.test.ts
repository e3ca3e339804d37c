/**
 * `lark-effect/layers/http`: what only this wiring does with the SDK against the fake Open Platform on
 * 127.0.0.1 (its sockets go with the layer), then the client itself against plain loopback servers (timeouts, bodies, aborts,
 * sockets). What every wiring must do is in `wirings.test.ts`.
 */
import type { Server } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Redacted, Scope, Stream } from "effect"
import * as HttpWiring from "../../layers/http.js"
import { IdleTimeout, TIMEOUT_CODE } from "../../layers/internal/nodeHttpClient.js"
import { TIMEOUT_CODES } from "../../src/AttemptTimeout.js"
import { isInterruptedExit } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import * as FakeOpenPlatform from "../../src/testing/FakeOpenPlatform.js"
import { clientErrorKind, fork } from "../dialect.js"
import { eventually, loopback, openConnections, patientServer, urlOf } from "../fixtures/loopback.js"
import { hello, quickRetries } from "../fixtures/platform.js"

const sdkFor = (domain: string, options: Partial<LarkConfig.Options> = {}) =>
  HttpWiring.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain, retrySchedule: quickRetries, ...options })

/** The fake platform on `server` for the scope. */
const fakeOn = (server: Server) =>
  Layer.build(FakeOpenPlatform.layer().pipe(
    Layer.provide(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" })),
    Layer.orDie
  )).pipe(Effect.map((context) => Context.get(context, FakeOpenPlatform.FakeOpenPlatform)))

describe("lark-effect/layers/http against the fake Open Platform", () => {
  it.live("closing the layer's scope destroys its keep-alive sockets", () =>
    Effect.gen(function*() {
      const server = patientServer()
      const fake = yield* fakeOn(server)
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(sdkFor(fake.url), scope)
      yield* Effect.provide(hello, context)
      assert.strictEqual(yield* openConnections(server), 1) // kept alive for the next call
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(yield* eventually(openConnections(server), (count) => count === 0), 0)
    }).pipe(Effect.scoped))
})

describe("the node:http client", () => {
  /** The test with one client (built before, closed after it) and loopback servers for its scope. */
  const withClient = <A, E>(test: (http: HttpClient.HttpClient) => Effect.Effect<A, E, Scope.Scope>) =>
    Effect.flatMap(HttpClient.HttpClient, test).pipe(Effect.provide(HttpWiring.HttpLive), Effect.scoped)

  it.live("reports a silent server as a transport failure with the timeout code", () =>
    withClient((http) => Effect.gen(function*() {
      assert.isTrue(TIMEOUT_CODES.has(TIMEOUT_CODE))
      const server = yield* loopback() // never answers
      const error = yield* Effect.flip(http.get(urlOf(server))).pipe(Effect.provideService(IdleTimeout, 100))
      assert.strictEqual(clientErrorKind(error), "RequestError.Transport")
      assert.strictEqual((error.cause as { code?: string }).code, TIMEOUT_CODE)
    })))

  it.live("a deadline ends with its request: the kept-alive socket serves the next one", () =>
    withClient((http) => Effect.gen(function*() {
      let connections = 0
      const server = yield* loopback((_, res) => res.end("ok"))
      server.on("connection", () => void connections++)
      const get = Effect.flatMap(http.get(urlOf(server)), (response) => response.text)
      assert.strictEqual(yield* get.pipe(Effect.provideService(IdleTimeout, 50)), "ok")
      yield* Effect.sleep("200 millis") // idle for longer than the first request's deadline
      assert.strictEqual(yield* get, "ok")
      assert.strictEqual(connections, 1)
    })))

  it.live("reports a body that stops arriving to its reader with the timeout code", () =>
    withClient((http) => Effect.gen(function*() {
      const server = yield* loopback((_, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("the first half")
      })
      const error = yield* Effect.flip(Effect.flatMap(http.get(urlOf(server)), (response) => response.text))
        .pipe(Effect.provideService(IdleTimeout, 100))
      assert.strictEqual(clientErrorKind(error), "ResponseError.Decode")
      assert.strictEqual((error.cause as { code?: string }).code, TIMEOUT_CODE)
    })))

  it.live("a request Node refuses to make (a header it cannot send) is an Encode error, nothing sent", () =>
    withClient((http) => Effect.gen(function*() {
      let received = 0
      const server = yield* loopback((_, res) => (received++, res.end("ok")))
      const error = yield* Effect.flip(http.execute(HttpClientRequest.get(urlOf(server)).pipe(HttpClientRequest.setHeader("x-split", "a\r\nb"))))
      assert.strictEqual(clientErrorKind(error), "RequestError.Encode")
      assert.strictEqual(received, 0)
    })))

  it.live("reports a refused connection with its code", () =>
    withClient((http) => Effect.gen(function*() {
      const closed = yield* Effect.scoped(Effect.map(loopback(), urlOf))
      const error = yield* Effect.flip(http.get(closed))
      assert.strictEqual(clientErrorKind(error), "RequestError.Transport")
      assert.strictEqual((error.cause as { code?: string }).code, "ECONNREFUSED")
    })))

  it.live("sends byte, text and stream bodies", () =>
    withClient((http) => Effect.gen(function*() {
      const server = yield* loopback((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () =>
          res.end(JSON.stringify({
            body: Buffer.concat(chunks).toString("utf8"),
            contentType: req.headers["content-type"],
            chunked: req.headers["transfer-encoding"] === "chunked"
          })))
      })
      const post = (body: HttpBody.HttpBody) =>
        Effect.flatMap(http.execute(HttpClientRequest.post(urlOf(server), { body })), (response) => response.json)
      assert.deepStrictEqual(yield* post(HttpBody.text("héllo", "text/plain")), { body: "héllo", contentType: "text/plain", chunked: false })
      assert.deepStrictEqual(yield* post(HttpBody.uint8Array(new TextEncoder().encode("bytes"))), {
        body: "bytes",
        contentType: "application/octet-stream",
        chunked: false
      })
      assert.deepStrictEqual(yield* post(HttpBody.raw("raw", { contentType: "text/x-raw" })), { body: "raw", contentType: "text/x-raw", chunked: false })
      const parts = Stream.make("a", "b", "c").pipe(Stream.map((part) => new TextEncoder().encode(part)))
      assert.deepStrictEqual(yield* post(HttpBody.stream(parts, "text/plain")), { body: "abc", contentType: "text/plain", chunked: true })
    })))

  it.live("answers status, lower-case headers, cookies and one body read as text, JSON and bytes", () =>
    withClient((http) => Effect.gen(function*() {
      const server = yield* loopback((_, res) => {
        res.setHeader("Set-Cookie", ["a=1; Path=/", "b=2"])
        res.setHeader("X-Tt-Logid", "log-1")
        res.writeHead(201, { "Content-Type": "application/json" })
        res.end(JSON.stringify({ name: "名字" }))
      })
      const response = yield* http.get(urlOf(server))
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-tt-logid"], "log-1")
      assert.strictEqual(response.headers["content-type"], "application/json")
      assert.deepStrictEqual(Object.keys(response.cookies.cookies).sort(), ["a", "b"])
      assert.strictEqual(Option.getOrUndefined(response.remoteAddress), "127.0.0.1")
      assert.deepStrictEqual(yield* response.json, { name: "名字" })
      assert.strictEqual(yield* response.text, JSON.stringify({ name: "名字" }))
      const bytes = new Uint8Array(yield* response.arrayBuffer)
      assert.strictEqual(new TextDecoder().decode(bytes), JSON.stringify({ name: "名字" }))
      const formData = yield* Effect.flip(response.formData)
      assert.strictEqual(clientErrorKind(formData), "ResponseError.Decode")
    })))

  it.live("interrupting a request closes its socket (the client lives on)", () =>
    withClient((http) => Effect.gen(function*() {
      let requests = 0
      const server = yield* loopback(() => void requests++) // never answers
      const call = yield* fork(http.get(urlOf(server)))
      yield* eventually(Effect.sync(() => requests), (count) => count === 1)
      yield* Fiber.interrupt(call)
      assert.isTrue(isInterruptedExit(yield* Fiber.await(call)))
      assert.strictEqual(yield* eventually(openConnections(server), (count) => count === 0), 0)
    })))
})
