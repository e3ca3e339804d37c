/**
 * A webhook entry point (`handle(dispatcher)`, or `handleCardAction(dispatcher)` for the legacy card request
 * URL) as a plain `node:http` request listener, which also works as Express / Koa-style middleware.
 *
 * Callback-based servers need the effect run for them: the caller passes the `Runtime` (for example
 * `ManagedRuntime.runtime()` or `Effect.runtime()`) that holds what the handlers require, so no fiber is
 * started without an owner the caller chose. On Effect 4, which has no `Runtime`, it is the `Context` of
 * those services (`Effect.context()`).
 *
 * The body is read up to `maxBodySize` bytes (default 1 MiB): a request that declares a larger
 * `content-length`, or sends more, is answered 413 at once, without reading the rest (the connection is
 * closed), and never reaches the entry point. A body a parser already consumed without keeping the raw
 * bytes is answered 500 and logged: the signature can no longer be checked.
 *
 * A request something else answered first (a timeout middleware's 503 while the handler ran), or whose
 * connection closed, keeps that answer: the webhook's own is dropped and logged (`Effect.logWarning`), never
 * written over it nor thrown. An answer Node refuses to write (a bad status or header) is answered 500 and
 * logged (`Effect.logError`).
 *
 * `makeReplier` (and `makeAnswer`, its promise) is the core the web framework adapters (`src/adapters`) share.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type AppRuntime, runObservedOn } from "../internal/dialect.js"
import { bodyLimit } from "./bodyLimit.js"
import { EventBodyTooLargeError } from "./errors.js"
import type { Request, Response } from "./handle.js"
import { FAILED, json, reject } from "./webhook.js"

export interface ListenerOptions {
  /** The largest body read, in bytes (default 1 MiB). */
  readonly maxBodySize?: number | undefined
}

const TOO_LARGE = "too large" as const

const UNREADABLE = json(400, { msg: "could not read the request body" })

const CONSUMED_DETAIL = "the request body was read by a body parser that kept no raw bytes, so its signature " +
  "cannot be checked: mount the webhook before the parser, or keep the raw body (Express: " +
  "express.json({ verify: rawBodySaver }); Koa: @koa/bodyparser) - see docs/events.md, Express, Koa, Fastify"

const CONSUMED = Effect.as(
  Effect.logError(`lark-effect webhook: ${CONSUMED_DETAIL}`),
  json(500, { msg: "the webhook is mounted behind a body parser that consumed the raw body" })
)

/**
 * The body a middleware already read (`preRead`: `express.raw()`, a raw body saver, Koa's body parser), or
 * {@link TOO_LARGE} past `limit`; `undefined` when there is none, and the stream is to be read.
 */
const preReadBody = (preRead: unknown, limit: number): Uint8Array | string | typeof TOO_LARGE | undefined => {
  if (!(preRead instanceof Uint8Array) && typeof preRead !== "string") return undefined
  return Buffer.byteLength(preRead) > limit ? TOO_LARGE : preRead
}

/**
 * The body read from the stream, collected once at the end (linear in its size); {@link TOO_LARGE} past `limit`,
 * as soon as the stream passes it; `undefined` when a parser consumed the stream and kept no bytes.
 */
const streamedBody = (request: IncomingMessage, limit: number): Promise<Uint8Array | typeof TOO_LARGE | undefined> => {
  if (request.readableDidRead) return Promise.resolve(undefined)
  if (Number(request.headers["content-length"]) > limit) return Promise.resolve(TOO_LARGE)
  return new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // stop reading: the reply closes the connection, so the rest is never read
        request.off("data", onData)
        request.pause()
        resolve(TOO_LARGE)
        return
      }
      chunks.push(chunk)
    }
    request.on("data", onData)
    request.once("end", () => resolve(Buffer.concat(chunks, size)))
    request.once("error", reject)
  })
}

/** Writes `answer` as the reply. @internal */
export const send = (response: ServerResponse, answer: Response): void => {
  // the length declared: without it `writeHead` commits to a chunked reply (framing, a second write)
  response.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) })
  response.end(answer.body)
}

/**
 * Takes the answer; what it returns, when an effect (a log of what became of the answer), is run on the replier's
 * runtime, so that it reaches the caller's logger.
 */
export type Reply = (answer: Response) => Effect.Effect<void> | void

/** Hands `respond`'s answer to `request` to a callback, called once. */
export type Replier = (request: IncomingMessage, preRead: unknown, reply: Reply) => void

const isEffect = (after: Effect.Effect<void> | void): after is Effect.Effect<void> => Effect.isEffect(after)

const ignore = (): void => {}

