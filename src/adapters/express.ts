/**
 * The webhook entries as an Express request handler, with or without a body parser in front:
 *
 * ```ts
 * import express from "express"
 * import { expressHandler, rawBodySaver } from "lark-effect/adapters/express"
 *
 * app.post("/lark/events", expressHandler(handleEvent(dispatcher), runtime))                    // no parser
 * app.use(express.json({ verify: rawBodySaver }))                                              // a JSON parser
 * app.post("/lark/card", expressHandler(handleCardAction(dispatcher), runtime))
 * ```
 *
 * `X-Lark-Signature` covers the raw bytes, so the handler reads, in order: the bytes `rawBodySaver` kept
 * (`req.rawBody`), a body `express.raw()` or `express.text()` read (`req.body` as bytes or a string), else the
 * request stream. A body a parser consumed without keeping the bytes is answered 500 and logged, never
 * guessed back from the parsed JSON.
 *
 * Express is not imported: the types here are the few members the handler uses.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as Effect from "effect/Effect"
import type { AppRuntime } from "../internal/dialect.js"
import type { Request, Response } from "../events/handle.js"
import { type ListenerOptions, makeReplier, sendTo } from "../events/nodeListener.js"

/**
 * A request as Express hands it on: `body` set by a body parser, `rawBody` by {@link rawBodySaver}. (A type
 * alias, not an interface extending `IncomingMessage`: `@koa/bodyparser`'s types declare `rawBody: string` on
 * it for every program that loads them.)
 */
export type ExpressRequest = IncomingMessage & { readonly body?: unknown; readonly rawBody?: unknown }

/**
 * The `verify` option of `express.json()` / `express.urlencoded()` (body-parser): keeps the bytes it parses
 * as `req.rawBody`, so that the signature can be checked after the parser ran.
 */
export const rawBodySaver = (request: IncomingMessage, _response: ServerResponse, buffer: Buffer): void => {
  Object.assign(request, { rawBody: buffer })
}

/**
 * `(req, res) => void` answering with `respond` (`handleEvent(dispatcher)` or `handleCardAction(dispatcher)`)
 * run on `runtime`, the `Runtime` that holds what the handlers require. A body over `maxBodySize` (default
 * 1 MiB) is answered 413. Throws `RangeError` for a `maxBodySize` that is not a positive whole number.
 */
export const expressHandler = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: ListenerOptions = {}
) => {
  const replier = makeReplier(respond, runtime, options)
  return (request: ExpressRequest, response: ServerResponse): void =>
    replier(request, request.rawBody ?? request.body, sendTo(response))
}
