/**
 * The `audit` security mode: everything `strict` would refuse is let through (compat behaviour) and
 * recorded through `auditRecorder` with `action: "allow"` and details without secrets: a webhook channel
 * without an Encrypt Key, a signed webhook request outside the strict replay window, a remote `ws://`
 * socket. In `compat` nothing is recorded.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../../layers/testing.js"
import type { AuditEvent } from "../../src/channel/audit.js"
import { Channel, type ChannelOptions } from "../../src/channel/Channel.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { seal } from "../../src/testing/pushEvent.js"
import { LongConnectionTransportError } from "../../src/ws/errors.js"
import { WebSocketFactory } from "../../src/ws/socket.js"

const quiet = Logger.withMinimumLogLevel(LogLevel.None)

const BOT_INFO = MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({
  body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } }
}))

const SOCKET_URL = "ws://events.example.com/ws?device_id=d1&service_id=7&access_key=secret_key"
const ENDPOINT = MockHttp.route("POST", "/callback/ws/endpoint", () => ({
  body: { code: 0, msg: "ok", data: { URL: SOCKET_URL, ClientConfig: { ReconnectCount: 0 } } }
}))

/** A channel with a recording audit recorder (in `mode`) and a socket factory that counts opens and refuses them. */
const audited = (mode: "audit" | "compat", options: ChannelOptions = {}) =>
  Effect.gen(function*() {
    const events = yield* Ref.make<ReadonlyArray<AuditEvent>>([])
    const opens = yield* Ref.make(0)
    const sockets = Layer.succeed(WebSocketFactory, {
      open: () =>
        Effect.zipRight(
          Ref.update(opens, (n) => n + 1),
          Effect.fail(new LongConnectionTransportError({ stage: "open", reason: "Network", detail: "refused by the test" }))
        )
    })
    const channel = yield* Channel.make({
      ...options,
      security: { mode, auditRecorder: (event) => Ref.update(events, (all) => [...all, event]) }
    }).pipe(Effect.provide(sockets))
    return { channel, events: Ref.get(events), opens: Ref.get(opens) }
  })

const message = (text: string) =>
  FakeChat.toPush(FakeChat.messageEvent({ chatId: "oc_1", chatType: "p2p" }, { from: { openId: "ou_a", name: "A" }, text }, 0))

describe("audit security mode", () => {
  it.scoped("a webhook channel without an Encrypt Key is made (strict refuses it) and recorded", () =>
    Effect.gen(function*() {
      const { events } = yield* audited("audit", { transport: "webhook" })
      assert.deepStrictEqual(yield* events, [{ reason: "webhook_without_encrypt_key", mode: "audit", action: "allow", details: {} }])
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  it.scoped("a signed request outside the strict replay window is handled and recorded", () =>
    Effect.gen(function*() {
      const encryptKey = Redacted.make("key")
      const { channel, events } = yield* audited("audit", { transport: "webhook", encryptKey })
      const runs = yield* Ref.make(0)
      yield* channel.on("Message", () => Ref.update(runs, (n) => n + 1))
      yield* channel.connect
      const old = yield* seal(message("old"), { encryptKey })
      yield* TestClock.adjust("6 minutes")
      const fresh = yield* seal(message("fresh"), { encryptKey })
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...old })).status, 200)
      assert.strictEqual((yield* channel.webhook({ method: "POST", ...fresh })).status, 200)
      assert.strictEqual(yield* Ref.get(runs), 2)
      const recorded = yield* events
      assert.deepStrictEqual(recorded.map((e) => [e.reason, e.action]), [["webhook_timestamp_outside_window", "allow"]])
      assert.deepStrictEqual(recorded[0]!.details, { timestamp: old.headers["x-lark-request-timestamp"]!, windowSeconds: 300 })
    }).pipe(Effect.provide(layerTest([BOT_INFO])), quiet))

  it.scoped("a remote ws:// socket is opened (strict refuses it) and recorded with its host, not its URL", () =>
    Effect.gen(function*() {
      const { channel, events, opens } = yield* audited("audit", { readyTimeout: "1 minute" })
      const connecting = yield* Effect.fork(Effect.exit(channel.connect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* opens, 1)
      const recorded = yield* events
      assert.deepStrictEqual(recorded, [{ reason: "insecure_ws", mode: "audit", action: "allow", details: { host: "events.example.com" } }])
      assert.notInclude(JSON.stringify(recorded), "secret_key")
      yield* Fiber.interrupt(connecting)
    }).pipe(Effect.provide(layerTest([BOT_INFO, ENDPOINT])), quiet))

  it.scoped("compat records nothing for the same things", () =>
    Effect.gen(function*() {
      const webhook = yield* audited("compat", { transport: "webhook" })
      const ws = yield* audited("compat", { readyTimeout: "1 minute" })
      yield* Effect.fork(Effect.exit(ws.channel.connect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* ws.opens, 1)
      assert.deepStrictEqual([yield* webhook.events, yield* ws.events], [[], []])
    }).pipe(Effect.provide(layerTest([BOT_INFO, ENDPOINT])), quiet))
})
