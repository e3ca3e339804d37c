/**
 * One connected socket: reads frames, answers the protocol, and ends (with a retryable error) when the
 * socket closes or goes silent.
 *
 * - Pings every `PingInterval` (re-read after each ping, so a pong's new config applies from the next one),
 *   the first right after connecting. If nothing at all arrives within `pongTimeout` of a ping, the socket
 *   is taken for dead (a half-open TCP connection stays "open" for hours otherwise).
 * - A pong's payload, when present, is the server's new `ClientConfig`.
 * - `event` and `card` data frames are reassembled, then dispatched through the shared `EventDispatcher`
 *   dispatch, each handed to `fork` (see `handlings.ts`), which the caller owns: a handler survives a drop
 *   of this socket, finishes, completes its claim, and the redelivery on the next socket is a duplicate.
 * - Every dispatched message is acknowledged on the socket it came from once its handler finished, reusing
 *   the frame of its last part (its bytes, see `Frame.encodeReply`) plus a `biz_rt` header (handler
 *   milliseconds) and a `{"code": ...}` payload; see {@link ackPayload}. Data frames of other types are acknowledged with 200 at once.
 * - A message part the reassembly refuses (too many parts or bytes, an invalid `sum` or `seq`, no
 *   `message_id`, parts that disagree on `sum`) is acknowledged with 200 at once, like a `Rejected`
 *   message: it would be redelivered for hours and refused every time. Once per `SeqID` and `message_id`:
 *   a message whose every part is refused (too many parts, no `message_id`) is acknowledged once, not once
 *   per part (a second ack of one frame breaks the protocol).
 * - A message refused because too many wait for a handler slot (`fork`'s `refused`) is acknowledged with
 *   500 at once, so the platform redelivers it later; the refusals are logged at most every 10 seconds.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import { type JsonObject, logRejected, type Outcome, parseObject } from "../events/dispatch.js"
import { currentTimeMillis, encodeBase64, getFailure, getSuccess, isFailure } from "../internal/dialect.js"
import { type ClientConfig, mergeClientConfig } from "./endpoint.js"
import { LongConnectionTransportError } from "./errors.js"
import * as Fragments from "./fragments.js"
import * as Frame from "./frame.js"
import type { Connection } from "./socket.js"
import { fragmentCrossings, type Watch } from "./watch.js"

export interface Input<R> {
  readonly connection: Connection
  /** `service_id` of the socket URL. */
  readonly serviceId: number
  /** The server's settings; pongs update it. */
  readonly clientConfig: Ref.Ref<ClientConfig>
  readonly dispatch: (envelope: JsonObject) => Effect.Effect<Outcome, never, R>
  /** Starts a message's handling (dispatch, then ack) without waiting for it, or runs `refused()` (too many queued). */
  readonly fork: (handling: Effect.Effect<void, never, R>, refused: () => Effect.Effect<void>) => Effect.Effect<void, never, R>
  /** No inbound frame this long after a ping: the socket is dead. */
  readonly pongTimeout: Duration.Duration
  readonly fragments: Partial<Fragments.Limits>
  /** Fragment limits watched, not enforced: a complete message over one is reported first (`watch.ts`). */
  readonly watch?: Watch | undefined
}

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

const OK = utf8.encode(JSON.stringify({ code: 200 }))
const REDELIVER = utf8.encode(JSON.stringify({ code: 500 }))

/**
 * The ack payload of a dispatch outcome:
 * - `Handled`, `Duplicate`, `Unhandled`: 200, with `data` = base64 of the answer's JSON for callbacks (a toast,
 *   a card, `{}`: a callback acked without data shows the user an error);
 * - `Rejected` (a malformed payload, a wrong token, a payload the schema refuses): 200 as well. The same
 *   bytes would be redelivered for hours and rejected every time; the rejection is logged instead;
 * - `Retry` (the handler failed, the dedupe store failed, or another delivery is in progress): 500, so the
 *   platform redelivers.
 */
export const ackPayload = (outcome: Outcome): Uint8Array => {
  switch (outcome._tag) {
    case "Handled":
    case "Duplicate":
    case "Unhandled":
      return outcome.response === undefined ? OK : utf8.encode(JSON.stringify({ code: 200, data: encodeBase64(outcome.response) }))
    case "Retry":
      return REDELIVER
    case "Rejected":
      return OK
  }
}

/** The ack of a frame (the bytes of the last part received of its message). */
export const ack = (received: Uint8Array, payload: Uint8Array, handlerMillis: number): Uint8Array =>
  Frame.encodeReply(received, { key: "biz_rt", value: String(Math.max(0, Math.round(handlerMillis))) }, payload)

/** The client's ping control frame. */
export const pingFrame = (serviceId: number): Frame.Frame => ({
  seqId: 0n,
  logId: 0n,
  service: serviceId,
  method: Frame.Method.control,
  headers: [{ key: "type", value: "ping" }]
})

const EMPTY = new Uint8Array(0)

/** Refused messages remembered as acknowledged, per socket (the parts of one message arrive together). */
const REFUSED_REMEMBERED = 64

/** The shortest time between two warnings of messages refused for want of a handler slot. */
const BUSY_LOG_MILLIS = 10_000

