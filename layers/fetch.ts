/**
 * Wiring on the runtime's own `fetch`: nothing to load or bundle for HTTP, so programs start faster and
 * bundle smaller than with `lark-effect/layers` (undici), at about twice the CPU per call. For short-lived programs
 * (CLIs, serverless functions) that make few calls; see `npm run bench:cost`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import { scopedLayer } from "../src/internal/dialect.js"
import * as Proxy from "./internal/proxy.js"
import { type TransportOptions, withHttp } from "./wiring.js"

export const HttpLive: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer

export interface Options extends TransportOptions {
  /**
   * An undici dispatcher of your own for every request (Node's `fetch` takes undici's `dispatcher`); you close
   * it. Not together with `proxy`.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

/**
 * `fetch` with a dispatcher in its `RequestInit`. A proxy needs undici's `ProxyAgent`, loaded only then (so a
 * proxy works where `fetch` is undici's, as on Node; elsewhere give the runtime's own proxy settings).
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

const transport = (options: Options) =>
  FetchHttpClient.layer.pipe(Layer.provide(scopedLayer(
    FetchHttpClient.RequestInit,
    Effect.map(dispatcherOf(options), (dispatcher): RequestInit => dispatcher === undefined ? {} : { dispatcher } as RequestInit)
  )))

export type { ProxyOption, TransportOptions } from "./wiring.js"

export const { LarkLive, layer, layerConfig, layerHttp } = withHttp(HttpLive, transport, ["proxy", "dispatcher"])
