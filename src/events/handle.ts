/**
 * `handle(dispatcher)(request)`: the framework-neutral webhook entry point.
 *
 * Order of checks for one POST:
 * 1. The raw body must be UTF-8 (else 400).
 * 2. With an Encrypt Key configured and signature headers present, `X-Lark-Signature` is verified over the
 *    RAW request bytes BEFORE anything is decrypted (missing header or mismatch: 401). A request without any
 *    signature header is accepted only if it decrypts to a `url_verification`; anything else is a 401
 *    signature failure (so an unsigned request learns nothing about the ciphertext).
 * 3. The body must be a JSON object (else 400); `{"encrypt": ...}` is decrypted (no key configured, or bad
 *    ciphertext: 400) and must again be a JSON object.
 * 4. `url_verification`: the configured Verification Token is compared with the body's token when both
 *    exist (mismatch: 401); the reply is `{"challenge": ...}`.
 * 5. v2 (`schema` present) or v1 (`uuid` present) classification (neither: 400), then the token check as
 *    in 4 (mismatch: 401).
 * 6. De-duplication by `header.event_id` / `uuid`: an id already seen is acknowledged without running a
 *    handler. The `EventDedupe` service is used when present in the context; otherwise each `handle(...)`
 *    keeps its own in-memory store (8 h TTL). An id is marked seen only after its handler succeeded.
 * 7. Dispatch: the registered handler, else the built-in v1 `app_ticket` handler when a `LarkConfig` is in
 *    the context (the ticket goes to `Tokens.setAppTicket`), else the fallback, else nothing. Unknown types
 *    get 200. A handler failure or defect gets 500 and the id is not marked seen, so a redelivery runs again.
 *
 * Rejections are logged with `Effect.logWarning` (error tag and message only: never the body, the
 * plaintext, a token or a key) and never run a handler.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { LarkConfig } from "../LarkConfig.js"
import { setAppTicket } from "../Tokens.js"
import * as Crypto from "./crypto.js"
import { EventDedupe, type Service as DedupeService, unsafeMakeMemory } from "./Dedupe.js"
import type { AnyEvent, EventDispatcher, EventHeader, Handler, V1Event, V2Event } from "./EventDispatcher.js"
import { EventDecodeError, EventDecryptError, EventMethodError, EventSignatureError, EventTokenError } from "./errors.js"

export type EventRequestError =
  | EventSignatureError
  | EventDecryptError
  | EventDecodeError
  | EventTokenError
  | EventMethodError

export type HeadersInput =
  | Headers
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

export interface Request {
  readonly method: string
  /** Header names are matched case-insensitively. */
  readonly headers: HeadersInput
  /** The body exactly as received (bytes, or a string that is encoded as UTF-8). */
  readonly rawBody: Crypto.RawBody
}

export interface Response {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const

const json = (status: number, value: unknown, extra?: Record<string, string>): Response => ({
  status,
  headers: extra === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...extra },
  body: JSON.stringify(value)
})

const SUCCESS = json(200, { msg: "success" })

const statusOf = (error: EventRequestError): number => {
  switch (error._tag) {
    case "EventMethodError":
      return 405
    case "EventSignatureError":
    case "EventTokenError":
      return 401
    case "EventDecryptError":
    case "EventDecodeError":
      return 400
  }
}

/** The reply to a rejected request: a fixed text per error kind, never the detail. */
const reject = (error: EventRequestError): Effect.Effect<Response> =>
  Effect.logWarning(`lark event rejected: ${error._tag}: ${error.message}`).pipe(
    Effect.annotateLogs({ error: error._tag }),
    Effect.as(
      json(
        statusOf(error),
        { msg: error._tag === "EventMethodError" ? "method not allowed" : "invalid event request" },
        error._tag === "EventMethodError" ? { allow: "POST" } : undefined
      )
    )
  )

