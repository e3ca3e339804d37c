/**
 * Wiring for Node: the one place that picks a runtime and an HTTP client. This module uses undici, the
 * fastest per call (see `npm run bench`); `lark-effect/layers/fetch` starts faster and bundles smaller.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Undici from "undici"
import { AttemptDeadline, type ContextDeadline } from "../src/AttemptTimeout.js"
import * as Exchange from "../src/Exchange.js"
import * as UndiciExchange from "./internal/undiciExchange.js"
import { withHttp } from "./wiring.js"

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
  const options = timeoutOptions(millis)
  return (context) => Context.add(context, NodeHttpClient.UndiciRequestOptions, options)
}

/**
 * The platform's undici client on an agent of our own, closed with the layer; it carries a direct exchange
 * on the same agent for the executor (`Exchange.withExchange`).
 */
const client = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Undici.Agent().compose(withAttemptTimeouts)),
      (agent) => Effect.promise(() => agent.destroy())
    ),
    (agent) => Exchange.withExchange(NodeHttpClient.makeUndici(agent), UndiciExchange.make(agent))
  )
)

/** undici with its connection pool; attempt timeouts are enforced by undici itself. */
export const HttpLive: Layer.Layer<HttpClient.HttpClient | AttemptDeadline> = Layer.merge(
  client,
  Layer.succeed(AttemptDeadline, undiciDeadline)
)

export const { LarkLive, layer } = withHttp(HttpLive)
