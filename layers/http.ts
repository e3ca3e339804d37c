/**
 * Wiring on `node:http` / `node:https` directly: neither undici nor `fetch` is loaded, so programs start with
 * the least memory, and attempt deadlines are enforced by the socket's own timeout. For short-lived programs
 * (CLIs, serverless functions); `lark-effect/layers` (undici) costs least CPU per call. See `npm run bench:cost`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { AttemptDeadline, type ContextDeadline } from "../src/AttemptTimeout.js"
import * as NodeHttpClient from "./internal/nodeHttpClient.js"
import { withHttp } from "./wiring.js"

/**
 * The attempt's deadline becomes its requests' socket timeout: no byte for that long fails the attempt. Node's
 * timers are fine-grained, so even short deadlines need no `Clock` race (undici's tick once a second). The
 * executor's own lane (the client's direct exchange) keeps deadlines the same way.
 */
const socketDeadline: ContextDeadline = (timeout) => {
  const millis = NodeHttpClient.socketMillis(timeout)
  return millis === 0 ? undefined : (context) => Context.add(context, NodeHttpClient.IdleTimeout, millis)
}

/** The `node:http` client with its keep-alive agents; attempt timeouts are enforced by the sockets. */
export const HttpLive: Layer.Layer<HttpClient.HttpClient | AttemptDeadline> = Layer.merge(
  Layer.scoped(HttpClient.HttpClient, NodeHttpClient.make),
  Layer.succeed(AttemptDeadline, socketDeadline)
)

export const { LarkLive, layer } = withHttp(HttpLive)
