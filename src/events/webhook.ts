/**
 * The HTTP half shared by the webhook entries (`handle` for events and v2 callbacks, `handleCardAction`
 * for the legacy card request URL): request and response shapes, header lookup, the replies, the
 * challenge answer and the replay window.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import {
  decodeDuration,
  type DurationInput,
  fail,
  getFailure,
  isFailure,
  matchOutcome,
  type Outcome,
  succeed
} from "../internal/dialect.js"
import type * as Crypto from "./crypto.js"
import { headerNames } from "./crypto.js"
import { type EventRequestError, type JsonObject, logRejected, type TokenCheck } from "./dispatch.js"
import { EventBodyTooLargeError, EventDecodeError, EventMethodError, EventTimestampError } from "./errors.js"

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

/** Everything a webhook request can be rejected for. */
export type WebhookError = EventRequestError | EventTimestampError | EventBodyTooLargeError

const byteLength = (rawBody: Crypto.RawBody): number =>
  typeof rawBody === "string" ? Buffer.byteLength(rawBody) : rawBody.byteLength

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const

/** A reply whose body is JSON text already. */
export const jsonText = (status: number, body: string, extra?: Record<string, string>): Response => ({
  status,
  headers: extra === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...extra },
  body
})

export const json = (status: number, value: unknown, extra?: Record<string, string>): Response =>
  jsonText(status, JSON.stringify(value), extra)

export const SUCCESS = json(200, { msg: "success" })

export const FAILED = json(500, { msg: "event not handled; deliver again" })

/** A handler's response as a 200 reply; one that JSON cannot encode (a bigint, a cycle) is a 500. */
export const respondWith = (value: unknown): Effect.Effect<Response> =>
  Effect.matchEffect(Effect.try(() => json(200, value)), {
    onFailure: () => Effect.as(Effect.logError("lark callback response is not JSON-serialisable"), FAILED),
    onSuccess: Effect.succeed
  })

const statusOf = (error: WebhookError): number => {
  switch (error._tag) {
    case "EventMethodError":
      return 405
    case "EventSignatureError":
    case "EventTokenError":
    case "EventTimestampError":
      return 401
    case "EventDecryptError":
    case "EventDecodeError":
      return 400
    case "EventBodyTooLargeError":
      return 413
  }
}

const rejectionBody = (error: WebhookError): { readonly msg: string } => {
  switch (error._tag) {
    case "EventMethodError":
      return { msg: "method not allowed" }
    case "EventBodyTooLargeError":
      return { msg: "request body too large" }
    default:
      return { msg: "invalid event request" }
  }
}

/** `allow` says what a 405 wants; a 413 closes the connection, so the rest of the body is never read. */
const rejectionHeaders = (error: WebhookError): Record<string, string> | undefined => {
  switch (error._tag) {
    case "EventMethodError":
      return { allow: "POST" }
    case "EventBodyTooLargeError":
      return { connection: "close" }
    default:
      return undefined
  }
}

/** The reply to a rejected request: a fixed text per error kind, never the detail. */
export const rejection = (error: WebhookError): Response =>
  json(statusOf(error), rejectionBody(error), rejectionHeaders(error))

/** Logs the typed error (tag and fixed message only) and answers its rejection. */
export const reject = (error: WebhookError): Effect.Effect<Response> => Effect.as(logRejected(error), rejection(error))

/**
 * The checks every webhook entry makes before it looks at a body: POST only (405), and at most `limit` bytes
 * (413). `undefined` when the request passes.
 */
export const refuseEarly = (request: Request, limit: number): Effect.Effect<Response> | undefined => {
  if (request.method.toUpperCase() !== "POST") {
    return reject(new EventMethodError({ detail: `method ${request.method} is not POST` }))
  }
  return byteLength(request.rawBody) > limit ? reject(new EventBodyTooLargeError({ limit })) : undefined
}

/** `name` is lowercase. */
const headerOf = (headers: HeadersInput, name: string): string | undefined => {
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    const value = (headers as Headers).get(name)
    return value === null ? undefined : value
  }
  const record = headers as Record<string, string | ReadonlyArray<string> | undefined>
  // Node and @effect/platform give lowercase names: look the name up first, scan only when it is absent.
  const direct = record[name]
  if (direct !== undefined) return typeof direct === "string" ? direct : direct[0]
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === name) {
      return typeof value === "string" ? value : value?.[0]
    }
  }
  return undefined
}

/** The three `X-Lark-*` signature headers of a request. */
export const signatureHeaders = (headers: HeadersInput): Crypto.SignatureHeaders => ({
  timestamp: headerOf(headers, headerNames.timestamp),
  nonce: headerOf(headers, headerNames.nonce),
  signature: headerOf(headers, headerNames.signature)
})

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

export const bodyText = (rawBody: Crypto.RawBody): Outcome<string, EventDecodeError> => {
  if (typeof rawBody === "string") return succeed(rawBody)
  try {
    return succeed(utf8.decode(rawBody))
  } catch {
    return fail(new EventDecodeError({ detail: "body is not valid UTF-8" }))
  }
}

/** The answer to a `url_verification`: its challenge, once its token passes `checkToken` (made with policy `"required"`). */
export const answerChallenge = (checkToken: TokenCheck, envelope: JsonObject): Effect.Effect<Response> => {
  if (typeof envelope.challenge !== "string") {
    return reject(new EventDecodeError({ detail: "url_verification has no challenge string" }))
  }
  const token = checkToken(envelope.token, "url_verification")
  if (isFailure(token)) return reject(getFailure(token))
  return Effect.succeed(json(200, { challenge: envelope.challenge }))
}

const SECONDS = /^\d{1,12}$/

const INSIDE: Outcome<void, never> = succeed(undefined)

/** Checks a verified `X-Lark-Request-Timestamp` against the replay window. */
export type TimestampCheck = (timestamp: string | undefined) => Effect.Effect<Outcome<void, EventTimestampError>>

/**
 * The replay window of `maxClockSkew`: the check of a (verified) `X-Lark-Request-Timestamp`, in whole
 * seconds, against the `Clock`; `undefined` without a window.
 */
export const timestampWindow = (maxClockSkew: DurationInput | undefined): TimestampCheck | undefined => {
  if (maxClockSkew === undefined) return undefined
  const window = Duration.toMillis(decodeDuration(maxClockSkew))
  return (timestamp) => {
    if (timestamp === undefined || !SECONDS.test(timestamp)) {
      return Effect.succeed(fail(new EventTimestampError({ detail: "X-Lark-Request-Timestamp is not a number of seconds" })))
    }
    return Effect.map(Clock.currentTimeMillis, (now) =>
      Math.abs(now - Number(timestamp) * 1000) <= window
        ? INSIDE
        : fail(new EventTimestampError({ detail: "X-Lark-Request-Timestamp is outside the allowed window" })))
  }
}

/** Runs `next` once the timestamp passes `check` (when there is one); else rejects. */
export const afterWindow = <R>(
  check: TimestampCheck | undefined,
  timestamp: string | undefined,
  next: () => Effect.Effect<Response, never, R>
): Effect.Effect<Response, never, R> =>
  check === undefined
    ? next()
    : Effect.flatMap(check(timestamp), (checked) => matchOutcome(checked, { onFailure: reject, onSuccess: next }))
