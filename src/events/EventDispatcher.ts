/**
 * `EventDispatcher`: an immutable table from event type to handler, plus the secrets that `handle`
 * needs to authenticate a delivery.
 *
 * - `.on(type, handler)` returns a NEW dispatcher; the receiver is unchanged. Registering one type twice
 *   throws at registration (a programming error, never a silent overwrite).
 * - For a type in `EventPayloads` (v2) the handler receives `{ version: "v2", header, event }` with `event`
 *   typed from the generated schema; for a type in `P1EventPayloads` (legacy v1) it receives
 *   `{ version: "v1", uuid, ts, event }`. Any other string is accepted too, with an `unknown` payload.
 * - The payload is passed through as parsed JSON, typed by the map. Pass `{ schema }` (e.g. the generated
 *   `ImMessageReceiveV1` from `schemas/events/im/v1.ts`) to have it decoded first; a payload the schema
 *   rejects is then answered with a 4xx and the handler does not run.
 * - Callbacks (`card.action.trigger`, `url.preview.get`; see `callbacks.ts`) get a typed payload too, and
 *   their handler must succeed with the typed response (`CardActionResponse`, `UrlPreviewResponse`) or
 *   nothing (answered `{}`). The response is the reply body.
 * - `.onCardAction(handler)` handles the legacy card action protocol (the flat body of the old card
 *   request URL, served by `handleCardAction`); its handler may answer a card JSON.
 * - `.fallback(handler)` receives events of types nobody registered.
 * - Handlers are Effects; their requirements accumulate in the dispatcher's `R`.
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { EventPayloads, P1EventPayloads } from "../../schemas/events/index.js"
import type {
  CallbackPayloads,
  CallbackResponses,
  CallbackType,
  LegacyCardAction,
  LegacyCardActionResponse
} from "./callbacks.js"
import { type CodecOf, decodeDuration, type DurationInput, type SchemaOf } from "../internal/dialect.js"
import { bodyLimit } from "./bodyLimit.js"
import { configuredSecret, type Secret } from "./crypto.js"

/** The common header of a v2 event. */
export interface EventHeader<K extends string = string> {
  readonly event_id: string
  readonly event_type: K
  readonly create_time?: string | undefined
  readonly token?: string | undefined
  readonly app_id?: string | undefined
  readonly tenant_key?: string | undefined
}

/** A v2 ("2.0" schema) event as a handler receives it. */
export interface V2Event<K extends string = string, P = unknown> {
  readonly version: "v2"
  readonly header: EventHeader<K>
  readonly event: P
}

/** A legacy v1 event as a handler receives it; the routing key is `event.type`. */
export interface V1Event<K extends string = string, P = unknown> {
  readonly version: "v1"
  readonly uuid: string
  readonly ts?: string | undefined
  readonly token?: string | undefined
  /** The routing key (`event.type` of the envelope). */
  readonly type: K
  readonly event: P
}

/** Any event, as the fallback handler receives it. */
export type AnyEvent = V2Event | V1Event

export type V2EventType = keyof EventPayloads
export type V1EventType = keyof P1EventPayloads
export type KnownEventType = V2EventType | V1EventType | CallbackType

/** The payload type of an event type: from the generated maps and `callbacks.ts`, `unknown` for other strings. */
export type PayloadOf<K extends string> = K extends CallbackType ? CallbackPayloads[K]
  : K extends V2EventType ? EventPayloads[K]
  : K extends V1EventType ? P1EventPayloads[K]
  : unknown

/** What the handler of `K` receives. */
export type EventOf<K extends string> = K extends CallbackType ? V2Event<K, CallbackPayloads[K]>
  : K extends V2EventType ? V2Event<K, EventPayloads[K]>
  : K extends V1EventType ? V1Event<K, P1EventPayloads[K]>
  : AnyEvent

/** What the handler of `K` succeeds with: a callback's response (or nothing), anything for an event. */
export type ResultOf<K extends string> = K extends CallbackType ? CallbackResponses[K] | void : unknown

/**
 * A handler: any failure (or defect) makes `handle` answer 500. The success value of an event handler is
 * ignored; that of a callback handler is the reply.
 */
export type Handler<A, R, B = unknown> = (event: A) => Effect.Effect<B, unknown, R>

/** The handler of legacy card actions: a card JSON replaces the card; nothing is answered `{"msg":"success"}`. */
export type CardActionHandler<R> = Handler<LegacyCardAction, R, LegacyCardActionResponse | void>

export interface OnOptions<P, I> {
  /** Decodes the payload (`event`) before the handler runs. */
  readonly schema?: CodecOf<P, I> | undefined
}

