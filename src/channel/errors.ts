/**
 * `ChannelSendError`: why a send, reply or upload of the channel failed, as one of the codes the official
 * channel SDKs use (spec B5), with the platform's code and log id when the platform answered.
 * `fromLarkError` classifies the errors of the underlying API calls.
 */
import * as Schema from "effect/Schema"
import type { LarkCardError } from "../cards/validate.js"
import { Literals } from "../internal/dialect.js"
import type { LarkError } from "../LarkError.js"

export const ChannelSendErrorCode = Literals(
  "format_error",
  "target_revoked",
  "rate_limited",
  "permission_denied",
  "upload_failed",
  "download_failed",
  "ssrf_blocked",
  // not in the official SDKs: a local media path outside `allowedFileDirs` (a policy refusal, like
  // `ssrf_blocked` for URLs, rather than a malformed message)
  "path_not_allowed",
  "send_timeout",
  "not_connected",
  "unknown"
)
export type ChannelSendErrorCode = typeof ChannelSendErrorCode.Type

export class ChannelSendError extends Schema.TaggedError<ChannelSendError>()("ChannelSendError", {
  code: ChannelSendErrorCode,
  detail: Schema.String,
  /** The platform's error code, when it answered with one. */
  larkCode: Schema.optional(Schema.Number),
  logId: Schema.optional(Schema.String)
}) {
  override get message() {
    return `channel send failed (${this.code}): ${this.detail}${this.logId ? ` (log id ${this.logId})` : ""}`
  }
}

/**
 * Platform codes by channel code (IM send, reply, update and upload APIs; the general rate-limit and
 * scope codes). A code not listed is `unknown`, or `upload_failed` / `download_failed` for those calls.
 */
export const LARK_CODES: Readonly<Record<number, ChannelSendErrorCode>> = {
  // The request was refused as malformed: bad parameters or content, card JSON, content too long.
  230001: "format_error",
  230025: "format_error",
  230099: "format_error",
  // The message replied to, edited or reacted to was recalled or deleted.
  230011: "target_revoked",
  230110: "target_revoked",
  // Too many requests: the IM throttle and the platform-wide limit.
  230020: "rate_limited",
  99991400: "rate_limited",
  // The bot may not do this: not in the chat, bot not enabled, user outside its availability, no scope.
  230002: "permission_denied",
  230006: "permission_denied",
  230013: "permission_denied",
  230027: "permission_denied",
  99991672: "permission_denied",
  99991679: "permission_denied"
}

/** Whether the failed call was an upload or a download; decides the fallback code. */
export type CallKind = "send" | "upload" | "download"

const FALLBACK: Readonly<Record<CallKind, ChannelSendErrorCode>> = {
  send: "unknown",
  upload: "upload_failed",
  download: "download_failed"
}

/**
 * A card `Card.validate` refuses, found before sending: `format_error`, as `send` fails when the platform
 * refuses the same card (230099), without `larkCode` since nothing was sent.
 */
export const fromCardError = (error: LarkCardError): ChannelSendError =>
  new ChannelSendError({ code: "format_error", detail: error.message })

/** Classifies the error of an API call made for the channel. */
export const fromLarkError = (error: LarkError, kind: CallKind = "send"): ChannelSendError => {
  switch (error._tag) {
    case "LarkApiError": {
      const mapped = LARK_CODES[error.code]
      // A refused upload or download is that, whatever the reason, unless it is a limit or a permission.
      const code = kind !== "send" && (mapped === undefined || mapped === "format_error") ? FALLBACK[kind] : mapped ?? "unknown"
      return new ChannelSendError({ code, detail: error.message, larkCode: error.code, logId: error.logId })
    }
    case "LarkHttpError":
      return new ChannelSendError({
        code: error.reason === "Timeout" ? "send_timeout" : error.httpStatus === 429 ? "rate_limited" : FALLBACK[kind],
        detail: error.message
      })
    case "LarkRequestError":
      return new ChannelSendError({ code: "format_error", detail: error.message })
    case "LarkDecodeError":
    case "LarkTokenError":
      return new ChannelSendError({ code: FALLBACK[kind], detail: error.message })
  }
}

/** The channel's options are inconsistent or unsafe (for example strict security without an Encrypt Key). */
export class ChannelConfigError extends Schema.TaggedError<ChannelConfigError>()("ChannelConfigError", {
  detail: Schema.String
}) {
  override get message() {
    return `channel configuration: ${this.detail}`
  }
}
