/**
 * The long connection through a proxy (`lark-effect/layers/ws`'s `layerWith`): against the fake long
 * connection on 127.0.0.1 behind a recording proxy, the socket goes through a CONNECT tunnel with the proxy's
 * credentials, the endpoint call through the HTTP wiring's proxy, and `NO_PROXY` sends both direct.
 */
import { Agent } from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted, Stream } from "effect"
import * as UndiciWiring from "../../layers/index.js"
import type { ProxyOption } from "../../layers/internal/proxy.js"
import { changesOf } from "../../src/internal/dialect.js"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import { testProxy, withCredentials } from "../layers/proxyServer.js"
import { scopedLive, withVariables } from "../dialect.js"

/** A fake and the long connection to it on `proxy`, connected; both end with the scope (the connection first). */
const connectedThrough = (proxy: ProxyOption) =>
  Effect.gen(function*() {
    const fake = Context.get(yield* Layer.build(fakeLayer()), FakeLongConnection)
    const state = yield* LongConnection.makeState
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
      UndiciWiring.layerHttp({ proxy }),
      WsLayer.layerWith({ proxy })
    )
    yield* LongConnection.run(EventDispatcher.make(), {
      state,
      minReconnectDelay: "10 millis",
      clientConfig: { reconnectNonce: 0, reconnectInterval: 0 }
    }).pipe(Effect.provide(wiring), Effect.forkScoped)
    yield* changesOf(state).pipe(Stream.filter((s) => s._tag === "Connected"), Stream.runHead, Effect.map(Option.getOrThrow))
    return fake
  })

describe("the long connection through a proxy", () => {
  scopedLive("the socket is a CONNECT tunnel with Proxy-Authorization; the endpoint call goes through the proxy too", () =>
    Effect.gen(function*() {
      const expected = `Basic ${Buffer.from("lark:pw").toString("base64")}`
      const proxy = yield* testProxy({ requireAuthorization: expected })
      const fake = yield* connectedThrough(withCredentials(proxy, "lark", "pw"))
      const { host } = new URL(fake.url)
      assert.deepStrictEqual(proxy.seen.find((seen) => seen.kind === "CONNECT"), { kind: "CONNECT", target: host, authorization: expected })
      assert.isTrue(proxy.seen.some((seen) => seen.kind === "absolute" && seen.target.startsWith(`${fake.url}/callback/ws/endpoint`)))
    }))

  scopedLive("\"environment\": HTTP_PROXY carries a ws: socket, NO_PROXY sends it direct", () =>
    Effect.gen(function*() {
      const proxy = yield* testProxy()
      yield* Effect.scoped(connectedThrough("environment").pipe(withVariables({ HTTP_PROXY: proxy.url })))
      assert.isTrue(proxy.seen.some((seen) => seen.kind === "CONNECT"))
      const before = proxy.seen.length
      yield* Effect.scoped(connectedThrough("environment").pipe(withVariables({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" })))
      assert.strictEqual(proxy.seen.length, before)
    }))

  it.effect("a bad proxy URL fails the layer with a LarkConfigError; proxy and agent together too", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(Layer.build(WsLayer.layerWith({ proxy: "ftp://proxy:21" })))
      assert.strictEqual(bad.variable, "proxy")
      const both = yield* Effect.flip(Layer.build(WsLayer.layerWith({ proxy: "http://proxy:3128", agent: new Agent() })))
      assert.match(both.detail, /not both/)
    }).pipe(Effect.scoped))
})
