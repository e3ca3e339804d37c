/**
 * A webhook entry point (`handle(dispatcher)`, or `handleCardAction(dispatcher)` for the legacy card request
 * URL) as a plain `node:http` request listener, which also works as Express / Koa-style middleware.
 *
 * Callback-based servers need the effect run for them: the caller passes the `Runtime` (for example
 * `ManagedRuntime.runtime()` or `Effect.runtime()`) that holds what the handlers require, so no fiber is
 * started without an owner the caller chose.
 *
 * The body is read up to `maxBodySize` bytes (default 1 MiB): a request that declares a larger
 * `content-length`, or sends more, is answered 413 at once, without reading the rest (the connection is
 * closed), and never reaches the entry point.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import { bodyLimit } from "./bodyLimit.js"
import { EventBodyTooLargeError } from "./errors.js"
import type { Request, Response } from "./handle.js"
import { reject } from "./webhook.js"

export interface ListenerOptions {
  /** The largest body read, in bytes (default 1 MiB). */
  readonly maxBodySize?: number | undefined
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" } as const

const TOO_LARGE = "too large" as const

/**
 * The body exactly as received: a raw body a middleware already read (`express.raw()`), else the stream,
 * collected once at the end (linear in its size); {@link TOO_LARGE} as soon as it passes `limit`.
 */
const rawBodyOf = (
  request: IncomingMessage & { readonly body?: unknown },
  limit: number
): Promise<Uint8Array | string | typeof TOO_LARGE> => {
  if (request.body instanceof Uint8Array || typeof request.body === "string") return Promise.resolve(request.body)
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

const send = (response: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string) => {
  response.writeHead(status, headers)
  response.end(body)
}

/**
 * `(req, res) => void` for `http.createServer`, Express (`app.post(path, listener)`; mount it before any JSON
 * body parser, or use `express.raw()`: the signature covers the raw bytes) and similar frameworks. Throws
 * `RangeError` for a `maxBodySize` that is not a positive whole number.
 */
export const nodeListener = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: Runtime.Runtime<R>,
  options: ListenerOptions = {}
) => {
  const limit = bodyLimit(options.maxBodySize)
  const run = Runtime.runPromise(runtime)
  return (request: IncomingMessage, response: ServerResponse): void => {
    rawBodyOf(request, limit)
      .then((rawBody) =>
        run(
          rawBody === TOO_LARGE
            ? reject(new EventBodyTooLargeError({ limit }))
            : respond({ method: request.method ?? "GET", headers: request.headers, rawBody })
        )
      )
      .then(
        (answer) => send(response, answer.status, answer.headers, answer.body),
        // only a broken request stream gets here: the entry points never fail
        () => send(response, 400, JSON_TYPE, JSON.stringify({ msg: "could not read the request body" }))
      )
  }
}
