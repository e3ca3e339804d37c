/**
 * `FakeLongConnection` holds clients to the platform's rules: a hand-driven `ws` client sends acks right
 * and wrong, and every broken rule is a violation (not an ack) that fails the fake's scope unless taken.
 * Unacknowledged messages come again on the platform's schedule, on the same socket (under `TestClock`).
 */
import { assert, describe } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import * as TestClock from "effect/TestClock"
import { WebSocket } from "ws"
import { callback, getFailure, getSuccess, isFailure, offerUnsafe } from "../../src/internal/dialect.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { event, FakeLongConnection, layer as fakeLayer } from "../../src/testing/FakeLongConnection.js"
import * as Frame from "../../src/ws/frame.js"
import { scoped, scopedLive } from "../dialect.js"

const utf8 = new TextEncoder()

/** A frame the fake sent, decoded (a frame our codec cannot read is a defect). */
const decodeOrThrow = (bytes: Uint8Array): Frame.Frame => {
  const result = Frame.decode(bytes)
  if (isFailure(result)) throw getFailure(result)
  return getSuccess(result)
}

/** A raw client on a fresh socket of the fake in context: the frames it receives, and what it sends. */
const rawClient = Effect.gen(function*() {
  const fake = yield* FakeLongConnection
  const answer = yield* fake.endpoint({ AppID: defaultApp.appId, AppSecret: defaultApp.appSecret })
  const url = (answer.body as { data: { URL: string } }).data.URL
  const received = yield* Queue.unbounded<Frame.Frame>()
  const socket = yield* Effect.acquireRelease(
    callback<WebSocket>((resume) => {
      const ws = new WebSocket(url)
      ws.on("message", (data) => offerUnsafe(received, decodeOrThrow(new Uint8Array(data as Buffer))))
      ws.once("open", () => resume(Effect.succeed(ws)))
      ws.once("error", (error) => resume(Effect.die(error)))
    }),
    (ws) => Effect.sync(() => ws.terminate())
  )
  yield* fake.until((v) => v.open === 1)
  return {
    fake,
    next: Queue.take(received),
    send: (bytes: Uint8Array | string) => Effect.sync(() => socket.send(bytes))
  }
})

/** The ack the platform expects: the frame, `biz_rt`, and `{ code }`. */
const ack = (frame: Frame.Frame, code = 200, bizRt = "3"): Frame.Frame => ({
  ...frame,
  headers: [...frame.headers, { key: "biz_rt", value: bizRt }],
  payload: utf8.encode(JSON.stringify({ code }))
})

const pushOne = (fake: FakeLongConnection.Service) => fake.push(event("im.message.receive_v1", {}, "evt_1"))

