/**
 * The long connection's WebSocket on Node, built on the `ws` package. Unlike the WHATWG `WebSocket`
 * (`globalThis.WebSocket` on Node 22+), `ws` hands over the response of a refused upgrade, whose
 * `Handshake-Status` / `Handshake-Msg` / `Handshake-Autherrcode` headers say whether retrying can help.
 */
import type { Agent, ClientRequest, IncomingMessage } from "node:http"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import WebSocket from "ws"
import { callback, doneUnsafe, offerUnsafe, scopedLayer } from "../src/internal/dialect.js"
import type { LarkConfigError } from "../src/LarkError.js"
import { LongConnectionHandshakeError, LongConnectionTransportError } from "../src/ws/errors.js"
import * as Fragments from "../src/ws/fragments.js"
import { type CloseInfo, type Connection, WebSocketFactory } from "../src/ws/socket.js"
import * as Proxy from "./internal/proxy.js"
import * as TunnelAgent from "./internal/tunnelAgent.js"

/** How long closing waits for the server's close frame before the TCP connection is destroyed. */
const CLOSE_GRACE = "1 second"

/** Room for a frame's headers beside its payload. */
const FRAME_HEADERS_BYTES = 1024 * 1024

/**
 * The largest WebSocket message read, in bytes (`ws` holds a whole message before handing it over; its own
 * default is 100 MiB). A message is one frame: a payload, which reassembly refuses past the default
 * `fragments.maxBytes` (16 MiB), and its headers. A larger message closes the socket (code 1009) unread, and
 * the long connection connects again.
 */
export const MAX_MESSAGE_BYTES = Fragments.defaultLimits.maxBytes + FRAME_HEADERS_BYTES

const numberHeader = (value: string | Array<string> | undefined): number | undefined => {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return value === undefined || !Number.isFinite(n) ? undefined : n
}

const stringHeader = (value: string | Array<string> | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? ""

const toBytes = (data: WebSocket.RawData): Uint8Array =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data

/** Closes politely (code 1000), then destroys the connection if the server does not answer in time. */
const shutdown = (socket: WebSocket): Effect.Effect<void> =>
  callback<void>((resume) => {
    if (socket.readyState === WebSocket.CLOSED) return resume(Effect.void)
    socket.once("close", () => resume(Effect.void))
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate()
    else if (socket.readyState === WebSocket.OPEN) socket.close(1000)
  }).pipe(
    Effect.timeout(CLOSE_GRACE),
    Effect.ignore,
    Effect.ensuring(Effect.sync(() => socket.terminate()))
  )

/** The part of `ws`'s socket it keeps private: the TCP socket, corked to write many frames in one go. */
interface WithTcp {
  readonly _socket?: { cork?: () => void; uncork?: () => void } | null
}

/**
 * Frames sent in one turn of the event loop (typically the acks of a batch of messages) go out together:
 * the TCP socket is corked while they are queued, so they leave in one `writev` instead of one system call
 * each. Each frame is still its own WebSocket message.
 */
const makeOutbox = (socket: WebSocket) => {
  let queued: Array<Uint8Array> = []
  let scheduled: ReturnType<typeof setImmediate> | undefined
  const flush = () => {
    scheduled = undefined
    const batch = queued
    queued = []
    if (socket.readyState !== WebSocket.OPEN) return
    const tcp = (socket as WithTcp)._socket
    tcp?.cork?.()
    for (const bytes of batch) socket.send(bytes, { binary: true })
    tcp?.uncork?.()
  }
  return {
    add: (bytes: Uint8Array) => {
      queued.push(bytes)
      scheduled ??= setImmediate(flush)
    },
    discard: () => {
      if (scheduled !== undefined) clearImmediate(scheduled)
      queued = []
    }
  }
}

const openFailure = (detail: string) => new LongConnectionTransportError({ stage: "open", reason: "Network", detail })

/** The agent a socket to `url` connects with; `undefined` for a direct connection. */
type AgentFor = (url: URL) => Agent | undefined

const open = (agentFor: AgentFor) => (url: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const messages = yield* Effect.acquireRelease(Queue.unbounded<Uint8Array>(), Queue.shutdown)
    const closed = yield* Deferred.make<CloseInfo>()
    const socket = yield* Effect.acquireRelease(
      Effect.try({
        // ws throws on a URL it cannot open (a scheme it does not know, a fragment); the message names the URL
        catch: () => openFailure("the socket URL cannot be opened"),
        try: () => {
          const href = Redacted.value(url)
          return new WebSocket(href, {
            perMessageDeflate: false,
            followRedirects: false,
            maxPayload: MAX_MESSAGE_BYTES,
            agent: agentFor(new URL(href))
          })
        }
      }).pipe(Effect.map((socket) => {
        // Errors after the open also end in "close"; this listener only keeps them from being thrown.
        socket.on("error", () => {})
        socket.on("message", (data, isBinary) => {
          if (isBinary) offerUnsafe(messages, toBytes(data))
        })
        socket.on("close", (code, reason) => doneUnsafe(closed, Effect.succeed({ code, reason: reason.toString() })))
        return socket
      })),
      shutdown
    )
    yield* callback<void, LongConnectionHandshakeError | LongConnectionTransportError>((resume) => {
      const settle = (result: Effect.Effect<void, LongConnectionHandshakeError | LongConnectionTransportError>) => {
        detach()
        resume(result)
      }
      const onOpen = () => settle(Effect.void)
      const onError = (error: Error) => settle(Effect.fail(openFailure(error.message)))
      const onRefused = (request: ClientRequest, response: IncomingMessage) => {
        response.resume()
        request.destroy()
        settle(Effect.fail(
          new LongConnectionHandshakeError({
            httpStatus: response.statusCode ?? 0,
            status: numberHeader(response.headers["handshake-status"]),
            msg: stringHeader(response.headers["handshake-msg"]),
            authErrorCode: numberHeader(response.headers["handshake-autherrcode"])
          })
        ))
      }
      const detach = () => {
        socket.off("open", onOpen)
        socket.off("error", onError)
        socket.off("unexpected-response", onRefused)
      }
      socket.once("open", onOpen)
      socket.once("error", onError)
      socket.once("unexpected-response", onRefused)
      return Effect.sync(detach)
    })
    const outbox = makeOutbox(socket)
    yield* Effect.addFinalizer(() => Effect.sync(outbox.discard))
    return {
      send: (bytes) => Effect.sync(() => outbox.add(bytes)),
      messages,
      closed: Deferred.await(closed)
    } satisfies Connection
  })

