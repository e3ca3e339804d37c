/**
 * Errors of the webhook event layer: signature checks, decryption of `{"encrypt": ...}` bodies and
 * decoding of the decrypted envelope.
 *
 * None of them carries key material, an expected signature, or the decrypted plaintext: `detail`
 * only says which check failed.
 */
import * as Schema from "effect/Schema"
import { Defect } from "../internal/dialect.js"

/** The request signature (`X-Lark-Signature`) was missing or did not match. */
export class EventSignatureError extends Schema.TaggedError<EventSignatureError>()("EventSignatureError", {
  detail: Schema.String
}) {
  override get message() {
    return `event signature verification failed: ${this.detail}`
  }
}

/** An `encrypt` field could not be decrypted (bad base64, bad length, wrong key, bad padding, not UTF-8). */
export class EventDecryptError extends Schema.TaggedError<EventDecryptError>()("EventDecryptError", {
  detail: Schema.String
}) {
  override get message() {
    return `event decryption failed: ${this.detail}`
  }
}

/** A (decrypted) event body was not a JSON envelope this SDK understands. */
export class EventDecodeError extends Schema.TaggedError<EventDecodeError>()("EventDecodeError", {
  detail: Schema.String
}) {
  override get message() {
    return `event body could not be decoded: ${this.detail}`
  }
}

/** The Verification Token of a challenge or event did not match the configured one. */
export class EventTokenError extends Schema.TaggedError<EventTokenError>()("EventTokenError", {
  detail: Schema.String
}) {
  override get message() {
    return `event verification token check failed: ${this.detail}`
  }
}

/** The request was not a POST. */
export class EventMethodError extends Schema.TaggedError<EventMethodError>()("EventMethodError", {
  detail: Schema.String
}) {
  override get message() {
    return `event request rejected: ${this.detail}`
  }
}

/** A request body was larger than the entry's `maxBodySize`: refused (413) before it was read to the end. */
export class EventBodyTooLargeError extends Schema.TaggedError<EventBodyTooLargeError>()("EventBodyTooLargeError", {
  limit: Schema.Number
}) {
  override get message() {
    return `event request body is larger than ${this.limit} bytes`
  }
}

/** The de-duplication store could not be reached or answered nonsense (a Redis outage, say). */
export class EventDedupeError extends Schema.TaggedError<EventDedupeError>()("EventDedupeError", {
  detail: Schema.String,
  cause: Schema.optional(Defect)
}) {
  override get message() {
    return `event de-duplication store failed: ${this.detail}`
  }
}

/** A signed request's `X-Lark-Request-Timestamp` was outside the configured window (`maxClockSkew`), or not a number. */
export class EventTimestampError extends Schema.TaggedError<EventTimestampError>()("EventTimestampError", {
  detail: Schema.String
}) {
  override get message() {
    return `event timestamp check failed: ${this.detail}`
  }
}
