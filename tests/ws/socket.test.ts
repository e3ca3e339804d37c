/**
 * The `ws` sockets of `lark-effect/layers/ws` against a plain WebSocket server on 127.0.0.1: messages arrive
 * whole, and one larger than `MAX_MESSAGE_BYTES` closes the socket (the client says 1009, message too big)
 * without being handed over.
 */
import type { AddressInfo } from "node:net"
import { assert, describe } from "@effect/vitest"
import { Effect, Queue, Redacted } from "effect"
import { type WebSocket, WebSocketServer } from "ws"
import * as WsLayer from "../../layers/ws.js"
import { callback } from "../../src/internal/dialect.js"
import { WebSocketFactory } from "../../src/ws/socket.js"
import { scopedLive } from "../dialect.js"
import { eventually } from "../fixtures/loopback.js"

/**
 * A server on 127.0.0.1 that sends each of `sizes` (bytes of a binary message) to every client, in order, and
 * records the code of every close frame a client sends it.
 */
const sending = (sizes: ReadonlyArray<number>, closeCodes: Array<number> = []) =>
  Effect.acquireRelease(
    callback<WebSocketServer>((resume) => {
      const server: WebSocketServer = new WebSocketServer(
        { host: "127.0.0.1", port: 0, perMessageDeflate: false },
        () => resume(Effect.succeed(server))
      )
      server.on("connection", (socket: WebSocket) => {
        socket.on("close", (code: number) => closeCodes.push(code))
        for (const size of sizes) socket.send(Buffer.alloc(size, 7), { binary: true })
      })
    }),
    (server) =>
      callback<void>((resume) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resume(Effect.void))
      })
  )

const urlOf = (server: WebSocketServer) => Redacted.make(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)

describe("lark-effect/layers/ws sockets", () => {
  scopedLive("a URL ws cannot open is a transport failure at the open that does not name it", () =>
    Effect.gen(function*() {
      const factory = yield* WebSocketFactory
      for (const url of ["ftp://127.0.0.1:9/ws?access_key=AK", "ws://127.0.0.1:9/ws?access_key=AK#x"]) {
        const error = yield* Effect.flip(factory.open(Redacted.make(url)))
        assert.strictEqual(error._tag, "LongConnectionTransportError", url)
        assert.notInclude(error.message, "AK", url)
      }
    }).pipe(Effect.provide(WsLayer.layer)))

  scopedLive("a message larger than MAX_MESSAGE_BYTES closes the socket (1009); the ones before it arrive", () =>
    Effect.gen(function*() {
      const closeCodes: Array<number> = []
      const server = yield* sending([1024, WsLayer.MAX_MESSAGE_BYTES + 1, 1024], closeCodes)
      const factory = yield* WebSocketFactory
      const connection = yield* factory.open(urlOf(server))
      yield* connection.closed
      assert.deepStrictEqual(yield* eventually(Effect.sync(() => closeCodes), (codes) => codes.length > 0), [1009])
      const first = yield* Queue.take(connection.messages)
      assert.strictEqual(first.length, 1024)
      assert.strictEqual(yield* Queue.size(connection.messages), 0) // neither the large one nor the one after it
    }).pipe(Effect.provide(WsLayer.layer)))

  scopedLive("a message of exactly MAX_MESSAGE_BYTES arrives whole", () =>
    Effect.gen(function*() {
      const server = yield* sending([WsLayer.MAX_MESSAGE_BYTES])
      const factory = yield* WebSocketFactory
      const connection = yield* factory.open(urlOf(server))
      const message = yield* Queue.take(connection.messages)
      assert.strictEqual(message.length, WsLayer.MAX_MESSAGE_BYTES)
    }).pipe(Effect.provide(WsLayer.layer)))
})