/** `WebSocketFactory` on the `ws` package, connecting directly. */
export const layer: Layer.Layer<WebSocketFactory> = Layer.succeed(WebSocketFactory, { open: open(() => undefined) })

export type { ProxyOption } from "./internal/proxy.js"

export interface Options {
  /**
   * Off by default. `"environment"` reads `HTTPS_PROXY` (for `wss:`), `HTTP_PROXY` (for `ws:`) and `NO_PROXY`
   * once, when the layer is built; a URL (`http://user:pass@proxy:3128`) carries every socket. The socket
   * goes through a CONNECT tunnel, TLS to the platform inside it.
   */
  readonly proxy?: Proxy.ProxyOption | undefined
  /** An agent of your own for every socket (node-sdk's `agent`); you destroy it. Not together with `proxy`. */
  readonly agent?: Agent | undefined
}

/** CONNECT tunnels through the proxies of `routes`, one agent per proxy and scheme, destroyed with the scope. */
const tunnels = (routes: Proxy.Routes) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => ({ plain: new Map<Proxy.Proxy, Agent>(), secure: new Map<Proxy.Proxy, Agent>() })),
      (agents) => Effect.sync(() => [...agents.plain.values(), ...agents.secure.values()].forEach((agent) => agent.destroy()))
    ),
    (agents): AgentFor => (url) => {
      const proxy = routes(url)
      if (proxy === undefined) return undefined
      const secure = url.protocol === "wss:"
      const kept = secure ? agents.secure : agents.plain
      const agent = kept.get(proxy) ?? TunnelAgent.make(proxy, secure)
      kept.set(proxy, agent)
      return agent
    }
  )

/** `WebSocketFactory` on the `ws` package through a proxy or an agent of your own; see {@link Options}. */
export const layerWith = (options: Options): Layer.Layer<WebSocketFactory, LarkConfigError> =>
  scopedLayer(
    WebSocketFactory,
    Effect.map(
      options.agent !== undefined
        ? options.proxy !== undefined ? Effect.fail(Proxy.notBoth("agent")) : Effect.succeed<AgentFor>(() => options.agent)
        : Effect.flatMap(Proxy.resolve(options.proxy), (routes) =>
          routes === undefined ? Effect.succeed<AgentFor>(() => undefined) : tunnels(routes)),
      (agentFor) => ({ open: open(agentFor) })
    )
  )
