/**
 * Errors of the long connection. None carries the app secret or the socket URL (its query holds an access
 * key and a ticket).
 *
 * Each connection failure is either terminal (retrying cannot help: wrong credentials, forbidden, the
 * app's connection limit) or retryable (busy, internal, network, a dropped or silent socket); see
 * `reconnect.ts`. `LongConnection.run` fails only with a terminal one.
 */
import * as Schema from "effect/Schema"
import { Literals, Union } from "../internal/dialect.js"

/** A received message is not a valid `pbbp2.Frame`. The frame is dropped (and logged). */
export class FrameDecodeError extends Schema.TaggedError<FrameDecodeError>()("FrameDecodeError", {
  detail: Schema.String
}) {
  override get message() {
    return `long connection frame cannot be decoded: ${this.detail}`
  }
}

/** Endpoint code: system busy (retryable). */
export const CODE_SYSTEM_BUSY = 1
/** Endpoint code: internal error (retryable). */
export const CODE_INTERNAL_ERROR = 1000040343
/** Handshake auth error code (and endpoint code) of "too many connections for this app" (terminal). */
export const CODE_CONNECTION_LIMIT = 1000040350

/** `POST /callback/ws/endpoint` answered a non-zero `code`. */
export class LongConnectionEndpointError extends Schema.TaggedError<LongConnectionEndpointError>()(
  "LongConnectionEndpointError",
  { code: Schema.Number, msg: Schema.String }
) {
  /** Busy and internal errors are the server's; every other code is about the app (credentials, limits). */
  get retryable(): boolean {
    return this.code === CODE_SYSTEM_BUSY || this.code === CODE_INTERNAL_ERROR
  }
  override get message() {
    return `long connection endpoint refused: code ${this.code}: ${this.msg}`
  }
}

/** Handshake-Status of a forbidden app. */
export const HANDSHAKE_FORBIDDEN = 403
/** Handshake-Status of a failed authentication; `Handshake-Autherrcode` says why. */
export const HANDSHAKE_AUTH_FAILED = 514

/** The WebSocket upgrade was refused; the server explains in `Handshake-*` response headers. */
export class LongConnectionHandshakeError extends Schema.TaggedError<LongConnectionHandshakeError>()(
  "LongConnectionHandshakeError",
  {
    /** The HTTP status of the refused upgrade. */
    httpStatus: Schema.Number,
    /** `Handshake-Status`, when present and numeric. */
    status: Schema.optional(Schema.Number),
    /** `Handshake-Msg`. */
    msg: Schema.String,
    /** `Handshake-Autherrcode`, when present and numeric. */
    authErrorCode: Schema.optional(Schema.Number)
  }
) {
  /** Forbidden and the connection limit are terminal; any other refusal (or none explained) is retried. */
  get retryable(): boolean {
    if (this.status === HANDSHAKE_FORBIDDEN) return false
    if (this.status === HANDSHAKE_AUTH_FAILED && this.authErrorCode === CODE_CONNECTION_LIMIT) return false
    return true
  }
  override get message() {
    const status = this.status === undefined ? `HTTP ${this.httpStatus}` : `status ${this.status}`
    const sub = this.authErrorCode === undefined ? "" : ` (auth error ${this.authErrorCode})`
    return `long connection handshake refused: ${status}${sub}: ${this.msg}`
  }
}

/**
 * A retryable failure of one connection: the endpoint could not be reached or answered garbage, the socket
 * did not open, was closed, or went silent (no frame within the liveness window).
 */
export class LongConnectionTransportError extends Schema.TaggedError<LongConnectionTransportError>()(
  "LongConnectionTransportError",
  {
    stage: Literals("endpoint", "open", "connected"),
    reason: Literals("Network", "Status", "Decode", "Timeout", "Closed", "Silent"),
    detail: Schema.String
  }
) {
  get retryable(): boolean {
    return true
  }
  override get message() {
    return `long connection ${this.stage}: ${this.reason}: ${this.detail}`
  }
}

/**
 * The long connection cannot authenticate: the app has neither a secret nor a client assertion signer, its
 * signer failed, or the endpoint answered a plain remote `ws://` URL while TLS is required.
 */
export class LongConnectionConfigError extends Schema.TaggedError<LongConnectionConfigError>()(
  "LongConnectionConfigError",
  { detail: Schema.String }
) {
  get retryable(): boolean {
    return false
  }
  override get message() {
    return `long connection cannot start: ${this.detail}`
  }
}

/** A failure of one connection attempt or of an established connection. */
export type ConnectionError =
  | LongConnectionEndpointError
  | LongConnectionHandshakeError
  | LongConnectionTransportError
  | LongConnectionConfigError

/** The server's `ReconnectCount` attempts all failed. */
export class LongConnectionGaveUp extends Schema.TaggedError<LongConnectionGaveUp>()("LongConnectionGaveUp", {
  attempts: Schema.Number,
  /** The last attempt's failure message. */
  lastError: Schema.String
}) {
  override get message() {
    return `long connection gave up after ${this.attempts} reconnect attempts; last: ${this.lastError}`
  }
}

/**
 * `autoReconnect: false`: a failure that would have been retried (busy, network, a dropped or silent socket)
 * ended the connection, or the first attempt.
 */
export class LongConnectionDisconnected extends Schema.TaggedError<LongConnectionDisconnected>()("LongConnectionDisconnected", {
  /** Whether the socket had connected: `false` when the first attempt failed. */
  wasConnected: Schema.Boolean,
  /** What ended it. */
  failure: Union(LongConnectionEndpointError, LongConnectionHandshakeError, LongConnectionTransportError)
}) {
  override get message() {
    const what = this.wasConnected ? "the connection ended" : "the first connection attempt failed"
    return `long connection: ${what} and autoReconnect is off: ${this.failure.message}`
  }
}

/**
 * Why `LongConnection.run` stopped: a terminal connection error, the reconnect budget spent, or (with
 * `autoReconnect: false`) the first failure.
 */
export type LongConnectionError =
  | LongConnectionEndpointError
  | LongConnectionHandshakeError
  | LongConnectionConfigError
  | LongConnectionGaveUp
  | LongConnectionDisconnected
