/**
 * A small `HttpClient` on `node:http` / `node:https`, for `lark-effect/layers/http`.
 *
 * `@effect/platform-node`'s `NodeHttpClient` module imports undici even for its `node:http` client, and the
 * runtime's `fetch` loads Node's own copy of undici on first use; this one loads neither, so programs start
 * with less memory. Keep-alive agents are owned by the scope that made the client. A request sent with
 * {@link IdleTimeout} set fails when its socket stays silent that long (connecting, waiting for the answer,
 * or between body chunks), with a cause whose `code` is {@link TIMEOUT_CODE}.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type { HttpBody } from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import type { Socket } from "node:net"
import { pipeline, Readable } from "node:stream"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { ATTEMPT_TIMEOUT_CODE } from "../../src/AttemptTimeout.js"
import * as Exchange from "../../src/Exchange.js"
import {
  callback,
  failedToDecode,
  failedToEncode,
  failedToSend,
  optionFromNullable,
  Reference,
  type RequestFailure,
  type ResponseFailure
} from "../../src/internal/dialect.js"

/** Milliseconds a request's socket may stay silent before the request fails; 0 (the default) for no limit. */
export class IdleTimeout extends Reference<IdleTimeout>()("lark-effect/layers/http/IdleTimeout", {
  defaultValue: () => 0
}) {}

/** The `code` of the cause when {@link IdleTimeout} passed; one of `TIMEOUT_CODES` (src/AttemptTimeout.ts). */
export const TIMEOUT_CODE = ATTEMPT_TIMEOUT_CODE

const timedOut = (millis: number) =>
  Object.assign(new Error(`no data on the socket for ${millis} ms`), { code: TIMEOUT_CODE })

// ---------------------------------------------------------------------------------------------------------
// the response

/**
 * The whole body; one read, shared by every reader. A body larger than `maxBytes` (declared or as it arrives)
 * fails with `Exchange.answerTooLarge`, and the response is destroyed: its connection closes, the rest unread.
 */
const readAll = (source: Http.IncomingMessage, maxBytes = Infinity): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    if (source.readableEnded) return reject(new Error("the body was already read as a stream"))
    const tooLarge = () => {
      reject(Exchange.answerTooLarge(maxBytes))
      source.destroy()
    }
    if (Exchange.declaredTooLarge(source.headers["content-length"], maxBytes)) return tooLarge()
    const chunks: Array<Buffer> = []
    let received = 0
    source.on("data", (chunk: Buffer) => {
      received += chunk.length
      if (received > maxBytes) tooLarge()
      else chunks.push(chunk)
    })
    source.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    source.once("error", reject)
    // (an Error costs a stack trace: made only when needed)
    source.once("close", () => source.readableEnded || reject(new Error("the connection closed before the body ended")))
  })

class NodeHttpResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  // Node detaches the socket from a response once its body is read and the socket goes back to the pool.
  private readonly socket: Socket | null
  private cachedHeaders: Headers.Headers | undefined
  private body: Promise<Buffer> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly target: URL,
    private readonly source: Http.IncomingMessage
  ) {
    super()
    this.socket = source.socket
  }

  /** Where the request went (Node follows no redirect), without its fragment. */
  get url() {
    const { hash, href } = this.target
    return hash === "" ? href : href.slice(0, -hash.length)
  }

  get status() {
    return this.source.statusCode ?? 0
  }

  get headers() {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers)
  }

  get cookies() {
    return Cookies.fromSetCookie(this.source.headers["set-cookie"] ?? [])
  }

  get remoteAddress() {
    return optionFromNullable(this.socket?.remoteAddress)
  }

  private failure(cause: unknown, description?: string): ResponseFailure {
    return failedToDecode(this, cause, description)
  }

  private get bytes(): Effect.Effect<Buffer, ResponseFailure> {
    return callback((resume) => {
      const body = this.body ??= readAll(this.source)
      body.then(
        (bytes) => resume(Effect.succeed(bytes)),
        (cause) => resume(Effect.fail(this.failure(cause)))
      )
    })
  }

  get text() {
    return Effect.map(this.bytes, (bytes) => bytes.toString("utf8"))
  }

  // JSON text parses to what the platform types the body as (`unknown` on Effect 3, `Schema.Json` on Effect 4)
  get json(): HttpClientResponse.HttpClientResponse["json"] {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => text === "" ? null : JSON.parse(text), catch: (cause) => this.failure(cause) }))
  }

  get arrayBuffer() {
    return Effect.map(this.bytes, (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }

  get urlParamsBody() {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: (cause) => this.failure(cause) }))
  }

  get formData() {
    return Effect.fail(this.failure(undefined, "formData is not supported by lark-effect's node:http client"))
  }

  /** The body as it arrives; the next chunk is read only when the stream is pulled. */
  get stream() {
    return Stream.fromAsyncIterable(this.source as AsyncIterable<Uint8Array>, (cause) => this.failure(cause))
  }

  /** Not supported. `url`, `upgrade` and `pipe` are what an Effect 4 response has besides an Effect 3 one. */
  get upgrade() {
    return Effect.fail(this.failure(undefined, "upgrade is not supported by lark-effect's node:http client"))
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toJSON() {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
}

// ---------------------------------------------------------------------------------------------------------
// the request

type Payload = string | Uint8Array | Readable | undefined

/** What to write: bytes, or a Node stream for a `Stream` body. */
const payloadOf = (request: HttpClientRequest.HttpClientRequest, body: HttpBody): Effect.Effect<Payload, RequestFailure> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed(body.body)
        : Effect.fail(failedToEncode(request, undefined, "a raw body must be a string or a Uint8Array"))
    case "FormData":
      return Effect.fail(failedToEncode(request, undefined, "encode FormData to bytes first (new Response(form))"))
    case "Stream":
      return Effect.map(
        Stream.toReadableStreamEffect(body.stream),
        (stream) => Readable.fromWeb(stream as NodeReadableStream<Uint8Array>)
      )
  }
}

/** Starts one request to `url`: the client's agents decide how it is carried (direct, through a proxy). */
export type Send = (url: URL, options: Http.RequestOptions) => Http.ClientRequest

/** Keep-alive agents of their own, destroyed with `close`. */
export interface Agents {
  readonly send: Send
  readonly close: () => void
}

/** Direct connections on keep-alive agents (`http` for `http:` URLs, `https` for `https:` ones). */
export const direct = (http: Http.Agent, https: Https.Agent): Send => (url, options) =>
  url.protocol === "https:" ? Https.request(url, { agent: https, ...options }) : Http.request(url, { agent: http, ...options })

/** How one request ended before its answer's head, if it did: the payload failed, or the transport. */
type Failure = { readonly reason: "Encode" | "Transport"; readonly cause: unknown }

/**
 * Sends one request and reports, once, either the answer's head or the failure before it. With `idleMillis`
 * the socket's silence ends the request (before the head) or the body (after it) with a {@link TIMEOUT_CODE}
 * error. Returns the request, to destroy it when the caller gives up (none when Node refused to make it).
 */
const dispatch = (
  send: Send,
  method: string,
  url: string | URL,
  headers: Http.OutgoingHttpHeaders,
  idleMillis: number,
  signal: AbortSignal | undefined,
  payload: Payload,
  onHead: (incoming: Http.IncomingMessage) => void,
  onFailure: (failure: Failure) => void
): Http.ClientRequest | undefined => {
  // Node frames a body on its own only for methods it expects one on: a GET's or DELETE's needs its length
  const framed = typeof payload === "string" || payload instanceof Uint8Array
    ? { "content-length": Buffer.byteLength(payload), ...headers }
    : headers
  const options: Http.RequestOptions = { method, headers: framed }
  if (signal !== undefined) options.signal = signal
  if (idleMillis > 0) options.timeout = idleMillis // from before the socket connects
  let req: Http.ClientRequest
  try {
    req = send(typeof url === "string" ? new URL(url) : url, options)
  } catch (cause) { // Node refused the request as given (a header, the URL): nothing was sent
    onFailure({ reason: "Encode", cause })
    return undefined
  }
  let response: Http.IncomingMessage | undefined
  let settled = false
  const fail = (failure: Failure) => {
    if (settled) return
    settled = true
    onFailure(failure)
  }
  // Stays attached: a request may emit "error" after its response (the socket fails mid-body).
  req.on("error", (cause) => fail({ reason: "Transport", cause }))
  req.once("response", (incoming) => {
    response = incoming
    if (settled) return
    settled = true
    onHead(incoming)
  })
  if (idleMillis > 0) {
    req.on("timeout", () => {
      if (response === undefined) req.destroy(timedOut(idleMillis))
      else if (!response.complete) response.destroy(timedOut(idleMillis)) // its body readers get the error
    })
  }
  if (payload instanceof Readable) {
    payload.once("error", (cause) => fail({ reason: "Encode", cause })) // before the request's own error
    pipeline(payload, req, () => {}) // failures are reported by the listeners
  } else {
    req.end(payload)
  }
  return req
}