describe("FakeLongConnection: acks are checked like the platform's", () => {
  scopedLive("a right ack (built by our codec's reply) is an ack: no violation, the message is done", () =>
    Effect.gen(function*() {
      const { fake, next, send } = yield* rawClient
      yield* pushOne(fake)
      const frame = yield* next
      yield* send(Frame.encodeReply(Frame.encode(frame), { key: "biz_rt", value: "0" }, utf8.encode("{\"code\":200}")))
      yield* fake.until((v) => v.acks.length === 1)
      assert.strictEqual(yield* fake.pending, 0)
      assert.deepStrictEqual(yield* fake.takeViolations, [])
    }).pipe(Effect.provide(fakeLayer())))

  const wrong: ReadonlyArray<readonly [string, (frame: Frame.Frame) => Uint8Array | string, string]> = [
    ["an ack for a SeqID never sent", (f) => Frame.encode(ack({ ...f, seqId: f.seqId + 100n })), "no unanswered frame"],
    ["a changed LogID", (f) => Frame.encode(ack({ ...f, logId: f.logId + 1n })), "LogID"],
    ["a changed service", (f) => Frame.encode(ack({ ...f, service: f.service + 1 })), "service 8, sent 7"],
    ["a control frame instead of a data frame", (f) => Frame.encode(ack({ ...f, method: Frame.Method.control })), "control frame of type event"],
    [
      "a changed message_id",
      (f) => Frame.encode(ack({ ...f, headers: f.headers.map((h) => h.key === "message_id" ? { ...h, value: "msg_other" } : h) })),
      "header message_id is \"msg_other\""
    ],
    ["a missing header", (f) => Frame.encode(ack({ ...f, headers: f.headers.filter((h) => h.key !== "trace_id") })), "header trace_id missing"],
    ["an added header", (f) => Frame.encode(ack({ ...f, headers: [...f.headers, { key: "extra", value: "1" }] })), "header extra added"],
    ["no biz_rt", (f) => Frame.encode({ ...f, payload: utf8.encode("{\"code\":200}") }), "no biz_rt header"],
    ["a negative biz_rt", (f) => Frame.encode(ack(f, 200, "-4")), "biz_rt -4 is negative"],
    ["a biz_rt that is no number", (f) => Frame.encode(ack(f, 200, "fast")), "not a whole number"],
    ["a payload that is not JSON", (f) => Frame.encode({ ...ack(f), payload: utf8.encode("ok") }), "not a JSON object"],
    ["a payload without a code", (f) => Frame.encode({ ...ack(f), payload: utf8.encode("{\"status\":200}") }), "no integer code"],
    [
      "data that is not base64 JSON",
      (f) => Frame.encode({ ...ack(f), payload: utf8.encode("{\"code\":200,\"data\":\"{}\"}") }),
      "not the base64 of a JSON value"
    ],
    ["bytes that are not a protobuf frame", () => Uint8Array.of(0x08), "not a pbbp2 frame"],
    ["a text message", () => "{\"code\":200}", "a text message"]
  ]

  for (const [name, build, reason] of wrong) {
    scopedLive(`${name}: a violation, not an ack; the message stays pending`, () =>
      Effect.gen(function*() {
        const { fake, next, send } = yield* rawClient
        const id = yield* pushOne(fake)
        yield* send(build(yield* next))
        yield* fake.until((v) => v.violations.length === 1)
        const [violation] = yield* fake.takeViolations
        assert.include(violation?.reason, reason)
        assert.deepStrictEqual(yield* fake.acks, [])
        assert.strictEqual(yield* fake.pending, 1)
        if (violation?.messageId !== undefined) assert.strictEqual(violation.messageId, id)
      }).pipe(Effect.provide(fakeLayer())))
  }

  scopedLive("a frame answered twice: the second ack is a violation", () =>
    Effect.gen(function*() {
      const { fake, next, send } = yield* rawClient
      yield* pushOne(fake)
      const bytes = Frame.encode(ack(yield* next))
      yield* send(bytes)
      yield* send(bytes)
      yield* fake.until((v) => v.violations.length === 1)
      assert.include((yield* fake.takeViolations)[0]?.reason, "already answered")
      assert.strictEqual((yield* fake.acks).length, 1)
    }).pipe(Effect.provide(fakeLayer())))

  scopedLive("with acceptNegativeBizRt (node-sdk's sign), a negative biz_rt is an ack", () =>
    Effect.gen(function*() {
      const { fake, next, send } = yield* rawClient
      yield* pushOne(fake)
      yield* send(Frame.encode(ack(yield* next, 200, "-4")))
      yield* fake.until((v) => v.acks.length === 1)
      assert.strictEqual(yield* fake.pending, 0)
      assert.deepStrictEqual(yield* fake.takeViolations, [])
    }).pipe(Effect.provide(fakeLayer({ acceptNegativeBizRt: true }))))

  scopedLive("violations left when the fake's scope closes fail it, naming each one", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.scoped(Effect.gen(function*() {
          const { fake, next, send } = yield* rawClient
          yield* pushOne(fake)
          yield* send(Frame.encode(ack(yield* next, 200, "-4")))
          yield* fake.until((v) => v.violations.length === 1)
        })).pipe(Effect.provide(fakeLayer()))
      )
      assert.isTrue(Exit.isFailure(exit))
      const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.include(String(defect), "1 frame(s) broke the platform's rules")
      assert.include(String(defect), "biz_rt -4 is negative")
    }))
})

describe("FakeLongConnection: redelivery on the platform's schedule", () => {
  scoped("after a 500 ack the message comes again on the same socket 15 s later; a 200 ack ends it", () =>
    Effect.gen(function*() {
      const { fake, next, send } = yield* rawClient
      const id = yield* pushOne(fake)
      const first = yield* next
      yield* send(Frame.encode(ack(first, 500)))
      yield* fake.until((v) => v.acks.length === 1)
      yield* TestClock.adjust("14 seconds")
      assert.strictEqual(yield* fake.deliveries, 1)
      yield* TestClock.adjust("1 second")
      const again = yield* next
      assert.strictEqual(Frame.header(again, "message_id"), id)
      assert.notStrictEqual(again.seqId, first.seqId)
      assert.deepStrictEqual(again.payload, first.payload)
      yield* send(Frame.encode(ack(again)))
      yield* fake.until((v) => v.acks.length === 2)
      assert.strictEqual(yield* fake.pending, 0)
      yield* TestClock.adjust("7 hours")
      assert.strictEqual(yield* fake.deliveries, 2)
      assert.strictEqual((yield* fake.connections).accepted, 1)
    }).pipe(Effect.provide(fakeLayer())))

  scoped("never acknowledged: delivered again 15 s, 5 min, 1 h and 6 h later, then no more", () =>
    Effect.gen(function*() {
      const { fake } = yield* rawClient
      yield* pushOne(fake)
      const seen: Array<number> = [yield* fake.deliveries]
      for (const step of ["15 seconds", "5 minutes", "1 hour", "6 hours", "6 hours"] as const) {
        yield* TestClock.adjust(step)
        seen.push(yield* fake.deliveries)
      }
      assert.deepStrictEqual(seen, [1, 2, 3, 4, 5, 5])
      assert.strictEqual(yield* fake.pending, 1)
    }).pipe(Effect.provide(fakeLayer())))

  scoped("the schedule is an option", () =>
    Effect.gen(function*() {
      const { fake } = yield* rawClient
      yield* pushOne(fake)
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* fake.deliveries, 3)
    }).pipe(Effect.provide(fakeLayer({ redelivery: ["1 second", "1 second"] }))))
})
