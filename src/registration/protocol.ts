/**
 * The accounts server's device-flow endpoint: three form POSTs (`init`, `begin`, `poll`) to one path.
 *
 * Like RFC 8628, the server answers "not yet" with HTTP 400 and a JSON body, so every JSON body is read
 * as a protocol answer whatever its status; only a body that is not JSON is a transport-level failure.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { ExchangeError } from "../Exchange.js"
import { clientFailureSide, isRecord, timeoutFail, withoutTracerPropagation } from "../internal/dialect.js"
import { maskedBody } from "../internal/maskedBody.js"
import { answerTooLargeIn } from "../internal/retry.js"
import { readText } from "../internal/throughClient.js"
import { userAgent } from "../internal/version.js"
import { LarkDecodeError, LarkHttpError } from "../LarkError.js"
import { RegistrationError } from "./errors.js"
import type { UserInfo } from "./events.js"

export const ENDPOINT = "/oauth/v1/app/registration"

/** Used when the `begin` answer leaves them out, as the official SDKs do. */
export const DEFAULT_INTERVAL_SECONDS = 5
export const DEFAULT_EXPIRES_IN_SECONDS = 600

export interface BeginAnswer {
  readonly deviceCode: string
  /** The server's verification URL; the QR URL is built on it. */
  readonly verificationUriComplete: string
  /** Seconds between polls. */
  readonly interval: number
  /** Seconds the code lives; also the overall polling deadline. */
  readonly expiresIn: number
}

/** One poll answer, as sent: whether it means success, waiting or failure is decided by the flow. */
export interface PollAnswer {
  readonly clientId: string | undefined
  /** Set only when the server sent a non-empty secret. */
  readonly clientSecret: Redacted.Redacted<string> | undefined
  readonly userInfo: UserInfo | undefined
  /** `authorization_pending`, `slow_down`, `access_denied`, `expired_token`, ...; an empty `error` reads as none. */
  readonly error: string | undefined
  readonly errorDescription: string
}

type Json = Record<string, unknown>
type Failure = LarkHttpError | LarkDecodeError

/** The SDK's own User-Agent (not the transport's default, `node` for fetch). */
const USER_AGENT = userAgent()

const text = (json: Json, field: string): string | undefined => {
  const value = json[field]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** A positive number of seconds (numeric strings too), else the default. */
const seconds = (json: Json, field: string, fallback: number): number => {
  const value = Number(json[field])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

const transportFailure = (operation: string, error: HttpClientError.HttpClientError) =>
  new LarkHttpError({
    operation,
    reason: "Transport",
    detail: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message,
    maybeApplied: clientFailureSide(error) !== "Encode"
  })

/**
 * The longest wait for `init` and `begin`, which come before the flow's own deadline (`expires_in`, which
 * bounds every `poll`): a server that takes the connection and never answers would hold `registerApp` forever.
 */
const SETUP_TIMEOUT_SECONDS = 30

const setupTimedOut = (operation: string) =>
  new LarkHttpError({ operation, reason: "Timeout", detail: `no answer within ${SETUP_TIMEOUT_SECONDS} s`, maybeApplied: true })

/** `post`, failing as a `Timeout` when the server takes longer than {@link SETUP_TIMEOUT_SECONDS}. */
const withinSetupTimeout = (operation: string) =>
  timeoutFail({ duration: `${SETUP_TIMEOUT_SECONDS} seconds`, onTimeout: () => setupTimedOut(operation) })

/** The largest answer read: the protocol's answers are small JSON objects. */
const MAX_ANSWER_BYTES = 1024 * 1024

/** The answer's body could not be read whole (the connection broke, or it was too large). */
const readFailure = (operation: string, error: ExchangeError) =>
  new LarkHttpError({
    operation,
    reason: answerTooLargeIn(error.cause) ? "TooLarge" : "Transport",
    detail: error.detail,
    maybeApplied: true
  })

/** The JSON object of an answer; a body that is not one is a status failure on an error status, else undecodable. */
const readObject = (operation: string, status: number, body: string): Effect.Effect<Json, Failure> => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    json = undefined
  }
  if (isRecord(json)) return Effect.succeed(json)
  return Effect.fail(
    status >= 400
      ? new LarkHttpError({
        operation,
        reason: "Status",
        detail: `HTTP ${status} without a JSON body`,
        httpStatus: status,
        maybeApplied: true
      })
      // a poll answer may hold the new app's secret: only the answer's shape is kept
      : new LarkDecodeError({ operation, detail: "the answer is not a JSON object", httpStatus: status, body: maskedBody(body) })
  )
}

