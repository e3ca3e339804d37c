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
 * 6. De-duplication by `header.event_id` / `uuid` through a claim (`Dedupe.ts`): an id handled before
 *    is acknowledged without running a handler; an id being handled right now by another delivery gets
 *    500 so that the platform asks again later. The `EventDedupe` service is used when present in the
 *    context; otherwise each `handle(...)` keeps its own in-memory store (8 h TTL).
 * 7. Dispatch (`dispatch.ts`): the registered handler, else the built-in v1 `app_ticket` handler when a
 *    `LarkConfig` is in the context, else the fallback, else nothing. Unknown types get 200. A handler
 *    failure or defect, or a failing dedupe store, gets 500 and the claim is released, so a redelivery
 *    runs again. A callback's handler result is the response body.
 *
 * Rejections are logged with `Effect.logWarning` (error tag and message only: never the body, the
 * plaintext, a token or a key) and never run a handler.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Crypto from "./crypto.js"
import { unsafeMakeMemory } from "./Dedupe.js"
import {
  checkToken,
  type EventRequestError,
  type JsonObject,
  logRejected,
  makeDispatch,
  type Outcome,
  parseObject
} from "./dispatch.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { EventDecodeError, EventDecryptError, EventMethodError, EventSignatureError } from "./errors.js"

export type { EventRequestError } from "./dispatch.js"

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

/** The reply to a rejected request: a fixed text per error kind, never the detail. */
const rejection = (error: EventRequestError): Response =>
  json(
    statusOf(error),
    { msg: error._tag === "EventMethodError" ? "method not allowed" : "invalid event request" },
    error._tag === "EventMethodError" ? { allow: "POST" } : undefined
  )

const reject = (error: EventRequestError): Effect.Effect<Response> => Effect.as(logRejected(error), rejection(error))

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

const bodyText = (rawBody: Crypto.RawBody): Either.Either<string, EventDecodeError> => {
  if (typeof rawBody === "string") return Either.right(rawBody)
  try {
    return Either.right(utf8.decode(rawBody))
  } catch {
    return Either.left(new EventDecodeError({ detail: "body is not valid UTF-8" }))
  }
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

const FAILED = json(500, { msg: "event not handled; deliver again" })

/** The HTTP reply to an outcome (rejections were logged by the dispatcher). */
const replyTo = (outcome: Outcome): Response => {
  switch (outcome._tag) {
    case "Handled":
      return outcome.response === undefined ? SUCCESS : json(200, outcome.response)
    case "Duplicate":
    case "Unhandled":
      return SUCCESS
    case "Retry":
      return FAILED
    case "Rejected":
      return rejection(outcome.error)
  }
}

/**
 * The webhook entry point of `dispatcher`. The returned function never fails: every outcome is a
 * `Response`. Each call of `handle(dispatcher)` owns the default in-memory dedupe store, so create it once.
 */
export const handle = <R>(dispatcher: EventDispatcher<R>): (request: Request) => Effect.Effect<Response, never, R> => {
  const dispatch = makeDispatch(dispatcher, unsafeMakeMemory())
  const { encryptKey, verificationToken } = dispatcher.options

  const challenge = (envelope: JsonObject): Effect.Effect<Response> => {
    if (typeof envelope.challenge !== "string") {
      return reject(new EventDecodeError({ detail: "url_verification has no challenge string" }))
    }
    const token = checkToken(verificationToken, envelope.token, "url_verification")
    if (Either.isLeft(token)) return reject(token.left)
    return Effect.succeed(json(200, { challenge: envelope.challenge }))
  }

  const event = (envelope: JsonObject): Effect.Effect<Response, never, R> =>
    Effect.map(dispatch(envelope), replyTo)

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