/** One registration, type-erased. */
export interface Registration<R> {
  readonly handler: Handler<any, R>
  readonly schema: SchemaOf<any> | undefined
}

export interface Options {
  /** Encrypt Key: when set, bodies may be encrypted and every event must carry a valid signature. */
  readonly encryptKey?: Secret | undefined
  /**
   * Verification Token: when set, every webhook delivery (challenge, v1 or v2 event, callback) must carry
   * exactly this token, else it is refused with 401 before any handler runs. On the long connection, which
   * the app's credentials authenticate, a payload without a token is accepted; one with another token is not.
   */
  readonly verificationToken?: Secret | undefined
  /**
   * Replay window: a request whose signature was verified is rejected (401, `EventTimestampError`) when its
   * `X-Lark-Request-Timestamp` (seconds) is further than this from the `Clock`'s time, or not a number.
   * Off by default (the platform's redeliveries span hours; keep the window generous: minutes, not seconds).
   */
  readonly maxClockSkew?: DurationInput | undefined
  /**
   * The largest webhook body accepted, in bytes (default 1 MiB, far above anything the platform sends): a
   * larger one is refused with 413 (`EventBodyTooLargeError`) before it is parsed. `EventHttp.app` and
   * `EventHttp.cardActionApp` stop reading at this size; `eventListener` has the same option.
   */
  readonly maxBodySize?: number | undefined
}

const TypeId: unique symbol = Symbol.for("lark-effect/EventDispatcher")

export class EventDispatcher<out R = never> {
  readonly [TypeId] = TypeId

  /** @internal use {@link make} */
  constructor(
    readonly options: Options,
    readonly handlers: ReadonlyMap<string, Registration<R>>,
    readonly fallbackHandler: Handler<AnyEvent, R> | undefined,
    readonly cardActionHandler: CardActionHandler<R> | undefined = undefined
  ) {
    Object.freeze(this)
  }

  /** A new dispatcher that also routes `type` to `handler`. Throws when `type` already has a handler. */
  on<K extends KnownEventType | (string & {}), R2, I = PayloadOf<K>>(
    type: K,
    handler: Handler<EventOf<K>, R2, ResultOf<K>>,
    options?: OnOptions<PayloadOf<K>, I>
  ): EventDispatcher<R | R2> {
    if (typeof type !== "string" || type.length === 0) {
      throw new TypeError("EventDispatcher.on: the event type must be a non-empty string")
    }
    if (this.handlers.has(type)) {
      throw new Error(`EventDispatcher.on: a handler for event type "${type}" is already registered`)
    }
    const handlers = new Map<string, Registration<R | R2>>(this.handlers)
    handlers.set(type, { handler: handler as Handler<any, R2>, schema: options?.schema })
    return new EventDispatcher<R | R2>(this.options, handlers, this.fallbackHandler, this.cardActionHandler)
  }

  /**
   * A new dispatcher whose events of unregistered types go to `handler`. Throws when one is set already. What
   * it returns is not an answer: a callback (`card.action.trigger`, ...) that reaches it is answered `{}`.
   */
  fallback<R2>(handler: Handler<AnyEvent, R2>): EventDispatcher<R | R2> {
    if (this.fallbackHandler !== undefined) {
      throw new Error("EventDispatcher.fallback: a fallback handler is already registered")
    }
    return new EventDispatcher<R | R2>(this.options, this.handlers, handler, this.cardActionHandler)
  }

  /**
   * A new dispatcher whose legacy card actions (served by `handleCardAction`) go to `handler`. Throws when
   * one is set already.
   */
  onCardAction<R2>(handler: CardActionHandler<R2>): EventDispatcher<R | R2> {
    if (this.cardActionHandler !== undefined) {
      throw new Error("EventDispatcher.onCardAction: a card action handler is already registered")
    }
    return new EventDispatcher<R | R2>(this.options, this.handlers, this.fallbackHandler, handler)
  }
}

/** An empty dispatcher with the given secrets. */
export const make = (options: Options = {}): EventDispatcher<never> => {
  if (options.maxClockSkew !== undefined && !(Duration.toMillis(decodeDuration(options.maxClockSkew)) > 0)) {
    throw new RangeError("EventDispatcher.make: maxClockSkew must be positive")
  }
  return new EventDispatcher<never>(
    {
      encryptKey: configuredSecret(options.encryptKey),
      verificationToken: configuredSecret(options.verificationToken),
      maxClockSkew: options.maxClockSkew,
      maxBodySize: bodyLimit(options.maxBodySize)
    },
    new Map(),
    undefined
  )
}

export const isEventDispatcher = (u: unknown): u is EventDispatcher<unknown> =>
  typeof u === "object" && u !== null && TypeId in u
