/**
 * The webhook entries as a Fastify plugin:
 *
 * ```ts
 * import { fastifyPlugin } from "lark-effect/adapters/fastify"
 *
 * app.register(fastifyPlugin(handleEvent(dispatcher), runtime, { path: "/lark/events" }))
 * ```
 *
 * `X-Lark-Signature` covers the raw bytes, which Fastify's JSON parser does not keep. The plugin is
 * encapsulated (it is not wrapped with `fastify-plugin`): inside it, every content type parser is replaced by
 * one that leaves the body unread, and its route reads the raw request stream itself, up to `maxBodySize`.
 * The app's other routes keep their parsers.
 *
 * Fastify is not imported: the types here are the few members the plugin uses.
 */
import type { IncomingMessage } from "node:http"
import type * as Effect from "effect/Effect"
import type { AppRuntime } from "../internal/dialect.js"
import type { Request, Response } from "../events/handle.js"
import { type ListenerOptions, makeAnswer } from "../events/nodeListener.js"

/** The members of Fastify's `reply` the route uses. */
export interface FastifyReply {
  code(status: number): FastifyReply
  headers(values: Record<string, string>): FastifyReply
  send(payload: string): FastifyReply
}

/** The members of a Fastify instance the plugin uses. */
export interface FastifyInstance {
  removeAllContentTypeParsers(): void
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: IncomingMessage, done: (error: Error | null) => void) => void
  ): void
  all(
    path: string,
    handler: (request: { readonly raw: IncomingMessage }, reply: FastifyReply) => Promise<FastifyReply>
  ): unknown
}

export interface FastifyPluginOptions extends ListenerOptions {
  /** The route's path, below the prefix the plugin is registered with. */
  readonly path: string
}

/**
 * An async plugin for `app.register` whose route at `path` (every method: `respond` answers 405 to all but
 * POST) answers with `respond` (`handleEvent(dispatcher)` or `handleCardAction(dispatcher)`) run on
 * `runtime`, the `Runtime` that holds what the handlers require. A body over `maxBodySize` (default 1 MiB) is
 * answered 413. Throws `RangeError` for a `maxBodySize` that is not a positive whole number.
 */
export const fastifyPlugin = <R>(
  respond: (request: Request) => Effect.Effect<Response, never, R>,
  runtime: AppRuntime<R>,
  options: FastifyPluginOptions
) => {
  const answer = makeAnswer(respond, runtime, options)
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser("*", (_request, _payload, done) => done(null))
    app.all(options.path, async (request, reply) => {
      const { body, headers, status } = await answer(request.raw, undefined)
      return reply.code(status).headers(headers).send(body)
    })
  }
}