const headerOf = (headers: HeadersInput, name: string): string | undefined => {
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    const value = (headers as Headers).get(name)
    return value === null ? undefined : value
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | ReadonlyArray<string> | undefined>)) {
    if (key.toLowerCase() === name) {
      return typeof value === "string" ? value : value?.[0]
    }
  }
  return undefined
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

type JsonObject = Record<string, unknown>

const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const parseObject = (text: string, what: string): Either.Either<JsonObject, EventDecodeError> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return Either.left(new EventDecodeError({ detail: `${what} is not valid JSON` }))
  }
  return isObject(value) ? Either.right(value) : Either.left(new EventDecodeError({ detail: `${what} is not a JSON object` }))
}

const bodyText = (rawBody: Crypto.RawBody): Either.Either<string, EventDecodeError> => {
  if (typeof rawBody === "string") return Either.right(rawBody)
  try {
    return Either.right(utf8.decode(rawBody))
  } catch {
    return Either.left(new EventDecodeError({ detail: "body is not valid UTF-8" }))
  }
}

const nonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length > 0

/** Compares a payload token with the configured one; skipped when either side has none. */
const checkToken = (
  configured: Crypto.Secret | undefined,
  received: unknown,
  what: string
): Either.Either<void, EventTokenError> => {
  if (configured === undefined || !nonEmptyString(received)) return Either.void
  return Crypto.reveal(configured) === received
    ? Either.void
    : Either.left(new EventTokenError({ detail: `${what} token does not match the configured Verification Token` }))
}

/** Body → plaintext envelope (decrypting `encrypt` when present). */
const open = (
  encryptKey: Crypto.Secret | undefined,
  text: string
): Either.Either<JsonObject, EventDecodeError | EventDecryptError> =>
  Either.flatMap(parseObject(text, "body"), (body) => {
    if (!("encrypt" in body)) return Either.right(body)
    if (encryptKey === undefined) {
      return Either.left(new EventDecryptError({ detail: "body is encrypted but no Encrypt Key is configured" }))
    }
    if (typeof body.encrypt !== "string") {
      return Either.left(new EventDecryptError({ detail: "encrypt is not a string" }))
    }
    return Either.flatMap(Crypto.decrypt(encryptKey, body.encrypt), (plain) => parseObject(plain, "decrypted body"))
  })

type Classified =
  | { readonly id: string; readonly type: string; readonly token: unknown; readonly event: V2Event }
  | { readonly id: string; readonly type: string; readonly token: unknown; readonly event: V1Event }

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
const appTicketHandler = (
  config: Option.Option<LarkConfig["Type"]>
): Handler<AnyEvent, never> | undefined =>
  Option.match(config, {
    onNone: () => undefined,
    onSome: (service) => (event: AnyEvent) => {
      const payload = event.event
      return isObject(payload) && nonEmptyString(payload.app_ticket)
        ? Effect.provideService(setAppTicket(payload.app_ticket), LarkConfig, service)
        : Effect.fail(new EventDecodeError({ detail: "app_ticket event has no app_ticket" }))
    }
  })

/**
 * The webhook entry point of `dispatcher`. The returned function never fails: every outcome is a
 * `Response`. Each call of `handle(dispatcher)` owns the default in-memory dedupe store, so create it once.
 */
