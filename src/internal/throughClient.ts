/**
 * Attempts through the platform's `HttpClient`: the lane of any client that carries no exchange of its own
 * (`Exchange.withExchange`), and of streamed downloads on every client.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { AttemptDeadline, bound } from "../AttemptTimeout.js"
import {
  type Answer,
  answerTooLarge,
  deadlinePassed,
  declaredTooLarge,
  type Exchange,
  ExchangeError,
  type Outgoing,
  ownExchange
} from "../Exchange.js"
import { clientFailureSide, withoutClientSpans, withRedactedNames } from "./dialect.js"

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
    reason: clientFailureSide(error),
    detail: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message,
    cause: error.cause
  })

/** Header values masked wherever a request is printed (its `toJSON`, a log): the helpdesk credential joins them. */
export const HELPDESK_HEADER = "x-lark-helpdesk-authorization"

const withHelpdeskRedacted = (names: ReadonlyArray<string | RegExp>) =>
  names.includes(HELPDESK_HEADER) ? names : [...names, HELPDESK_HEADER]

/**
 * Sends `outgoing` through the platform's client and makes `read` of the answer, within one deadline: the
 * transport's when it offers one ({@link AttemptDeadline}), else raced against the `Clock`. The client makes
 * no `http.client` span, so no trace ids go to the third party either: the call's own span records the
 * attempt, and that span would end on the response, which holds the request's headers (tokens) in clear.
 */
export const throughClient = <A, R>(
  execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
  outgoing: Outgoing,
  timeout: Duration.Duration,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, ExchangeError>
): Effect.Effect<A, ExchangeError, R> => {
  const attempt = Effect.flatMap(Effect.mapError(execute(toClientRequest(outgoing)), fromClientError), read)
  const bounded = withoutClientSpans(
    Effect.flatMap(AttemptDeadline, (deadline) => bound(deadline, attempt, timeout, () => deadlinePassed(timeout)))
  )
  return outgoing.headers[HELPDESK_HEADER] === undefined ? bounded : withRedactedNames(bounded, withHelpdeskRedacted)
}

const tooLarge = (maxBytes: number) => {
  const cause = answerTooLarge(maxBytes)
  return new ExchangeError({ reason: "Receive", detail: cause.message, cause })
}

/** The body chunk by chunk, failing as soon as it passes `maxBytes` (ending the stream aborts the transfer). */
const readCapped = (response: HttpClientResponse.HttpClientResponse, maxBytes: number): Effect.Effect<Uint8Array, ExchangeError> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let received = 0
    const collect = Stream.runForEach(response.stream, (chunk) => {
      received += chunk.length
      if (received > maxBytes) return Effect.fail(tooLarge(maxBytes))
      chunks.push(chunk)
      return Effect.void
    })
    return Effect.mapBoth(collect, {
      onFailure: (error) => (error._tag === "ExchangeError" ? error : fromClientError(error)),
      onSuccess: () => chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)
    })
  })

/** Too large as declared: the body's stream is started and ended at once, which aborts the transfer. */
const refused = (response: HttpClientResponse.HttpClientResponse, maxBytes: number): Effect.Effect<never, ExchangeError> =>
  Effect.andThen(Effect.ignore(Stream.runHead(response.stream)), Effect.fail(tooLarge(maxBytes)))

/**
 * The whole answer, at most `maxBytes` of body. A body whose `content-length` fits and that is not compressed
 * (a client may decompress it, to any size) is read in one go; any other is counted as it arrives.
 */
export const readWhole = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<Answer, ExchangeError> => {
  const declared = response.headers["content-length"]
  const body = declared !== undefined && response.headers["content-encoding"] === undefined
    ? declaredTooLarge(declared, maxBytes)
      ? refused(response, maxBytes)
      : Effect.mapBoth(response.arrayBuffer, { onFailure: fromClientError, onSuccess: (bytes) => new Uint8Array(bytes) })
    : readCapped(response, maxBytes)
  return Effect.map(body, (bytes): Answer => ({ status: response.status, headers: response.headers, body: bytes }))
}

const utf8 = new TextDecoder()

/** The body as text (UTF-8, as `response.text` reads it), at most `maxBytes` of it (see {@link readWhole}). */
export const readText = (response: HttpClientResponse.HttpClientResponse, maxBytes: number): Effect.Effect<string, ExchangeError> =>
  Effect.map(readWhole(response, maxBytes), (answer) => utf8.decode(answer.body))

/** The exchange over any `HttpClient`: the whole answer read within the attempt's deadline. */
export const overHttpClient = (client: HttpClient.HttpClient): Exchange => (outgoing, timeout, maxBytes) =>
  throughClient(client.execute, outgoing, timeout, (response) => readWhole(response, maxBytes))

/** The client's own exchange, or the one through the client. */
export const exchangeOf = (client: HttpClient.HttpClient): Exchange => ownExchange(client) ?? overHttpClient(client)
