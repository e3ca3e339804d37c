/**
 * Sending one prepared request: per-attempt timeout, safe retries, and turning the answer into a value or a
 * typed error. Token choice happens one level up (`Request.ts`); this module never sees a secret's value.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Envelope } from "../../schemas/common.js"
import * as Body from "./body.js"
import { lenientDecoder } from "./plainSchema.js"
import { type DownloadedFile, type FileStream, fileNameFromContentDisposition } from "../Files.js"
import { LarkApiError, type LarkError, LarkDecodeError, LarkHttpError, LarkRequestError } from "../LarkError.js"
import { isIdempotent, type Operation } from "../Operation.js"
import { AttemptDeadline, bound, TIMEOUT_CODES } from "../AttemptTimeout.js"
import { errorCodes, rateLimitReset, type Retryable, retryable, withRetries, neverSent } from "./retry.js"

/** The platform's "request trigger frequency limit" code. */
const RATE_LIMITED = 99991400

export interface SendSettings {
  readonly timeout: Duration.Duration
  readonly retrySchedule: Schedule.Schedule<unknown, unknown>
}

// `response.headers` builds a new object on each access (platform-node): read it once per response.
const headersSeen = new WeakMap<HttpClientResponse.HttpClientResponse, Headers.Headers>()

const header = (response: HttpClientResponse.HttpClientResponse, name: string): string | undefined => {
  let headers = headersSeen.get(response)
  if (headers === undefined) headersSeen.set(response, headers = response.headers)
  return headers[name]
}

const logIdOf = (response: HttpClientResponse.HttpClientResponse) =>
  header(response, "x-tt-logid") ?? header(response, "x-request-id")

const isJson = (response: HttpClientResponse.HttpClientResponse) =>
  (header(response, "content-type") ?? "").toLowerCase().includes("json")

const decodeEnvelopeSchema = Schema.decodeUnknownEither(Envelope)

/**
 * The envelope of the common answer (`code` a number, `msg` a string or absent, no `error`) is read by hand,
 * to the value the schema would give; anything else goes through the schema. This is on every call's path.
 */
