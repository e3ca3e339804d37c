/**
 * Sending one prepared request: per-attempt timeout, safe retries, and turning the answer into a value or a
 * typed error. Token choice happens one level up (`Request.ts`); nothing here logs or records a header.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import { Envelope } from "../../schemas/common.js"
import type { Answer, ExchangeError, Outgoing } from "../Exchange.js"
import { type DownloadedFile, type FileStream, fileNameFromContentDisposition } from "../Files.js"
import { LarkApiError, type LarkError, LarkDecodeError, LarkHttpError, LarkRequestError } from "../LarkError.js"
import { isIdempotent, type Operation } from "../Operation.js"
import * as Body from "./body.js"
import { maskedBody } from "./maskedBody.js"
import {
  decodeUnknownOutcome,
  type DecodeError,
  fail,
  flatMapOutcome,
  formatDecodeError,
  fromOutcome,
  getSuccess,
  isFailure,
  makeClientSpan,
  mapOutcomeError,
  matchOutcome,
  type Outcome,
  succeed,
  underSpan,
  withBuiltInTracer
} from "./dialect.js"
import { lenientDecoder } from "./plainSchema.js"
import { answerTooLargeIn, deadlinePassedIn, neverSent, rateLimitReset, type Retryable, retryable, withRetries } from "./retry.js"
import { exchangeOf, fromClientError, readWhole, throughClient } from "./throughClient.js"

/** The platform's "request trigger frequency limit" code. */
const RATE_LIMITED = 99991400

export interface SendSettings {
  readonly timeout: Duration.Duration
  readonly retrySchedule: Schedule.Schedule<unknown, unknown>
  /** The largest answer body read (`LarkConfig`'s `maxResponseBytes`). */
  readonly maxResponseBytes: number
}

/** What is known once an answer's head has arrived. */
type Head = Pick<Answer, "status" | "headers">

const header = (head: Head, name: string): string | undefined => {
  const value = head.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

const logIdOf = (head: Head) => header(head, "x-tt-logid") ?? header(head, "x-request-id")

const isJson = (head: Head) => (header(head, "content-type") ?? "").toLowerCase().includes("json")

const utf8 = new TextDecoder()

const decodeEnvelopeSchema = decodeUnknownOutcome(Envelope)

/**
 * The envelope of the common answer (`code` a number, `msg` a string or absent, no `error`) is read by hand,
 * to the value the schema would give; anything else goes through the schema. This is on every call's path.
 */
const decodeEnvelope = (json: unknown): Outcome<Envelope, DecodeError> => {
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const body = json as Record<string, unknown>
    const { code, msg } = body
    if (typeof code === "number" && body.error === undefined && (msg === undefined || typeof msg === "string")) {
      return succeed("data" in body ? { code, msg: msg ?? "", data: body.data } : { code, msg: msg ?? "" })
    }
  }
  return decodeEnvelopeSchema(json)
}

/**
 * Flat answers (token endpoints) carry `code` beside the token; the OAuth endpoints may leave it out on
 * success and answer errors as `{error, error_description}`. Both are read as `{code, msg}` here.
 */
const flatEnvelope = (json: unknown, status: number): unknown => {
  if (typeof json !== "object" || json === null) return json
  const body = json as Record<string, unknown>
  const oauthError = typeof body.error === "string" ? body.error : undefined
  return {
    code: typeof body.code === "number" ? body.code : status < 400 && oauthError === undefined ? 0 : status,
    msg: typeof body.msg === "string" ? body.msg : String(body.error_description ?? oauthError ?? "")
  }
}

/** The answer did not decode: the error keeps its body, masked when the answer holds secrets. */
const decodeFailure = (operation: Operation<any, any>, detail: string, httpStatus: number, text: string) =>
  new LarkDecodeError({
    operation: operation.id,
    detail,
    httpStatus,
    body: operation.secretAnswer === true ? maskedBody(text) : text
  })

/** Decodes the success value with the operation's schema, keeping unknown fields. */
const decodeResult = <A>(
  operation: Operation<any, A>,
  value: unknown,
  head: Head,
  text: string
): Outcome<A, LarkDecodeError> =>
  operation.response === undefined
    ? succeed(value as A)
    : mapOutcomeError(lenientDecoder(operation.response)(value), (error) =>
      decodeFailure(operation, formatDecodeError(error), head.status, text))

const apiError = (operation: Operation<any, any>, envelope: Envelope, head: Head) =>
  new LarkApiError({
    operation: operation.id,
    code: envelope.code,
    msg: envelope.msg,
    httpStatus: head.status,
    logId: logIdOf(head) ?? envelope.error?.log_id,
    troubleshooter: envelope.error?.troubleshooter,
    fieldViolations: envelope.error?.field_violations ?? [],
    permissionViolations: envelope.error?.permission_violations ?? []
  })

type Reading<A> = Outcome<A, LarkError | Retryable>

