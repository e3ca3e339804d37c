/**
 * A webhook entry point (`handle(dispatcher)`, or `handleCardAction(dispatcher)` for the legacy card request
 * URL) as a plain `node:http` request listener, which also works as Express / Koa-style middleware.
 *
 * Callback-based servers need the effect run for them: the caller passes the `Runtime` (for example
 * `ManagedRuntime.runtime()` or `Effect.runtime()`) that holds what the handlers require, so no fiber is
 * started without an owner the caller chose.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type { Request, Response } from "./handle.js"

/** The body exactly as received: a raw body a middleware already read (`express.raw()`), else the stream. */
const rawBodyOf = async (request: IncomingMessage & { readonly body?: unknown }): Promise<Uint8Array | string> => {
  if (request.body instanceof Uint8Array || typeof request.body === "string") return request.body
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * `(req, res) => void` for `http.createServer`, Express (`app.post(path, listener)`; mount it before any JSON
 * body parser, or use `express.raw()`: the signature covers the raw bytes) and similar frameworks.
 */
export const nodeListener = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: Runtime.Runtime<R>
) =>
(request: IncomingMessage, response: ServerResponse): void => {
  rawBodyOf(request)
    .then((rawBody) =>
      Runtime.runPromise(runtime)(respond({ method: request.method ?? "GET", headers: request.headers, rawBody }))
    )
    .then(
      (answer) => {
        response.writeHead(answer.status, answer.headers)
        response.end(answer.body)
      },
      () => {
        // only a broken request stream gets here: handle itself never fails
        response.writeHead(400, { "content-type": "application/json; charset=utf-8" })
        response.end(JSON.stringify({ msg: "could not read the request body" }))
      }
    )
}
