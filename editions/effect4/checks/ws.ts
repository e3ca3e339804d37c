/**
 * The long connection on Effect 4: `LongConnection.run` against `FakeLongConnection` on 127.0.0.1 through the `ws`
 * socket of `layers/ws.ts`: an event, then a message split in three parts sent out of order, each handled once
 * and acknowledged (the second by a handler that waits, so its handling goes on in a fiber of its own); then every
 * socket dropped, a reconnect on a fresh endpoint answer, and an event on the new socket. Prints one JSON line for
 * tests/effect4/edition.test.ts.
 */
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as WsLayer from "../layers/ws.js"
import * as EventDispatcher from "../src/events/EventDispatcher.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { defaultApp } from "../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLayer } from "../src/testing/FakeLongConnection.js"
import * as LongConnection from "../src/ws/LongConnection.js"

const MESSAGE = "im.message.receive_v1"

const program = Effect.gen(function*() {
  const fake = yield* FakeLongConnection
  const state = yield* LongConnection.makeState
  const handled: Array<string> = []
  const record = (id: string) => Effect.sync(() => void handled.push(id))
  // the split message's handler waits: its handling leaves the caller's stack for a fiber of its own
  const dispatcher = EventDispatcher.make().on(MESSAGE, (e) =>
    e.header.event_id === "evt_split" ? Effect.andThen(Effect.sleep("50 millis"), record(e.header.event_id)) : record(e.header.event_id))
  const wiring = Layer.mergeAll(
    Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: fake.url })),
    FetchHttpClient.layer,
    WsLayer.layer
  )
  yield* LongConnection.run(dispatcher, {
    state,
    minReconnectDelay: "10 millis",
    clientConfig: { reconnectNonce: 0, reconnectInterval: 0 }
  }).pipe(Effect.provide(wiring), Effect.forkScoped)

  yield* fake.until((view) => view.open === 1)
  const first = yield* fake.push(event(MESSAGE, { message: { message_id: "om_1" } }, "evt_1"))
  yield* fake.until((view) => view.acks.length === 1)
  const split = yield* fake.push(event(MESSAGE, { text: "long ".repeat(300) }, "evt_split"), { parts: 3, order: [2, 0, 1] })
  yield* fake.until((view) => view.acks.length === 2)
  const connected = yield* SubscriptionRef.get(state)

  yield* fake.dropConnections
  yield* fake.until((view) => view.accepted === 2 && view.open === 1)
  const after = yield* fake.push(event(MESSAGE, { message: { message_id: "om_2" } }, "evt_after"))
  yield* fake.until((view) => view.acks.length === 3)
  const reconnected = yield* SubscriptionRef.get(state)

  const acks = (yield* fake.acks).map((ack) => ({
    message: ack.messageId === first ? "first" : ack.messageId === split ? "split" : ack.messageId === after ? "after" : ack.messageId,
    type: ack.type,
    code: ack.code,
    bizRt: /^\d+$/.test(ack.bizRt ?? "") ? Number(ack.bizRt) : ack.bizRt
  }))
  return {
    handled,
    acks,
    connectedState: connected._tag === "Connected" ? { tag: connected._tag, connectionId: connected.connectionId } : connected._tag,
    reconnectedState: reconnected._tag === "Connected" ? { tag: reconnected._tag, connectionId: reconnected.connectionId } : reconnected._tag,
    connections: yield* fake.connections,
    endpointCalls: yield* fake.endpointCalls,
    pending: yield* fake.pending,
    violations: (yield* fake.takeViolations).map((violation) => violation.reason)
  }
})

// the connection's logs go to stderr: stdout is the JSON line
const logged = Effect.provideService(Logger.LogToStderr, true)

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(fakeLayer()), Effect.timeout("15 seconds"), logged)).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
