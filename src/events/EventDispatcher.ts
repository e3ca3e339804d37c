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
 * - `.fallback(handler)` receives events of types nobody registered.
 * - Handlers are Effects; their requirements accumulate in the dispatcher's `R`.
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { EventPayloads, P1EventPayloads } from "../../schemas/events/index.js"
import type { Secret } from "./crypto.js"

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
export type KnownEventType = V2EventType | V1EventType

/** The payload type of an event type: from the generated maps, `unknown` for other strings. */
export type PayloadOf<K extends string> = K extends V2EventType ? EventPayloads[K]
  : K extends V1EventType ? P1EventPayloads[K]
  : unknown

/** What the handler of `K` receives. */
export type EventOf<K extends string> = K extends V2EventType ? V2Event<K, EventPayloads[K]>
  : K extends V1EventType ? V1Event<K, P1EventPayloads[K]>
  : AnyEvent

/** A handler: its success value is ignored; any failure (or defect) makes `handle` answer 500. */
export type Handler<A, R> = (event: A) => Effect.Effect<unknown, unknown, R>

export interface OnOptions<P, I> {
  /** Decodes the payload (`event`) before the handler runs. */
  readonly schema?: Schema.Schema<P, I, never> | undefined
}

/** One registration, type-erased. */
export interface Registration<R> {
  readonly handler: Handler<any, R>
  readonly schema: Schema.Schema<any, any, never> | undefined
}

export interface Options {
  /** Encrypt Key: when set, bodies may be encrypted and every event must carry a valid signature. */
  readonly encryptKey?: Secret | undefined
  /** Verification Token: compared with the token of a challenge or event when both are present. */
  readonly verificationToken?: Secret | undefined
}

const TypeId: unique symbol = Symbol.for("lark-effect/EventDispatcher")

export class EventDispatcher<out R = never> {
  readonly [TypeId] = TypeId

  /** @internal use {@link make} */
  constructor(
    readonly options: Options,
    readonly handlers: ReadonlyMap<string, Registration<R>>,
    readonly fallbackHandler: Handler<AnyEvent, R> | undefined
  ) {
    Object.freeze(this)
  }

  /** A new dispatcher that also routes `type` to `handler`. Throws when `type` already has a handler. */
  on<K extends KnownEventType | (string & {}), R2, I = PayloadOf<K>>(
    type: K,
    handler: Handler<EventOf<K>, R2>,
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
    return new EventDispatcher<R | R2>(this.options, handlers, this.fallbackHandler)
  }

  /** A new dispatcher whose events of unregistered types go to `handler`. Throws when one is set already. */
  fallback<R2>(handler: Handler<AnyEvent, R2>): EventDispatcher<R | R2> {
    if (this.fallbackHandler !== undefined) {
      throw new Error("EventDispatcher.fallback: a fallback handler is already registered")
    }
    return new EventDispatcher<R | R2>(this.options, this.handlers, handler)
  }
}

/** An empty dispatcher with the given secrets. */
export const make = (options: Options = {}): EventDispatcher<never> =>
  new EventDispatcher<never>({ encryptKey: options.encryptKey, verificationToken: options.verificationToken }, new Map(), undefined)

export const isEventDispatcher = (u: unknown): u is EventDispatcher<unknown> =>
  typeof u === "object" && u !== null && TypeId in u