const decodeEnvelope = (json: unknown): Either.Either<Envelope, ParseResult.ParseError> => {
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const body = json as Record<string, unknown>
    const { code, msg } = body
    if (typeof code === "number" && body.error === undefined && (msg === undefined || typeof msg === "string")) {
      return Either.right("data" in body ? { code, msg: msg ?? "", data: body.data } : { code, msg: msg ?? "" })
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

/** Decodes the success value with the operation's schema, keeping unknown fields. */
const decodeResult = <A>(
  operation: Operation<any, A>,
  value: unknown,
  response: HttpClientResponse.HttpClientResponse,
  text: string
): Either.Either<A, LarkDecodeError> =>
  operation.response === undefined
    ? Either.right(value as A)
    : Either.mapLeft(lenientDecoder(operation.response)(value), (error) =>
      new LarkDecodeError({
        operation: operation.id,
        detail: ParseResult.TreeFormatter.formatErrorSync(error),
        httpStatus: response.status,
        body: text
      }))

const apiError = (
  operation: Operation<any, any>,
  envelope: Envelope,
  response: HttpClientResponse.HttpClientResponse
) =>
  new LarkApiError({
    operation: operation.id,
    code: envelope.code,
    msg: envelope.msg,
    httpStatus: response.status,
    logId: logIdOf(response) ?? envelope.error?.log_id,
    troubleshooter: envelope.error?.troubleshooter,
    fieldViolations: envelope.error?.field_violations ?? [],
    permissionViolations: envelope.error?.permission_violations ?? []
  })

/** Reads a JSON answer: a value on `code` 0, else the right error, marked retryable when that is safe. */
const readJson = <A>(
  operation: Operation<any, A>,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration
): Effect.Effect<A, LarkError | Retryable> =>
  Effect.flatMap(readText(operation, response, timeout), (text): Effect.Effect<A, LarkError | Retryable> => {
    const statusFailure = () =>
      new LarkHttpError({
        operation: operation.id,
        reason: "Status",
        detail: `HTTP ${response.status} without a JSON envelope`,
        httpStatus: response.status,
        maybeApplied: true
      })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      if (response.status === 429) return Effect.fail(retryable(statusFailure(), rateLimitReset(header(response, "x-ogw-ratelimit-reset"))))
      if (response.status >= 500) return Effect.fail(isIdempotent(operation) ? retryable(statusFailure()) : statusFailure())
      return Effect.fail(new LarkDecodeError({ operation: operation.id, detail: "the body is not JSON", httpStatus: response.status, body: text }))
    }
    const envelope = decodeEnvelope(operation.result === "flat" ? flatEnvelope(json, response.status) : json)
    if (Either.isLeft(envelope)) {
      if (response.status >= 500) return Effect.fail(isIdempotent(operation) ? retryable(statusFailure()) : statusFailure())
      return Effect.fail(new LarkDecodeError({ operation: operation.id, detail: "no {code, msg} envelope", httpStatus: response.status, body: text }))
    }
    if (envelope.right.code === 0) {
      const value = operation.result === "flat" ? json : envelope.right.data ?? {}
      return Either.match(decodeResult(operation, value, response, text), { onLeft: Effect.fail, onRight: Effect.succeed })
    }
    const error = apiError(operation, envelope.right, response)
    if (response.status === 429 || error.code === RATE_LIMITED) {
      return Effect.fail(retryable(error, rateLimitReset(header(response, "x-ogw-ratelimit-reset"))))
    }
    if (response.status >= 500 && isIdempotent(operation)) return Effect.fail(retryable(error))
    return Effect.fail(error)
  })

/** A body that stops arriving is a timeout (retried when that is safe); other read failures are final. */
const readText = (operation: Operation<any, any>, response: HttpClientResponse.HttpClientResponse, timeout: Duration.Duration) =>
  Effect.mapError(response.text, (error) => {
    const failure = transportFailure(operation, error, timeout)
    return failure.reason === "Timeout" && isIdempotent(operation) ? retryable(failure) : failure
  })

/** A download answers the file on success and a JSON envelope (an error, whatever its code) otherwise. */
const isFileAnswer = (response: HttpClientResponse.HttpClientResponse) => !isJson(response) && response.status < 300

const notAFile = (
  operation: Operation<any, any>,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration
) =>
  Effect.flatMap(readJson(operation, response, timeout), (value) =>
    Effect.fail(
      new LarkDecodeError({
        operation: operation.id,
        detail: "expected a file, got a JSON answer",
        httpStatus: response.status,
        body: JSON.stringify(value)
      })
    ))

const fileHead = (response: HttpClientResponse.HttpClientResponse) => ({
  fileName: fileNameFromContentDisposition(header(response, "content-disposition")),
  contentType: header(response, "content-type")
})

const readFile = (
  operation: Operation<any, any>,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration
): Effect.Effect<DownloadedFile, LarkError | Retryable> =>
  isFileAnswer(response)
    ? Effect.map(
      Effect.mapError(response.arrayBuffer, (error) => transportFailure(operation, error, timeout)),
      (buffer) => ({ ...fileHead(response), bytes: new Uint8Array(buffer) })
    )
    : notAFile(operation, response, timeout)

const readFileStream = (
  operation: Operation<any, any>,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration
): Effect.Effect<FileStream<LarkError>, LarkError | Retryable> => {
  if (!isFileAnswer(response)) return notAFile(operation, response, timeout)
  const length = Number(header(response, "content-length"))
  return Effect.succeed({
    ...fileHead(response),
    size: Number.isFinite(length) ? length : undefined,
    stream: Stream.mapError(response.stream, (error): LarkError => transportFailure(operation, error, timeout))
  })
}

const transportFailure = (
  operation: Operation<any, any>,
  error: HttpClientError.HttpClientError,
  timeout: Duration.Duration
): LarkHttpError =>
  errorCodes(error.cause).some((code) => TIMEOUT_CODES.has(code)) ? timedOut(operation, timeout) : new LarkHttpError({
    operation: operation.id,
    reason: "Transport",
    detail: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message,
    maybeApplied: error._tag === "ResponseError" || !neverSent(error.cause)
  })

const timedOut = (operation: Operation<any, any>, timeout: Duration.Duration) =>
  new LarkHttpError({
    operation: operation.id,
    reason: "Timeout",
    detail: `no answer within ${Duration.format(timeout)}`,
    maybeApplied: true
  })

/** Transport failures are retried when the request never left, or when sending twice is harmless. */
const classifyRequestError = (
  operation: Operation<any, any>,
  error: HttpClientError.HttpClientError,
  timeout: Duration.Duration
): LarkError | Retryable => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new LarkRequestError({ operation: operation.id, detail: error.message })
  }
  const failure = transportFailure(operation, error, timeout)
  return !failure.maybeApplied || isIdempotent(operation) ? retryable(failure) : failure
}

