/**
 * One session on an in-memory socket under `TestClock`: pings and pong config updates, the liveness
 * watchdog, acks (codes, `biz_rt`, callback data), and the ack codes of every dispatch outcome.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { unsafeMakeMemory } from "../../src/events/Dedupe.js"
import { dedupeOfContext, makeDispatch } from "../../src/events/dispatch.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { EventDecodeError } from "../../src/events/errors.js"
import { decodeBase64, getFailure, getSuccess, isFailure, type Outcome } from "../../src/internal/dialect.js"
import { type ClientConfig, defaultClientConfig } from "../../src/ws/endpoint.js"
import * as Frame from "../../src/ws/frame.js"
import * as Session from "../../src/ws/session.js"
import type { CloseInfo } from "../../src/ws/socket.js"
import { fork, pollUnsafe, scoped } from "../dialect.js"

const utf8 = new TextEncoder()
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

/** The success of an outcome; its failure is thrown. */
const orThrow = <A, E>(outcome: Outcome<A, E>): A => {
  if (isFailure(outcome)) throw getFailure(outcome)
  return getSuccess(outcome)
}

const envelope = (type: string, id: string, event: unknown = {}) =>
  utf8.encode(JSON.stringify({ schema: "2.0", header: { event_id: id, event_type: type }, event }))

const dataFrame = (
  type: string,
  payload: Uint8Array,
  seqId = 1n,
  extra: ReadonlyArray<Frame.Header> = [],
  messageId = `m${seqId}`
): Uint8Array =>
  Frame.encode({
    seqId,
    logId: 99n,
    service: 7,
    method: Frame.Method.data,
    headers: [{ key: "type", value: type }, { key: "message_id", value: messageId }, ...extra],
    payload
  })

const pong = (config?: object) =>
  Frame.encode({
    seqId: 0n,
    logId: 0n,
    service: 7,
    method: Frame.Method.control,
    headers: [{ key: "type", value: "pong" }],
    payload: config === undefined ? undefined : utf8.encode(JSON.stringify(config))
  })

/** A session on an in-memory socket; `sent` holds what the client wrote, decoded. */
const start = <R>(
  dispatcher: EventDispatcher.EventDispatcher<R>,
  config: Partial<ClientConfig> = {}
) =>
  Effect.gen(function*() {
    const messages = yield* Queue.unbounded<Uint8Array>()
    const closed = yield* Deferred.make<CloseInfo>()
    const sent: Array<Frame.Frame> = []
    const clientConfig = yield* Ref.make<ClientConfig>({ ...defaultClientConfig, pingInterval: 10, ...config })
    const handlers = yield* FiberSet.make()
    const fiber = yield* fork(Session.run({
      connection: {
        send: (bytes) => Effect.sync(() => void sent.push(orThrow(Frame.decode(bytes)))),
        messages,
        closed: Deferred.await(closed)
      },
      serviceId: 7,
      clientConfig,
      dispatch: makeDispatch(dispatcher, dedupeOfContext(unsafeMakeMemory()), "whenPresent"),
      fork: (handling: Effect.Effect<void, never, R>) => Effect.asVoid(FiberSet.run(handlers, handling)),
      pongTimeout: Duration.seconds(3),
      fragments: {}
    }))
    yield* TestClock.adjust(0)
    const receive = (bytes: Uint8Array) => Effect.andThen(Queue.offer(messages, bytes), TestClock.adjust(0))
    const pings = () => sent.filter((f) => Frame.header(f, "type") === "ping")
    const acks = () => sent.filter((f) => f.method === Frame.Method.data)
    return { sent, receive, pings, acks, clientConfig, closed, fiber }
  })

const ackBody = (frame: Frame.Frame | undefined) => JSON.parse(text(frame?.payload)) as { code: number; data?: string }

