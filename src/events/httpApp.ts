/**
 * The webhook entries as `@effect/platform` `HttpApp`s, for `HttpServer.serve` or an `HttpRouter` route:
 *
 * ```ts
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.post("/lark/events", EventHttp.app(dispatcher)),
 *   HttpRouter.post("/lark/card", EventHttp.cardActionApp(dispatcher))
 * )
 * ```
 *
 * The raw body bytes are read from the `HttpServerRequest` (the signature covers them exactly), the entry
 * point runs, and its reply becomes the `HttpServerResponse`. Build each app once: it holds the default
 * in-memory dedupe store. A body over `maxBodySize` (default 1 MiB) is answered 413 once the limit is passed,
 * without reading the rest.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bodyLimit } from "./bodyLimit.js"
import { handleCardAction } from "./cardAction.js"
import { EventBodyTooLargeError } from "./errors.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { handle } from "./handle.js"
import { reject, type Request, type Response } from "./webhook.js"

const toServerResponse = ({ body, headers: { "content-type": contentType, ...headers }, status }: Response) =>
  HttpServerResponse.text(body, { status, headers, contentType })

const unreadable = HttpServerResponse.text(JSON.stringify({ msg: "could not read the request body" }), {
  status: 400,
  contentType: "application/json; charset=utf-8"
})

export interface AppOptions {
  /** The largest body read, in bytes (default 1 MiB). */
  readonly maxBodySize?: number | undefined
}

/** Past the limit: the body is not read further. */
const TOO_LARGE = "too large" as const

/**
 * The body's bytes, collected once at the end (linear in its size), or {@link TOO_LARGE} as soon as the
 * declared `content-length` or the bytes read pass `limit` (the stream is not read further).
 */
const readBounded = (request: HttpServerRequest.HttpServerRequest, limit: number) => {
  if (Number(request.headers["content-length"]) > limit) return Effect.succeed(TOO_LARGE)
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Effect.map(
      Stream.runForEachWhile(request.stream, (chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (size > limit) return false
          chunks.push(chunk)
          return true
        })),
      () => size > limit ? TOO_LARGE : Buffer.concat(chunks, size)
    )
  })
}

/** An app: an effect answering the `HttpServerRequest` in its context (`HttpApp.Default<never, R>` on Effect 3). */
type App<R> = Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest>

/**
 * An `HttpApp` that answers each request with `respond` (an entry point such as `handle(dispatcher)`),
 * reading at most `maxBodySize` bytes (413 past it). Throws `RangeError` for a `maxBodySize` that is not a
 * positive whole number.
 */
export const fromHandler = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  options: AppOptions = {}
): App<R> => {
  const limit = bodyLimit(options.maxBodySize)
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.matchEffect(readBounded(request, limit), {
      onFailure: () => Effect.succeed(unreadable),
      onSuccess: (rawBody) =>
        Effect.map(
          rawBody === TOO_LARGE
            ? reject(new EventBodyTooLargeError({ limit }))
            : respond({ method: request.method, headers: request.headers, rawBody }),
          toServerResponse
        )
    }))
}

/** Events and v2 callbacks (`handle`), reading at most the dispatcher's `maxBodySize`. */
export const app = <R>(dispatcher: EventDispatcher<R>): App<R> =>
  fromHandler(handle(dispatcher), dispatcher.options)

/** The legacy card request URL (`handleCardAction`), reading at most the dispatcher's `maxBodySize`. */
export const cardActionApp = <R>(dispatcher: EventDispatcher<R>): App<R> =>
  fromHandler(handleCardAction(dispatcher), dispatcher.options)
