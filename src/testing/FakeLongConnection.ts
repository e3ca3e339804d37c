/**
 * The platform's side of the long connection, for tests (ours and our users') and benchmarks: a `ws`
 * WebSocket server on 127.0.0.1 speaking `pbbp2` frames, plus its bootstrap endpoint.
 *
 * - The endpoint (`POST /callback/ws/endpoint`) checks AppID / AppSecret (or, keyless, AppSecret "" and a
 *   ClientAssertion) and answers a socket URL and the
 *   `ClientConfig`. It is served by this server itself (point `LarkConfig`'s `domain` at {@link Service.url})
 *   and, through the `LongConnectionEndpoint` tag this layer provides, by the `FakeOpenPlatform` too, so that
 *   one fake platform serves the API and the long connection.
 * - Pushed messages (events, card callbacks) go to the newest socket, whole or in parts, in any order. A
 *   message stays pending until a socket acknowledges it with code 200; every new socket gets the pending
 *   ones again (the platform's redelivery).
 * - Pings are answered with a pong carrying the `ClientConfig` (the endpoint's unless set otherwise).
 * - Faults: endpoint error codes, refused upgrades with `Handshake-*` headers, a connection limit, dropping
 *   every socket, ignoring pings.
 *
 * Node only (it runs a `node:http` server with `ws`).
 */
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { WebSocket, WebSocketServer } from "ws"
import * as Frame from "../ws/frame.js"
import { defaultApps, type FakeApp, knowsAssertion, knowsSecret } from "./fakeApps.js"
import { LongConnectionEndpoint } from "./FakeOpenPlatform.js"

export class FakeLongConnection extends Context.Tag("lark-effect/testing/FakeLongConnection")<
  FakeLongConnection,
  FakeLongConnection.Service
>() {}

export declare namespace FakeLongConnection {
  interface Options {
    /**
     * Apps the endpoint accepts, by App Secret or (keyless apps) client assertion. Default
     * `[{ appId: "cli_fake", appSecret: "fake_secret" }]`.
     */
    readonly apps?: ReadonlyArray<FakeApp>
    /** The `ClientConfig` the endpoint answers (seconds). Default: reconnect forever, no waits, ping every 120 s. */
    readonly clientConfig?: ClientConfigJson
    /** `service_id` in the socket URL. Default 7. */
    readonly serviceId?: number
    /** Sockets open at once before upgrades are refused with 514 / 1000040350. Default: no limit. */
    readonly maxConnections?: number
  }

  interface Service {
    /** `http://127.0.0.1:<port>`: the endpoint's base URL (a `LarkConfig` `domain`). */
    readonly url: string
    /** Answers an endpoint request body (what `FakeOpenPlatform` serves on `/callback/ws/endpoint`). */
    readonly endpoint: (body: unknown) => Effect.Effect<EndpointAnswer>
    /** Endpoint requests so far. */
    readonly endpointCalls: Effect.Effect<number>
    /** Sockets accepted so far, and open now. */
    readonly connections: Effect.Effect<{ readonly accepted: number; readonly open: number }>
    /** Pushes a message to the newest socket (or the next one, when none is open); answers its message id. */
    readonly push: (envelope: unknown, options?: PushOptions) => Effect.Effect<string>
    /** Every ack received, in order. */
    readonly acks: Effect.Effect<ReadonlyArray<Ack>>
    /** Pings received so far. */
    readonly pings: Effect.Effect<number>
    /** Messages not yet acknowledged with 200. */
    readonly pending: Effect.Effect<number>
    /** Waits until `check` holds on the fake's counters (re-checked after every change). */
    readonly until: (check: (view: View) => boolean) => Effect.Effect<void>
    /** The next endpoint requests answer these codes, one each. */
    readonly failEndpoint: (...failures: ReadonlyArray<{ readonly code: number; readonly msg: string }>) => Effect.Effect<void>
    /** The next upgrades are refused with these, one each. */
    readonly refuseHandshake: (...refusals: ReadonlyArray<Refusal>) => Effect.Effect<void>
    /** Closes every open socket abruptly (no close frame: code 1006 on the client). */
    readonly dropConnections: Effect.Effect<void>
    /** `false`: pings are counted but not answered (a silent, half-open socket). */
    readonly answerPings: (answer: boolean) => Effect.Effect<void>
    /** The `ClientConfig` carried by every pong from now on (default: the endpoint's; `undefined`: no payload). */
    readonly setPongConfig: (config: ClientConfigJson | undefined) => Effect.Effect<void>
  }

