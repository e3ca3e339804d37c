/**
 * The closed set of errors every lark-effect call can fail with.
 *
 * Errors carry what a user needs to act on (codes, log ids, statuses) and never a secret: request
 * bodies and headers are not stored, and raw response bodies are kept only where decoding failed (masked
 * for the answers that hold tokens).
 */
import * as Schema from "effect/Schema"
import { Literals, optionalWithDefault } from "./internal/dialect.js"
/** A field the platform rejected, from `error.field_violations`. */
export const FieldViolation = Schema.Struct({
  field: Schema.optional(Schema.String),
  value: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String)
})

/** A permission the caller lacks, from `error.permission_violations`. */
export const PermissionViolation = Schema.Struct({
  type: Schema.optional(Schema.String),
  subject: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String)
})

/** The platform answered with a non-zero `code` in its `{code, msg, data}` envelope. */
export class LarkApiError extends Schema.TaggedError<LarkApiError>()("LarkApiError", {
  operation: Schema.String,
  code: Schema.Number,
  msg: Schema.String,
  httpStatus: Schema.Number,
  logId: Schema.optional(Schema.String),
  troubleshooter: Schema.optional(Schema.String),
  fieldViolations: optionalWithDefault(Schema.Array(FieldViolation), () => []),
  permissionViolations: optionalWithDefault(Schema.Array(PermissionViolation), () => [])
}) {
  override get message() {
    return `${this.operation} failed with code ${this.code}: ${this.msg}${this.logId ? ` (log id ${this.logId})` : ""}`
  }
}

/**
 * The request never got a usable answer: connection failure, timeout, a non-JSON error status, or an answer
 * larger than `maxResponseBytes` (`TooLarge`, never retried).
 */
export class LarkHttpError extends Schema.TaggedError<LarkHttpError>()("LarkHttpError", {
  operation: Schema.String,
  reason: Literals("Transport", "Timeout", "Status", "TooLarge"),
  detail: Schema.String,
  httpStatus: Schema.optional(Schema.Number),
  /** True when the request may have reached the platform (so a write may have been applied). */
  maybeApplied: Schema.Boolean
}) {
  override get message() {
    return `${this.operation}: ${this.reason} failure: ${this.detail}`
  }
}

/** The answer did not match the operation's schema. Never retried: sending again would not help. */
export class LarkDecodeError extends Schema.TaggedError<LarkDecodeError>()("LarkDecodeError", {
  operation: Schema.String,
  detail: Schema.String,
  httpStatus: Schema.Number,
  /**
   * The body as it came; of a token endpoint's answer (it may hold tokens), only its shape: every string
   * masked as `<redacted>`, and the whole body when it is not JSON.
   */
  body: Schema.String
}) {
  override get message() {
    return `${this.operation}: the response could not be decoded: ${this.detail}`
  }
}

/** The request was rejected before anything was sent (bad payload, missing path parameter, ...). */
export class LarkRequestError extends Schema.TaggedError<LarkRequestError>()("LarkRequestError", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `${this.operation}: invalid request: ${this.detail}`
  }
}

/** No access token could be had for the call (credentials rejected, app_ticket missing, ...). */
export class LarkTokenError extends Schema.TaggedError<LarkTokenError>()("LarkTokenError", {
  kind: Literals("tenant", "app", "user"),
  detail: Schema.String,
  code: Schema.optional(Schema.Number)
}) {
  override get message() {
    return `could not obtain a ${this.kind} access token: ${this.detail}`
  }
}

/** The configuration is missing or invalid; `variable` names the setting or environment variable. */
export class LarkConfigError extends Schema.TaggedError<LarkConfigError>()("LarkConfigError", {
  variable: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `invalid configuration ${this.variable}: ${this.detail}`
  }
}

/** Everything an API call can fail with. */
export type LarkError = LarkApiError | LarkHttpError | LarkDecodeError | LarkRequestError | LarkTokenError