/**
 * `(request, preRead, reply) => void`: `reply` gets the answer of `respond`, run on `runtime`, to `request`, whose
 * body is `preRead` when a middleware already read it as bytes or a string (then `respond` starts at once, and
 * `reply` is called as soon as it ends: no promise in between), else read from the stream (at most `maxBodySize`
 * bytes, else 413). A broken request stream is answered 400; a defect or an interruption of `respond`, 500 (the
 * platform delivers it again), with the cause logged. An effect `reply` returns (a log) is
 * run on `runtime`. Throws `RangeError` for a `maxBodySize` that is not a positive whole number.
 *
 * @internal
 */
export const makeReplier = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: ListenerOptions = {}
): Replier => {
  const limit = bodyLimit(options.maxBodySize)
  const run = runObservedOn(runtime)
  const deliver = (reply: Reply) => (answer: Response): void => {
    const after = reply(answer)
    if (isEffect(after)) run(after, ignore)
  }
  const answerWith = (request: IncomingMessage, rawBody: Uint8Array | string | typeof TOO_LARGE | undefined, reply: (answer: Response) => void) => {
    let answer: Effect.Effect<Response, never, R>
    try {
      answer = rawBody === undefined
        ? CONSUMED
        : rawBody === TOO_LARGE
        ? reject(new EventBodyTooLargeError({ limit }))
        : respond({ method: request.method ?? "GET", headers: request.headers, rawBody })
    } catch (error) {
      return notHandled(reply, Cause.die(error)) // an entry point that throws instead of making its effect: a defect
    }
    // the entry points never fail: only a defect or an interruption gets here otherwise
    run(answer, (exit) => Exit.isSuccess(exit) ? reply(exit.value) : notHandled(reply, exit.cause))
  }
  /** A request the entry point died on or was interrupted in: 500, so the platform delivers it again; logged. */
  const notHandled = (reply: (answer: Response) => void, cause: Cause.Cause<unknown>): void => {
    reply(FAILED)
    run(Effect.logError("lark-effect webhook: the request was not handled (answered 500)", cause), ignore)
  }
  return (request, preRead, replyWith) => {
    const reply = deliver(replyWith)
    const body = preReadBody(preRead, limit)
    if (body !== undefined) return answerWith(request, body, reply)
    streamedBody(request, limit).then((rawBody) => answerWith(request, rawBody, reply), () => reply(UNREADABLE))
  }
}

/**
 * `(request, preRead) => Promise<Response>`: {@link makeReplier}'s answer as a promise, which never rejects.
 *
 * @internal
 */
export const makeAnswer = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: ListenerOptions = {}
) => {
  const replier = makeReplier(respond, runtime, options)
  return (request: IncomingMessage, preRead: unknown): Promise<Response> =>
    new Promise((resolve) => replier(request, preRead, resolve))
}

const UNWRITABLE = json(500, { msg: "the answer could not be written" })

/**
 * Writes the answer as the reply to `response`, unless the request was answered already (by a timeout
 * middleware, say, while the handler ran) or its connection is closed: then the answer is dropped, and the
 * effect returned logs it. Nothing is thrown (a throw here would be an uncaught exception, the end of the
 * process): an answer Node refuses to write (a bad status or header) is answered 500 instead, and logged.
 *
 * @internal
 */
export const sendTo = (response: ServerResponse) => (answer: Response): Effect.Effect<void> | void => {
  if (response.headersSent || response.writableEnded || response.destroyed) {
    const why = response.headersSent || response.writableEnded
      ? "was answered already (by a timeout middleware, say)"
      : "had its connection closed"
    return Effect.logWarning(
      `lark-effect webhook: the request ${why} before its answer was ready; the answer (${answer.status}) was dropped`
    )
  }
  try {
    send(response, answer)
  } catch (error) {
    let instead = "answered 500"
    try {
      send(response, UNWRITABLE)
    } catch {
      response.destroy() // not even a 500 could be written: closed, so the client is not left waiting
      instead = "connection closed"
    }
    return Effect.logError(`lark-effect webhook: the answer (${answer.status}) could not be written; ${instead}`, error)
  }
}

/**
 * `(req, res) => void` for `http.createServer`, Express (`app.post(path, listener)`; mount it before any JSON
 * body parser, or use `express.raw()`: the signature covers the raw bytes) and similar frameworks. Throws
 * `RangeError` for a `maxBodySize` that is not a positive whole number.
 */
export const nodeListener = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: ListenerOptions = {}
) => {
  const replier = makeReplier(respond, runtime, options)
  return (request: IncomingMessage & { readonly body?: unknown }, response: ServerResponse): void =>
    replier(request, request.body, sendTo(response))
}
