/**
 * The transport-neutral half of event handling, shared by the webhook (`handle`) and the long connection:
 * a plaintext envelope (already authenticated and decrypted) in, an {@link Outcome} out.
 *
 * Steps: v2 (`schema`) / v1 (`uuid`) classification, the Verification Token check (see {@link TokenPolicy}), the de-duplication claim (see `Dedupe.ts`), an optional payload schema, then the handler.
 * Each transport turns the outcome into its own reply (an HTTP status, a frame ack code).
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  currentTimeMillis,
  fail,
  getFailure,
  getSuccess,
  isFailure,
  isInterruptedCause,
  type Outcome as Checked,
  type SchemaOf,
  succeed,
  withContextAndClock
} from "../internal/dialect.js"
import { LarkConfig, type Service as LarkConfigService } from "../LarkConfig.js"
import { lenientDecoder } from "../internal/plainSchema.js"
import { setAppTicket } from "../Tokens.js"
import * as Crypto from "./crypto.js"
import { type Claim, EventDedupe, type Service as DedupeService, type UnsafeStore, unsafeStoreOf } from "./Dedupe.js"
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

/**
 * What a delivery came to. `response`, on the acknowledged outcomes, is the JSON text of the answer for a
 * callback type (its handler's result, `{}` when there is none) and `undefined` for an event.
 */
export type Outcome =
  /** The handler succeeded. */
  | { readonly _tag: "Handled"; readonly response: string | undefined }
  /** Handled before (by this process or, with a shared store, another one): acknowledge again. */
  | { readonly _tag: "Duplicate"; readonly response: string | undefined }
  /** No handler for the type: acknowledge, so that the platform does not retry forever. */
  | { readonly _tag: "Unhandled"; readonly response: string | undefined }
  /** Not handled now (handler failed, store down, or another delivery in progress): ask for a redelivery. */
  | { readonly _tag: "Retry"; readonly reason: "HandlerFailed" | "InProgress" | "StoreFailed" }
  /** Bad input: no handler ran. */
  | { readonly _tag: "Rejected"; readonly error: EventRequestError }

/** Callbacks answer with their handler's result (a toast, a card, a link preview); events do not. */
export const CALLBACK_TYPES: ReadonlySet<string> = new Set(["card.action.trigger", "url.preview.get", "profile.view.get"])

/** A callback answered without a result of a handler's: `{}` (the client accepts it without error 108002). */
const NO_RESULT = "{}"
// made once: every event's handler result goes through `callbackResponse`
const NO_RESPONSE: Checked<string | undefined, never> = succeed(undefined)
const EMPTY_RESPONSE: Checked<string | undefined, never> = succeed(NO_RESULT)

/**
 * The JSON text answering a delivery of `type` whose handler returned `result`: `undefined` for an event; for a
 * callback, `{}` when it returned nothing, and a failure when JSON cannot encode what it returned (a bigint, a
 * cycle).
 */
const callbackResponse = (type: string, result: unknown): Checked<string | undefined, unknown> => {
  if (!CALLBACK_TYPES.has(type)) return NO_RESPONSE
  if (result === undefined) return EMPTY_RESPONSE
  try {
    return succeed(JSON.stringify(result))
  } catch (error) {
    return fail(error)
  }
}

export type JsonObject = Record<string, unknown>

export const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const nonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length > 0

/** Parses `text` as a JSON object; `what` names it in the error. */
export const parseObject = (text: string, what: string): Checked<JsonObject, EventDecodeError> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fail(new EventDecodeError({ detail: `${what} is not valid JSON` }))
  }
  return isObject(value) ? succeed(value) : fail(new EventDecodeError({ detail: `${what} is not a JSON object` }))
}

/**
 * Whether a payload must carry the Verification Token: `"required"` on a webhook, where the token is what
 * tells the platform's deliveries from anyone's who knows the URL (a missing token is refused like a wrong
 * one); `"whenPresent"` on the long connection, which the app's credentials already authenticate and whose
 * callbacks may come without one (a token that is there must still match).
 */
