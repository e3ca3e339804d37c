/**
 * A `node:http` / `node:https` agent whose sockets are CONNECT tunnels through an HTTP proxy, with TLS to the
 * target on top for `https:` / `wss:`. A few lines of our own rather than `https-proxy-agent`: one dependency
 * less, and the tunnel is set up the same way for the node:http client and the `ws` socket.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import { isIPv6 } from "node:net"
import type { Duplex } from "node:stream"
import * as Tls from "node:tls"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ATTEMPT_TIMEOUT_CODE } from "../../src/AttemptTimeout.js"
import type * as Proxy from "./proxy.js"

type Callback = (error: Error | null, socket?: Duplex) => void

interface ConnectOptions {
  readonly host?: string | null
  readonly port?: number | string | null
  readonly servername?: string
  readonly timeout?: number
}

/** Opens the tunnel to `options`' host and port; `callback` gets the socket, or why there is none. */
const tunnel = (proxy: Proxy.Proxy, secure: boolean, options: ConnectOptions & Tls.ConnectionOptions, callback: Callback) => {
  const host = options.host ?? "localhost"
  const target = `${isIPv6(host) ? `[${host}]` : host}:${options.port ?? (secure ? 443 : 80)}`
  const headers: Http.OutgoingHttpHeaders = { host: target }
  if (Option.isSome(proxy.authorization)) headers["proxy-authorization"] = Redacted.value(proxy.authorization.value)
  const connect = Http.request({
    host: proxy.origin.hostname,
    port: proxy.origin.port === "" ? 80 : Number(proxy.origin.port),
    method: "CONNECT",
    path: target,
    headers,
    agent: false
  })
  let done = false
  const settle = (error: Error | null, socket?: Duplex) => {
    if (done) return
    done = true
    callback(error, socket)
  }
  connect.once("connect", (response, socket, head) => {
    if (response.statusCode !== 200) {
      socket.destroy()
      // the status only: the proxy's answer is not the caller's business and may echo what it was sent
      return settle(new Error(`the proxy refused the tunnel with status ${response.statusCode}`))
    }
    if (head.length > 0) socket.unshift(head)
    settle(null, secure ? Tls.connect({ ...options, socket }) : socket)
  })
  connect.once("error", (error) => settle(error))
  if (options.timeout !== undefined && options.timeout > 0) {
    // the request's own deadline covers setting up the tunnel too
    connect.setTimeout(options.timeout, () =>
      connect.destroy(Object.assign(new Error(`no tunnel from the proxy within ${options.timeout} ms`), { code: ATTEMPT_TIMEOUT_CODE })))
  }
  connect.end()
}

/** An agent tunnelling through `proxy`: an `https.Agent` (TLS in the tunnel) when `secure`, else an `http.Agent`. */
export const make = (proxy: Proxy.Proxy, secure: boolean, options: Https.AgentOptions = {}): Http.Agent => {
  const Base = secure ? Https.Agent : Http.Agent
  class Tunnel extends Base {
    // Node takes the socket from the callback when this returns nothing (documented on `agent.createConnection`);
    // its agents always pass one.
    override createConnection(options: Http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): undefined {
      tunnel(proxy, secure, options as ConnectOptions & Tls.ConnectionOptions, (error, socket) => callback?.(error, socket!))
      return undefined
    }
  }
  return new Tunnel(options)
}