  /** What {@link Service.until} sees. */
  interface View {
    readonly accepted: number
    readonly open: number
    readonly acks: ReadonlyArray<Ack>
    readonly pings: number
    readonly endpointCalls: number
    /** Upgrade requests received (accepted, refused or hanging). */
    readonly upgrades: number
    readonly refused: number
    /** Upgrades left hanging whose TCP connection is still open. */
    readonly hanging: number
  }
}

/** `ClientConfig` as the server writes it (seconds). */
export interface ClientConfigJson {
  readonly ReconnectCount?: number
  readonly ReconnectInterval?: number
  readonly ReconnectNonce?: number
  readonly PingInterval?: number
}

export interface EndpointAnswer {
  readonly status: number
  readonly body: unknown
}

export interface PushOptions {
  /** The frame type. Default `"event"`. */
  readonly type?: "event" | "card"
  /** Split the payload into this many parts. Default 1. */
  readonly parts?: number
  /** The order the parts are sent in, as a permutation of their indexes. Default in order. */
  readonly order?: ReadonlyArray<number>
  /** Default: a fresh one. */
  readonly messageId?: string
}

export interface Ack {
  readonly messageId: string
  readonly type: string | undefined
  readonly code: number
  /** `data` of the ack decoded (base64, then JSON), when present. */
  readonly data: unknown
  /** The `biz_rt` header. */
  readonly bizRt: string | undefined
  readonly frame: Frame.Frame
}

export interface Refusal {
  /** HTTP status of the refused upgrade. Default 403. */
  readonly httpStatus?: number
  /** `Handshake-Status`. */
  readonly status?: number
  readonly msg?: string
  /** `Handshake-Autherrcode`. */
  readonly authErrorCode?: number
  /** Never answer the upgrade at all (the TCP connection stays open until the client gives up). */
  readonly hang?: boolean
}

/** A v2 event envelope (`schema: "2.0"`). */
export const event = (type: string, payload: unknown, eventId = `evt_${Math.random().toString(36).slice(2)}`) => ({
  schema: "2.0",
  header: { event_id: eventId, event_type: type, create_time: "1700000000000", app_id: "cli_fake", tenant_key: "tenant_fake" },
  event: payload
})

interface Message {
  readonly id: string
  readonly type: "event" | "card"
  readonly payload: Uint8Array
  readonly parts: number
  readonly order: ReadonlyArray<number> | undefined
}

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

const split = (payload: Uint8Array, parts: number): Array<Uint8Array> => {
  const size = Math.ceil(payload.length / parts)
  return Array.from({ length: parts }, (_, i) => payload.subarray(i * size, Math.min((i + 1) * size, payload.length)))
}

