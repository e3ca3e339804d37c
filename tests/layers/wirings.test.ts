/**
 * What every HTTP wiring must do, checked on each of them against the fake Open Platform on 127.0.0.1:
 * `lark-effect/layers` (undici), `lark-effect/layers/http` (node:http), `lark-effect/layers/fetch`, and any
 * other `HttpClient` (the platform's undici client, with attempt deadlines raced against the `Clock`). What
 * only one wiring does (node:http's sockets) is tested beside it (`http.test.ts`).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import * as FetchWiring from "../../layers/fetch.js"
import * as HttpWiring from "../../layers/http.js"
import * as UndiciWiring from "../../layers/index.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { callback, intersectSchedules, isInterruptedExit } from "../../src/internal/dialect.js"
import { executeStream, request } from "../../src/Request.js"
import { Answer } from "../../src/testing/FakeOpenPlatform.js"
import { fork, tapScheduleInput } from "../dialect.js"
import { eventually, loopback, openConnections, urlOf } from "../fixtures/loopback.js"
import { file, getFile, image, user } from "../fixtures/operations.js"
import { callsTo, hello, quickRetries, type Wiring, withPlatformOn } from "../fixtures/platform.js"

const WIRINGS: ReadonlyArray<readonly [string, Wiring]> = [
  ["lark-effect/layers (undici)", UndiciWiring.layer],
  ["lark-effect/layers/http (node:http)", HttpWiring.layer],
  ["lark-effect/layers/fetch", FetchWiring.layer],
  // any other HttpClient: attempt deadlines raced against the Clock
  ["the platform's undici HttpClient", (options) => Layer.merge(LarkConfig.layer(options), NodeHttpClient.layerUndici)]
]

const messages = "/open-apis/im/v1/messages"

/** A loopback port nobody listens on any more. */
const closedPort = callback<string>((resume) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}`)))
  })
})

for (const [name, wiring] of WIRINGS) {
  const withPlatform = withPlatformOn(wiring)

  describe(`${name} against the fake Open Platform`, () => {
    it.live("sends a message, uploads multipart and downloads a file with its UTF-8 name", () =>
      withPlatform((fake) =>
        Effect.gen(function*() {
          const sent = yield* hello
          assert.match(sent.message_id!, /^om_/)
          assert.strictEqual(sent.chat_id, "oc_42")
          const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10])
          const uploaded = yield* image.create({ data: { image_type: "message", image: new File([bytes], "logo.png") } })
          assert.match(uploaded.image_key!, /^img_/)

          const stored = yield* file.create({ data: { file_type: "pdf", file_name: "季度报告.pdf", file: bytes } })
          const [upload] = yield* fake.callsTo("POST", "/open-apis/im/v1/files")
          assert.strictEqual(upload!.body._tag === "Multipart" && upload!.body.fields["file_name"], "季度报告.pdf")
          const downloaded = yield* file.get({ path: { file_key: stored.file_key! } })
          assert.strictEqual(downloaded.fileName, "季度报告.pdf")
          assert.deepStrictEqual([...downloaded.bytes], [...bytes])
          // the file's bytes own their buffer (no view into a transport's shared one)
          assert.strictEqual(downloaded.bytes.buffer.byteLength, bytes.length)
        })
      ))

    it.live("streams a large download chunk by chunk; a JSON error on it is a LarkApiError", () =>
      withPlatform(() =>
        Effect.gen(function*() {
          const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251)
          const stored = yield* file.create({ data: { file_type: "stream", file_name: "big.bin", file: new Blob([bytes]) } })
          const download = yield* executeStream(getFile, { path: { file_key: stored.file_key! } })
          assert.strictEqual(download.fileName, "big.bin")
          assert.strictEqual(download.size, bytes.length)
          const chunks = yield* Stream.runCollect(download.stream)
          assert.isAbove(chunks.length, 1)
          assert.isTrue(Buffer.concat([...chunks]).equals(bytes))

          const error = yield* Effect.flip(executeStream(getFile, { path: { file_key: "file_missing" } }))
          assert.strictEqual(error._tag === "LarkApiError" && error.code, 234003)
        }).pipe(Effect.scoped)
      ))

    it.live("a 429 is sent again and then succeeds", () =>
      withPlatform((fake) =>
        Effect.gen(function*() {
          yield* fake.program("POST", messages, Answer.rateLimited(0))
          const sent = yield* hello
          assert.match(sent.message_id!, /^om_/)
          assert.strictEqual(yield* callsTo(fake, "POST", messages), 2)
        })
      ))

    it.live("a POST slower than the timeout fails as a Timeout, without a second send", () =>
      withPlatform((fake) =>
        Effect.gen(function*() {
          yield* fake.program("POST", messages, Answer.slow("2 seconds"))
          const error = yield* Effect.flip(hello)
          assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "Timeout")
          assert.strictEqual(yield* callsTo(fake, "POST", messages), 1)
        }), { timeout: "300 millis" }))

    // 2 seconds: long enough for undici's own deadline (shorter ones are raced, its timers tick once a second)
    for (const timeout of ["300 millis", "2 seconds"] as const) {
      it.live(`a slow GET times out after ${timeout} and is sent again, then succeeds`, () =>
        withPlatform((fake) =>
          Effect.gen(function*() {
            const path = "/open-apis/contact/v3/users/find_by_department"
            yield* fake.program("GET", path, Answer.slow("5 seconds"))
            const page = yield* user.findByDepartment({ params: { department_id: "od_1" } })
            assert.isAbove(page.items?.length ?? 0, 0)
            assert.strictEqual(yield* callsTo(fake, "GET", path), 2)
          }), { timeout }))
    }

    it.live("a streamed download whose JSON error stalls mid-body times out", () =>
      Effect.gen(function*() {
        let received = 0
        const server = yield* loopback((_, res) => {
          received++
          res.writeHead(400, { "content-type": "application/json", "content-length": "1000" })
          res.write("{\"code\":234003,") // and nothing more
        })
        const sdk = yield* Layer.build(Layer.orDie(wiring({
          appId: "cli_x",
          appSecret: Redacted.make("s"),
          domain: urlOf(server),
          retrySchedule: Schedule.recurs(1),
          timeout: "300 millis"
        })))
        const error = yield* Effect.flip(
          Effect.provide(Effect.scoped(executeStream(getFile, { path: { file_key: "f" } }, { tenantAccessToken: "t" })), sdk)
        )
        assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "Timeout")
        assert.strictEqual(received, 2) // a GET: sent once more
      }).pipe(Effect.scoped))

    // 2 seconds: undici's own deadlines restart with every chunk, so the attempt needs its own timer
    it.live("an answer trickling in a byte at a time, past the timeout, fails as a Timeout: the deadline is the whole attempt", () =>
      Effect.gen(function*() {
        const body = JSON.stringify({ code: 0, msg: "success", data: { slow: true } })
        const server = yield* loopback((_, res) => {
          res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
          let sent = 0
          const started = Date.now()
          // the whole answer takes about 8 s; no pause is longer than 200 ms
          const trickle = setInterval(() => {
            if (sent < body.length - 1) res.write(body[sent++]!)
            else if (sent === body.length - 1 && Date.now() - started > 8_000) res.end(body[sent++]!)
          }, 200)
          res.on("close", () => clearInterval(trickle))
        })
        const sdk = yield* Layer.build(Layer.orDie(wiring({ appId: "cli_x", appSecret: Redacted.make("s"), domain: urlOf(server), timeout: "2 seconds" })))
        const error = yield* Effect.flip(Effect.provide(request({ method: "POST", url: "/open-apis/x", tokens: [], data: {} }), sdk))
        assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "Timeout")
      }).pipe(Effect.scoped))

    it.live("interrupting a call aborts its request: the server sees the connection close", () =>
      Effect.gen(function*() {
        let received = 0
        const server = yield* loopback(() => void received++) // never answers
        // the layer outlives the call: its connections close only when the request is aborted
        const sdk = yield* Layer.build(Layer.orDie(wiring({ appId: "cli_x", appSecret: Redacted.make("s"), domain: urlOf(server) })))
        const slow = request({ method: "POST", url: "/open-apis/slow", tokens: [], data: { a: 1 } })
        const call = yield* fork(Effect.provide(slow, sdk))
        yield* eventually(Effect.sync(() => received), (count) => count === 1)
        yield* Fiber.interrupt(call)
        assert.isTrue(isInterruptedExit(yield* Fiber.await(call)))
        assert.strictEqual(yield* eventually(openConnections(server), (count) => count === 0), 0)
      }).pipe(Effect.scoped))

    it.live("a body cut off mid-way: a GET is sent again, a POST fails as maybe applied", () =>
      Effect.gen(function*() {
        const received: Array<string> = []
        const server = yield* loopback((req, res) => {
          received.push(req.method!)
          if (received.length === 2) return void res.end(JSON.stringify({ code: 0, msg: "success", data: { whole: true } }))
          res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
          res.write("{\"code\":0,")
          setTimeout(() => res.destroy(), 20)
        })
        const sdk = yield* Layer.build(Layer.orDie(wiring({ appId: "cli_x", appSecret: Redacted.make("s"), domain: urlOf(server), retrySchedule: quickRetries })))
        const get = yield* Effect.provide(request({ method: "GET", url: "/open-apis/x", tokens: [] }), sdk)
        assert.deepStrictEqual(get, { whole: true })
        const error = yield* Effect.flip(Effect.provide(request({ method: "POST", url: "/open-apis/x", tokens: [], data: {} }), sdk))
        assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "Transport")
        assert.isTrue(error._tag === "LarkHttpError" && error.maybeApplied)
        assert.deepStrictEqual(received, ["GET", "GET", "POST"])
      }).pipe(Effect.scoped))

    describe("an answer larger than maxResponseBytes", () => {
      const LIMIT = 64 * 1024
      /** More than any socket buffers hold: a client that reads it all would make `written` reach it. */
      const ENDLESS = 256 * 1024 * 1024
      const CHUNK = Buffer.alloc(64 * 1024, "x")

      /** Answers every request with `ENDLESS` bytes, written as the client takes them; counts what it wrote. */
      const flooding = (declared: boolean) =>
        Effect.gen(function*() {
          const seen = { requests: 0, written: 0 }
          const server = yield* loopback((_, res) => {
            seen.requests++
            res.writeHead(200, { "content-type": "application/json", ...declared ? { "content-length": String(ENDLESS) } : {} })
            let open = true
            res.once("close", () => void (open = false))
            const pump = () => {
              while (open && seen.written < ENDLESS) {
                seen.written += CHUNK.length
                if (!res.write(CHUNK)) return void res.once("drain", pump)
              }
              if (open) res.end()
            }
            pump()
          })
          const sdk = yield* Layer.build(Layer.orDie(wiring({
            appId: "cli_x",
            appSecret: Redacted.make("s"),
            domain: urlOf(server),
            retrySchedule: quickRetries,
            maxResponseBytes: LIMIT
          })))
          return { seen, server, sdk }
        })

      for (const declared of [true, false]) {
        it.live(`fails the call as TooLarge, not retried, the rest unread (${declared ? "content-length" : "chunked"})`, () =>
          Effect.gen(function*() {
            const { sdk, seen, server } = yield* flooding(declared)
            // a GET: any other failure of it would be retried
            const error = yield* Effect.flip(Effect.provide(request({ method: "GET", url: "/open-apis/big", tokens: [] }), sdk))
            assert.strictEqual(error._tag === "LarkHttpError" && error.reason, "TooLarge")
            assert.isTrue(error._tag === "LarkHttpError" && error.maybeApplied)
            assert.strictEqual(seen.requests, 1)
            assert.strictEqual(yield* eventually(openConnections(server), (count) => count === 0), 0)
            assert.isBelow(seen.written, 32 * 1024 * 1024)
          }).pipe(Effect.scoped))
      }

      it.live("an answer of exactly maxResponseBytes is read; the error answer of a streamed download is bounded too", () =>
        Effect.gen(function*() {
          const data = { text: "y".repeat(100) }
          const body = JSON.stringify({ code: 0, msg: "success", data })
          const server = yield* loopback((req, res) => {
            if (req.url!.startsWith("/open-apis/im/v1/files/")) {
              res.writeHead(404, { "content-type": "application/json" })
              return void res.end(JSON.stringify({ code: 234003, msg: "z".repeat(1000) }))
            }
            res.writeHead(200, { "content-type": "application/json" })
            res.end(body)
          })
          const withLimit = (maxResponseBytes: number) =>
            Layer.orDie(wiring({ appId: "cli_x", appSecret: Redacted.make("s"), domain: urlOf(server), maxResponseBytes }))
          const get = request({ method: "GET", url: "/open-apis/exact", tokens: [] })
          assert.deepStrictEqual(yield* Effect.provide(get, withLimit(Buffer.byteLength(body))), data)
          const over = yield* Effect.flip(Effect.provide(get, withLimit(Buffer.byteLength(body) - 1)))
          assert.strictEqual(over._tag === "LarkHttpError" && over.reason, "TooLarge")
          const download = Effect.scoped(executeStream(getFile, { path: { file_key: "f" } }, { tenantAccessToken: "t" }))
          const streamed = yield* Effect.flip(Effect.provide(download, withLimit(500)))
          assert.strictEqual(streamed._tag === "LarkHttpError" && streamed.reason, "TooLarge")
        }).pipe(Effect.scoped))
    })

    it.live("a refused connection proves nothing was sent, so even a POST is retried", () =>
      Effect.gen(function*() {
        let attempts = 0
        const countingRetries = intersectSchedules(Schedule.spaced("10 millis"), Schedule.recurs(2)).pipe(
          tapScheduleInput(() => Effect.sync(() => attempts++))
        )
        const sdk = wiring({ appId: "cli_x", appSecret: Redacted.make("s"), domain: yield* closedPort, retrySchedule: countingRetries })
        const error = yield* Effect.flip(Effect.provide(hello, Layer.orDie(sdk)))
        assert.strictEqual(error._tag, "LarkHttpError")
        assert.isFalse(error._tag === "LarkHttpError" && error.maybeApplied)
        assert.strictEqual(attempts, 3) // the token request: first try plus two retries
      }))
  })
}
