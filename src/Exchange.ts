/**
 * One HTTP attempt of a call, with its body in memory both ways: the lane every API call's request takes.
 *
 * Any `HttpClient` can carry it ({@link overHttpClient}: the platform's request and response objects, its
 * per-request span, attempt deadlines from {@link AttemptDeadline}). A transport that can do it with less
 * work per call attaches its own {@link Exchange} to the client it provides ({@link withExchange}); the
 * executor takes that one whenever the client in the context is that very client. A client wrapped by the
 * user (`HttpClient.mapRequest`, `tapRequest`, ...) is a new client without it, so the wrapping is never
 * skipped. `lark-effect/layers` (undici) and `lark-effect/layers/http` (node:http) attach one.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { ATTEMPT_TIMEOUT_CODE, AttemptDeadline, bound, TIMEOUT_CODES } from "./AttemptTimeout.js"
import type { HttpMethod } from "./Operation.js"

/** A request whose body is already encoded; header names are lower case. */
export interface Outgoing {
  readonly method: HttpMethod
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Sent with the `content-type` of `headers`; absent: no body. */
  readonly body: string | Uint8Array | undefined
}

/** The answer, read to its end. Header names are lower case. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array
}

/**
 * Why an attempt got no whole answer. `"Encode"`: the request could not be put on the wire (nothing was sent);
 * `"Send"`: it failed before the answer's head arrived; `"Receive"`: while reading the answer's body. A
 * deadline that passed is a `"Send"` or `"Receive"` failure whose `cause` (or its cause chain) has one of
 * {@link TIMEOUT_CODES} as `code`.
 */
export class ExchangeError extends Data.TaggedError("ExchangeError")<{
  readonly reason: "Encode" | "Send" | "Receive"
  readonly detail: string
  readonly cause?: unknown
}> {}

/**
 * Sends `outgoing` and reads the whole answer; the attempt fails when `timeout` passes first. Interrupting
 * it aborts the request.
 */
export type Exchange = (outgoing: Outgoing, timeout: Duration.Duration) => Effect.Effect<Answer, ExchangeError>

const ExchangeKey = Symbol.for("lark-effect/Exchange")

interface WithExchange {
  readonly [ExchangeKey]?: Exchange
}

/** A client that behaves as `client` and carries `exchange` for the executor. */
export const withExchange = (client: HttpClient.HttpClient, exchange: Exchange): HttpClient.HttpClient =>
  Object.assign(
    HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(request, client.execute),
      Effect.succeed
    ),
    { [ExchangeKey]: exchange }
  )

/** A transport's failure of `outgoing`, described with its method and URL (they hold no secret). */
export const failed = (reason: ExchangeError["reason"], outgoing: Outgoing, cause: unknown): ExchangeError =>
  new ExchangeError({
    reason,
    detail: `${outgoing.method} ${outgoing.url}: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause
  })

/** The deadline's failure when an exchange races the `Clock` (the cause carries a timeout code). */
export const deadlinePassed = (timeout: Duration.Duration) =>
  new ExchangeError({
    reason: "Send",
    detail: `no answer within ${Duration.format(timeout)}`,
    cause: { code: ATTEMPT_TIMEOUT_CODE }
  })

/** Whether the failure is a deadline that passed. */
export const isTimeout = (error: ExchangeError): boolean => errorCodes(error.cause).some((code) => TIMEOUT_CODES.has(code))

/** The `code` strings on an error's cause chain (and inside AggregateErrors). */
export const errorCodes = (cause: unknown): Array<string> => {
  const codes: Array<string> = []
  for (let current = cause, depth = 0; current !== null && typeof current === "object" && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    const errors = (current as { errors?: unknown }).errors // AggregateError from happy-eyeballs connects
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner))
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

/** The outgoing request as the platform's request value. */
export const toClientRequest = (outgoing: Outgoing): HttpClientRequest.HttpClientRequest => {
  const request = HttpClientRequest.make(outgoing.method)(outgoing.url, { headers: outgoing.headers })
  const contentType = outgoing.headers["content-type"]
  return outgoing.body === undefined
    ? request
    : HttpClientRequest.setBody(
      request,
      typeof outgoing.body === "string" ? HttpBody.text(outgoing.body, contentType) : HttpBody.uint8Array(outgoing.body, contentType)
    )
}

/** A failure of the platform's client as an exchange failure. */
export const fromClientError = (error: HttpClientError.HttpClientError): ExchangeError =>
  new ExchangeError({
    reason: error._tag === "ResponseError" ? "Receive" : error.reason === "Transport" ? "Send" : "Encode",
    detail: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message,
    cause: error.cause
  })

/** Header values the client's spans would record: the helpdesk credential joins the redacted ones. */
export const HELPDESK_HEADER = "x-lark-helpdesk-authorization"

const withHelpdeskRedacted = (names: ReadonlyArray<string | RegExp>) =>
  names.includes(HELPDESK_HEADER) ? names : [...names, HELPDESK_HEADER]

/**
 * Sends `outgoing` through the platform's client and makes `read` of the answer, within one deadline: the
 * transport's when it offers one ({@link AttemptDeadline}), else raced against the `Clock`. No trace ids go
 * to the third party.
 */
export const throughClient = <A, R>(
  execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
  outgoing: Outgoing,
  timeout: Duration.Duration,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, ExchangeError>
): Effect.Effect<A, ExchangeError, R> => {
  const attempt = Effect.flatMap(Effect.mapError(execute(toClientRequest(outgoing)), fromClientError), read)
  const bounded = Effect.flatMap(AttemptDeadline, (deadline) => bound(deadline, attempt, timeout, () => deadlinePassed(timeout))).pipe(
    Effect.locally(HttpClient.currentTracerPropagation, false)
  )
  return outgoing.headers[HELPDESK_HEADER] === undefined
    ? bounded
    : Effect.locallyWith(bounded, Headers.currentRedactedNames, withHelpdeskRedacted)
}

const readWhole = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Answer, ExchangeError> =>
  Effect.mapBoth(response.arrayBuffer, {
    onFailure: fromClientError,
    onSuccess: (body): Answer => ({ status: response.status, headers: response.headers, body: new Uint8Array(body) })
  })

/** The exchange over any `HttpClient`: the whole answer read within the attempt's deadline. */
export const overHttpClient = (client: HttpClient.HttpClient): Exchange => (outgoing, timeout) =>
  throughClient(client.execute, outgoing, timeout, readWhole)

/** The exchange the client carries ({@link withExchange}), if any. */
export const ownExchange = (client: HttpClient.HttpClient): Exchange | undefined => (client as WithExchange)[ExchangeKey]

/** The client's own exchange, or the one over the client. */
export const exchangeOf = (client: HttpClient.HttpClient): Exchange => ownExchange(client) ?? overHttpClient(client)