/** Runs until the socket closes or goes silent; never succeeds. */
export const run = <R>(input: Input<R>): Effect.Effect<never, LongConnectionTransportError, R> =>
  Effect.suspend(() => {
    const { connection } = input
    const fragments = Fragments.make(input.fragments)
    /** The refused messages acknowledged on this socket, by SeqID and message_id, oldest first. */
    const refused = new Set<string>()
    let inbound = 0
    let busyRefusals = 0
    let busyLoggedAt = -Infinity

    /** A message the handlings could not take: answered 500 (redeliver later), the refusals logged now and then. */
    const busy = (received: Uint8Array): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        busyRefusals++
        const answer = connection.send(ack(received, REDELIVER, 0))
        if (now - busyLoggedAt < BUSY_LOG_MILLIS) return answer
        const warning = Effect.logWarning(
          `lark long connection: every handler slot is taken and the queue is full; ${busyRefusals} message(s) answered 500 (the platform redelivers them)`
        )
        busyRefusals = 0
        busyLoggedAt = now
        return Effect.andThen(warning, answer)
      })

    const outcomeOf = (payload: Uint8Array): Effect.Effect<Outcome, never, R> => {
      const envelope = parseObject(utf8Decoder.decode(payload), "long connection payload")
      return isFailure(envelope)
        ? Effect.as(logRejected(getFailure(envelope)), { _tag: "Rejected", error: getFailure(envelope) } as const)
        : input.dispatch(getSuccess(envelope))
    }

    // flatMap chains rather than a generator: this runs once per message, on the hot path
    /** Dispatches a message, then acks the frame received last of it (`received`). */
    const handle = (received: Uint8Array, payload: Uint8Array): Effect.Effect<void, never, R> =>
      Effect.clockWith((clock) => {
        const started = currentTimeMillis(clock)
        const send = (answer: Uint8Array) => connection.send(ack(received, answer, currentTimeMillis(clock) - started))
        return Effect.flatMap(outcomeOf(payload), (outcome) => send(ackPayload(outcome)))
      })

    const onData = (frame: Frame.Frame, received: Uint8Array): Effect.Effect<void, never, R> => {
      const type = Frame.header(frame, "type")
      if (type !== "event" && type !== "card") {
        return Effect.andThen(
          Effect.logDebug(`lark long connection: data frame of type ${type}; acknowledged`),
          connection.send(ack(received, OK, 0))
        )
      }
      const sum = Frame.header(frame, "sum")
      if (sum === undefined || sum === "1") return input.fork(handle(received, frame.payload ?? EMPTY), () => busy(received))
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const offered = fragments.offer({
          messageId: Frame.header(frame, "message_id"),
          sum,
          seq: Frame.header(frame, "seq"),
          payload: frame.payload ?? EMPTY
        }, now)
        switch (offered._tag) {
          case "Pending":
            return Effect.void
          case "Dropped": {
            const logged = Effect.logWarning(`lark long connection: message part dropped: ${offered.reason}`)
            const key = `${frame.seqId}/${Frame.header(frame, "message_id") ?? ""}`
            if (refused.has(key)) return logged
            refused.add(key)
            if (refused.size > REFUSED_REMEMBERED) refused.delete(refused.values().next().value!)
            return Effect.andThen(logged, connection.send(ack(received, OK, 0)))
          }
          case "Complete": {
            const handling = input.fork(handle(received, offered.payload), () => busy(received))
            const watch = input.watch
            if (watch === undefined) return handling
            const crossings = fragmentCrossings(watch, {
              parts: Number(sum),
              bytes: offered.payload.length,
              messageId: Frame.header(frame, "message_id")
            })
            return crossings.length === 0 ? handling : Effect.andThen(Effect.forEach(crossings, watch.crossed, { discard: true }), handling)
          }
        }
      })
    }

    const onControl = (frame: Frame.Frame): Effect.Effect<void> => {
      if (Frame.header(frame, "type") !== "pong" || frame.payload === undefined || frame.payload.length === 0) {
        return Effect.void
      }
      const config = parseObject(utf8Decoder.decode(frame.payload), "pong payload")
      return isFailure(config)
        ? Effect.logWarning("lark long connection: a pong carried a payload that is not a JSON object")
        : Ref.update(input.clientConfig, (current) => mergeClientConfig(current, getSuccess(config)))
    }

    const onMessage = (bytes: Uint8Array): Effect.Effect<void, never, R> => {
      const frame = Frame.decode(bytes)
      if (isFailure(frame)) return Effect.logWarning(getFailure(frame).message)
      inbound++
      const decoded = getSuccess(frame)
      return decoded.method === Frame.Method.data ? onData(decoded, bytes) : onControl(decoded)
    }

    const readLoop = Effect.forever(
      Effect.flatMap(Queue.takeBetween(connection.messages, 1, 256), (batch) =>
        Effect.forEach(batch, onMessage, { discard: true }))
    )

    const silent = (window: Duration.Duration) =>
      new LongConnectionTransportError({
        stage: "connected",
        reason: "Silent",
        detail: `no frame within ${Duration.format(window)} of a ping`
      })

    const ping = Frame.encode(pingFrame(input.serviceId))
    const pingLoop = Effect.forever(
      Effect.gen(function*() {
        const seen = inbound
        yield* connection.send(ping)
        const interval = Duration.seconds(Math.max((yield* Ref.get(input.clientConfig)).pingInterval, 1))
        const window = Duration.min(input.pongTimeout, interval)
        yield* Effect.sleep(window)
        if (inbound === seen) return yield* Effect.fail(silent(window))
        yield* Effect.sleep(Duration.subtract(interval, window))
      })
    )

    const closed = Effect.flatMap(connection.closed, (info) =>
      Effect.fail(
        new LongConnectionTransportError({
          stage: "connected",
          reason: "Closed",
          detail: `the server closed the socket (code ${info.code}${info.reason === "" ? "" : `: ${info.reason}`})`
        })
      ))

    return Effect.raceFirst(readLoop, Effect.raceFirst(pingLoop, closed))
  })