/** A server `error` at `init` or `begin` ends the flow. */
const serverError = (json: Json): Effect.Effect<void, RegistrationError> => {
  const code = text(json, "error")
  if (code === undefined) return Effect.void
  return Effect.fail(new RegistrationError({ code, description: text(json, "error_description") ?? "" }))
}

/** `init` lists the auth methods the server accepts; this SDK speaks `client_secret` only. */
const supportsClientSecret = (json: Json): Effect.Effect<void, RegistrationError> => {
  const methods = json["supported_auth_methods"]
  if (!Array.isArray(methods) || methods.includes("client_secret")) return Effect.void
  const offered = methods.length === 0 ? "no method" : methods.join(", ")
  const description = `the server offers ${offered}, not client_secret`
  return Effect.fail(new RegistrationError({ code: "unsupported_auth_method", description }))
}

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol === "https:" || url.protocol === "http:"
  } catch {
    return false
  }
}

const decodeBegin = (json: Json, status: number): Effect.Effect<BeginAnswer, LarkDecodeError> => {
  const deviceCode = text(json, "device_code")
  const verificationUriComplete = text(json, "verification_uri_complete")
  if (deviceCode === undefined || verificationUriComplete === undefined || !isHttpUrl(verificationUriComplete)) {
    return Effect.fail(
      new LarkDecodeError({
        operation: "registration.begin",
        detail: "expected a device_code and an http(s) verification_uri_complete",
        httpStatus: status,
        body: maskedBody(JSON.stringify(json))
      })
    )
  }
  return Effect.succeed({
    deviceCode,
    verificationUriComplete,
    interval: seconds(json, "interval", DEFAULT_INTERVAL_SECONDS),
    expiresIn: seconds(json, "expires_in", DEFAULT_EXPIRES_IN_SECONDS)
  })
}

const decodePoll = (json: Json): PollAnswer => {
  const secret = text(json, "client_secret")
  const userInfo = json["user_info"]
  return {
    clientId: text(json, "client_id"),
    clientSecret: secret === undefined ? undefined : Redacted.make(secret),
    userInfo: isRecord(userInfo) ? userInfo as UserInfo : undefined,
    error: text(json, "error"),
    errorDescription: text(json, "error_description") ?? ""
  }
}

export interface Protocol {
  /** Fails unless the server supports the `client_secret` auth method (when it says which it supports). */
  readonly init: (base: string) => Effect.Effect<void, Failure | RegistrationError>
  readonly begin: (base: string) => Effect.Effect<BeginAnswer, Failure | RegistrationError>
  readonly poll: (base: string, deviceCode: string) => Effect.Effect<PollAnswer, Failure>
}

/** The protocol over the context's `HttpClient`; `base` is an accounts base URL without a trailing slash. */
export const make: Effect.Effect<Protocol, never, HttpClient.HttpClient> = Effect.map(HttpClient.HttpClient, (http) => {
  // a third-party endpoint: do not send our trace headers (STYLE §5.8)
  const client = withoutTracerPropagation(http)
  const post = (operation: string, base: string, fields: Record<string, string>) =>
    HttpClientRequest.post(`${base}${ENDPOINT}`).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeader("user-agent", USER_AGENT),
      HttpClientRequest.bodyUrlParams(fields),
      client.execute,
      Effect.mapError((error) => transportFailure(operation, error)),
      Effect.flatMap((response) =>
        Effect.mapBoth(readText(response, MAX_ANSWER_BYTES), {
          onFailure: (error) => readFailure(operation, error),
          onSuccess: (body) => ({ status: response.status, body })
        })
      ),
      Effect.flatMap(({ body, status }) => Effect.map(readObject(operation, status, body), (json) => ({ json, status })))
    )
  return {
    init: (base) =>
      Effect.flatMap(post("registration.init", base, { action: "init" }).pipe(withinSetupTimeout("registration.init")), ({ json }) =>
        Effect.andThen(serverError(json), supportsClientSecret(json))),
    begin: (base) =>
      Effect.flatMap(
        post("registration.begin", base, {
          action: "begin",
          archetype: "PersonalAgent",
          auth_method: "client_secret",
          request_user_info: "open_id"
        }).pipe(withinSetupTimeout("registration.begin")),
        ({ json, status }) => Effect.andThen(serverError(json), decodeBegin(json, status))
      ),
    poll: (base, deviceCode) =>
      Effect.map(post("registration.poll", base, { action: "poll", device_code: deviceCode }), ({ json }) => decodePoll(json))
  }
})
