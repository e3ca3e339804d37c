/**
 * The reconnect policy and the failure classification, as pure functions; the endpoint answer parser and its
 * size limit.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultClientConfig, fetchEndpoint, MAX_INTERVAL_SECONDS, mergeClientConfig, parseAnswer } from "../../src/ws/endpoint.js"
import {
  LongConnectionEndpointError,
  LongConnectionHandshakeError,
  LongConnectionTransportError
} from "../../src/ws/errors.js"
import { delayBefore, endingError, isTerminal } from "../../src/ws/reconnect.js"

const policy = { reconnectCount: 3, reconnectInterval: 120, reconnectNonce: 30, pingInterval: 120 }
const millis = (d: Option.Option<Duration.Duration>) => Duration.toMillis(Option.getOrThrow(d))
const none = Duration.zero

describe("reconnect policy", () => {
  it("waits a random part of ReconnectNonce first, then ReconnectInterval plus up to 10 % jitter", () => {
    assert.strictEqual(millis(delayBefore(policy, 1, 0, none)), 0)
    assert.strictEqual(millis(delayBefore(policy, 1, 0.5, none)), 15_000)
    assert.strictEqual(millis(delayBefore(policy, 2, 0, none)), 120_000)
    assert.strictEqual(millis(delayBefore(policy, 3, 0.999, none)), Math.round(120 * 1.0999 * 1000))
  })

  it("gives up after ReconnectCount attempts; a negative count never gives up", () => {
    assert.isTrue(Option.isSome(delayBefore(policy, 3, 0, none)))
    assert.isTrue(Option.isNone(delayBefore(policy, 4, 0, none)))
    assert.isTrue(Option.isNone(delayBefore({ ...policy, reconnectCount: 0 }, 1, 0, none)))
    assert.isTrue(Option.isSome(delayBefore({ ...policy, reconnectCount: -1 }, 10_000, 0, none)))
  })

  it("never waits less than the floor, so a server answering 0 cannot cause a busy loop", () => {
    const zero = { ...policy, reconnectInterval: 0, reconnectNonce: 0 }
    assert.strictEqual(millis(delayBefore(zero, 2, 0, Duration.seconds(1))), 1000)
  })
})

describe("what ends run", () => {
  const busy = new LongConnectionEndpointError({ code: 1, msg: "busy" })
  const limit = new LongConnectionEndpointError({ code: 1000040350, msg: "limit" })

  it("reconnecting: a retryable failure reconnects (undefined), a terminal one ends run as it is", () => {
    assert.isUndefined(endingError(busy, true, true))
    assert.strictEqual(endingError(limit, true, false), limit)
  })

  it("autoReconnect off: a retryable failure ends run wrapped, saying whether it had connected; a terminal one as it is", () => {
    const ended = endingError(busy, false, true)
    assert.strictEqual(ended?._tag, "LongConnectionDisconnected")
    assert.deepInclude(ended, { wasConnected: true, failure: busy })
    assert.deepInclude(endingError(busy, false, false), { wasConnected: false })
    assert.strictEqual(endingError(limit, false, true), limit)
  })
})

describe("failure classification", () => {
  const handshake = (status: number | undefined, authErrorCode?: number) =>
    new LongConnectionHandshakeError({ httpStatus: 400, status, msg: "m", authErrorCode })

  it("endpoint codes: busy (1) and internal (1000040343) are retried, the rest are terminal", () => {
    assert.isFalse(isTerminal(new LongConnectionEndpointError({ code: 1, msg: "busy" })))
    assert.isFalse(isTerminal(new LongConnectionEndpointError({ code: 1000040343, msg: "internal" })))
    assert.isTrue(isTerminal(new LongConnectionEndpointError({ code: 1000040350, msg: "limit" })))
    assert.isTrue(isTerminal(new LongConnectionEndpointError({ code: 10014, msg: "secret" })))
  })

  it("handshake: 403 and 514 + 1000040350 are terminal; other 514s and unexplained refusals are retried", () => {
    assert.isTrue(isTerminal(handshake(403)))
    assert.isTrue(isTerminal(handshake(514, 1000040350)))
    assert.isFalse(isTerminal(handshake(514, 1000040351)))
    assert.isFalse(isTerminal(handshake(undefined)))
    assert.isFalse(isTerminal(handshake(500)))
  })

  it("transport failures are always retried", () => {
    assert.isFalse(isTerminal(new LongConnectionTransportError({ stage: "connected", reason: "Silent", detail: "" })))
  })
})

describe("endpoint answer", () => {
  it("reads URL, service_id, device_id and ClientConfig; keeps the URL redacted", () =>
    Effect.gen(function*() {
      const endpoint = yield* parseAnswer(
        JSON.stringify({
          code: 0,
          data: {
            URL: "wss://example.invalid/ws/v2?fpid=1&device_id=dev42&access_key=SECRET&service_id=33&ticket=T",
            ClientConfig: { ReconnectCount: 5, PingInterval: 90 }
          }
        }),
        defaultClientConfig
      )
      assert.strictEqual(endpoint.serviceId, 33)
      assert.strictEqual(endpoint.connectionId, "dev42")
      assert.include(Redacted.value(endpoint.url), "access_key=SECRET")
      assert.notInclude(String(endpoint.url), "SECRET")
      assert.deepStrictEqual(endpoint.clientConfig, { ...defaultClientConfig, reconnectCount: 5, pingInterval: 90 })
    }).pipe(Effect.runSync))

  it("a non-zero code is an endpoint error; garbage is a retryable decode failure", () => {
    const code = Effect.runSync(Effect.flip(parseAnswer(JSON.stringify({ code: 1000040350, msg: "limit" }), defaultClientConfig)))
    assert.strictEqual(code._tag, "LongConnectionEndpointError")
    const garbage = Effect.runSync(Effect.flip(parseAnswer("<html>", defaultClientConfig)))
    assert.strictEqual(garbage._tag, "LongConnectionTransportError")
    const noUrl = Effect.runSync(Effect.flip(parseAnswer(JSON.stringify({ code: 0, data: {} }), defaultClientConfig)))
    assert.strictEqual(noUrl._tag, "LongConnectionTransportError")
  })

  it("a URL that is not ws: or wss:, or has a fragment, is a retryable decode failure that does not name it", () => {
    for (const URL of ["ws+unix:///var/run/app.sock", "ftp://127.0.0.1/ws", "https://127.0.0.1/ws", "wss://127.0.0.1/ws?access_key=AK#x"]) {
      const error = Effect.runSync(Effect.flip(parseAnswer(JSON.stringify({ code: 0, data: { URL } }), defaultClientConfig)))
      assert.strictEqual(error._tag, "LongConnectionTransportError", URL)
      assert.strictEqual(error._tag === "LongConnectionTransportError" && error.reason, "Decode", URL)
      assert.notInclude(error.message, "127.0.0.1", URL)
    }
  })

  it.effect("an answer larger than maxResponseBytes is a transport failure, read no further", () =>
    Effect.gen(function*() {
      const big = JSON.stringify({ code: 0, data: { URL: "wss://example.invalid/ws", padding: "x".repeat(5000) } })
      const client = HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response(big))))
      const config = LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("s"), domain: "http://127.0.0.1:9", maxResponseBytes: 1000 })
      const error = yield* Effect.flip(fetchEndpoint(defaultClientConfig, "5 seconds"))
        .pipe(Effect.provide(Layer.merge(config, Layer.succeed(HttpClient.HttpClient, client))))
      assert.strictEqual(error._tag, "LongConnectionTransportError")
      assert.include(error.message, "larger than 1000 bytes")
    }))

  it("a config update keeps the fields it does not carry and ignores non-numbers", () => {
    assert.deepStrictEqual(
      mergeClientConfig(policy, { PingInterval: 5, ReconnectCount: "9" }),
      { ...policy, pingInterval: 5 }
    )
    assert.deepStrictEqual(mergeClientConfig(policy, null), policy)
  })

  it("intervals a server sends are kept within [0, an hour]: a timer that never fires would stop pings or reconnects", () => {
    assert.deepStrictEqual(
      mergeClientConfig(policy, { PingInterval: 1e12, ReconnectInterval: 2 ** 40, ReconnectNonce: -5, ReconnectCount: 3 }),
      { reconnectCount: 3, pingInterval: MAX_INTERVAL_SECONDS, reconnectInterval: MAX_INTERVAL_SECONDS, reconnectNonce: 0 }
    )
  })
})
