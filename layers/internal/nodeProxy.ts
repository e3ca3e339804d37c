/**
 * The node:http client's agents when a proxy is configured: `https:` targets through a CONNECT tunnel (TLS to
 * the target inside it), `http:` ones sent to the proxy with their absolute URL; the rest direct. Every agent
 * keeps its connections alive and is destroyed with the client.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeHttpClient from "./nodeHttpClient.js"
import type * as Proxy from "./proxy.js"
import * as TunnelAgent from "./tunnelAgent.js"

export const agents = (routes: Proxy.Routes) => (): NodeHttpClient.Agents => {
  const http = new Http.Agent({ keepAlive: true }) // direct, and to the proxies themselves
  const https = new Https.Agent({ keepAlive: true })
  const tunnels = new Map<Proxy.Proxy, Http.Agent>()
  const direct = NodeHttpClient.direct(http, https)
  const tunnelThrough = (proxy: Proxy.Proxy) => {
    const agent = tunnels.get(proxy) ?? TunnelAgent.make(proxy, true, { keepAlive: true })
    tunnels.set(proxy, agent)
    return agent
  }
  const send: NodeHttpClient.Send = (url, options) => {
    const proxy = routes(url)
    if (proxy === undefined) return direct(url, options)
    if (url.protocol === "https:") return Https.request(url, { ...options, agent: tunnelThrough(proxy) })
    const headers: Http.OutgoingHttpHeaders = { ...(options.headers as Http.OutgoingHttpHeaders), host: url.host }
    if (Option.isSome(proxy.authorization)) headers["proxy-authorization"] = Redacted.value(proxy.authorization.value)
    return Http.request({
      ...options,
      host: proxy.origin.hostname,
      port: proxy.origin.port === "" ? 80 : Number(proxy.origin.port),
      path: url.href,
      headers,
      agent: http
    })
  }
  return { send, close: () => [http, https, ...tunnels.values()].forEach((agent) => agent.destroy()) }
}
