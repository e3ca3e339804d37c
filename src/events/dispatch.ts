/**
 * The transport-neutral half of event handling, shared by the webhook (`handle`) and the long connection:
 * a plaintext envelope (already authenticated and decrypted) in, an {@link Outcome} out.
 *
 * Steps: v2 (`schema`) / v1 (`uuid`) classification, the Verification Token check (when both sides have
 * a token), the de-duplication claim (see `Dedupe.ts`), an optional payload schema, then the handler.
 * Each transport turns the outcome into its own reply (an HTTP status, a frame ack code).
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { LarkConfig } from "../LarkConfig.js"
import { setAppTicket } from "../Tokens.js"
import * as Crypto from "./crypto.js"
import { EventDedupe, type Service as DedupeService } from "./Dedupe.js"
import type { AnyEvent, EventDispatcher, EventHeader, Handler, V1Event, V2Event } from "./EventDispatcher.js"
import {
  EventDecodeError,
  type EventDecryptError,
  type EventMethodError,
  type EventSignatureError,
  EventTokenError
} from "./errors.js"

export type EventRequestError =
  | EventSignatureError
  | EventDecryptError
  | EventDecodeError
  | EventTokenError
  | EventMethodError

export type Outcome =
  /** The handler succeeded; `response` is its result for a callback type, else `undefined`. */
  | { readonly _tag: "Handled"; readonly response: unknown }
  /** Handled before (by this process or, with a shared store, another one): acknowledge again. */
  | { readonly _tag: "Duplicate" }
  /** No handler for the type: acknowledge, so that the platform does not retry forever. */
  | { readonly _tag: "Unhandled" }
  /** Not handled now (handler failed, store down, or another delivery in progress): ask for a redelivery. */
  | { readonly _tag: "Retry"; readonly reason: "HandlerFailed" | "InProgress" | "StoreFailed" }
  /** Bad input: no handler ran. */
  | { readonly _tag: "Rejected"; readonly error: EventRequestError }

/** Callbacks answer with their handler's result (a toast, a card, a link preview); events do not. */
export const CALLBACK_TYPES: ReadonlySet<string> = new Set(["card.action.trigger", "url.preview.get", "profile.view.get"])

export type JsonObject = Record<string, unknown>

export const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const nonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length > 0

/** Parses `text` as a JSON object; `what` names it in the error. */
export const parseObject = (text: string, what: string): Either.Either<JsonObject, EventDecodeError> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return Either.left(new EventDecodeError({ detail: `${what} is not valid JSON` }))
  }
  return isObject(value) ? Either.right(value) : Either.left(new EventDecodeError({ detail: `${what} is not a JSON object` }))
}

/** Compares a payload token with the configured one; skipped when either side has none. */
export const checkToken = (
  configured: Crypto.Secret | undefined,
  received: unknown,
  what: string
): Either.Either<void, EventTokenError> => {
  if (configured === undefined || !nonEmptyString(received)) return Either.void
  return Crypto.reveal(configured) === received
    ? Either.void
    : Either.left(new EventTokenError({ detail: `${what} token does not match the configured Verification Token` }))
}

/** Logs a rejection: the error tag and its fixed message only (never the body, a token or a key). */
export const logRejected = (error: EventRequestError): Effect.Effect<void> =>
  Effect.logWarning(`lark event rejected: ${error._tag}: ${error.message}`).pipe(Effect.annotateLogs({ error: error._tag }))

interface Classified {
  readonly id: string
  readonly type: string
  readonly token: unknown
  readonly event: V2Event | V1Event
}

const classify = (envelope: JsonObject): Either.Either<Classified, EventDecodeError> => {
  if ("schema" in envelope && nonEmptyString(envelope.schema)) {
    const header = envelope.header
    if (!isObject(header)) return Either.left(new EventDecodeError({ detail: "v2 event has no header object" }))
    if (!nonEmptyString(header.event_id)) return Either.left(new EventDecodeError({ detail: "v2 event has no header.event_id" }))
    if (!nonEmptyString(header.event_type)) {
      return Either.left(new EventDecodeError({ detail: "v2 event has no header.event_type" }))
    }
    return Either.right({
      id: header.event_id,
      type: header.event_type,
      token: header.token,
      event: { version: "v2", header: header as unknown as EventHeader, event: envelope.event }
    })
  }
  if (nonEmptyString(envelope.uuid)) {
    const event = envelope.event
    if (!isObject(event)) return Either.left(new EventDecodeError({ detail: "v1 event has no event object" }))
    if (!nonEmptyString(event.type)) return Either.left(new EventDecodeError({ detail: "v1 event has no event.type" }))
    return Either.right({
      id: envelope.uuid,
      type: event.type,
      token: envelope.token,
      event: {
        version: "v1",
        uuid: envelope.uuid,
        ts: typeof envelope.ts === "string" ? envelope.ts : undefined,
        token: typeof envelope.token === "string" ? envelope.token : undefined,
        type: event.type,
        event
      }
    })
  }
  return Either.left(new EventDecodeError({ detail: "body is neither a v2 event, a v1 event nor a url_verification" }))
}

