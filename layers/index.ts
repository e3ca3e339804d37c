/**
 * Wiring for Node: the one place that picks a runtime and an HTTP client. This module uses undici, the
 * fastest per call (see `npm run bench`); `lark-effect/layers/fetch` starts faster and bundles smaller.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Undici from "undici"
import { AttemptDeadline, type ContextDeadline } from "../src/AttemptTimeout.js"
import * as Exchange from "../src/Exchange.js"
import { scopedLayer, undiciClient, withUndiciOptions } from "../src/internal/dialect.js"
import * as UndiciExchange from "./internal/undiciExchange.js"
import * as Proxy from "./internal/proxy.js"
import * as UndiciProxy from "./internal/undiciProxy.js"
import { type TransportOptions, withHttp } from "./wiring.js"

/** A request option read by {@link withAttemptTimeouts}; the platform's client passes it through to undici. */
const TIMEOUT_OPTION = "larkAttemptTimeoutMs"

/**
 * Lets undici enforce the attempt's deadline (time to the response headers, then between body chunks), which
 * is much cheaper per call than racing a `Clock` sleep. The platform's client pins both timeouts on every
 * request, so they are set again here, after it.
 */
const withAttemptTimeouts: Undici.Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  const millis = (options as { readonly [TIMEOUT_OPTION]?: unknown })[TIMEOUT_OPTION]
  return dispatch(typeof millis === "number" ? { ...options, headersTimeout: millis, bodyTimeout: millis } : options, handler)
}

const timeoutOptions = (millis: number) => ({ [TIMEOUT_OPTION]: millis }) as unknown as Undici.Dispatcher.RequestOptions<null>

/** Deadlines of 2 s and more become undici's own timeouts; shorter ones are left to the `Clock` race. */
const undiciDeadline: ContextDeadline = (timeout) => {
  const millis = Duration.toMillis(timeout)
  if (!UndiciExchange.undiciKeeps(millis)) return undefined
  return withUndiciOptions(NodeHttpClient, timeoutOptions(millis))
}

/**
 * The platform's undici client on `dispatcher`; it carries a direct exchange on the same dispatcher for the
 * executor (`Exchange.withExchange`).
 */
const clientOn = (dispatcher: Undici.Dispatcher) => {
  const timed = dispatcher.compose(withAttemptTimeouts)
  return Effect.map(undiciClient(NodeHttpClient, timed), (client) => Exchange.withExchange(client, UndiciExchange.make(timed)))
}

/** A dispatcher of the layer's own, destroyed (with its connections) when the layer closes. */
const owned = (make: () => Undici.Dispatcher) =>
  Effect.flatMap(Effect.acquireRelease(Effect.sync(make), (dispatcher) => Effect.promise(() => dispatcher.destroy())), clientOn)

const withDeadlines = <E>(client: Layer.Layer<HttpClient.HttpClient, E>) =>
  Layer.merge(client, Layer.succeed(AttemptDeadline, undiciDeadline))

/** undici with its connection pool; attempt timeouts are enforced by undici itself. */
export const HttpLive: Layer.Layer<HttpClient.HttpClient | (typeof AttemptDeadline)["Identifier"]> = withDeadlines(
  scopedLayer(HttpClient.HttpClient, owned(() => new Undici.Agent()))
)

export interface Options extends TransportOptions {
  /**
   * An undici dispatcher of your own (a `ProxyAgent`, an `Agent` with TLS options, ...) for every request, in
   * place of the layer's; you close it. Not together with `proxy`.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

const transport = (options: Options) =>
  withDeadlines(scopedLayer(
    HttpClient.HttpClient,
    options.dispatcher !== undefined
      ? options.proxy !== undefined ? Effect.fail(Proxy.notBoth("dispatcher")) : clientOn(options.dispatcher)
      : Effect.flatMap(Proxy.resolve(options.proxy), (routes) =>
        owned(() => routes === undefined ? new Undici.Agent() : UndiciProxy.make(routes)))
  ))

export type { ProxyOption, TransportOptions } from "./wiring.js"

export const { LarkLive, layer, layerConfig, layerHttp } = withHttp(HttpLive, transport, ["proxy", "dispatcher"])