const refusalResponse = (refusal: Refusal): string => {
  const status = refusal.httpStatus ?? 403
  const lines = [`HTTP/1.1 ${status} Refused`, "Connection: close", "Content-Length: 0"]
  if (refusal.status !== undefined) lines.push(`Handshake-Status: ${refusal.status}`)
  if (refusal.msg !== undefined) lines.push(`Handshake-Msg: ${refusal.msg}`)
  if (refusal.authErrorCode !== undefined) lines.push(`Handshake-Autherrcode: ${refusal.authErrorCode}`)
  return `${lines.join("\r\n")}\r\n\r\n`
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Serves the fake for the lifetime of the scope. */
export const make = (
  options: FakeLongConnection.Options = {}
): Effect.Effect<FakeLongConnection.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const apps = options.apps ?? defaultApps
    const clientConfig: ClientConfigJson = {
      ReconnectCount: -1,
      ReconnectInterval: 0,
      ReconnectNonce: 0,
      PingInterval: 120,
      ...options.clientConfig
    }
    const serviceId = options.serviceId ?? 7

    const sockets = new Set<WebSocket>()
    let newest: WebSocket | undefined
    const pending = new Map<string, Message>()
    const acks: Array<Ack> = []
    const endpointFailures: Array<{ readonly code: number; readonly msg: string }> = []
    const refusals: Array<Refusal> = []
    let accepted = 0
    let refused = 0
    let upgrades = 0
    const hanging = new Set<Socket>()
    let pings = 0
    let endpointCalls = 0
    let answerPings = true
    let pongConfig: ClientConfigJson | undefined = clientConfig
    let sequence = 0
    let port = 0

    const waiters = new Set<() => void>()
    const changed = () => {
      for (const waiter of [...waiters]) waiter()
    }
    const view = (): FakeLongConnection.View => ({
      accepted,
      open: sockets.size,
      acks,
      pings,
      endpointCalls,
      upgrades,
      refused,
      hanging: hanging.size
    })

    const send = (socket: WebSocket, frame: Frame.Frame) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(Frame.encode(frame))
    }

    const deliver = (socket: WebSocket, message: Message) => {
      const parts = split(message.payload, message.parts)
      const order = message.order ?? parts.map((_, i) => i)
      const seqId = BigInt(++sequence)
      for (const index of order) {
        send(socket, {
          seqId,
          logId: seqId + 1_000_000n,
          service: serviceId,
          method: Frame.Method.data,
          headers: [
            { key: "type", value: message.type },
            { key: "message_id", value: message.id },
            { key: "sum", value: String(message.parts) },
            { key: "seq", value: String(index) },
            { key: "trace_id", value: `trace_${message.id}` }
          ],
          payload: parts[index]!
        })
      }
    }

    const onAck = (frame: Frame.Frame) => {
      const messageId = Frame.header(frame, "message_id") ?? ""
      const body = parseJson(utf8Decoder.decode(frame.payload ?? new Uint8Array(0))) as
        | { code?: unknown; data?: unknown }
        | undefined
      const code = typeof body?.code === "number" ? body.code : 0
      const data = typeof body?.data === "string"
        ? Either.match(Encoding.decodeBase64String(body.data), { onLeft: () => body.data, onRight: parseJson })
        : undefined
      acks.push({ messageId, type: Frame.header(frame, "type"), code, data, bizRt: Frame.header(frame, "biz_rt"), frame })
      if (code === 200) pending.delete(messageId)
    }

    const onClientFrame = (socket: WebSocket, bytes: Uint8Array) => {
      const decoded = Frame.decode(bytes)
      if (Either.isLeft(decoded)) return
      const frame = decoded.right
      if (frame.method === Frame.Method.data) onAck(frame)
      else if (Frame.header(frame, "type") === "ping") {
        pings++
        if (answerPings) {
          send(socket, {
            ...frame,
            headers: [{ key: "type", value: "pong" }],
            payload: pongConfig === undefined ? undefined : utf8.encode(JSON.stringify(pongConfig))
          })
        }
      }
      changed()
    }

    const endpoint = (body: unknown): Effect.Effect<EndpointAnswer> =>
      Effect.sync(() => {
        endpointCalls++
        changed()
        const failure = endpointFailures.shift()
        if (failure !== undefined) return { status: 200, body: { code: failure.code, msg: failure.msg, data: {} } }
        const credentials = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {}
        const known = credentials.AppSecret === ""
          ? knowsAssertion(apps, credentials.AppID, credentials.ClientAssertion)
          : knowsSecret(apps, credentials.AppID, credentials.AppSecret)
        if (!known) {
          return { status: 200, body: { code: 10014, msg: "app secret invalid", data: {} } }
        }
        const n = endpointCalls
        const url = `ws://127.0.0.1:${port}/ws/v2?fpid=1&aid=1&device_id=fake_device_${n}` +
          `&access_key=fake_access_key&service_id=${serviceId}&ticket=fake_ticket_${n}`
        return { status: 200, body: { code: 0, msg: "ok", data: { URL: url, ClientConfig: clientConfig } } }
      })

    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
    wss.on("connection", (socket) => {
      accepted++
      sockets.add(socket)
      newest = socket
      socket.on("message", (data, isBinary) => {
        if (isBinary) onClientFrame(socket, data as Buffer)
      })
      socket.on("close", () => {
        sockets.delete(socket)
        if (newest === socket) newest = undefined
        changed()
      })
      socket.on("error", () => {})
      for (const message of pending.values()) deliver(socket, message)
      changed()
    })

    const server = createServer((request, response) => {
      if (request.method !== "POST" || !request.url?.startsWith("/callback/ws/endpoint")) {
        response.writeHead(404).end()
        return
      }
      void readBody(request).then((text) =>
        Effect.runPromise(endpoint(parseJson(text))).then((answer) => {
          response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body))
        })
      )
    })
    server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
      upgrades++
      const limited = options.maxConnections !== undefined && sockets.size >= options.maxConnections
      const refusal = refusals.shift() ??
        (limited ? { httpStatus: 514, status: 514, msg: "exceed connection limit", authErrorCode: 1000040350 } : undefined)
      if (refusal?.hang === true) {
        hanging.add(socket)
        // read (and discard) so that the client's FIN is seen; an upgrade socket starts paused
        socket.on("end", () => socket.destroy())
        socket.resume()
        socket.on("close", () => {
          hanging.delete(socket)
          changed()
        })
        changed()
        return
      }
      if (refusal !== undefined) {
        refused++
        socket.end(refusalResponse(refusal))
        changed()
        return
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request))
    })

    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          port = (server.address() as AddressInfo).port
          resume(Effect.void)
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.terminate()
          for (const socket of hanging) socket.destroy()
          wss.close()
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )

    const until = (check: (view: FakeLongConnection.View) => boolean): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        const waiter = () => {
          if (!check(view())) return
          waiters.delete(waiter)
          resume(Effect.void)
        }
        waiters.add(waiter)
        waiter()
        return Effect.sync(() => waiters.delete(waiter))
      })

    return {
      url: `http://127.0.0.1:${port}`,
      endpoint,
      endpointCalls: Effect.sync(() => endpointCalls),
      connections: Effect.sync(() => ({ accepted, open: sockets.size })),
      push: (envelope, pushOptions = {}) =>
        Effect.sync(() => {
          const id = pushOptions.messageId ?? `msg_${++sequence}`
          const message: Message = {
            id,
            type: pushOptions.type ?? "event",
            payload: utf8.encode(JSON.stringify(envelope)),
            parts: Math.max(1, pushOptions.parts ?? 1),
            order: pushOptions.order
          }
          pending.set(id, message)
          if (newest !== undefined) deliver(newest, message)
          return id
        }),
      acks: Effect.sync(() => [...acks]),
      pings: Effect.sync(() => pings),
      pending: Effect.sync(() => pending.size),
      until,
      failEndpoint: (...failures) => Effect.sync(() => void endpointFailures.push(...failures)),
      refuseHandshake: (...more) => Effect.sync(() => void refusals.push(...more)),
      dropConnections: Effect.sync(() => {
        for (const socket of sockets) socket.terminate()
      }),
      answerPings: (answer) => Effect.sync(() => void (answerPings = answer)),
      setPongConfig: (config) => Effect.sync(() => void (pongConfig = config))
    } satisfies FakeLongConnection.Service
  })

/**
 * The fake, plus the `LongConnectionEndpoint` that makes a `FakeOpenPlatform` built on top of it serve
 * `/callback/ws/endpoint`: `fakeOpenPlatform().pipe(Layer.provideMerge(FakeLongConnection.layer()))`.
 */
export const layer = (
  options?: FakeLongConnection.Options
): Layer.Layer<FakeLongConnection | LongConnectionEndpoint> =>
  Layer.scopedContext(Effect.map(make(options), (fake) =>
    Context.make(FakeLongConnection, fake).pipe(Context.add(LongConnectionEndpoint, fake.endpoint))))
