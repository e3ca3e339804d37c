/**
 * `lark-effect events` in-process against the fake long connection on loopback: every delivery is printed
 * as one JSON line (or only the asked types) and acknowledged, and Ctrl-C (interruption) closes the socket.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as WsLayer from "../../layers/ws.js"
import { parseCommandLine } from "../../src/cli/args.js"
import { printable } from "../../src/cli/events.js"
import { isFailure, isInterruptedExit, succeed } from "../../src/internal/dialect.js"
import { run } from "../../src/cli/run.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLongConnection } from "../../src/testing/FakeLongConnection.js"
import { fork, scopedLive, withVariables } from "../dialect.js"
import { capture } from "./capture.js"

describe("lark-effect events: the command line", () => {
  it("takes types repeated or comma-separated", () => {
    assert.deepStrictEqual(
      parseCommandLine(["events", "--type", "im.message.receive_v1,card.action.trigger", "--type", " im.chat.disbanded_v1 ", "--pretty"]),
      succeed({ _tag: "Events", types: ["im.message.receive_v1", "card.action.trigger", "im.chat.disbanded_v1"], pretty: true })
    )
    assert.deepStrictEqual(parseCommandLine(["events"]), succeed({ _tag: "Events", types: [], pretty: false }))
    assert.isTrue(isFailure(parseCommandLine(["events", "im.message.receive_v1"])))
  })
})

describe("lark-effect events: what is printed", () => {
  it("a legacy v1 event: its uuid, time, type and payload, never its token", () => {
    assert.deepStrictEqual(
      printable({ version: "v1", uuid: "u1", ts: "1700000000.1", token: "verification-token", type: "app_open", event: { type: "app_open", app_id: "cli_x" } }),
      { uuid: "u1", ts: "1700000000.1", type: "app_open", event: { type: "app_open", app_id: "cli_x" } }
    )
  })
})

const wiring = Layer.mergeAll(fakeLongConnection(), FetchHttpClient.layer, NodeFileSystem.layer, WsLayer.layer)

/** Starts the command in a fiber against the fake; `secret` replaces the app's. */
const start = (argv: ReadonlyArray<string>, secret: string = defaultApp.appSecret) =>
  Effect.gen(function*() {
    const fake = yield* FakeLongConnection
    const printed = capture()
    const environment = withVariables({ LARK_APP_ID: defaultApp.appId, LARK_APP_SECRET: secret, LARK_DOMAIN: fake.url })
    const fiber = yield* fork(run(argv, printed.output).pipe(environment))
    return { fake, fiber, ...printed }
  })

const MESSAGE = "im.message.receive_v1"

describe("lark-effect events against the fake long connection", () => {
  scopedLive("prints each event as one JSON line without its token, acks it, and stops on interruption", () =>
    Effect.gen(function*() {
      const { fake, fiber, lines, out } = yield* start(["events"])
      yield* fake.until((v) => v.open === 1)
      const message = event(MESSAGE, { message: { message_id: "om_1", content: `{"text":"hi"}` } }, "evt_1")
      yield* fake.push({ ...message, header: { ...message.header, token: "verification-token-secret" } })
      yield* fake.push(event("card.action.trigger", { action: { value: { k: "v" } } }, "evt_2"), { type: "card" })
      yield* fake.until((v) => v.acks.length === 2)
      assert.deepStrictEqual((yield* fake.acks).map((ack) => ack.code), [200, 200])
      assert.deepStrictEqual(out().map((line) => JSON.parse(line)), [
        message,
        event("card.action.trigger", { action: { value: { k: "v" } } }, "evt_2")
      ])
      assert.notInclude(lines.join("\n"), "verification-token-secret")
      assert.include(lines, "ERR Connected. Waiting for events; press Ctrl-C to stop.")

      yield* Fiber.interrupt(fiber)
      assert.isTrue(isInterruptedExit(yield* Fiber.await(fiber)))
      yield* fake.until((v) => v.open === 0)
      assert.strictEqual(lines.at(-1), "ERR Stopped.")
    }).pipe(Effect.provide(wiring)))

  scopedLive("--type prints only those types but acknowledges every delivery; --pretty indents", () =>
    Effect.gen(function*() {
      const { fake, out } = yield* start(["events", "--type", MESSAGE, "--pretty"])
      yield* fake.until((v) => v.open === 1)
      yield* fake.push(event("im.chat.disbanded_v1", { chat_id: "oc_1" }, "evt_other"))
      yield* fake.push(event(MESSAGE, { message: { message_id: "om_2" } }, "evt_wanted"))
      yield* fake.until((v) => v.acks.length === 2)
      assert.deepStrictEqual((yield* fake.acks).map((ack) => ack.code), [200, 200])
      assert.strictEqual(out().length, 1)
      assert.strictEqual(JSON.parse(out()[0]!).header.event_id, "evt_wanted")
      assert.include(out()[0]!, `\n  "header": {`)
    }).pipe(Effect.provide(wiring)))

  scopedLive("a dropped socket is reported on standard error and reconnected; events keep coming", () =>
    Effect.gen(function*() {
      const { fake, lines, out } = yield* start(["events"])
      yield* fake.until((v) => v.open === 1)
      yield* fake.dropConnections
      yield* fake.until((v) => v.accepted === 2 && v.open === 1)
      assert.isTrue(lines.some((line) => /^ERR Connection lost \(.+\); reconnecting in /.test(line)), lines.join("\n"))
      yield* fake.push(event(MESSAGE, {}, "evt_after"))
      yield* fake.until((v) => v.acks.length === 1)
      assert.strictEqual(JSON.parse(out()[0]!).header.event_id, "evt_after")
    }).pipe(Effect.provide(wiring)))

  scopedLive("refused credentials end the command with exit code 1 and the reason", () =>
    Effect.gen(function*() {
      const { fake, fiber, lines } = yield* start(["events"], "wrong_secret")
      assert.strictEqual(yield* Fiber.join(fiber), 1)
      assert.match(lines.at(-1)!, /^ERR long connection endpoint refused: code \d+/)
      assert.notInclude(lines.join("\n"), "wrong_secret")
      assert.strictEqual((yield* fake.connections).accepted, 0)
    }).pipe(Effect.provide(wiring)))
})
