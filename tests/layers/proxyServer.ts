/**
 * A small HTTP proxy on 127.0.0.1 for the proxy tests, recording what it was asked: CONNECT tunnels (for
 * `https:` and WebSocket targets) and requests with an absolute URL (plain `http:`), each with the
 * `Proxy-Authorization` it came with. With `requireAuthorization` it answers 407 to anything without it.
 * Also a self-signed certificate for 127.0.0.1, for a TLS target behind the tunnel.
 */
import { createServer, request, type Server } from "node:http"
import { connect, type Socket } from "node:net"
import { Effect } from "effect"
import { callback } from "../../src/internal/dialect.js"
import { urlOf } from "../fixtures/loopback.js"

export interface Seen {
  readonly kind: "CONNECT" | "absolute"
  /** `host:port` of a tunnel, the absolute URL of a forwarded request. */
  readonly target: string
  readonly authorization: string | undefined
}

export interface TestProxy {
  readonly url: string
  readonly seen: Array<Seen>
}

export const testProxy = (options: { readonly requireAuthorization?: string } = {}) =>
  Effect.acquireRelease(
    callback<{ readonly server: Server; readonly sockets: Set<Socket>; readonly proxy: TestProxy }>((resume) => {
      const seen: Array<Seen> = []
      const sockets = new Set<Socket>()
      const refused = (authorization: string | undefined) =>
        options.requireAuthorization !== undefined && authorization !== options.requireAuthorization
      const server = createServer((req, res) => {
        const authorization = req.headers["proxy-authorization"]
        seen.push({ kind: "absolute", target: req.url ?? "", authorization })
        if (refused(authorization)) return void res.writeHead(407).end()
        const target = new URL(req.url ?? "")
        const headers = { ...req.headers }
        delete headers["proxy-authorization"]
        const upstream = request(
          { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          }
        )
        upstream.on("error", () => res.destroy())
        req.pipe(upstream)
      })
      server.on("connect", (req, client: Socket, head: Buffer) => {
        const authorization = req.headers["proxy-authorization"]
        seen.push({ kind: "CONNECT", target: req.url ?? "", authorization })
        sockets.add(client)
        client.on("error", () => {})
        if (refused(authorization)) return void client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
        const [host, port] = (req.url ?? "").split(":")
        const upstream = connect(Number(port), host!, () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
          upstream.write(head)
          upstream.pipe(client)
          client.pipe(upstream)
        })
        sockets.add(upstream)
        upstream.on("error", () => client.destroy())
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets, proxy: { url: urlOf(server), seen } })))
    }),
    ({ server, sockets }) =>
      callback<void>((resume) => {
        sockets.forEach((socket) => socket.destroy())
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ proxy }) => proxy))

/** `http://user:pass@host:port` of `proxy`. */
export const withCredentials = (proxy: TestProxy, user: string, password: string) => {
  const url = new URL(proxy.url)
  url.username = user
  url.password = password
  return url.href
}

/** A self-signed certificate for 127.0.0.1 and localhost (test only) and its key. */
export const tls = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJobGO1BST57cfqTw
Jnq4yDcaSZAed9iuMquvmVNiSvahRANCAARi8C//gYv5k+TP/v/tZAZSjIItHz9l
L4LXWRbyGQkFex2H3zm3GzOs+JhRVYZkZK43VIG0WTIEV7W+U5B+xout
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUD7GmrRqC1xStCPlFYzrKUWLbr4owCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNTEzNTkwMloYDzIxMjYxMTEx
MTM1OTAyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARi8C//gYv5k+TP/v/tZAZSjIItHz9lL4LXWRbyGQkFex2H3zm3GzOs
+JhRVYZkZK43VIG0WTIEV7W+U5B+xouto28wbTAdBgNVHQ4EFgQU5F9bBVOHevWo
ZWpYukfBu7a/zRYwHwYDVR0jBBgwFoAU5F9bBVOHevWoZWpYukfBu7a/zRYwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAPhlrJutdqbzBssrcDpPuikTrN9b2a/ezz7v5V/t3jNHAiEA
yStYfjnX+hZ1Y3+PaDmY0ErquwxATa+IV1v2ukSdNTM=
-----END CERTIFICATE-----`
}