/** The built-in v1 `app_ticket` handler: stores the ticket when a `LarkConfig` is in the context. */
const appTicketHandler = (config: Option.Option<LarkConfig["Type"]>): Handler<AnyEvent, never> | undefined =>
  Option.match(config, {
    onNone: () => undefined,
    onSome: (service) => (event: AnyEvent) => {
      const payload = event.event
      return isObject(payload) && nonEmptyString(payload.app_ticket)
        ? Effect.provideService(setAppTicket(payload.app_ticket), LarkConfig, service)
        : Effect.fail(new EventDecodeError({ detail: "app_ticket event has no app_ticket" }))
    }
  })

const HANDLER_FAILED: Outcome = { _tag: "Retry", reason: "HandlerFailed" }
const STORE_FAILED: Outcome = { _tag: "Retry", reason: "StoreFailed" }

/**
 * The dispatch function of `dispatcher`. `defaultDedupe` is used when no `EventDedupe` service is in the
 * context. The returned function never fails: every result is an {@link Outcome}.
 */
export const makeDispatch = <R>(
  dispatcher: EventDispatcher<R>,
  defaultDedupe: DedupeService
): (envelope: JsonObject) => Effect.Effect<Outcome, never, R> => {
  const rejected = (error: EventRequestError): Effect.Effect<Outcome> =>
    Effect.as(logRejected(error), { _tag: "Rejected", error })

  const resolveHandler = (classified: Classified) =>
    Effect.gen(function*() {
      const registration = dispatcher.handlers.get(classified.type)
      let handler: Handler<any, R> | undefined = registration?.handler
      if (handler === undefined && classified.type === "app_ticket" && classified.event.version === "v1") {
        handler = appTicketHandler(yield* Effect.serviceOption(LarkConfig))
      }
      return { handler: handler ?? dispatcher.fallbackHandler, schema: registration?.schema }
    })

  /** Runs the handler on a claimed id, then completes the claim, or releases it on failure or interruption. */
  const runClaimed = (
    dedupe: DedupeService,
    classified: Classified,
    run: Effect.Effect<unknown, unknown, R>
  ): Effect.Effect<Outcome, never, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(restore(run))
        if (Exit.isFailure(exit)) {
          yield* dedupe.release(classified.id).pipe(
            Effect.catchAll((error) => Effect.logWarning("lark event dedupe: releasing a claim failed", error))
          )
          if (Exit.isInterrupted(exit)) return yield* Effect.interrupt
          yield* Effect.logError(`lark event handler for ${classified.type} failed`, exit.cause).pipe(
            Effect.annotateLogs({ eventType: classified.type, eventId: classified.id })
          )
          return HANDLER_FAILED
        }
        // A failed `complete` only means a redelivery may run the handler again: logged, still handled.
        yield* dedupe.complete(classified.id).pipe(
          Effect.catchAll((error) => Effect.logWarning("lark event dedupe: completing a claim failed", error))
        )
        return { _tag: "Handled", response: CALLBACK_TYPES.has(classified.type) ? exit.value : undefined } as const
      })
    )

  const dispatch = (classified: Classified): Effect.Effect<Outcome, never, R> =>
    Effect.gen(function*() {
      const { handler, schema } = yield* resolveHandler(classified)
      if (handler === undefined) {
        yield* Effect.logDebug(`lark event ${classified.type} has no handler; acknowledged`)
        return { _tag: "Unhandled" } as const
      }
      let event: AnyEvent = classified.event
      if (schema !== undefined) {
        const decoded = yield* Effect.either(
          Schema.decodeUnknown(schema)(classified.event.event, { onExcessProperty: "preserve" })
        )
        if (Either.isLeft(decoded)) {
          // The parse issue quotes payload values, so it is not logged.
          return yield* rejected(new EventDecodeError({ detail: `payload of ${classified.type} does not match its schema` }))
        }
        event = { ...classified.event, event: decoded.right }
      }
      const dedupe = Option.getOrElse(yield* Effect.serviceOption(EventDedupe), () => defaultDedupe)
      const claim = yield* Effect.either(dedupe.claim(classified.id))
      if (Either.isLeft(claim)) {
        yield* Effect.logWarning("lark event dedupe store failed; asking for a redelivery", claim.left)
        return STORE_FAILED
      }
      switch (claim.right) {
        case "Done":
          yield* Effect.logDebug(`lark event ${classified.type} already handled; acknowledged again`)
          return { _tag: "Duplicate" } as const
        case "InProgress":
          yield* Effect.logDebug(`lark event ${classified.type} is being handled elsewhere; asking for a redelivery`)
          return { _tag: "Retry", reason: "InProgress" } as const
        case "Claimed":
          return yield* runClaimed(dedupe, classified, Effect.suspend(() => handler(event)))
      }
    })

  return (envelope) =>
    Effect.suspend(() => {
      const classified = classify(envelope)
      if (Either.isLeft(classified)) return rejected(classified.left)
      const token = checkToken(dispatcher.options.verificationToken, classified.right.token, "event")
      if (Either.isLeft(token)) return rejected(token.left)
      return dispatch(classified.right)
    })
}
