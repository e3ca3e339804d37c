/**
 * Wiring on `node:http` / `node:https` directly: neither undici nor `fetch` is loaded, so programs start with
 * the least memory, and attempt deadlines are enforced by the socket's own timeout. For short-lived programs
 * (CLIs, serverless functions); `lark-effect/layers` (undici) costs least CPU per call. See `npm run bench:cost`.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AttemptDeadline, type ContextDeadline } from "../src/AttemptTimeout.js"
import { scopedLayer } from "../src/internal/dialect.js"
import * as NodeHttpClient from "./internal/nodeHttpClient.js"
import * as NodeProxy from "./internal/nodeProxy.js"
import * as Proxy from "./internal/proxy.js"
import { type TransportOptions, withHttp } from "./wiring.js"

/**
 * The attempt's deadline becomes its requests' socket timeout: no byte for that long fails the attempt. Node's
 * timers are fine-grained, so even short deadlines need no `Clock` race (undici's tick once a second). The
 * executor's own lane (the client's direct exchange) keeps deadlines the same way.
 */
const socketDeadline: ContextDeadline = (timeout) => {
  const millis = NodeHttpClient.socketMillis(timeout)
  return millis === 0 ? undefined : (context) => Context.add(context, NodeHttpClient.IdleTimeout, millis)
}

const withDeadlines = <E>(client: Layer.Layer<HttpClient.HttpClient, E>) =>
  Layer.merge(client, Layer.succeed(AttemptDeadline, socketDeadline))

/** The `node:http` client with its keep-alive agents; attempt timeouts are enforced by the sockets. */
export const HttpLive: Layer.Layer<HttpClient.HttpClient | (typeof AttemptDeadline)["Identifier"]> = withDeadlines(
  scopedLayer(HttpClient.HttpClient, NodeHttpClient.make)
)

export interface Options extends TransportOptions {
  /**
   * Agents of your own (an `https-proxy-agent`, TLS options, ...) in place of the layer's, for `http:` and
   * `https:` URLs (a missing one stays the layer's); you destroy them. Not together with `proxy`.
   */
  readonly agents?: { readonly http?: Http.Agent | undefined; readonly https?: Https.Agent | undefined } | undefined
}

/** The caller's agents, the layer's own where one is missing (only those are destroyed with the client). */
const callerAgents = (given: NonNullable<Options["agents"]>) => (): NodeHttpClient.Agents => {
  const http = given.http ?? new Http.Agent({ keepAlive: true })
  const https = given.https ?? new Https.Agent({ keepAlive: true })
  return {
    send: NodeHttpClient.direct(http, https),
    close: () => {
      if (given.http === undefined) http.destroy()
      if (given.https === undefined) https.destroy()
    }
  }
}

const transport = (options: Options) =>
  withDeadlines(scopedLayer(
    HttpClient.HttpClient,
    options.agents !== undefined
      ? options.proxy !== undefined ? Effect.fail(Proxy.notBoth("agents")) : NodeHttpClient.makeOn(callerAgents(options.agents))
      : Effect.flatMap(Proxy.resolve(options.proxy), (routes) =>
        routes === undefined ? NodeHttpClient.make : NodeHttpClient.makeOn(NodeProxy.agents(routes)))
  ))

export type { ProxyOption, TransportOptions } from "./wiring.js"

export const { LarkLive, layer, layerConfig, layerHttp } = withHttp(HttpLive, transport, ["proxy", "agents"])
