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
import { AttemptDeadline, bound } from "../AttemptTimeout.js"
import { type Answer, deadlinePassed, type Exchange, ExchangeError, type Outgoing, ownExchange } from "../Exchange.js"
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

/** The whole answer: its body read to the end. */
export const readWhole = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Answer, ExchangeError> =>
  Effect.mapBoth(response.arrayBuffer, {
    onFailure: fromClientError,
    onSuccess: (body): Answer => ({ status: response.status, headers: response.headers, body: new Uint8Array(body) })
  })

/** The exchange over any `HttpClient`: the whole answer read within the attempt's deadline. */
export const overHttpClient = (client: HttpClient.HttpClient): Exchange => (outgoing, timeout) =>
  throughClient(client.execute, outgoing, timeout, readWhole)

/** The client's own exchange, or the one through the client. */
export const exchangeOf = (client: HttpClient.HttpClient): Exchange => ownExchange(client) ?? overHttpClient(client)