export type TokenPolicy = "required" | "whenPresent"

/** Checks the token a payload carries (`what` names the payload in the error). */
export type TokenCheck = (received: unknown, what: string) => Checked<void, EventTokenError>

/**
 * The check of payload tokens against the configured one under `policy` (nothing to check without a
 * configured token). Make it once: it hashes the configured token here, not per request.
 */
const PASSED: Checked<void, never> = succeed(undefined)

export const tokenCheck = (configured: Crypto.Secret | undefined, policy: TokenPolicy): TokenCheck => {
  if (configured === undefined) return () => PASSED
  const matches = Crypto.secretMatcher(configured)
  return (received, what) => {
    if (!nonEmptyString(received)) {
      return policy === "whenPresent"
        ? PASSED
        : fail(new EventTokenError({ detail: `${what} carries no Verification Token` }))
    }
    return matches(received)
      ? PASSED
      : fail(new EventTokenError({ detail: `${what} token does not match the configured Verification Token` }))
  }
}

/** Logs a rejection: the error tag and its fixed message only (never the body, a token or a key). */
export const logRejected = (error: { readonly _tag: string; readonly message: string }): Effect.Effect<void> =>
  Effect.logWarning(`lark event rejected: ${error._tag}: ${error.message}`).pipe(Effect.annotateLogs({ error: error._tag }))

interface Classified {
  readonly id: string
  readonly type: string
  readonly token: unknown
  readonly event: V2Event | V1Event
}

