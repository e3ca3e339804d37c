/**
 * The `proxy` option of every HTTP wiring, against the fake Open Platform behind a recording proxy on
 * 127.0.0.1 (`proxyServer.ts`): calls go through it (plain `http:` targets as absolute URLs), `NO_PROXY` sends
 * them direct, credentials go as `Proxy-Authorization` and nowhere else, and a bad proxy URL fails the layer
 * with a `LarkConfigError`. The CONNECT tunnel is checked against a TLS server here and under the long
 * connection in `tests/ws/proxy.test.ts`.
 */
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, type Layer, Redacted } from "effect"
import * as Undici from "undici"
import * as FetchWiring from "../../layers/fetch.js"
import * as HttpWiring from "../../layers/http.js"
import * as UndiciWiring from "../../layers/index.js"
import * as Proxy from "../../layers/internal/proxy.js"
import * as TunnelAgent from "../../layers/internal/tunnelAgent.js"
import { callback, tapErrorCause } from "../../src/internal/dialect.js"
import type * as LarkConfig from "../../src/LarkConfig.js"
import { LarkConfigError } from "../../src/LarkError.js"
import { withLogsTo, withVariables } from "../dialect.js"
import { hello, withPlatformOn } from "../fixtures/platform.js"
import { testProxy, tls, withCredentials } from "./proxyServer.js"

type WiringOf = (options: LarkConfig.Options & { readonly proxy?: Proxy.ProxyOption }) => Layer.Layer<any, any>

const WIRINGS: ReadonlyArray<readonly [string, WiringOf]> = [
  ["lark-effect/layers (undici)", UndiciWiring.layer],
  ["lark-effect/layers/http (node:http)", HttpWiring.layer],
  ["lark-effect/layers/fetch", FetchWiring.layer]
]

const environment = withVariables

const messages = "/open-apis/im/v1/messages"
const PASSWORD = "s3cret-p@ss"