export const handle = <R>(dispatcher: EventDispatcher<R>): (request: Request) => Effect.Effect<Response, never, R> => {
  const defaultDedupe: DedupeService = unsafeMakeMemory()
  const { encryptKey, verificationToken } = dispatcher.options

  const dispatch = (classified: Classified): Effect.Effect<Response, never, R> =>
    Effect.gen(function*() {
      const dedupe = Option.getOrElse(yield* Effect.serviceOption(EventDedupe), () => defaultDedupe)
      if (yield* dedupe.seen(classified.id)) {
        yield* Effect.logDebug(`lark event ${classified.type} already handled; acknowledged again`)
        return SUCCESS
      }
      const registration = dispatcher.handlers.get(classified.type)
      let handler: Handler<any, R> | undefined = registration?.handler
      if (handler === undefined && classified.type === "app_ticket" && classified.event.version === "v1") {
        handler = appTicketHandler(yield* Effect.serviceOption(LarkConfig))
      }
      handler ??= dispatcher.fallbackHandler
      if (handler === undefined) {
        yield* Effect.logDebug(`lark event ${classified.type} has no handler; acknowledged`)
        yield* dedupe.markSeen(classified.id)
        return SUCCESS
      }
      let event: AnyEvent = classified.event
      if (registration?.schema !== undefined) {
        const decoded = yield* Effect.either(
          Schema.decodeUnknown(registration.schema)(classified.event.event, { onExcessProperty: "preserve" })
        )
        if (Either.isLeft(decoded)) {
          return yield* reject(
            new EventDecodeError({
              // The parse issue quotes payload values, so it is not logged.
              detail: `payload of ${classified.type} does not match its schema`
            })
          )
        }
        event = { ...classified.event, event: decoded.right }
      }
      const exit = yield* Effect.exit(handler(event))
      if (Exit.isFailure(exit)) {
        yield* Effect.logError(`lark event handler for ${classified.type} failed`, exit.cause).pipe(
          Effect.annotateLogs({ eventType: classified.type, eventId: classified.id })
        )
        return json(500, { msg: "handler failed" })
      }
      yield* dedupe.markSeen(classified.id)
      return SUCCESS
    })

  const challenge = (envelope: JsonObject): Effect.Effect<Response> => {
    if (typeof envelope.challenge !== "string") {
      return reject(new EventDecodeError({ detail: "url_verification has no challenge string" }))
    }
    const token = checkToken(verificationToken, envelope.token, "url_verification")
    if (Either.isLeft(token)) return reject(token.left)
    return Effect.succeed(json(200, { challenge: envelope.challenge }))
  }

  const event = (envelope: JsonObject): Effect.Effect<Response, never, R> => {
    const classified = classify(envelope)
    if (Either.isLeft(classified)) return reject(classified.left)
    const token = checkToken(verificationToken, classified.right.token, "event")
    if (Either.isLeft(token)) return reject(token.left)
    return dispatch(classified.right)
  }

  /** A body that passed the signature check (or needs none): open it, then answer the challenge or dispatch. */
  const route = (text: string): Effect.Effect<Response, never, R> => {
    const opened = open(encryptKey, text)
    if (Either.isLeft(opened)) return reject(opened.left)
    return opened.right.type === "url_verification" ? challenge(opened.right) : event(opened.right)
  }

  return (request) =>
    Effect.suspend(() => {
      if (request.method.toUpperCase() !== "POST") {
        return reject(new EventMethodError({ detail: `method ${request.method} is not POST` }))
      }
      const text = bodyText(request.rawBody)
      if (Either.isLeft(text)) return reject(text.left)

      if (encryptKey === undefined) return route(text.right)

      const headers: Crypto.SignatureHeaders = {
        timestamp: headerOf(request.headers, Crypto.headerNames.timestamp),
        nonce: headerOf(request.headers, Crypto.headerNames.nonce),
        signature: headerOf(request.headers, Crypto.headerNames.signature)
      }
      const signed = Crypto.verifySignature(headers, encryptKey, request.rawBody)
      const unsigned = headers.timestamp === undefined && headers.nonce === undefined && headers.signature === undefined
      if (unsigned) {
        // Only a url_verification may come without a signature. Whatever else goes wrong with an unsigned
        // body is answered as a signature failure, so that the reply says nothing about the ciphertext.
        const opened = open(encryptKey, text.right)
        if (Either.isRight(opened) && opened.right.type === "url_verification") return challenge(opened.right)
        return reject(Either.isLeft(signed) ? signed.left : new EventSignatureError({ detail: "unsigned request" }))
      }
      // Signed: authenticate the raw bytes before decrypting anything.
      if (Either.isLeft(signed)) return reject(signed.left)
      return route(text.right)
    })
}