type Reader<A> = (
  operation: Operation<any, any>,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration
) => Effect.Effect<A, LarkError | Retryable>

/**
 * Sends `request` until it succeeds, fails for good, or the retry schedule gives up. The timeout covers one
 * attempt up to the value `read` makes of the answer (for a stream: up to its headers). With
 * `deadlineInContext` the caller has put the transport's deadline in the context already
 * (`AttemptDeadline`), so attempts are not wrapped again.
 */
const sendReading = <A, R>(
  operation: Operation<any, any>,
  request: HttpClientRequest.HttpClientRequest,
  settings: SendSettings,
  deadlineInContext: boolean,
  read: Reader<A>,
  execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>
): Effect.Effect<A, LarkError, R> => {
  const { timeout } = settings
  const onTimeout = () => isIdempotent(operation) ? retryable(timedOut(operation, timeout)) : timedOut(operation, timeout)
  const exchange = execute(request).pipe(
    Effect.mapError((error) => classifyRequestError(operation, error, timeout)),
    Effect.flatMap((response) => read(operation, response, timeout))
  )
  const attempt = deadlineInContext ? exchange : Effect.flatMap(AttemptDeadline, (deadline) => bound(deadline, exchange, timeout, onTimeout))
  const sending = withRetries(attempt, settings.retrySchedule, operation.id).pipe(
    Effect.locally(HttpClient.currentTracerPropagation, false) // no trace ids to a third party
  )
  // The client's spans record request headers: keep the helpdesk secret out of them.
  return request.headers[HELPDESK_HEADER] === undefined
    ? sending
    : Effect.locallyWith(sending, Headers.currentRedactedNames, withHelpdeskRedacted)
}

/** Sends `request` and decodes the answer: JSON, or the whole file for `result: "binary"`. */
export const send = <A>(
  operation: Operation<any, A>,
  request: HttpClientRequest.HttpClientRequest,
  settings: SendSettings,
  deadlineInContext = false
): Effect.Effect<A, LarkError, HttpClient.HttpClient> =>
  sendReading(
    operation,
    request,
    settings,
    deadlineInContext,
    (operation.result === "binary" ? readFile : readJson) as Reader<A>,
    HttpClient.execute
  )

/** Sends a download request and streams the file; leaving the scope aborts the transfer. */
export const sendStreaming = (
  operation: Operation<any, any>,
  request: HttpClientRequest.HttpClientRequest,
  settings: SendSettings,
  deadlineInContext = false
): Effect.Effect<FileStream<LarkError>, LarkError, HttpClient.HttpClient | Scope.Scope> =>
  sendReading(operation, request, settings, deadlineInContext, readFileStream, (request) =>
    Effect.flatMap(HttpClient.HttpClient, (client) => HttpClient.withScope(client).execute(request)))

export const HELPDESK_HEADER = "x-lark-helpdesk-authorization"

const withHelpdeskRedacted = (names: ReadonlyArray<string | RegExp>) =>
  names.includes(HELPDESK_HEADER) ? names : [...names, HELPDESK_HEADER]

/**
 * POSTs a JSON body to `base + operation.path`, for the token endpoints. Their bodies hold secrets: the body is
 * built from them here and never logged.
 */
export const postJson = <A>(
  operation: Operation<any, A>,
  base: string,
  userAgent: string,
  body: Readonly<Record<string, string | undefined>>,
  settings: SendSettings
): Effect.Effect<A, LarkError, HttpClient.HttpClient> =>
  send(
    operation,
    HttpClientRequest.post(`${base}${operation.path}`).pipe(
      HttpClientRequest.setHeader("user-agent", userAgent),
      HttpClientRequest.setBody(Body.json(body))
    ),
    settings
  )