for (const [name, wiring] of WIRINGS) {
  const through = (proxy: Proxy.ProxyOption) => withPlatformOn((options) => wiring({ ...options, proxy }))

  describe(`${name} through a proxy`, () => {
    it.live("a proxy URL carries the token request and the call; the platform answers as usual", () =>
      Effect.gen(function*() {
        const proxy = yield* testProxy()
        const fake = yield* through(proxy.url)((fake) => Effect.as(hello, fake))
        const targets = proxy.seen.map((seen) => `${seen.kind} ${seen.target}`)
        assert.include(targets, `absolute ${fake.url}/open-apis/auth/v3/tenant_access_token/internal`)
        assert.include(targets, `absolute ${fake.url}${messages}?receive_id_type=chat_id`)
      }).pipe(Effect.scoped))

    it.live("\"environment\" reads HTTP_PROXY; NO_PROXY naming the host sends the calls direct", () =>
      Effect.gen(function*() {
        const proxy = yield* testProxy()
        yield* through("environment")(() => hello).pipe(environment({ HTTP_PROXY: proxy.url }))
        assert.isAbove(proxy.seen.length, 1)
        const before = proxy.seen.length
        yield* through("environment")(() => hello).pipe(environment({ http_proxy: proxy.url, NO_PROXY: "example.com, .127.0.0.1" }))
        assert.strictEqual(proxy.seen.length, before)
        // HTTPS_PROXY is for https: targets only (the fake platform is plain http)
        yield* through("environment")(() => hello).pipe(environment({ HTTPS_PROXY: proxy.url }))
        assert.strictEqual(proxy.seen.length, before)
      }).pipe(Effect.scoped))

    it.live("credentials in the URL go as Proxy-Authorization, and into no error or log", () =>
      Effect.gen(function*() {
        const expected = `Basic ${Buffer.from(`lark:${PASSWORD}`).toString("base64")}`
        const proxy = yield* testProxy({ requireAuthorization: expected })
        yield* through(Redacted.make(withCredentials(proxy, "lark", PASSWORD)))(() => hello)
        assert.deepStrictEqual([...new Set(proxy.seen.map((seen) => seen.authorization))], [expected])

        const logs: Array<unknown> = []
        const exit = yield* through(withCredentials(proxy, "lark", "wrong"))(() => hello).pipe(
          (self) => tapErrorCause(self, (cause) => Effect.logError("failed", cause)),
          withLogsTo(({ cause, message }) => logs.push(message, Cause.pretty(cause))),
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        const printed = JSON.stringify(logs) + String(exit) + JSON.stringify(exit)
        assert.include(printed, "failed") // the failure was logged, with its cause
        assert.notInclude(printed, "wrong")
        assert.notInclude(printed, Buffer.from("lark:wrong").toString("base64"))
      }).pipe(Effect.scoped))

    it.live("a bad proxy URL fails the layer with a LarkConfigError that does not repeat it", () =>
      Effect.gen(function*() {
        const given = yield* Effect.flip(through(`socks5://lark:${PASSWORD}@127.0.0.1:1080`)(() => hello))
        assert.instanceOf(given, LarkConfigError)
        assert.strictEqual((given as LarkConfigError).variable, "proxy")
        const fromEnv = yield* Effect.flip(through("environment")(() => hello).pipe(environment({ HTTPS_PROXY: `http://lark:${PASSWORD}@` })))
        assert.instanceOf(fromEnv, LarkConfigError)
        assert.strictEqual((fromEnv as LarkConfigError).variable, "HTTPS_PROXY")
        assert.notInclude(JSON.stringify([given, fromEnv]) + String(given) + String(fromEnv), PASSWORD)
      }))

    it.live("a malformed %-escape in the proxy's user or password fails the layer with a LarkConfigError", () =>
      Effect.gen(function*() {
        const secret = "s3cret%zz" // decodeURIComponent throws on "%zz"
        const given = yield* Effect.flip(through(`http://lark:${secret}@proxy.local:3128`)(() => hello))
        assert.instanceOf(given, LarkConfigError)
        assert.strictEqual((given as LarkConfigError).variable, "proxy")
        const fromEnv = yield* Effect.flip(
          through("environment")(() => hello).pipe(environment({ HTTPS_PROXY: `http://la%rk:${secret}@proxy.local:3128` }))
        )
        assert.instanceOf(fromEnv, LarkConfigError)
        assert.strictEqual((fromEnv as LarkConfigError).variable, "HTTPS_PROXY")
        assert.notInclude(JSON.stringify([given, fromEnv]) + String(given) + String(fromEnv), "s3cret")
      }))
  })
}

describe("the wirings' own escape hatches", () => {
  it.live("undici and fetch take a dispatcher of the caller's (not with proxy too)", () =>
    Effect.gen(function*() {
      const proxy = yield* testProxy()
      const dispatcher = new Undici.ProxyAgent({ uri: proxy.url, proxyTunnel: false })
      yield* Effect.addFinalizer(() => Effect.promise(() => dispatcher.close()))
      for (const wiring of [UndiciWiring.layer, FetchWiring.layer]) {
        const before = proxy.seen.length
        yield* withPlatformOn((options) => wiring({ ...options, dispatcher }))(() => hello)
        assert.isAbove(proxy.seen.length, before)
        const both = yield* Effect.flip(withPlatformOn((options) => wiring({ ...options, dispatcher, proxy: proxy.url }))(() => hello))
        assert.instanceOf(both, LarkConfigError)
        assert.strictEqual((both as LarkConfigError).variable, "proxy")
      }
    }).pipe(Effect.scoped))
})

describe("NO_PROXY", () => {
  it("matches hosts and their subdomains, ports, a leading dot or *., and * for all", () => {
    const direct = Proxy.bypasses("Example.com, .corp.internal:8443 *.lan [::1] 10.0.0.1:80")
    const cases: ReadonlyArray<readonly [string, boolean]> = [
      ["https://example.com/", true],
      ["https://api.example.com/", true],
      ["https://notexample.com/", false],
      ["https://a.corp.internal:8443/", true],
      ["https://a.corp.internal/", false],
      ["http://printer.lan/", true],
      ["http://[::1]:8080/", true],
      ["http://10.0.0.1/", true],
      ["https://10.0.0.1/", false],
      ["https://open.feishu.cn/", false]
    ]
    for (const [url, expected] of cases) assert.strictEqual(direct(new URL(url)), expected, url)
    assert.isTrue(Proxy.bypasses("*")(new URL("https://open.feishu.cn/")))
    assert.isFalse(Proxy.bypasses("")(new URL("https://open.feishu.cn/")))
  })
})

describe("the CONNECT tunnel agent", () => {
  it.live("reaches a TLS server through the tunnel, the certificate checked against the target's name", () =>
    Effect.gen(function*() {
      const proxy = yield* testProxy()
      const server = yield* Effect.acquireRelease(
        callback<Https.Server>((resume) => {
          const server = Https.createServer(tls, (_, res) => res.end("over tls"))
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          callback<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const { port } = server.address() as AddressInfo
      const tunnel = yield* Proxy.parse("proxy", proxy.url)
      const get = (ca: string | undefined) =>
        callback<string, Error>((resume) => {
          const agent = TunnelAgent.make(tunnel, true, ca === undefined ? {} : { ca })
          Https.get(`https://localhost:${port}/`, { agent }, (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (chunk: Buffer) => chunks.push(chunk))
            res.on("end", () => (agent.destroy(), resume(Effect.succeed(Buffer.concat(chunks).toString()))))
          }).on("error", (error) => (agent.destroy(), resume(Effect.fail(error))))
        })
      assert.strictEqual(yield* get(tls.cert), "over tls")
      assert.deepStrictEqual(proxy.seen[0], { kind: "CONNECT", target: `localhost:${port}`, authorization: undefined })
      // without the test certificate as a CA, TLS inside the tunnel refuses the server
      const refused = yield* Effect.flip(get(undefined))
      assert.match(String((refused as { code?: string }).code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/)
    }).pipe(Effect.scoped))
})