const classify = (envelope: JsonObject): Checked<Classified, EventDecodeError> => {
  if ("schema" in envelope && nonEmptyString(envelope.schema)) {
    const header = envelope.header
    if (!isObject(header)) return fail(new EventDecodeError({ detail: "v2 event has no header object" }))
    if (!nonEmptyString(header.event_id)) return fail(new EventDecodeError({ detail: "v2 event has no header.event_id" }))
    if (!nonEmptyString(header.event_type)) {
      return fail(new EventDecodeError({ detail: "v2 event has no header.event_type" }))
    }
    return succeed({
      id: header.event_id,
      type: header.event_type,
      token: header.token,
      event: { version: "v2", header: header as unknown as EventHeader, event: envelope.event }
    })
  }
  if (nonEmptyString(envelope.uuid)) {
    const event = envelope.event
    if (!isObject(event)) return fail(new EventDecodeError({ detail: "v1 event has no event object" }))
    if (!nonEmptyString(event.type)) return fail(new EventDecodeError({ detail: "v1 event has no event.type" }))
    return succeed({
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
  return fail(new EventDecodeError({ detail: "body is neither a v2 event, a v1 event nor a url_verification" }))
}

/** The built-in v1 `app_ticket` handler: stores the ticket when a `LarkConfig` is in the context. */
const appTicketHandler = (config: Option.Option<LarkConfigService>): Handler<AnyEvent, never> | undefined =>
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
const IN_PROGRESS: Outcome = { _tag: "Retry", reason: "InProgress" }
const DUPLICATE_EVENT: Outcome = { _tag: "Duplicate", response: undefined }
const DUPLICATE_CALLBACK: Outcome = { _tag: "Duplicate", response: NO_RESULT }
const UNHANDLED_EVENT: Outcome = { _tag: "Unhandled", response: undefined }
const UNHANDLED_CALLBACK: Outcome = { _tag: "Unhandled", response: NO_RESULT }

// The functions below run for every event, so they chain effects directly instead of using generators
// (`Effect.gen` costs a few microseconds a yield, which is most of the dispatch time).

/** Which store claims an event, chosen from the context of the fiber that dispatches it. */
export type DedupeOf = (context: Context.Context<never>) => DedupeService

/** The `EventDedupe` service of the context, else `fallback`. */
export const dedupeOfContext = (fallback: DedupeService): DedupeOf => (context) =>
  Context.getOrElse(context, EventDedupe, () => fallback)

/**
 * The dispatch function of `dispatcher`, claiming events in the store `dedupeOf` picks; `tokenPolicy` is the
 * transport's (see {@link TokenPolicy}). The returned function never fails: every result is an {@link Outcome}.
 */
export const makeDispatch = <R>(
  dispatcher: EventDispatcher<R>,
  dedupeOf: DedupeOf,
  tokenPolicy: TokenPolicy
): (envelope: JsonObject) => Effect.Effect<Outcome, never, R> => {
  const checkToken = tokenCheck(dispatcher.options.verificationToken, tokenPolicy)
  const rejected = (error: EventRequestError): Effect.Effect<Outcome> =>
    Effect.as(logRejected(error), { _tag: "Rejected", error })

  const logDedupeFailure = (what: string, error: unknown) =>
    Effect.logWarning(`lark event dedupe: ${what} a claim failed`, error)


  /**
   * The store holding a claim: its Effect operations, and its operations done at once when it is an
   * in-memory store (`unsafe`, with the fiber's `Clock`), which then replace them: no Effect per call.
   */
  interface Store {
    readonly dedupe: DedupeService
    readonly unsafe: UnsafeStore | undefined
    readonly clock: Clock.Clock
  }

  /**
   * After the handler: the id is done once the store records it. When it cannot (its store is down), the
   * delivery is not answered as handled: the platform redelivers, and the redelivery finds the claim the
   * store keeps until it records the id (InProgress), then the id done; the handler does not run again.
   */
  const completeClaim = (store: Store, classified: Classified, response: string | undefined): Effect.Effect<Outcome> => {
    const handled: Outcome = { _tag: "Handled", response }
    if (store.unsafe !== undefined) {
      store.unsafe.complete(classified.id, currentTimeMillis(store.clock))
      return Effect.succeed(handled)
    }
    return Effect.matchEffect(store.dedupe.complete(classified.id), {
      onFailure: (error) =>
        Effect.as(
          Effect.logWarning(
            `lark event ${classified.type} was handled but could not be recorded as done; asking for a redelivery`,
            error
          ),
          STORE_FAILED
        ),
      onSuccess: () => Effect.succeed(handled)
    })
  }

  /** After a failed or interrupted handler: the claim is released, so that a redelivery runs it again. */
  const releaseClaim = (store: Store, classified: Classified, cause: Cause.Cause<unknown>): Effect.Effect<Outcome> => {
    const { unsafe } = store
    const release = unsafe !== undefined
      ? Effect.sync(() => unsafe.release(classified.id))
      : Effect.matchEffect(store.dedupe.release(classified.id), {
        onFailure: (error) => logDedupeFailure("releasing", error),
        onSuccess: () => Effect.void
      })
    if (isInterruptedCause(cause)) return Effect.andThen(release, Effect.interrupt)
    return Effect.andThen(
      release,
      Effect.as(
        Effect.logError(`lark event handler for ${classified.type} failed`, cause).pipe(
          Effect.annotateLogs({ eventType: classified.type, eventId: classified.id })
        ),
        HANDLER_FAILED
      )
    )
  }

  /**
   * Runs the handler on a claimed id, then completes the claim, or releases it on failure or interruption. A
   * callback result JSON cannot encode counts as a failure: it cannot be answered, so the id is not done.
   */
  const runClaimed = (
    store: Store,
    classified: Classified,
    handler: Handler<any, R>,
    event: AnyEvent
  ): Effect.Effect<Outcome, never, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.matchCauseEffect(restore(Effect.suspend(() => handler(event))), {
        onSuccess: (value) => {
          const response = callbackResponse(classified.type, value)
          return isFailure(response)
            ? releaseClaim(store, classified, Cause.die(new Error(`the ${classified.type} response is not JSON-serialisable`)))
            : completeClaim(store, classified, getSuccess(response))
        },
        onFailure: (cause) => releaseClaim(store, classified, cause)
      })
    )

  const afterClaim = (
    claim: Claim,
    store: Store,
    classified: Classified,
    handler: Handler<any, R>,
    event: AnyEvent
  ): Effect.Effect<Outcome, never, R> => {
    switch (claim) {
      case "Claimed":
        return runClaimed(store, classified, handler, event)
      case "Done":
        return Effect.as(
          Effect.logDebug(`lark event ${classified.type} already handled; acknowledged again`),
          CALLBACK_TYPES.has(classified.type) ? DUPLICATE_CALLBACK : DUPLICATE_EVENT
        )
      case "InProgress":
        return Effect.as(
          Effect.logDebug(`lark event ${classified.type} is being handled elsewhere; asking for a redelivery`),
          IN_PROGRESS
        )
    }
  }

  const storeFailed = (error: unknown): Effect.Effect<Outcome> =>
    Effect.as(Effect.logWarning("lark event dedupe store failed; asking for a redelivery", error), STORE_FAILED)

  /** Claims the id, then runs the handler unless the id is done or in progress elsewhere. */
  const claimAndRun = (classified: Classified, handler: Handler<any, R>, event: AnyEvent) =>
    withContextAndClock<Outcome, never, R>((context, clock) => {
      const dedupe = dedupeOf(context)
      const store: Store = { dedupe, unsafe: unsafeStoreOf(dedupe), clock }
      if (store.unsafe !== undefined) {
        const claim = store.unsafe.claim(classified.id, currentTimeMillis(store.clock))
        return afterClaim(claim, store, classified, handler, event)
      }
      return Effect.matchEffect(dedupe.claim(classified.id), {
        onFailure: storeFailed,
        onSuccess: (claim) => afterClaim(claim, store, classified, handler, event)
      })
    })

  const dispatchTo = (
    classified: Classified,
    handler: Handler<any, R> | undefined,
    schema: SchemaOf<any> | undefined
  ): Effect.Effect<Outcome, never, R> => {
    if (handler === undefined) {
      return Effect.as(
        Effect.logDebug(`lark event ${classified.type} has no handler; acknowledged`),
        CALLBACK_TYPES.has(classified.type) ? UNHANDLED_CALLBACK : UNHANDLED_EVENT
      )
    }
    if (schema === undefined) return claimAndRun(classified, handler, classified.event)
    const decoded = lenientDecoder(schema)(classified.event.event)
    return isFailure(decoded)
      // The parse issue quotes payload values, so it is not logged.
      ? rejected(new EventDecodeError({ detail: `payload of ${classified.type} does not match its schema` }))
      : claimAndRun(classified, handler, { ...classified.event, event: getSuccess(decoded) })
  }

  // What the fallback returns is no answer: a callback it receives is answered `{}`, as by a handler returning nothing.
  const userFallback = dispatcher.fallbackHandler
  const fallback: Handler<any, R> | undefined = userFallback && ((event) => Effect.asVoid(userFallback(event)))

  /** The registered handler, else the built-in v1 `app_ticket` one (with a `LarkConfig`), else the fallback. */
  const dispatch = (classified: Classified): Effect.Effect<Outcome, never, R> => {
    const registration = dispatcher.handlers.get(classified.type)
    if (registration === undefined && classified.type === "app_ticket" && classified.event.version === "v1") {
      return Effect.flatMap(
        Effect.serviceOption(LarkConfig),
        (config) => dispatchTo(classified, appTicketHandler(config) ?? fallback, undefined)
      )
    }
    return dispatchTo(classified, registration?.handler ?? fallback, registration?.schema)
  }

  return (envelope) =>
    Effect.suspend(() => {
      const classified = classify(envelope)
      if (isFailure(classified)) return rejected(getFailure(classified))
      const token = checkToken(getSuccess(classified).token, "event")
      if (isFailure(token)) return rejected(getFailure(token))
      return dispatch(getSuccess(classified))
    })
}
