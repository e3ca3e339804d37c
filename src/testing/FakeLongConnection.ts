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
 *   message stays pending until a socket acknowledges it with code 200; until then, like the platform, the
 *   fake delivers it again on a schedule (on the newest socket), and on every new socket.
 * - Every frame a client sends is checked against the platform's rules (`ackRules.ts`): an ack must answer
 *   a frame this socket was sent and not yet answered, echo it and carry `biz_rt`. A frame that breaks them
 *   counts as no ack; it is kept as a {@link Violation}, and closing the fake's scope with any violation
 *   left dies, so a test whose client sends a bad ack fails.
 * - Pings are answered with a pong carrying the `ClientConfig` (the endpoint's unless set otherwise).
 * - Faults: endpoint error codes, refused upgrades with `Handshake-*` headers, a connection limit, dropping
 *   every socket, ignoring pings.
 *
 * Node only (it runs a `node:http` server with `ws`).
 */
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { WebSocket, WebSocketServer } from "ws"
import {
  callback,
  dieMessage,
  doneUnsafe,
  type DurationInput,
  getFailure,
  getSuccess,
  isFailure,
  scopedContextLayer,
  Service
} from "../internal/dialect.js"
import * as Frame from "../ws/frame.js"
import * as AckRules from "./ackRules.js"
import { defaultApp, defaultApps, type FakeApp, knowsAssertion, knowsSecret } from "./fakeApps.js"
import { LongConnectionEndpoint } from "./FakeOpenPlatform.js"

export class FakeLongConnection extends Service<FakeLongConnection, FakeLongConnection.Service>()(
  "lark-effect/testing/FakeLongConnection"
) {}

export declare namespace FakeLongConnection {
  interface Options {
    /** Apps the endpoint accepts, by App Secret or (keyless apps) client assertion. Default `[defaultApp]`. */
    readonly apps?: ReadonlyArray<FakeApp>
    /** The `ClientConfig` the endpoint answers (seconds). Default: reconnect forever, no waits, ping every 120 s. */
    readonly clientConfig?: ClientConfigJson
    /** `service_id` in the socket URL. Default 7. */
    readonly serviceId?: number
    /** Sockets open at once before upgrades are refused with 514 / 1000040350. Default: no limit. */
    readonly maxConnections?: number
    /**
     * When a message not yet acknowledged with 200 is delivered again on the newest socket, by `Clock`: the
     * first delay counts from the push, each next one from the previous timed delivery. Default
     * {@link redelivery}, the platform's.
     */
    readonly redelivery?: ReadonlyArray<DurationInput>
    /**
     * Take an ack with a negative `biz_rt` as valid. The official Node SDK's `WSClient` writes start − end
     * milliseconds (0 or negative); set this to test it against the fake. Default `false`.
     */
    readonly acceptNegativeBizRt?: boolean
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
    /** Every valid ack received, in order. */
    readonly acks: Effect.Effect<ReadonlyArray<Ack>>
    /**
     * The frames received so far that broke the platform's rules, and forgets them: a test that sends bad
     * frames on purpose takes them, so that the end of the fake's scope does not fail.
     */
    readonly takeViolations: Effect.Effect<ReadonlyArray<Violation>>
    /** Pings received so far. */
    readonly pings: Effect.Effect<number>
    /** Messages not yet acknowledged with 200. */
    readonly pending: Effect.Effect<number>
    /** Messages delivered to a socket so far, redeliveries included. */
    readonly deliveries: Effect.Effect<number>
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
    /** Not yet taken by {@link Service.takeViolations}. */
    readonly violations: ReadonlyArray<Violation>
    /** Messages delivered to a socket, redeliveries included. */
    readonly deliveries: number
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

/** A frame from a client that broke the platform's rules. */
export interface Violation {
  /** What was wrong, e.g. `ack for message msg_1: no biz_rt header`. */
  readonly reason: string
  /** The message it answered, when it names one. */
  readonly messageId: string | undefined
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

/**
 * The platform's redelivery schedule for an event that was not acknowledged: 15 s, 5 min, 1 h and 6 h after
 * the failed push. Documented for webhooks; the spec gives no other figures for the long connection.
 */
export const redelivery: ReadonlyArray<DurationInput> = ["15 seconds", "5 minutes", "1 hour", "6 hours"]

/** A v2 event envelope (`schema: "2.0"`), from the default app. */
export const event = (type: string, payload: unknown, eventId = `evt_${Math.random().toString(36).slice(2)}`) => ({
  schema: "2.0",
  header: { event_id: eventId, event_type: type, create_time: "1700000000000", app_id: defaultApp.appId, tenant_key: "tenant_fake" },
  event: payload
})

interface Message {
  readonly id: string
  readonly type: "event" | "card"
  readonly payload: Uint8Array
  readonly parts: number
  readonly order: ReadonlyArray<number> | undefined
  /** Timed deliveries so far (not counting the push and new sockets). */
  redelivered: number
  /** When the next timed delivery is due (Clock milliseconds); `Infinity` once the delays are spent. */
  dueAt: number
}

const utf8 = new TextEncoder()

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

const report = (violations: ReadonlyArray<Violation>): string =>
  [`FakeLongConnection: ${violations.length} frame(s) broke the platform's rules:`, ...violations.map((v) => `- ${v.reason}`)]
    .join("\n")

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
    const rules: AckRules.Options = { acceptNegativeBizRt: options.acceptNegativeBizRt }
    const delays = (options.redelivery ?? redelivery).map(Duration.toMillis)

    /** Open sockets, each with its frames not yet answered, by SeqID. */
    const sockets = new Map<WebSocket, Map<bigint, AckRules.Sent>>()
    let newest: WebSocket | undefined
    const pending = new Map<string, Message>()
    const acks: Array<Ack> = []
    let violations: Array<Violation> = []
    let deliveries = 0
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
      violations,
      deliveries,
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
      const logId = seqId + 1_000_000n
      const headers = parts.map((_, index) => [
        { key: "type", value: message.type },
        { key: "message_id", value: message.id },
        { key: "sum", value: String(message.parts) },
        { key: "seq", value: String(index) },
        { key: "trace_id", value: `trace_${message.id}` }
      ])
      sockets.get(socket)?.set(seqId, { messageId: message.id, logId, service: serviceId, parts: headers })
      deliveries++
      for (const index of order) {
        send(socket, { seqId, logId, service: serviceId, method: Frame.Method.data, headers: headers[index]!, payload: parts[index]! })
      }
    }

    const violation = (reason: string, messageId?: string) => void violations.push({ reason, messageId })

    const onAck = (outstanding: Map<bigint, AckRules.Sent>, frame: Frame.Frame) => {
      const sent = outstanding.get(frame.seqId)
      if (sent === undefined) {
        const named = Frame.header(frame, "message_id")
        return violation(`ack${named === undefined ? "" : ` for message ${named}`} with SeqID ${frame.seqId}: ` +
          "this socket has no unanswered frame with that SeqID (never sent here, or already answered)", named)
      }
      const checked = AckRules.check(sent, frame, rules)
      if (isFailure(checked)) return violation(`ack for message ${sent.messageId}: ${getFailure(checked).join("; ")}`, sent.messageId)
      outstanding.delete(frame.seqId)
      const { code, data } = getSuccess(checked)
      acks.push({ messageId: sent.messageId, type: Frame.header(frame, "type"), code, data, bizRt: Frame.header(frame, "biz_rt"), frame })
      if (code === 200) pending.delete(sent.messageId)
    }

    const onClientFrame = (socket: WebSocket, bytes: Uint8Array) => {
      const decoded = Frame.decode(bytes)
      if (isFailure(decoded)) return violation(`a binary message that is not a pbbp2 frame: ${getFailure(decoded).detail}`)
      const frame = getSuccess(decoded)
      const type = Frame.header(frame, "type")
      if (frame.method === Frame.Method.data) onAck(sockets.get(socket)!, frame)
      else if (type !== "ping") violation(`a control frame of type ${type ?? "(none)"}: a client sends only pings`)
      else {
        pings++
        if (answerPings) {
          send(socket, {
            ...frame,
            headers: [{ key: "type", value: "pong" }],
            payload: pongConfig === undefined ? undefined : utf8.encode(JSON.stringify(pongConfig))
          })
        }
      }
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
      sockets.set(socket, new Map())
      newest = socket
      socket.on("message", (data, isBinary) => {
        if (isBinary) onClientFrame(socket, data as Buffer)
        else violation("a text message: frames are binary")
        changed()
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

    // runs last, once the server is closed and no frame can come any more
    yield* Effect.addFinalizer(() => violations.length === 0 ? Effect.void : dieMessage(report(violations)))
    yield* Effect.acquireRelease(
      callback<void>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          port = (server.address() as AddressInfo).port
          resume(Effect.void)
        })
      }),
      () =>
        callback<void>((resume) => {
          for (const socket of sockets.keys()) socket.terminate()
          for (const socket of hanging) socket.destroy()
          wss.close()
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )

    const until = (check: (view: FakeLongConnection.View) => boolean): Effect.Effect<void> =>
      callback<void>((resume) => {
        const waiter = () => {
          if (!check(view())) return
          waiters.delete(waiter)
          resume(Effect.void)
        }
        waiters.add(waiter)
        waiter()
        return Effect.sync(() => waiters.delete(waiter))
      })

    // One fiber redelivers every pending message, asleep until the earliest is due (a fiber per message
    // made pushes twenty times slower). A push due sooner than that wakes it.
    let sleepingUntil = Infinity
    let wake: Deferred.Deferred<void> | undefined
    const redeliverDue = Effect.gen(function*() {
      const signal = yield* Deferred.make<void>()
      const now = yield* Clock.currentTimeMillis
      const next = yield* Effect.sync(() => {
        let next = Infinity
        for (const message of pending.values()) {
          if (message.dueAt <= now) {
            if (newest !== undefined) deliver(newest, message)
            message.redelivered++
            message.dueAt = now + (delays[message.redelivered] ?? Infinity)
            changed()
          }
          next = Math.min(next, message.dueAt)
        }
        sleepingUntil = next
        wake = signal
        return next
      })
      yield* next === Infinity ? Deferred.await(signal) : Effect.race(Effect.sleep(next - now), Deferred.await(signal))
    })
    yield* Effect.forkScoped(Effect.forever(redeliverDue))

    return {
      url: `http://127.0.0.1:${port}`,
      endpoint,
      endpointCalls: Effect.sync(() => endpointCalls),
      connections: Effect.sync(() => ({ accepted, open: sockets.size })),
      push: (envelope, pushOptions = {}) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const id = pushOptions.messageId ?? `msg_${++sequence}`
          const message: Message = {
            id,
            type: pushOptions.type ?? "event",
            payload: utf8.encode(JSON.stringify(envelope)),
            parts: Math.max(1, pushOptions.parts ?? 1),
            order: pushOptions.order,
            redelivered: 0,
            dueAt: now + (delays[0] ?? Infinity)
          }
          pending.set(id, message)
          if (newest !== undefined) deliver(newest, message)
          if (message.dueAt < sleepingUntil && wake !== undefined) doneUnsafe(wake, Exit.void)
          changed()
          return id
        }),
      acks: Effect.sync(() => [...acks]),
      takeViolations: Effect.sync(() => {
        const taken = violations
        violations = []
        changed()
        return taken
      }),
      pings: Effect.sync(() => pings),
      pending: Effect.sync(() => pending.size),
      deliveries: Effect.sync(() => deliveries),
      until,
      failEndpoint: (...failures) => Effect.sync(() => void endpointFailures.push(...failures)),
      refuseHandshake: (...more) => Effect.sync(() => void refusals.push(...more)),
      dropConnections: Effect.sync(() => {
        for (const socket of sockets.keys()) socket.terminate()
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
  scopedContextLayer(Effect.map(make(options), (fake) =>
    Context.make(FakeLongConnection, fake).pipe(Context.add(LongConnectionEndpoint, fake.endpoint))))
