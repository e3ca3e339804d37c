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
 * in-memory dedupe store.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { handleCardAction } from "./cardAction.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { handle } from "./handle.js"
import type { Request, Response } from "./webhook.js"

const toServerResponse = ({ body, headers: { "content-type": contentType, ...headers }, status }: Response) =>
  HttpServerResponse.text(body, { status, headers, contentType })

const unreadable = HttpServerResponse.text(JSON.stringify({ msg: "could not read the request body" }), {
  status: 400,
  contentType: "application/json; charset=utf-8"
})

/** An `HttpApp` that answers each request with `respond` (an entry point such as `handle(dispatcher)`). */
export const fromHandler = <R>(respond: (request: Request) => Effect.Effect<Response, never, R>): HttpApp.Default<never, R> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.matchEffect(request.arrayBuffer, {
      onFailure: () => Effect.succeed(unreadable),
      onSuccess: (bytes) =>
        Effect.map(
          respond({ method: request.method, headers: request.headers, rawBody: new Uint8Array(bytes) }),
          toServerResponse
        )
    }))

/** Events and v2 callbacks (`handle`). */
export const app = <R>(dispatcher: EventDispatcher<R>): HttpApp.Default<never, R> => fromHandler(handle(dispatcher))

/** The legacy card request URL (`handleCardAction`). */
export const cardActionApp = <R>(dispatcher: EventDispatcher<R>): HttpApp.Default<never, R> =>
  fromHandler(handleCardAction(dispatcher))