/** Reads a JSON answer: a value on `code` 0, else the right error, marked retryable when that is safe. */
const readJson = <A>(operation: Operation<any, A>, answer: Answer): Reading<A> => {
  const text = utf8.decode(answer.body)
  const statusFailure = () =>
    new LarkHttpError({
      operation: operation.id,
      reason: "Status",
      detail: `HTTP ${answer.status} without a JSON envelope`,
      httpStatus: answer.status,
      maybeApplied: true
    })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    if (answer.status === 429) return fail(retryable(statusFailure(), rateLimitReset(header(answer, "x-ogw-ratelimit-reset"))))
    if (answer.status >= 500) return fail(isIdempotent(operation) ? retryable(statusFailure()) : statusFailure())
    return fail(decodeFailure(operation, "the body is not JSON", answer.status, text))
  }
  const envelope = decodeEnvelope(operation.result === "flat" ? flatEnvelope(json, answer.status) : json)
  if (isFailure(envelope)) {
    if (answer.status >= 500) return fail(isIdempotent(operation) ? retryable(statusFailure()) : statusFailure())
    return fail(decodeFailure(operation, "no {code, msg} envelope", answer.status, text))
  }
  const frame = getSuccess(envelope)
  if (frame.code === 0) {
    return decodeResult(operation, operation.result === "flat" ? json : frame.data ?? {}, answer, text)
  }
  const error = apiError(operation, frame, answer)
  if (answer.status === 429 || error.code === RATE_LIMITED) {
    return fail(retryable(error, rateLimitReset(header(answer, "x-ogw-ratelimit-reset"))))
  }
  if (answer.status >= 500 && isIdempotent(operation)) return fail(retryable(error))
  return fail(error)
}

/** A download answers the file on success and a JSON envelope (an error, whatever its code) otherwise. */
const isFileAnswer = (head: Head) => !isJson(head) && head.status < 300

const notAFile = (operation: Operation<any, any>, answer: Answer): Reading<never> =>
  flatMapOutcome(readJson(operation, answer), (value) =>
    fail(decodeFailure(operation, "expected a file, got a JSON answer", answer.status, JSON.stringify(value))))

const fileHead = (head: Head) => ({
  fileName: fileNameFromContentDisposition(header(head, "content-disposition")),
  contentType: header(head, "content-type")
})

/** The bytes in a buffer of their own: a transport's body may be a view into a larger, shared one. */
const owned = (bytes: Uint8Array) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()

const readFile = (operation: Operation<any, any>, answer: Answer): Reading<DownloadedFile> =>
  isFileAnswer(answer) ? succeed({ ...fileHead(answer), bytes: owned(answer.body) }) : notAFile(operation, answer)

const timedOut = (operation: Operation<any, any>, timeout: Duration.Duration) =>
  new LarkHttpError({
    operation: operation.id,
    reason: "Timeout",
    detail: `no answer within ${Duration.format(timeout)}`,
    maybeApplied: true
  })

/** An answer larger than the call reads: it was answered, so a write may have been applied. */
const tooLarge = (operation: Operation<any, any>, maxBytes: number) =>
  new LarkHttpError({
    operation: operation.id,
    reason: "TooLarge",
    detail: `the answer is larger than ${maxBytes} bytes (maxResponseBytes); stream large downloads (executeStream, …Stream)`,
    maybeApplied: true
  })

/** The typed error of a failed exchange: unsendable, late, too large, or broken in transport. */
const exchangeFailure = (
  operation: Operation<any, any>,
  error: ExchangeError,
  settings: SendSettings
): LarkRequestError | LarkHttpError => {
  if (error.reason === "Encode") return new LarkRequestError({ operation: operation.id, detail: error.detail })
  if (answerTooLargeIn(error.cause)) return tooLarge(operation, settings.maxResponseBytes)
  if (deadlinePassedIn(error.cause)) return timedOut(operation, settings.timeout)
  return new LarkHttpError({
    operation: operation.id,
    reason: "Transport",
    detail: error.detail,
    maybeApplied: error.reason === "Receive" || !neverSent(error.cause)
  })
}

/** Retried when the request never left, or when sending twice is harmless; never when the answer was too large. */
const failedAttempt = (
  operation: Operation<any, any>,
  error: ExchangeError,
  settings: SendSettings
): LarkError | Retryable => {
  const failure = exchangeFailure(operation, error, settings)
  return failure._tag === "LarkHttpError" && failure.reason !== "TooLarge" &&
      (!failure.maybeApplied || isIdempotent(operation))
    ? retryable(failure)
    : failure
}

/** The request on the call's span (once), in the attribute names of the platform's client spans. */
const recordRequest = (span: CallSpan, outgoing: Outgoing) => {
  span.attribute("http.request.method", outgoing.method)
  span.attribute("url.full", outgoing.url)
}

/** The latest attempt's status and log id on the call's span. */
const recordAnswer = (span: CallSpan, head: Head) => {
  span.attribute("http.response.status_code", head.status)
  const logId = logIdOf(head)
  if (logId !== undefined) span.attribute("lark.log_id", logId)
}

/** What a call does with its span: it records attributes. */
export type CallSpan = Pick<Tracer.Span, "attribute">

/** The span handed to a call when none is made: its attributes go nowhere. */
const UNRECORDED: CallSpan = { attribute: () => undefined }

