/**
 * The webhook entries as Koa middleware, with or without a body parser in front:
 *
 * ```ts
 * import { koaMiddleware } from "lark-effect/adapters/koa"
 *
 * router.post("/lark/events", koaMiddleware(handleEvent(dispatcher), runtime))   // @koa/router, for example
 * ```
 *
 * `X-Lark-Signature` covers the raw bytes: after `@koa/bodyparser` (or `koa-bodyparser`) the middleware
 * checks `ctx.request.rawBody`, the text the parser read; without a parser it reads `ctx.req`. A body another
 * parser consumed without keeping the text is answered 500 and logged. The middleware answers every request
 * it gets (it does not call `next`): mount it on its route.
 *
 * Koa is not imported: the types here are the few members the middleware uses.
 */
import type { IncomingMessage } from "node:http"
import type * as Effect from "effect/Effect"
import type { AppRuntime } from "../internal/dialect.js"
import type { Request, Response } from "../events/handle.js"
import { type ListenerOptions, makeAnswer } from "../events/nodeListener.js"

/** The members of Koa's `ctx` the middleware uses. */
export interface KoaContext {
  readonly req: IncomingMessage
  /** `rawBody`: the text a body parser read. */
  readonly request: { readonly rawBody?: unknown }
  status: number
  body: unknown
  set(headers: Record<string, string>): void
}

/**
 * `(ctx) => Promise<void>` answering with `respond` (`handleEvent(dispatcher)` or
 * `handleCardAction(dispatcher)`) run on `runtime`, the `Runtime` that holds what the handlers require. A body
 * over `maxBodySize` (default 1 MiB) is answered 413. Throws `RangeError` for a `maxBodySize` that is not a
 * positive whole number.
 */
export const koaMiddleware = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: ListenerOptions = {}
) => {
  const answer = makeAnswer(respond, runtime, options)
  return async (ctx: KoaContext): Promise<void> => {
    const reply = await answer(ctx.req, ctx.request.rawBody)
    ctx.status = reply.status
    ctx.set(reply.headers) // before the body, which would otherwise pick a content type of its own
    ctx.body = reply.body
  }
}
