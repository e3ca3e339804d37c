/**
 * Wiring on the runtime's own `fetch`: nothing to load or bundle for HTTP, so programs start faster and
 * bundle smaller than with `lark-effect/layers` (undici), at about twice the CPU per call. For short-lived programs
 * (CLIs, serverless functions) that make few calls; see `npm run bench:cost`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import { scopedContextLayer } from "../src/internal/dialect.js"
import * as Proxy from "./internal/proxy.js"
import { type TransportOptions, withHttp } from "./wiring.js"

export const HttpLive: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer

export interface Options extends TransportOptions {
  /**
   * An undici dispatcher of your own for every request, which then go through undici's own `fetch`, not the
   * runtime's (Node's bundled `fetch` refuses undici 8's dispatchers); you close it. Not together with `proxy`.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

/**
 * The dispatcher of the options, if any. A proxy needs undici's `ProxyAgent`, loaded only then (so a proxy works
 * where undici runs, as on Node; elsewhere give the runtime's own proxy settings).
 */
const dispatcherOf = (options: Options) =>
  options.dispatcher !== undefined
    ? options.proxy !== undefined ? Effect.fail(Proxy.notBoth("dispatcher")) : Effect.succeed(options.dispatcher)
    : Effect.flatMap(Proxy.resolve(options.proxy), (routes) =>
      routes === undefined
        ? Effect.succeed(undefined)
        : Effect.acquireRelease(
          Effect.promise(() => import("./internal/undiciProxy.js")).pipe(Effect.map((UndiciProxy) => UndiciProxy.make(routes))),
          (dispatcher) => Effect.promise(() => dispatcher.destroy())
        ))

/**
 * undici's own `fetch`, with `dispatcher` in its `RequestInit`. Not the runtime's: a dispatcher works with the
 * `fetch` of an undici that speaks its handler interface, and Node's bundled `fetch` refuses undici 8's (the
 * major the Effect 4 edition uses, as `@effect/platform-node` 4 does). undici is loaded only then.
 */
const fetchThrough = (dispatcher: Undici.Dispatcher) =>
  Effect.map(
    Effect.promise(() => import("undici")),
    (undici) =>
      Context.add(
        Context.make(FetchHttpClient.Fetch, undici.fetch as unknown as typeof globalThis.fetch),
        FetchHttpClient.RequestInit,
        { dispatcher } as RequestInit
      )
  )

const transport = (options: Options) =>
  FetchHttpClient.layer.pipe(Layer.provide(scopedContextLayer(
    Effect.flatMap(dispatcherOf(options), (dispatcher) => dispatcher === undefined ? Effect.succeed(Context.empty()) : fetchThrough(dispatcher))
  )))

export type { ProxyOption, TransportOptions } from "./wiring.js"

export const { LarkLive, layer, layerConfig, layerHttp } = withHttp(HttpLive, transport, ["proxy", "dispatcher"])