/**
 * Runs `call` in a span named after the operation, handed to it for attributes. (`Effect.withSpan`, with the
 * span given to `call`.) A span ends on the call's value, which a tracer sees: the value of an answer that
 * holds secrets reaches it only `Redacted`.
 *
 * Under Effect's built-in tracer, which hands spans to no exporter, no span is made: making one and making it
 * the fiber's parent is about a third of what a call allocates. Code inside the call (an `HttpClient` of the
 * user's) then sees the caller's span as the current one. With any other tracer, every call has its span.
 */
export const inCallSpan = <A, E, R>(
  operation: Operation<any, any>,
  call: (span: CallSpan) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  withBuiltInTracer((builtIn) =>
    builtIn
      ? call(UNRECORDED)
      : operation.secretAnswer === true
      ? Effect.map(inSpan(operation, (span) => Effect.map(call(span), Redacted.make)), Redacted.value)
      : inSpan(operation, call)
  )

/** `Effect.withSpan`, with the cheaper {@link locallyWith} for the parent (a fifth of the executor's own work). */
const inSpan = <A, E, R>(
  operation: Operation<any, any>,
  call: (span: CallSpan) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    makeClientSpan(operation.id, { "lark.operation": operation.id }),
    (span) => underSpan(call(span), span)
  )

/**
 * Sends `outgoing` until it succeeds, fails for good, or the retry schedule gives up, and decodes the answer:
 * JSON, or the whole file for `result: "binary"`. The timeout bounds each attempt.
 */
export const send = <A>(
  operation: Operation<any, A>,
  outgoing: Outgoing,
  settings: SendSettings,
  span: CallSpan
): Effect.Effect<A, LarkError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => {
    const exchange = exchangeOf(client)
    const read = (operation.result === "binary" ? readFile : readJson) as (operation: Operation<any, A>, answer: Answer) => Reading<A>
    const { maxResponseBytes, timeout } = settings
    recordRequest(span, outgoing)
    const attempt = Effect.matchEffect(exchange(outgoing, timeout, maxResponseBytes), {
      onFailure: (error) => Effect.fail(failedAttempt(operation, error, settings)),
      onSuccess: (answer) => {
        recordAnswer(span, answer)
        // an exchange of the user's may read any size: the limit holds whatever the transport
        return answer.body.byteLength > maxResponseBytes
          ? Effect.fail(tooLarge(operation, maxResponseBytes))
          : fromOutcome(read(operation, answer))
      }
    })
    return withRetries(attempt, settings.retrySchedule, operation.id)
  })

/**
 * Sends a download request and streams the file; leaving the scope aborts the transfer. The timeout bounds
 * each attempt up to the file's head (or the whole of an error answer).
 */
export const sendStreaming = (
  operation: Operation<any, any>,
  outgoing: Outgoing,
  settings: SendSettings,
  span: CallSpan
): Effect.Effect<FileStream<LarkError>, LarkError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => {
    const { maxResponseBytes, timeout } = settings
    recordRequest(span, outgoing)
    // A file is streamed after the head; an error answer is read whole, within the attempt's deadline.
    const fileOrAnswer = (
      response: HttpClientResponse.HttpClientResponse
    ): Effect.Effect<Outcome<HttpClientResponse.HttpClientResponse, Answer>, ExchangeError> =>
      isFileAnswer({ status: response.status, headers: response.headers })
        ? Effect.succeed(succeed(response))
        : Effect.map(readWhole(response, maxResponseBytes), (answer) => fail(answer))
    const attempt = Effect.matchEffect(throughClient(HttpClient.withScope(client).execute, outgoing, timeout, fileOrAnswer), {
      onFailure: (error) => Effect.fail(failedAttempt(operation, error, settings)),
      onSuccess: (fileOrError) => fromOutcome(matchOutcome(fileOrError, {
        onFailure: (answer): Reading<FileStream<LarkError>> => (recordAnswer(span, answer), notAFile(operation, answer)),
        onSuccess: (response): Reading<FileStream<LarkError>> => {
          const head: Head = { status: response.status, headers: response.headers }
          recordAnswer(span, head)
          const length = Number(header(head, "content-length"))
          return succeed({
            ...fileHead(head),
            size: Number.isFinite(length) ? length : undefined,
            stream: Stream.mapError(response.stream, (error): LarkError => exchangeFailure(operation, fromClientError(error), settings))
          })
        }
      }))
    })
    return withRetries(attempt, settings.retrySchedule, operation.id)
  })

/**
 * POSTs a JSON body to `base + operation.path`, for the token endpoints, in a span of its own. Their bodies
 * hold secrets: the body is built from them here and never logged.
 */
export const postJson = <A>(
  operation: Operation<any, A>,
  base: string,
  userAgent: string,
  body: Readonly<Record<string, string | undefined>>,
  settings: SendSettings
): Effect.Effect<A, LarkError, HttpClient.HttpClient> =>
  inCallSpan(operation, (span) => {
    const json = Body.json(body)
    const headers = { "user-agent": userAgent, "content-type": json.contentType }
    return send(operation, { method: "POST", url: `${base}${operation.path}`, headers, body: json.body }, settings, span)
  })