/** Sends one request for the platform's client and waits for the response head. */
const exchange = (
  send: Send,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal,
  idleMillis: number,
  payload: Payload
) =>
  callback<HttpClientResponse.HttpClientResponse, RequestFailure>((resume) => {
    const req = dispatch(
      send,
      request.method,
      url,
      request.headers,
      idleMillis,
      signal,
      payload,
      (incoming) => resume(Effect.succeed(new NodeHttpResponse(request, url, incoming))),
      ({ reason, cause }) => resume(Effect.fail(reason === "Encode" ? failedToEncode(request, cause) : failedToSend(request, cause)))
    )
    return Effect.sync(() => req?.destroy()) // interrupted before the response head
  })

/** A socket timeout in whole milliseconds for a deadline; 0 for none. */
export const socketMillis = (timeout: Duration.Duration): number => {
  const millis = Math.ceil(Duration.toMillis(timeout))
  return Number.isFinite(millis) && millis > 0 ? millis : 0
}

/**
 * The executor's lane: the same request, with the body read whole into the answer. The deadline is kept
 * twice: the socket's silence, as with {@link IdleTimeout}, and a timer for the whole attempt
 * (`Exchange.attemptTimer`).
 */
const directExchange = (send: Send): Exchange.Exchange => (outgoing, timeout, maxBytes) =>
  callback<Exchange.Answer, Exchange.ExchangeError>((resume) => {
    let deadline: ReturnType<typeof setTimeout> | undefined
    let incoming: Http.IncomingMessage | undefined
    const settle = (answer: Effect.Effect<Exchange.Answer, Exchange.ExchangeError>) => {
      clearTimeout(deadline)
      resume(answer)
    }
    const req = dispatch(
      send,
      outgoing.method,
      outgoing.url,
      outgoing.headers,
      socketMillis(timeout),
      undefined,
      outgoing.body,
      (head) => {
        incoming = head
        readAll(head, maxBytes).then(
          (body) =>
            settle(Effect.succeed({
              status: head.statusCode ?? 0,
              headers: head.headers,
              body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
            })),
          (cause) => settle(Effect.fail(Exchange.failed("Receive", outgoing, cause)))
        )
      },
      ({ reason, cause }) => settle(Effect.fail(Exchange.failed(reason === "Encode" ? "Encode" : "Send", outgoing, cause)))
    )
    // the body's readers get the error once the head is in; the request's listener before
    if (req !== undefined) deadline = Exchange.attemptTimer(timeout, (cause) => (incoming ?? req).destroy(cause))
    return Effect.sync(() => {
      clearTimeout(deadline)
      req?.destroy() // interrupted: the socket is closed, not returned to the pool
    })
  })

/** Direct keep-alive agents. */
const directAgents = (): Agents => {
  const http = new Http.Agent({ keepAlive: true })
  const https = new Https.Agent({ keepAlive: true })
  return { send: direct(http, https), close: () => (http.destroy(), https.destroy()) }
}

/**
 * A client on `agents`, closed (with every socket) when the scope closes.
 * It carries a direct exchange for the executor (`Exchange.withExchange`).
 */
export const makeOn = (agents: () => Agents): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.sync(agents), (agents) => Effect.sync(agents.close)),
    ({ send }) =>
      Exchange.withExchange(
        HttpClient.make((request, url, signal) =>
          Effect.flatMap(
            payloadOf(request, request.body),
            (payload) => Effect.flatMap(IdleTimeout, (idleMillis) => exchange(send, request, url, signal, idleMillis, payload))
          )
        ),
        directExchange(send)
      )
  )

/** The client on direct keep-alive agents. */
export const make: Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> = makeOn(directAgents)
