/**
 * One HTTP attempt of a call, with its body in memory both ways: the lane every API call's request takes.
 *
 * Any `HttpClient` can carry it (through the platform's request and response objects, its per-request span,
 * attempt deadlines from `AttemptDeadline`). A transport that can do it with less work per call attaches its
 * own {@link Exchange} to the client it provides ({@link withExchange}); the executor takes that one whenever
 * the client in the context is that very client. A client wrapped by the
 * user (`HttpClient.mapRequest`, `tapRequest`, ...) is a new client without it, so the wrapping is never
 * skipped. `lark-effect/layers` (undici) and `lark-effect/layers/http` (node:http) attach one.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { ATTEMPT_TIMEOUT_CODE, TIMEOUT_CODES } from "./AttemptTimeout.js"
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
 * it aborts the request. An answer whose body is larger than `maxBytes` (as its `content-length` declares,
 * or as it arrives) fails as a `"Receive"` failure caused by {@link answerTooLarge}, and the rest is not read.
 * (The executor checks the size of every answer again, so an exchange that reads whole answers of any size
 * still never hands a larger one to a call.)
 */
export type Exchange = (outgoing: Outgoing, timeout: Duration.Duration, maxBytes: number) => Effect.Effect<Answer, ExchangeError>

/** The `code` of an exchange failure's cause when the answer was larger than the call accepts. */
export const ANSWER_TOO_LARGE_CODE = "LARK_ANSWER_TOO_LARGE"

/** The cause of an answer larger than `maxBytes`. */
export const answerTooLarge = (maxBytes: number): Error & { readonly code: string } =>
  Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { code: ANSWER_TOO_LARGE_CODE })

/** Whether an answer that declares `contentLength` (a header value, possibly absent) is larger than `maxBytes`. */
export const declaredTooLarge = (contentLength: string | ReadonlyArray<string> | undefined, maxBytes: number): boolean =>
  Number(typeof contentLength === "string" ? contentLength : contentLength?.[0]) > maxBytes

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

/** The longest delay `setTimeout` keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A timer for a whole attempt, for an exchange that keeps its deadline itself (a transport's own timeouts
 * often bound only silence, which an answer trickling in a few bytes at a time outlasts): calls `expire` with
 * a cause carrying a timeout code once `timeout` has passed. Clear it when the attempt ends. `undefined` for a
 * deadline a timer cannot keep (none, infinite, or past about 24.8 days).
 */
export const attemptTimer = (
  timeout: Duration.Duration,
  expire: (cause: Error) => void
): ReturnType<typeof setTimeout> | undefined => {
  const millis = Math.ceil(Duration.toMillis(timeout))
  if (!(millis > 0 && millis <= MAX_TIMER_MS)) return undefined
  return setTimeout(
    () => expire(Object.assign(new Error(`no whole answer within ${Duration.format(timeout)}`), { code: ATTEMPT_TIMEOUT_CODE })),
    millis
  )
}

/** The exchange the client carries ({@link withExchange}), if any. */
export const ownExchange = (client: HttpClient.HttpClient): Exchange | undefined => (client as WithExchange)[ExchangeKey]