describe("session: pings and liveness", () => {
  scoped("pings at once and every PingInterval; a pong's ClientConfig sets the next interval", () =>
    Effect.gen(function*() {
      const s = yield* start(EventDispatcher.make())
      assert.strictEqual(s.pings().length, 1, "first ping right after connecting")
      assert.deepStrictEqual({ ...s.pings()[0] }, { ...Session.pingFrame(7), payloadEncoding: undefined, payloadType: undefined, payload: undefined, logIdNew: undefined })

      yield* s.receive(pong({ PingInterval: 20, ReconnectCount: 4 }))
      assert.strictEqual((yield* Ref.get(s.clientConfig)).pingInterval, 20)
      assert.strictEqual((yield* Ref.get(s.clientConfig)).reconnectCount, 4)
      yield* TestClock.adjust("9999 millis")
      assert.strictEqual(s.pings().length, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(s.pings().length, 2, "second ping after the interval in force when the first was sent")

      yield* s.receive(pong())
      yield* TestClock.adjust("19999 millis")
      assert.strictEqual(s.pings().length, 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(s.pings().length, 3, "third ping after the interval from the pong")
    }))

  scoped("a socket that stays silent for pongTimeout after a ping is reported dead", () =>
    Effect.gen(function*() {
      const s = yield* start(EventDispatcher.make())
      yield* TestClock.adjust("2999 millis")
      assert.isUndefined(pollUnsafe(s.fiber))
      yield* TestClock.adjust("1 millis")
      const failure = yield* Effect.flip(Fiber.join(s.fiber))
      assert.strictEqual(failure.reason, "Silent")
    }))

  scoped("a closed socket ends the session with a retryable Closed error", () =>
    Effect.gen(function*() {
      const s = yield* start(EventDispatcher.make())
      yield* Deferred.succeed(s.closed, { code: 1006, reason: "" })
      const failure = yield* Effect.flip(Fiber.join(s.fiber))
      assert.strictEqual(failure.reason, "Closed")
      assert.isTrue(failure.retryable)
    }))
})

describe("session: acks", () => {
  scoped("acks an event after its handler finished: same frame, biz_rt = handler time, code 200", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      const s = yield* start(
        EventDispatcher.make().on("im.message.receive_v1", (e) =>
          Effect.andThen(Effect.sleep("1500 millis"), Effect.sync(() => void handled.push(e.header.event_id))))
      )
      yield* s.receive(dataFrame("event", envelope("im.message.receive_v1", "e1"), 5n, [{ key: "trace_id", value: "t" }]))
      assert.strictEqual(s.acks().length, 0, "no ack while the handler runs")
      yield* TestClock.adjust("1500 millis")
      assert.deepStrictEqual(handled, ["e1"])
      const [ack] = s.acks()
      assert.strictEqual(ack?.seqId, 5n)
      assert.strictEqual(ack?.logId, 99n)
      assert.strictEqual(ack?.service, 7)
      assert.deepStrictEqual(ack?.headers.map((h) => h.key), ["type", "message_id", "trace_id", "biz_rt"])
      assert.strictEqual(Frame.header(ack!, "biz_rt"), "1500")
      assert.deepStrictEqual(ackBody(ack), { code: 200 })
    }))

  scoped("a card frame is dispatched like an event and acked with the callback result as base64 JSON data", () =>
    Effect.gen(function*() {
      const response = { toast: { type: "success" as const, content: "已处理 ✓" } }
      const s = yield* start(EventDispatcher.make().on("card.action.trigger", () => Effect.succeed(response)))
      yield* s.receive(dataFrame("card", envelope("card.action.trigger", "c1", { action: { value: { k: 1 } } })))
      const body = ackBody(s.acks()[0])
      assert.strictEqual(body.code, 200)
      assert.deepStrictEqual(JSON.parse(text(orThrow(decodeBase64(body.data!)))), response)
    }))

  scoped("a failed handler is acked 500 (redeliver); the redelivery runs it again and is acked 200", () =>
    Effect.gen(function*() {
      let calls = 0
      const s = yield* start(
        EventDispatcher.make().on("im.message.receive_v1", () => ++calls === 1 ? Effect.fail("boom") : Effect.void)
      )
      yield* s.receive(dataFrame("event", envelope("im.message.receive_v1", "e1"), 1n))
      yield* s.receive(dataFrame("event", envelope("im.message.receive_v1", "e1"), 2n))
      yield* s.receive(dataFrame("event", envelope("im.message.receive_v1", "e1"), 3n))
      assert.deepStrictEqual(s.acks().map((a) => ackBody(a).code), [500, 200, 200])
      assert.strictEqual(calls, 2, "the third delivery is a duplicate: acked, not handled")
    }))

  scoped("unhandled types, unknown frame types and malformed payloads are acked 200 (they would never get better)", () =>
    Effect.gen(function*() {
      const s = yield* start(EventDispatcher.make())
      yield* s.receive(dataFrame("event", envelope("nobody.listens", "e1"), 1n))
      yield* s.receive(dataFrame("mystery", utf8.encode("{}"), 2n))
      yield* s.receive(dataFrame("event", utf8.encode("not json"), 3n))
      yield* s.receive(dataFrame("event", utf8.encode(JSON.stringify({ schema: "2.0" })), 4n))
      assert.deepStrictEqual(s.acks().map((a) => [a.seqId, ackBody(a).code]), [[1n, 200], [2n, 200], [3n, 200], [4n, 200]])
    }))

  scoped("parts arriving out of order are acked once, on the last part's frame, after one handler run", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const s = yield* start(EventDispatcher.make().on("im.message.receive_v1", (e) => Effect.sync(() => void seen.push(e.event))))
      const whole = envelope("im.message.receive_v1", "big", { text: "x".repeat(100) })
      const cut = [whole.subarray(0, 40), whole.subarray(40, 80), whole.subarray(80)]
      const part = (seq: number, seqId: bigint) =>
        dataFrame("event", cut[seq]!, seqId, [{ key: "sum", value: "3" }, { key: "seq", value: String(seq) }], "big")
      yield* s.receive(part(2, 10n))
      yield* s.receive(part(0, 11n))
      assert.strictEqual(s.acks().length, 0)
      yield* s.receive(part(1, 12n))
      assert.deepStrictEqual(seen, [{ text: "x".repeat(100) }])
      assert.deepStrictEqual(s.acks().map((a) => a.seqId), [12n])
    }))

  scoped("a part the reassembly refuses is acked 200 at once (biz_rt 0), once per SeqID and message_id, unhandled", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const s = yield* start(EventDispatcher.make().on("im.message.receive_v1", (e) => Effect.sync(() => void seen.push(e.event))))
      const part = (seqId: bigint, sum: string, seq: string, messageId: string) =>
        dataFrame("event", utf8.encode("{}"), seqId, [{ key: "sum", value: sum }, { key: "seq", value: seq }], messageId)
      yield* s.receive(part(20n, "2", "5", "bad_seq"))
      yield* s.receive(part(21n, "300", "0", "too_many"))
      yield* s.receive(part(21n, "300", "1", "too_many"))
      yield* s.receive(part(22n, "2", "0", ""))
      yield* s.receive(part(22n, "2", "1", ""))
      assert.deepStrictEqual(seen, [])
      assert.deepStrictEqual(s.acks().map((a) => [a.seqId, Frame.header(a, "message_id"), ackBody(a).code]), [
        [20n, "bad_seq", 200],
        [21n, "too_many", 200],
        [22n, "", 200]
      ])
      assert.deepStrictEqual(s.acks().map((a) => Frame.header(a, "biz_rt")), ["0", "0", "0"])
    }))

  it("ack payloads by outcome: a callback's answer (`{}` when none) is base64 JSON in `data`", () => {
    const code = (payload: Uint8Array) => JSON.parse(text(payload))
    const toast = JSON.stringify({ toast: { type: "info", content: "ok" } })
    for (const _tag of ["Handled", "Duplicate", "Unhandled"] as const) {
      assert.deepStrictEqual(code(Session.ackPayload({ _tag, response: undefined })), { code: 200 })
      assert.deepStrictEqual(code(Session.ackPayload({ _tag, response: "{}" })), { code: 200, data: Buffer.from("{}").toString("base64") })
    }
    assert.deepStrictEqual(code(Session.ackPayload({ _tag: "Handled", response: toast })), { code: 200, data: Buffer.from(toast).toString("base64") })
    assert.deepStrictEqual(code(Session.ackPayload({ _tag: "Rejected", error: new EventDecodeError({ detail: "x" }) })), { code: 200 })
    assert.deepStrictEqual(code(Session.ackPayload({ _tag: "Retry", reason: "HandlerFailed" })), { code: 500 })
    assert.deepStrictEqual(code(Session.ackPayload({ _tag: "Retry", reason: "InProgress" })), { code: 500 })
  })
})
